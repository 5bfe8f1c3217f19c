// One decision path: the same questions go through the server's own enforcement (Authorizer), the authorize API
// (a signed S3 request), IAM's policy simulator API (SimulatePrincipalPolicy) and `gatehouse simulate`, and every
// one must answer the same decision, which the table pins too, so four equally wrong answers fail.
//
// The principals live in a member account of an organization, so its SCPs bind them. `gatehouse simulate` is given
// the policies the store holds (the SCP levels read as the server reads them). The simulator API has no session
// policy input: the role session's policy is passed as PermissionsBoundaryPolicyInputList, which for a role without
// a boundary and no resource policy limits it the same way.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { main } from './commands.js';
import type { CommandIo } from './io.js';
import { signS3, type TestKey } from '../sigv4/s3-test-signer.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { Authenticator } from '../core/authenticate.js';
import { AuthorizeApi } from '../core/authorize-api/authorize-request.js';
import { Authorizer } from '../core/authorize.js';
import type { Caller } from '../core/caller.js';
import { defineOperations, type CoreServices } from '../core/operation.js';
import { ORGANIZATIONS_OPERATIONS, organizationWithMember, rootOf } from '../core/organizations/testing.js';
import { principalOrganization, resourceOrganization } from '../core/organizations/effective.js';
import { ASSUME_ROLE_OPERATIONS } from '../core/sts/assume-role.js';
import { createKeyRing, sealSessionToken } from '../core/sts/session-token.js';
import { ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../core/testing.js';
import { ACCESS_KEY_OPERATIONS } from '../core/iam/access-keys.js';
import { INLINE_POLICY_OPERATIONS } from '../core/iam/inline-policies.js';
import { POLICY_OPERATIONS } from '../core/iam/policies.js';
import { ROLE_OPERATIONS } from '../core/iam/roles.js';
import { USER_OPERATIONS } from '../core/iam/users.js';
import { SIMULATOR_OPERATIONS } from '../core/iam/simulator/operations.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const ring = createKeyRing([{ id: 'k1', key: randomBytes(32), created: '2026-01-01T00:00:00Z' }]);
const OPERATIONS = defineOperations([
  ...USER_OPERATIONS,
  ...ROLE_OPERATIONS,
  ...POLICY_OPERATIONS,
  ...INLINE_POLICY_OPERATIONS,
  ...ACCESS_KEY_OPERATIONS,
  ...ASSUME_ROLE_OPERATIONS,
  ...SIMULATOR_OPERATIONS,
]);

type Json = Record<string, unknown>;
const doc = (...statements: Json[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (action: string | string[], resource = '*'): Json => ({ Effect: 'Allow', Action: action, Resource: resource });
const deny = (action: string, resource = '*'): Json => ({ Effect: 'Deny', Action: action, Resource: resource });

const ALICE_POLICY = doc(allow(['s3:*', 'sqs:*']), deny('s3:DeleteObject'));
const BOB_POLICY = doc(allow(['s3:*', 'iam:*']));
const BOUNDARY = doc(allow('s3:GetObject'));
const DEV_POLICY = doc(allow('s3:*'));
const SESSION_POLICY = doc(allow('s3:GetObject'));
const SCP_DENY = doc(deny('sqs:DeleteQueue'));
const RCP_DENY = doc({ Effect: 'Deny', Principal: '*', Action: 's3:PutObjectAcl', Resource: '*' });

interface Principal {
  readonly caller: Caller;
  readonly key: TestKey;
  /** SimulatePrincipalPolicy's members for this principal. */
  readonly simulator: Json;
  /** `gatehouse simulate`'s members for this principal. */
  readonly simulate: Json;
}

let store: Store;
let iam: ReturnType<typeof runner>;
let authorizer: Authorizer;
let api: AuthorizeApi;
let member: string;
let scpId: string;
const principals: Record<string, Principal> = {};

before(async () => {
  store = openSqliteStore({ path: ':memory:' });
  const services: CoreServices = { ...testServices(), sealSessionToken: (claims) => sealSessionToken(ring, claims) };
  iam = runner(store, OPERATIONS, services);
  iam.setClock(new Date(NOW.getTime() - 60_000));
  authorizer = new Authorizer(store, services.awsManagedPolicies);
  const authenticator = new Authenticator(store, services.decryptSecret, ring);
  api = new AuthorizeApi({ store, authenticator, authorizer, clock: () => NOW });
  const organizations = runner(store, ORGANIZATIONS_OPERATIONS, services);
  const org = { store, run: (name: string, params: Json = {}, caller: Caller = ROOT_CALLER) => organizations.run(name, params, caller) };
  ({ member } = await organizationWithMember(org));
  const scp = (await org.run('CreatePolicy', { Name: 'no-delete-queue', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: SCP_DENY })) as { Policy: { PolicySummary: { Id: string } } };
  await org.run('AttachPolicy', { PolicyId: scp.Policy.PolicySummary.Id, TargetId: member });
  scpId = scp.Policy.PolicySummary.Id;
  const roots = (await org.run('ListRoots')) as { Roots: Array<{ Id: string }> };
  await org.run('EnablePolicyType', { RootId: roots.Roots[0]?.Id, PolicyType: 'RESOURCE_CONTROL_POLICY' });
  const rcp = (await org.run('CreatePolicy', { Name: 'no-acl-changes', Description: '', Type: 'RESOURCE_CONTROL_POLICY', Content: RCP_DENY })) as { Policy: { PolicySummary: { Id: string } } };
  await org.run('AttachPolicy', { PolicyId: rcp.Policy.PolicySummary.Id, TargetId: member });

  const admin = rootOf(member);
  const run = (name: string, params: Json, caller: Caller = admin) => iam.run(name, params, caller);
  const keyOf = async (user: string): Promise<TestKey> => {
    const key = (await run('CreateAccessKey', { UserName: user }))['AccessKey'] as Record<string, string>;
    return { accessKeyId: key['AccessKeyId'] as string, secretAccessKey: key['SecretAccessKey'] as string };
  };
  const userCaller = async (name: string): Promise<Caller> => {
    const record = (await run('GetUser', { UserName: name }))['User'] as Record<string, string>;
    return { kind: 'user', account: member, arn: record['Arn'] as string, userId: record['UserId'] as string, userName: name, accessKeyId: '' };
  };
  const levels = await store.read(async (tx) => (await principalOrganization(tx, member))?.scp);
  const rcpLevels = await store.read(async (tx) => (await resourceOrganization(tx, member))?.rcp);
  // RCPs bind resources of the member account only (the engine exempts the management account's).
  const orgPolicies = { serviceControlPolicies: levels, resourceControlPolicies: rcpLevels, managementAccountId: TEST_ACCOUNT };

  await run('CreateUser', { UserName: 'alice' });
  await run('PutUserPolicy', { UserName: 'alice', PolicyName: 'p', PolicyDocument: ALICE_POLICY });
  const alice = await userCaller('alice');
  principals['alice'] = { caller: alice, key: await keyOf('alice'), simulator: { PolicySourceArn: alice.arn }, simulate: { principal: alice.arn, identityPolicies: [ALICE_POLICY], ...orgPolicies } };

  await run('CreatePolicy', { PolicyName: 'Boundary', PolicyDocument: BOUNDARY });
  await run('CreateUser', { UserName: 'bob', PermissionsBoundary: `arn:aws:iam::${member}:policy/Boundary` });
  await run('PutUserPolicy', { UserName: 'bob', PolicyName: 'p', PolicyDocument: BOB_POLICY });
  const bob = await userCaller('bob');
  principals['bob'] = { caller: bob, key: await keyOf('bob'), simulator: { PolicySourceArn: bob.arn }, simulate: { principal: bob.arn, identityPolicies: [BOB_POLICY], permissionsBoundary: BOUNDARY, ...orgPolicies } };

  await run('CreateRole', { RoleName: 'Dev', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: member }, Action: 'sts:AssumeRole' }) });
  await run('PutRolePolicy', { RoleName: 'Dev', PolicyName: 'p', PolicyDocument: DEV_POLICY });
  const assumed = (await run('AssumeRole', { RoleArn: `arn:aws:iam::${member}:role/Dev`, RoleSessionName: 's1', Policy: SESSION_POLICY }, alice)) as { Credentials: Record<string, string>; AssumedRoleUser: { Arn: string } };
  const key = { accessKeyId: assumed.Credentials['AccessKeyId'] as string, secretAccessKey: assumed.Credentials['SecretAccessKey'] as string, sessionToken: assumed.Credentials['SessionToken'] as string };
  const session = (await authenticator.resolve(key.accessKeyId, key.sessionToken, NOW))?.caller as Caller;
  assert.equal(session.sessionPolicy, SESSION_POLICY);
  const sessionArn = assumed.AssumedRoleUser.Arn;
  principals['session'] = {
    caller: session,
    key,
    simulator: { PolicySourceArn: `arn:aws:iam::${member}:role/Dev`, CallerArn: sessionArn, PermissionsBoundaryPolicyInputList: [SESSION_POLICY] },
    simulate: { principal: sessionArn, identityPolicies: [DEV_POLICY], sessionPolicy: SESSION_POLICY, context: { 'aws:PrincipalArn': `arn:aws:iam::${member}:role/Dev` }, ...orgPolicies },
  };
});
after(() => store.close());

