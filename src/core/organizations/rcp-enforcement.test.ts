// RCPs in every decision on an STS resource of a member account: whoever calls (inside the organization or not), the
// management account's resources, IAM actions and service-linked roles exempt, AWS's wording, the aws:ResourceOrg*
// keys, and a change in force for the next decision.
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
const OUTSIDER = '999988887777';
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
  await f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' });
});
afterEach(() => f.store.close());

/** A role with administrator rights in `account`, written straight to the store, and a session of it. */
async function adminRole(account: string, name: string, serviceLinked = false): Promise<Caller> {
  const id = `AROA${name.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(17, 'X').slice(0, 17)}`;
  await f.store.transaction(async (tx) => {
    await tx.insert({ kind: KIND.role, account, key: name, id, path: serviceLinked ? '/aws-service-role/x.amazonaws.com/' : '/', owner: '', created: NOW.toISOString(), data: { assumeRolePolicyDocument: '{}', serviceLinked } });
    await tx.insert({ kind: KIND.inlinePolicy, account, key: inlineKey('role', name, 'all'), id: `${id}:all`, path: '/', owner: inlineOwner('role', name), created: NOW.toISOString(), data: { document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) } });
  });
  return { kind: 'assumedRole', account, arn: `arn:aws:sts::${account}:assumed-role/${name}/s`, userId: `${id}:s`, accessKeyId: 'ASIAEXAMPLEEXAMPLE01', roleName: name, roleArn: `arn:aws:iam::${account}:role/${name}` };
}

/** AccessDenied's text for `caller` assuming a role of `account` whose trust policy lets everyone in, or undefined. */
async function assumeDenial(caller: Caller, account: string, action = 'sts:AssumeRole'): Promise<string | undefined> {
  try {
    await f.store.read(async (tx) => {
      await authorizer.authorize(
        { caller, action, resource: `arn:aws:iam::${account}:role/target`, resourceAccount: account, resourcePolicy: doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: '*' }), now: NOW },
        tx,
      );
    });
    return undefined;
  } catch (error) {
    assert.ok(error instanceof ServiceError && error.code === 'AccessDenied', String(error));
    return error.message;
  }
}

async function denial(caller: Caller, action: string, resource = '*'): Promise<string | undefined> {
  try {
    await f.store.read(async (tx) => authorizer.authorize({ caller, action, resource, now: NOW }, tx));
    return undefined;
  } catch (error) {
    assert.ok(error instanceof ServiceError && error.code === 'AccessDenied', String(error));
    return error.message;
  }
}

async function createRcp(name: string, content: string): Promise<string> {
  const out = (await f.run('CreatePolicy', { Name: name, Description: '', Type: 'RESOURCE_CONTROL_POLICY', Content: content })) as { Policy: { PolicySummary: { Id: string } } };
  return out.Policy.PolicySummary.Id;
}

