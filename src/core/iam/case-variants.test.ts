// Property: IAM resolves entity names without regard to case, so the case a request spells a name in must never
// change the authorization decision. Each case runs the pipeline as the gateway does (resource(), condition keys,
// the resource policy, then the engine, in one store transaction) for a random identity policy, once with the names
// as stored and once in a random case, and the two decisions must be the same.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { idpMetadata } from '../../../test/helpers/saml.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { Authorizer, type AuthorizationRequest } from '../authorize.js';
import type { Caller } from '../caller.js';
import { defineOperations, type OperationContext, type Params } from '../operation.js';
import { ASSUME_ROLE_OPERATIONS } from '../sts/assume-role.js';
import { ROOT_CALLER, runner, testServices, TEST_ACCOUNT } from '../testing.js';
import { ATTACHMENT_OPERATIONS } from './attachments.js';
import { GROUP_OPERATIONS } from './groups.js';
import { INLINE_POLICY_OPERATIONS } from './inline-policies.js';
import { INSTANCE_PROFILE_OPERATIONS } from './instance-profiles.js';
import { MFA_DEVICE_OPERATIONS } from './mfa-devices.js';
import { OIDC_PROVIDER_OPERATIONS } from './oidc-providers.js';
import { POLICY_OPERATIONS } from './policies.js';
import { ROLE_OPERATIONS } from './roles.js';
import { SAML_PROVIDER_OPERATIONS } from './saml-providers.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([
  ...USER_OPERATIONS,
  ...GROUP_OPERATIONS,
  ...ROLE_OPERATIONS,
  ...POLICY_OPERATIONS,
  ...ATTACHMENT_OPERATIONS,
  ...INLINE_POLICY_OPERATIONS,
  ...INSTANCE_PROFILE_OPERATIONS,
  ...SAML_PROVIDER_OPERATIONS,
  ...OIDC_PROVIDER_OPERATIONS,
  ...MFA_DEVICE_OPERATIONS,
  ...ASSUME_ROLE_OPERATIONS,
]);

