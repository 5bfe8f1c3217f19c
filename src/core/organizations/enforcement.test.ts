// SCPs in every decision: the policies of the caller's account path, the management account and service-linked
// roles exempt, AWS's wording, the aws:PrincipalOrg* keys, and a change in force for the next decision.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { Authorizer } from '../authorize.js';
import type { Caller } from '../caller.js';
import { ServiceError } from '../errors.js';
import { inlineKey, inlineOwner, KIND } from '../iam/kinds.js';
import { ROOT_CALLER, TEST_ACCOUNT, testServices } from '../testing.js';
import { DEFAULT_ACCESS_ROLE } from './account-namespace.js';
import { orgFixture, organizationWithMember, rootOf, type OrgFixture } from './testing.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const doc = (...statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });

let f: OrgFixture;
let authorizer: Authorizer;
let rootId: string;
let member: string;
let orgId: string;

beforeEach(async () => {
  f = orgFixture();
  authorizer = new Authorizer(f.store, testServices().awsManagedPolicies);
  ({ rootId, member } = await organizationWithMember(f));
  orgId = ((await f.run('DescribeOrganization')) as { Organization: { Id: string } }).Organization.Id;
});
afterEach(() => f.store.close());

/** A session of a role of `account` (the role must exist: its policies are read by its unique ID). */
async function roleSession(account: string, role: string): Promise<Caller> {
  const record = await f.store.read((tx) => tx.get(KIND.role, account, role));
  assert.ok(record !== undefined, `${account} has no role ${role}`);
  return {
    kind: 'assumedRole',
    account,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/s`,
    userId: `${record.id}:s`,
    accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
    roleName: role,
    roleArn: `arn:aws:iam::${account}:role/${role}`,
  };
}

/** A role with administrator rights in `account`, written straight to the store; service-linked if asked. */
async function adminRole(account: string, name: string, serviceLinked = false): Promise<Caller> {
  await f.store.transaction(async (tx) => {
    const id = `AROA${name.toUpperCase().padEnd(17, 'X')}`;
    await tx.insert({ kind: KIND.role, account, key: name, id, path: serviceLinked ? '/aws-service-role/x.amazonaws.com/' : '/', owner: '', created: NOW.toISOString(), data: { assumeRolePolicyDocument: '{}', serviceLinked } });
    await tx.insert({ kind: KIND.inlinePolicy, account, key: inlineKey('role', name, 'all'), id: `${id}:all`, path: '/', owner: inlineOwner('role', name), created: NOW.toISOString(), data: { document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) } });
  });
  return roleSession(account, name);
}

async function denial(caller: Caller, action: string, resource = '*'): Promise<string | undefined> {
  try {
    await f.store.read(async (tx) => {
      await authorizer.authorize({ caller, action, resource, now: NOW }, tx);
    });
    return undefined;
  } catch (error) {
    assert.ok(error instanceof ServiceError && error.code === 'AccessDenied', String(error));
    return error.message;
  }
}

async function createScp(name: string, content: string): Promise<string> {
  const out = (await f.run('CreatePolicy', { Name: name, Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: content })) as { Policy: { PolicySummary: { Id: string } } };
  return out.Policy.PolicySummary.Id;
}

async function createOu(parent: string, name: string): Promise<string> {
  return ((await f.run('CreateOrganizationalUnit', { ParentId: parent, Name: name })) as { OrganizationalUnit: { Id: string } }).OrganizationalUnit.Id;
}

test('a Deny on an OU above the account binds its principals, in AWS’s words; the next decision sees the change', async () => {
  const admin = await roleSession(member, DEFAULT_ACCESS_ROLE);
  const ou = await createOu(rootId, 'a');
  const inner = await createOu(ou, 'b');
  await f.run('MoveAccount', { AccountId: member, SourceParentId: rootId, DestinationParentId: inner });
  assert.equal(await denial(admin, 'iam:CreateUser'), undefined);
  const scp = await createScp('no-users', doc({ Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }));
  await f.run('AttachPolicy', { PolicyId: scp, TargetId: ou });
  assert.equal(
    await denial(admin, 'iam:CreateUser', `arn:aws:iam::${member}:user/x`),
    `User: arn:aws:sts::${member}:assumed-role/${DEFAULT_ACCESS_ROLE}/s is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${member}:user/x with an explicit deny in a service control policy`,
  );
  assert.equal(await denial(admin, 'iam:ListUsers'), undefined);
  // Moving the account out from under the OU lifts it at once.
  await f.run('MoveAccount', { AccountId: member, SourceParentId: inner, DestinationParentId: rootId });
  assert.equal(await denial(admin, 'iam:CreateUser'), undefined);
});

test('each level must allow: FullAWSAccess replaced by a narrower SCP leaves the rest implicitly denied', async () => {
  const admin = await roleSession(member, DEFAULT_ACCESS_ROLE);
  const scp = await createScp('iam-only', doc({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }));
  await f.run('AttachPolicy', { PolicyId: scp, TargetId: member });
  await f.run('DetachPolicy', { PolicyId: 'p-FullAWSAccess', TargetId: member });
  assert.equal(await denial(admin, 'iam:ListUsers'), undefined);
  assert.equal(
    await denial(admin, 'sts:GetSessionToken'),
    `User: arn:aws:sts::${member}:assumed-role/${DEFAULT_ACCESS_ROLE}/s is not authorized to perform: sts:GetSessionToken on resource: * because no service control policy allows the sts:GetSessionToken action`,
  );
  // GetCallerIdentity is answered whatever the policies say.
  assert.equal(await denial(admin, 'sts:GetCallerIdentity'), undefined);
});

test('the member account’s root user is bound; the management account and service-linked roles are not', async () => {
  const scp = await createScp('deny-all', doc({ Effect: 'Deny', Action: '*', Resource: '*' }));
  await f.run('AttachPolicy', { PolicyId: scp, TargetId: rootId });
  assert.match((await denial(rootOf(member), 'iam:ListUsers')) ?? '', /with an explicit deny in a service control policy$/);
  assert.equal(await denial(ROOT_CALLER, 'iam:ListUsers'), undefined);
  assert.equal(await denial(await adminRole(TEST_ACCOUNT, 'mgmt-admin'), 'iam:CreateUser'), undefined);
  assert.match((await denial(await adminRole(member, 'member-admin'), 'iam:CreateUser')) ?? '', /service control policy$/);
  assert.equal(await denial(await adminRole(member, 'AWSServiceRoleForX', true), 'iam:CreateUser'), undefined);
});

test('with SCPs disabled nothing of them applies', async () => {
  const scp = await createScp('deny-all', doc({ Effect: 'Deny', Action: '*', Resource: '*' }));
  await f.run('AttachPolicy', { PolicyId: scp, TargetId: member });
  assert.ok((await denial(rootOf(member), 'iam:ListUsers')) !== undefined);
  await f.run('DisablePolicyType', { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
  assert.equal(await denial(rootOf(member), 'iam:ListUsers'), undefined);
});

test('aws:PrincipalOrgID, aws:PrincipalOrgPaths and aws:PrincipalAccount are in the context', async () => {
  const ou = await createOu(rootId, 'paths');
  await f.run('MoveAccount', { AccountId: member, SourceParentId: rootId, DestinationParentId: ou });
  const caller = await adminRole(member, 'conditional');
  const guarded = (condition: Record<string, unknown>): Promise<string> =>
    createScp(`guard-${JSON.stringify(condition).length}-${Math.random()}`, doc({ Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*', Condition: condition }));
  const cases: Array<[Record<string, unknown>, boolean]> = [
    [{ StringNotEquals: { 'aws:PrincipalOrgID': orgId } }, false],
    [{ StringEquals: { 'aws:PrincipalOrgID': orgId } }, true],
    [{ 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': `${orgId}/${rootId}/${ou}/` } }, true],
    [{ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${orgId}/${rootId}/*` } }, true],
    [{ 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': `${orgId}/${rootId}/` } }, false],
    [{ StringEquals: { 'aws:PrincipalAccount': member } }, true],
  ];
  for (const [condition, denied] of cases) {
    const scp = await guarded(condition);
    await f.run('AttachPolicy', { PolicyId: scp, TargetId: ou });
    assert.equal((await denial(caller, 'iam:ListUsers')) !== undefined, denied, JSON.stringify(condition));
    await f.run('DetachPolicy', { PolicyId: scp, TargetId: ou });
  }
  // The management account's principals carry the keys too (an identity policy may test them).
  const decision = await f.store.read((tx) =>
    authorizer.decide({ caller: ROOT_CALLER, action: 'iam:ListUsers', resource: '*', now: NOW, resourcePolicy: doc({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } } }) }, tx),
  );
  assert.equal(decision.decision, 'ExplicitlyDenied');
});

test('an account that left the organization is bound no more', async () => {
  const scp = await createScp('deny-all', doc({ Effect: 'Deny', Action: '*', Resource: '*' }));
  await f.run('AttachPolicy', { PolicyId: scp, TargetId: rootId });
  assert.ok((await denial(rootOf(member), 'iam:ListUsers')) !== undefined);
  await f.run('RemoveAccountFromOrganization', { AccountId: member });
  assert.equal(await denial(rootOf(member), 'iam:ListUsers'), undefined);
});