const ONLY_INSIDERS = doc({ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': '__ORG__' }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } } });

test('an RCP keeps principals outside the organization from assuming a member’s roles; insiders pass', async () => {
  const outsider = await adminRole(OUTSIDER, 'outsider');
  const insider = await adminRole(TEST_ACCOUNT, 'insider');
  const memberAdmin = await adminRole(member, 'member-admin');
  assert.equal(await assumeDenial(outsider, member), undefined, 'RCPFullAWSAccess alone lets everyone through');
  const rcp = await createRcp('org-only', ONLY_INSIDERS.replace('__ORG__', orgId));
  await f.run('AttachPolicy', { PolicyId: rcp, TargetId: rootId });
  assert.equal(
    await assumeDenial(outsider, member),
    `User: arn:aws:sts::${OUTSIDER}:assumed-role/outsider/s is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${member}:role/target with an explicit deny in a resource control policy`,
  );
  assert.match((await assumeDenial(rootOf(OUTSIDER), member)) ?? '', /explicit deny in a resource control policy$/);
  assert.equal(await assumeDenial(insider, member), undefined);
  assert.equal(await assumeDenial(ROOT_CALLER, member), undefined);
  assert.equal(await assumeDenial(memberAdmin, member), undefined);
  // Only the action denied: TagSession on the same role is not.
  assert.equal(await assumeDenial(outsider, member, 'sts:TagSession'), undefined);
  // The management account's resources are never bound, nor are accounts outside the organization.
  assert.equal(await assumeDenial(outsider, TEST_ACCOUNT), undefined);
  assert.equal(await assumeDenial(insider, OUTSIDER), undefined);
  // Detached: in force for the very next decision.
  await f.run('DetachPolicy', { PolicyId: rcp, TargetId: rootId });
  assert.equal(await assumeDenial(outsider, member), undefined);
  await f.run('AttachPolicy', { PolicyId: rcp, TargetId: member });
  assert.ok((await assumeDenial(outsider, member)) !== undefined);
  // Edited: the next decision sees the new content.
  await f.run('UpdatePolicy', { PolicyId: rcp, Content: doc({ Effect: 'Deny', Principal: '*', Action: 'sts:TagSession', Resource: '*' }) });
  assert.equal(await assumeDenial(outsider, member), undefined);
  assert.ok((await assumeDenial(outsider, member, 'sts:TagSession')) !== undefined);
  // Disabling the policy type lifts every RCP.
  await f.run('DisablePolicyType', { RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' });
  assert.equal(await assumeDenial(outsider, member, 'sts:TagSession'), undefined);
});

test('RCPs bind the resource’s account path (an OU above it), and an account moved away is bound no more', async () => {
  const ou = ((await f.run('CreateOrganizationalUnit', { ParentId: rootId, Name: 'locked' })) as { OrganizationalUnit: { Id: string } }).OrganizationalUnit.Id;
  const rcp = await createRcp('no-assume', doc({ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' }));
  await f.run('AttachPolicy', { PolicyId: rcp, TargetId: ou });
  const insider = await adminRole(TEST_ACCOUNT, 'insider');
  assert.equal(await assumeDenial(insider, member), undefined);
  await f.run('MoveAccount', { AccountId: member, SourceParentId: rootId, DestinationParentId: ou });
  assert.match((await assumeDenial(insider, member)) ?? '', /explicit deny in a resource control policy$/);
  // The member's own principals on its own roles are bound too (RCPs bind whoever calls).
  assert.match((await assumeDenial(await adminRole(member, 'self'), member)) ?? '', /resource control policy$/);
  await f.run('MoveAccount', { AccountId: member, SourceParentId: ou, DestinationParentId: rootId });
  assert.equal(await assumeDenial(insider, member), undefined);
});

test('IAM actions are not bound by RCPs; service-linked roles are exempt', async () => {
  const rcp = await createRcp('deny-all', doc({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }));
  await f.run('AttachPolicy', { PolicyId: rcp, TargetId: member });
  const memberAdmin = await adminRole(member, 'member-admin');
  assert.equal(await denial(memberAdmin, 'iam:CreateUser', `arn:aws:iam::${member}:user/x`), undefined);
  assert.equal(await denial(rootOf(member), 'iam:ListUsers'), undefined);
  // STS actions without a resource of their own are decided on the caller's account.
  assert.match((await denial(memberAdmin, 'sts:GetSessionToken')) ?? '', /with an explicit deny in a resource control policy$/);
  assert.equal(await denial(memberAdmin, 'sts:GetCallerIdentity'), undefined);
  assert.equal(await assumeDenial(await adminRole(member, 'AWSServiceRoleForX', true), member), undefined);
  // A role that merely sits under the service-role path is no service-linked role.
  const impostor = await f.store.transaction(async (tx) => {
    const id = 'AROAIMPOSTORXXXXXXXX';
    await tx.insert({ kind: KIND.role, account: member, key: 'AWSServiceRoleForY', id, path: '/aws-service-role/y.amazonaws.com/', owner: '', created: NOW.toISOString(), data: { assumeRolePolicyDocument: '{}' } });
    await tx.insert({ kind: KIND.inlinePolicy, account: member, key: inlineKey('role', 'AWSServiceRoleForY', 'all'), id: `${id}:all`, path: '/', owner: inlineOwner('role', 'AWSServiceRoleForY'), created: NOW.toISOString(), data: { document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) } });
    return { kind: 'assumedRole', account: member, arn: `arn:aws:sts::${member}:assumed-role/AWSServiceRoleForY/s`, userId: `${id}:s`, accessKeyId: 'ASIAEXAMPLEEXAMPLE02', roleName: 'AWSServiceRoleForY', roleArn: `arn:aws:iam::${member}:role/aws-service-role/y.amazonaws.com/AWSServiceRoleForY` } satisfies Caller;
  });
  assert.match((await assumeDenial(impostor, member)) ?? '', /resource control policy$/);
});

test('aws:ResourceOrgID, aws:ResourceOrgPaths and aws:ResourceAccount name the resource’s account', async () => {
  const ou = ((await f.run('CreateOrganizationalUnit', { ParentId: rootId, Name: 'paths' })) as { OrganizationalUnit: { Id: string } }).OrganizationalUnit.Id;
  await f.run('MoveAccount', { AccountId: member, SourceParentId: rootId, DestinationParentId: ou });
  const outsider = await adminRole(OUTSIDER, 'outsider');
  const cases: Array<[Record<string, unknown>, boolean]> = [
    [{ StringEquals: { 'aws:ResourceOrgID': orgId } }, true],
    [{ StringNotEquals: { 'aws:ResourceOrgID': orgId } }, false],
    [{ 'ForAnyValue:StringEquals': { 'aws:ResourceOrgPaths': `${orgId}/${rootId}/${ou}/` } }, true],
    [{ 'ForAnyValue:StringLike': { 'aws:ResourceOrgPaths': `${orgId}/${rootId}/*` } }, true],
    [{ StringEquals: { 'aws:ResourceAccount': member } }, true],
    [{ StringEquals: { 'aws:ResourceAccount': TEST_ACCOUNT } }, false],
  ];
  for (const [condition, denied] of cases) {
    const rcp = await createRcp(`guard-${Math.random()}`, doc({ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Resource: '*', Condition: condition }));
    await f.run('AttachPolicy', { PolicyId: rcp, TargetId: ou });
    assert.equal((await assumeDenial(outsider, member)) !== undefined, denied, JSON.stringify(condition));
    await f.run('DetachPolicy', { PolicyId: rcp, TargetId: ou });
  }
  // An identity policy of a principal outside any organization reads the keys of the resource's account.
  const decide = (account: string) =>
    f.store.read((tx) =>
      authorizer.decide(
        { caller: rootOf(OUTSIDER), action: 'sts:AssumeRole', resource: `arn:aws:iam::${account}:role/r`, resourceAccount: account, now: NOW, resourcePolicy: doc({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { Null: { 'aws:ResourceOrgID': 'false' } } }) },
        tx,
      ),
    );
  assert.equal((await decide(member)).decision, 'ExplicitlyDenied');
  assert.equal((await decide(TEST_ACCOUNT)).decision, 'ExplicitlyDenied');
  assert.notEqual((await decide('111111111111')).decision, 'ExplicitlyDenied');
});

test('RCPs cap anonymous requests too: a public bucket policy does not open what an RCP denies', async () => {
  const bucket = 'arn:aws:s3:::public-photos';
  const open = doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${bucket}/*` });
  const anonymous: Caller = { kind: 'anonymous', account: '', arn: 'anonymous', userId: 'anonymous', accessKeyId: '' };
  const decide = async (account: string, secure: 'true' | 'false') =>
    (await f.store.read(async (tx) => authorizer.decideAnonymous({ caller: anonymous, action: 's3:GetObject', resource: `${bucket}/cat.jpg`, resourceAccount: account, resourcePolicy: open, context: { 'aws:SecureTransport': secure }, now: NOW }, tx)))?.decision;
  assert.equal(await decide(member, 'false'), 'Allowed');
  const id = await createRcp('https-only', doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } }));
  await f.run('AttachPolicy', { PolicyId: id, TargetId: member });
  assert.equal(await decide(member, 'false'), 'ExplicitlyDenied');
  assert.equal(await decide(member, 'true'), 'Allowed');
  // The management account's resources are not bound by RCPs; a resource policy still only grants what it names.
  assert.equal(await decide(TEST_ACCOUNT, 'false'), 'Allowed');
  const noPolicy = await f.store.read(async (tx) => authorizer.decideAnonymous({ caller: anonymous, action: 's3:GetObject', resource: `${bucket}/cat.jpg`, resourceAccount: member, now: NOW }, tx));
  assert.equal(noPolicy?.decision, 'ImplicitlyDenied');
});