interface Case {
  readonly name: string;
  readonly who: string;
  readonly action: string;
  readonly resource: string;
  /** Owner of the resource (S3 ARNs name none): the member account unless said. */
  readonly owner?: 'management';
  readonly resourcePolicy?: (p: Principal) => string;
  readonly expected: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
}

const OBJECT = 'arn:aws:s3:::photos/cat.jpg';
const bucketPolicy = (principal: string): string => doc({ Effect: 'Allow', Principal: { AWS: principal }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' });
const CASES: readonly Case[] = [
  { name: 'identity allow', who: 'alice', action: 's3:GetObject', resource: OBJECT, expected: 'Allowed' },
  { name: 'explicit deny in an identity policy', who: 'alice', action: 's3:DeleteObject', resource: OBJECT, expected: 'ExplicitlyDenied' },
  { name: 'no identity policy allows', who: 'alice', action: 'iam:GetUser', resource: '*', expected: 'ImplicitlyDenied' },
  { name: 'inside the permissions boundary', who: 'bob', action: 's3:GetObject', resource: OBJECT, expected: 'Allowed' },
  { name: 'outside the permissions boundary', who: 'bob', action: 's3:PutObject', resource: OBJECT, expected: 'ImplicitlyDenied' },
  { name: 'inside the session policy', who: 'session', action: 's3:GetObject', resource: OBJECT, expected: 'Allowed' },
  { name: 'outside the session policy', who: 'session', action: 's3:PutObject', resource: OBJECT, expected: 'ImplicitlyDenied' },
  { name: 'cross account: the bucket policy names the user', who: 'alice', action: 's3:GetObject', resource: OBJECT, owner: 'management', resourcePolicy: (p) => bucketPolicy(p.caller.arn), expected: 'Allowed' },
  { name: 'cross account: the bucket policy names someone else', who: 'alice', action: 's3:GetObject', resource: OBJECT, owner: 'management', resourcePolicy: () => bucketPolicy(`arn:aws:iam::${TEST_ACCOUNT}:user/x`), expected: 'ImplicitlyDenied' },
  { name: 'cross account: no bucket policy', who: 'bob', action: 's3:GetObject', resource: OBJECT, owner: 'management', expected: 'ImplicitlyDenied' },
  { name: 'an SCP denies what the identity policy allows', who: 'alice', action: 'sqs:DeleteQueue', resource: 'arn:aws:sqs:us-east-1:{member}:q', expected: 'ExplicitlyDenied' },
  { name: 'an RCP of the bucket owner denies what the identity policy allows', who: 'alice', action: 's3:PutObjectAcl', resource: OBJECT, expected: 'ExplicitlyDenied' },
  { name: 'the RCP does not bind the management account’s bucket', who: 'alice', action: 's3:PutObjectAcl', resource: OBJECT, owner: 'management', resourcePolicy: (p) => doc({ Effect: 'Allow', Principal: { AWS: p.caller.arn }, Action: 's3:PutObjectAcl', Resource: OBJECT }), expected: 'Allowed' },
  { name: 'the SCP leaves the rest allowed', who: 'alice', action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:{member}:q', expected: 'Allowed' },
];

function fakeIo(stdin: string): { io: CommandIo; out: () => string } {
  let out = '';
  const io: CommandIo = {
    stdout: (t) => void (out += t),
    stderr: () => undefined,
    readFile: async () => stdin,
    readStdin: async () => stdin,
    async *readLines() {
      yield* stdin.split('\n');
    },
    now: () => NOW,
  };
  return { io, out: () => out };
}

const SIMULATOR: Record<string, string> = { allowed: 'Allowed', explicitDeny: 'ExplicitlyDenied', implicitDeny: 'ImplicitlyDenied' };

describe('enforcement, the authorize API, the simulator API and gatehouse simulate decide alike', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const p = principals[c.who] as Principal;
      const resource = c.resource.replace('{member}', member);
      const account = c.owner === 'management' ? TEST_ACCOUNT : member;
      const resourcePolicy = c.resourcePolicy?.(p);

      const enforcement = await store.read((tx) => authorizer.decide({ caller: p.caller, action: c.action, resource, now: NOW, resourceAccount: account, ...(resourcePolicy !== undefined ? { resourcePolicy } : {}) }, tx));

      const request = await signS3(p.key, 'GET', '/photos/cat.jpg', '', NOW);
      const answer = await api.authorize({ request, actions: [{ action: c.action, resource, resourceAccount: account, ...(resourcePolicy !== undefined ? { resourcePolicy } : {}) }] });

      const simulated = (await iam.run(
        'SimulatePrincipalPolicy',
        { ...p.simulator, ActionNames: [c.action], ResourceArns: [resource], ResourceOwner: `arn:aws:iam::${account}:root`, ...(resourcePolicy !== undefined ? { ResourcePolicy: resourcePolicy } : {}) },
        rootOf(member),
      )) as { EvaluationResults: Json[] };

      const { io, out } = fakeIo(JSON.stringify({ ...p.simulate, action: c.action, resource, resourceAccount: account, time: NOW.toISOString(), ...(resourcePolicy !== undefined ? { resourcePolicy } : {}) }));
      assert.equal(await main(['simulate', '-'], io), 0, out());
      const cli = (JSON.parse(out()) as { decision: string }).decision;

      assert.deepEqual(
        {
          enforcement: enforcement.decision,
          authorizeApi: answer.results[0]?.decision,
          simulatorApi: SIMULATOR[simulated.EvaluationResults[0]?.['EvalDecision'] as string],
          simulateCommand: cli,
        },
        { enforcement: c.expected, authorizeApi: c.expected, simulatorApi: c.expected, simulateCommand: c.expected },
      );
    });
  }

  test('SCP and RCP denials show in OrganizationsDecisionDetail, and only there', async () => {
    const sim = async (action: string) =>
      ((await iam.run('SimulatePrincipalPolicy', { PolicySourceArn: principals['alice']?.caller.arn, ActionNames: [action], ResourceArns: [`arn:aws:sqs:us-east-1:${member}:q`] }, rootOf(member))) as { EvaluationResults: Json[] }).EvaluationResults[0] as Json;
    assert.deepEqual((await sim('sqs:DeleteQueue'))['OrganizationsDecisionDetail'], { AllowedByOrganizations: false });
    assert.deepEqual((await sim('sqs:SendMessage'))['OrganizationsDecisionDetail'], { AllowedByOrganizations: true });
    // Explicitly denied by alice's own policy: the organization still allowed it.
    const own = (await iam.run('SimulatePrincipalPolicy', { PolicySourceArn: principals['alice']?.caller.arn, ActionNames: ['s3:DeleteObject'], ResourceArns: [OBJECT], ResourceOwner: `arn:aws:iam::${member}:root` }, rootOf(member))) as { EvaluationResults: Json[] };
    assert.deepEqual([own.EvaluationResults[0]?.['EvalDecision'], own.EvaluationResults[0]?.['OrganizationsDecisionDetail']], ['explicitDeny', { AllowedByOrganizations: true }]);
    const rcp = (await iam.run('SimulatePrincipalPolicy', { PolicySourceArn: principals['alice']?.caller.arn, ActionNames: ['s3:PutObjectAcl'], ResourceArns: [OBJECT], ResourceOwner: `arn:aws:iam::${member}:root` }, rootOf(member))) as { EvaluationResults: Json[] };
    assert.deepEqual(rcp.EvaluationResults[0]?.['OrganizationsDecisionDetail'], { AllowedByOrganizations: false });
    // PolicyExclusionList leaves the SCP out by its ARN, the RCPs by their type.
    const without = async (action: string, resource: string, exclusion: Json) =>
      ((await iam.run('SimulatePrincipalPolicy', { PolicySourceArn: principals['alice']?.caller.arn, ActionNames: [action], ResourceArns: [resource], ResourceOwner: `arn:aws:iam::${member}:root`, PolicyExclusionList: [exclusion] }, rootOf(member))) as { EvaluationResults: Json[] }).EvaluationResults[0]?.['EvalDecision'];
    assert.equal(await without('sqs:DeleteQueue', `arn:aws:sqs:us-east-1:${member}:q`, { PolicyArn: `arn:aws:organizations::${TEST_ACCOUNT}:policy/o-example/service_control_policy/${scpId}` }), 'allowed');
    assert.equal(await without('sqs:DeleteQueue', `arn:aws:sqs:us-east-1:${member}:q`, { PolicyType: 'rcp' }), 'explicitDeny');
    assert.equal(await without('s3:PutObjectAcl', OBJECT, { PolicyType: 'rcp' }), 'allowed');
    // FullAWSAccess left out wherever it is attached: the levels keep no Allow, as if it were detached.
    assert.equal(await without('s3:GetObject', OBJECT, { PolicyArn: `arn:aws:organizations::${TEST_ACCOUNT}:policy/o-example/service_control_policy/p-FullAWSAccess` }), 'implicitDeny');
    // The RCP's statement is named by the policy's ID, without positions in a text the member account cannot read.
    assert.deepEqual((rcp.EvaluationResults[0]?.['MatchedStatements'] as Json[]).map((m) => Object.keys(m).sort()), [['SourcePolicyId', 'SourcePolicyType']]);
  });
});