const A = TEST_ACCOUNT;
const SERVICES = testServices();
const NOW = new Date('2026-11-25T12:00:00Z');
const DOC = (statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** An IAM entity Gatehouse resolves by name, with the ARN its name (in some case) gives. */
interface Entity {
  readonly name: string;
  arn(name: string): string;
}

const entity = (type: string, path: string, name: string): Entity => ({ name, arn: (n) => `arn:aws:iam::${A}:${type}${path}${n}` });
const USER = entity('user', '/eng/', 'AliceSmith');
const GROUP = entity('group', '/', 'Admins');
const ROLE = entity('role', '/ops/', 'AdminRole');
const POLICY = entity('policy', '/team/', 'CorpAdmin');
const PROFILE = entity('instance-profile', '/web/', 'WebProfile');
const SAML = entity('saml-provider', '/', 'CorpIdp');
const MFA = entity('mfa', '/ops/', 'AliceToken');
const ENTITIES = [USER, GROUP, ROLE, POLICY, PROFILE, SAML, MFA];

/** A request that names entities: the operation, and its parameters for the names in whatever case. */
interface Template {
  readonly op: string;
  readonly entities: readonly Entity[];
  params(names: readonly string[]): Params;
}

const ANY_DOC = DOC([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]);
const TEMPLATES: readonly Template[] = [
  { op: 'iam:GetUser', entities: [USER], params: ([u]) => ({ UserName: u }) },
  { op: 'iam:DeleteUser', entities: [USER], params: ([u]) => ({ UserName: u }) },
  { op: 'iam:PutUserPolicy', entities: [USER], params: ([u]) => ({ UserName: u, PolicyName: 'p', PolicyDocument: ANY_DOC }) },
  { op: 'iam:AttachUserPolicy', entities: [USER, POLICY], params: ([u, p]) => ({ UserName: u, PolicyArn: POLICY.arn(p as string) }) },
  { op: 'iam:DetachUserPolicy', entities: [USER, POLICY], params: ([u, p]) => ({ UserName: u, PolicyArn: POLICY.arn(p as string) }) },
  { op: 'iam:PutUserPermissionsBoundary', entities: [USER, POLICY], params: ([u, p]) => ({ UserName: u, PermissionsBoundary: POLICY.arn(p as string) }) },
  { op: 'iam:CreateUser', entities: [POLICY], params: ([p]) => ({ UserName: 'NewUser', PermissionsBoundary: POLICY.arn(p as string) }) },
  { op: 'iam:AddUserToGroup', entities: [GROUP, USER], params: ([g, u]) => ({ GroupName: g, UserName: u }) },
  { op: 'iam:DeleteGroup', entities: [GROUP], params: ([g]) => ({ GroupName: g }) },
  { op: 'iam:AttachGroupPolicy', entities: [GROUP, POLICY], params: ([g, p]) => ({ GroupName: g, PolicyArn: POLICY.arn(p as string) }) },
  { op: 'iam:GetRole', entities: [ROLE], params: ([r]) => ({ RoleName: r }) },
  { op: 'iam:PutRolePolicy', entities: [ROLE], params: ([r]) => ({ RoleName: r, PolicyName: 'p', PolicyDocument: ANY_DOC }) },
  { op: 'iam:UpdateAssumeRolePolicy', entities: [ROLE], params: ([r]) => ({ RoleName: r, PolicyDocument: ANY_DOC }) },
  { op: 'iam:AttachRolePolicy', entities: [ROLE, POLICY], params: ([r, p]) => ({ RoleName: r, PolicyArn: POLICY.arn(p as string) }) },
  { op: 'iam:PutRolePermissionsBoundary', entities: [ROLE, POLICY], params: ([r, p]) => ({ RoleName: r, PermissionsBoundary: POLICY.arn(p as string) }) },
  { op: 'sts:AssumeRole', entities: [ROLE], params: ([r]) => ({ RoleArn: ROLE.arn(r as string), RoleSessionName: 'session' }) },
  { op: 'iam:GetPolicy', entities: [POLICY], params: ([p]) => ({ PolicyArn: POLICY.arn(p as string) }) },
  { op: 'iam:CreatePolicyVersion', entities: [POLICY], params: ([p]) => ({ PolicyArn: POLICY.arn(p as string), PolicyDocument: ANY_DOC }) },
  { op: 'iam:DeletePolicy', entities: [POLICY], params: ([p]) => ({ PolicyArn: POLICY.arn(p as string) }) },
  { op: 'iam:ListEntitiesForPolicy', entities: [POLICY], params: ([p]) => ({ PolicyArn: POLICY.arn(p as string) }) },
  { op: 'iam:DeleteInstanceProfile', entities: [PROFILE], params: ([i]) => ({ InstanceProfileName: i }) },
  { op: 'iam:AddRoleToInstanceProfile', entities: [PROFILE, ROLE], params: ([i, r]) => ({ InstanceProfileName: i, RoleName: r }) },
  { op: 'iam:DeleteSAMLProvider', entities: [SAML], params: ([s]) => ({ SAMLProviderArn: SAML.arn(s as string) }) },
  { op: 'iam:TagSAMLProvider', entities: [SAML], params: ([s]) => ({ SAMLProviderArn: SAML.arn(s as string), Tags: [] }) },
  { op: 'iam:DeleteVirtualMFADevice', entities: [MFA], params: ([m]) => ({ SerialNumber: MFA.arn(m as string) }) },
  { op: 'iam:TagMFADevice', entities: [MFA], params: ([m]) => ({ SerialNumber: MFA.arn(m as string), Tags: [] }) },
];

const ACTIONS = [...new Set(TEMPLATES.map((t) => t.op))];

/** A name with each letter's case flipped where `flips` says. */
function recase(name: string, flips: readonly boolean[]): string {
  return [...name].map((c, i) => (flips[i % flips.length] === true ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c)).join('');
}

const flips = fc.array(fc.boolean(), { minLength: 1, maxLength: 12 });
const recased = (e: Entity): fc.Arbitrary<string> => flips.map((f) => recase(e.name, f));

/** Resource patterns over the entities' ARNs: exact names in random case, name prefixes with `*`, type wildcards. */
const resourcePattern: fc.Arbitrary<string> = fc.oneof(
  fc.constant('*'),
  fc.constantFrom(...ENTITIES).chain((e) => recased(e).map((n) => e.arn(n))),
  fc.constantFrom(...ENTITIES).chain((e) => fc.tuple(recased(e), fc.integer({ min: 0, max: 4 })).map(([n, k]) => `${e.arn(n.slice(0, k))}*`)),
  fc.constantFrom(...ENTITIES).map((e) => e.arn('').replace(/\/[^:]*$/, '/*')),
  fc.constant(`arn:aws:iam::${A}:*`),
);

/** Conditions on the keys made from a policy ARN the request names. */
const policyArnCondition: fc.Arbitrary<Record<string, unknown> | undefined> = fc.option(
  fc.tuple(
    fc.constantFrom('ArnEquals', 'ArnLike', 'ArnNotEquals', 'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringLike'),
    fc.constantFrom('iam:PolicyARN', 'iam:PermissionsBoundary'),
    recased(POLICY),
    fc.boolean(),
  ).map(([operator, key, name, wildcard]) => ({ [operator]: { [key]: wildcard ? `${POLICY.arn(name.slice(0, 3))}*` : POLICY.arn(name) } })),
  { freq: 3, nil: undefined },
);

/** A random statement, its actions biased towards the request's so that statements decide often. */
function statement(action: string): fc.Arbitrary<Record<string, unknown>> {
  const actionPattern = fc.oneof(
    { arbitrary: fc.constant(action), weight: 3 },
    { arbitrary: fc.constantFrom(...ACTIONS, 'iam:*', 'iam:Delete*', 'iam:Attach*', 'iam:Put*', 'sts:AssumeRole', '*'), weight: 2 },
  );
  return fc
    .record({
      effect: fc.constantFrom('Allow', 'Deny'),
      actions: fc.array(actionPattern, { minLength: 1, maxLength: 3 }),
      resources: fc.array(resourcePattern, { minLength: 1, maxLength: 3 }),
      notResource: fc.boolean(),
      condition: policyArnCondition,
    })
    .map((s) => ({
      Effect: s.effect,
      Action: s.actions,
      [s.notResource ? 'NotResource' : 'Resource']: s.resources,
      ...(s.condition !== undefined ? { Condition: s.condition } : {}),
    }));
}

const CALLER_NAME = 'tester';
let store: Store;
let authorizer: Authorizer;
let caller: Caller;
let iam: ReturnType<typeof runner>;

before(async () => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS, SERVICES);
  const me = (await iam.run('CreateUser', { UserName: CALLER_NAME }))['User'] as { UserId: string; Arn: string };
  caller = { kind: 'user', account: A, arn: me.Arn, userId: me.UserId, userName: CALLER_NAME, accessKeyId: 'AKIATESTTESTTESTTEST' };
  await iam.run('CreateUser', { UserName: USER.name, Path: '/eng/' });
  await iam.run('CreateGroup', { GroupName: GROUP.name });
  // The trust policy lets the caller in, so sts:AssumeRole is decided by the caller's identity policy.
  const trust = DOC([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' }]);
  await iam.run('CreateRole', { RoleName: ROLE.name, Path: '/ops/', AssumeRolePolicyDocument: trust });
  await iam.run('CreatePolicy', { PolicyName: POLICY.name, Path: '/team/', PolicyDocument: ANY_DOC });
  await iam.run('CreateInstanceProfile', { InstanceProfileName: PROFILE.name, Path: '/web/' });
  await iam.run('CreateSAMLProvider', { Name: SAML.name, SAMLMetadataDocument: idpMetadata() });
  await iam.run('CreateVirtualMFADevice', { VirtualMFADeviceName: MFA.name, Path: '/ops/' });
  await iam.run('CreateOpenIDConnectProvider', { Url: 'https://token.example.test/Org', ClientIDList: ['app'], ThumbprintList: ['a'.repeat(40)] });
  authorizer = new Authorizer(store, SERVICES.awsManagedPolicies);
});
after(() => store.close());

/** The resource and decision of one request, reached as the gateway reaches them. */
async function decide(name: string, params: Params): Promise<{ resource: string; decision: string }> {
  const op = OPERATIONS.get(name);
  if (op === undefined) throw new Error(`no operation ${name}`);
  return store.read(async (tx) => {
    const ctx: OperationContext = { caller, account: A, tx, now: NOW, requestId: 'property', services: SERVICES };
    const resource = await op.resource(ctx, params);
    const owned = op.resourcePolicy === undefined ? undefined : await op.resourcePolicy(ctx, params);
    const context = () => (op.conditionKeys === undefined ? {} : op.conditionKeys(ctx, params));
    const request: AuthorizationRequest =
      owned === undefined
        ? { caller, action: name, resource, now: NOW, context }
        : { caller, action: name, resource, now: NOW, context, resourcePolicy: owned.document, resourceAccount: owned.account };
    return { resource, decision: (await authorizer.decide(request, tx)).decision };
  });
}

test('the case of an entity name in a request never changes the decision', async () => {
  const seen = { Allowed: 0, denied: 0 };
  const cases = fc
    .constantFrom(...TEMPLATES)
    .chain((t) => fc.tuple(fc.constant(t), fc.tuple(...t.entities.map(recased)), fc.array(statement(t.op), { minLength: 1, maxLength: 4 })));
  await fc.assert(
    fc.asyncProperty(cases, async ([template, names, statements]) => {
      await iam.run('PutUserPolicy', { UserName: CALLER_NAME, PolicyName: 'random', PolicyDocument: DOC(statements) }, ROOT_CALLER);
      const stored = await decide(template.op, template.params(template.entities.map((e) => e.name)));
      const variant = await decide(template.op, template.params(names));
      if (stored.decision === 'Allowed') seen.Allowed += 1;
      else seen.denied += 1;
      assert.equal(variant.decision, stored.decision, `${template.op} ${names.join(',')} under ${DOC(statements)}`);
      // Stronger, and what makes it so: the request is authorized against the same (stored) ARN.
      assert.equal(variant.resource, stored.resource);
    }),
    { numRuns: 600, interruptAfterTimeLimit: 4000 },
  );
  // Not vacuous: both outcomes come up.
  assert.ok(seen.Allowed > 10 && seen.denied > 10, JSON.stringify(seen));
});

test('an OIDC provider ARN in another case names no provider: the operation finds nothing to act on', async () => {
  const stored = `arn:aws:iam::${A}:oidc-provider/token.example.test/Org`;
  await fc.assert(
    fc.asyncProperty(flips, async (f) => {
      const arn = `arn:aws:iam::${A}:oidc-provider/${recase('token.example.test/Org', f)}`;
      fc.pre(arn !== stored);
      // Authorized as sent, as AWS authorizes a request for an entity that does not exist...
      assert.equal((await decide('iam:GetOpenIDConnectProvider', { OpenIDConnectProviderArn: arn })).resource, arn);
      // ...and answered NoSuchEntity, leaving the stored provider alone.
      await assert.rejects(iam.run('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: arn }), { code: 'NoSuchEntity' });
      await iam.run('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: arn });
      await iam.run('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: stored });
    }),
    { numRuns: 50, interruptAfterTimeLimit: 2000 },
  );
});
