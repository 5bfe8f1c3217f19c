// The core's caches are scoped by account (Store.versionOf, write-scope.ts): a write in one account leaves the keys
// and compiled policies of the others cached, while a write in the caller's own account, or to the organization, is
// in force for its very next request.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Store } from '../store/store.js';
import { userArn } from './arns.js';
import { Authenticator } from './authenticate.js';
import { Authorizer, type AuthorizationRequest } from './authorize.js';
import type { Caller } from './caller.js';
import { ACCESS_KEY_OPERATIONS } from './iam/access-keys.js';
import { ATTACHMENT_OPERATIONS } from './iam/attachments.js';
import { INLINE_POLICY_OPERATIONS } from './iam/inline-policies.js';
import { KIND, REL } from './iam/kinds.js';
import { POLICY_OPERATIONS } from './iam/policies.js';
import { USER_OPERATIONS } from './iam/users.js';
import { defineOperations } from './operation.js';
import { ORG_KIND, ORG_REL } from './organizations/kinds.js';
import { orgFixture, organizationWithMember, rootOf, type OrgFixture } from './organizations/testing.js';
import { ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from './testing.js';
import { IAM_WRITE_SCOPE } from './write-scope.js';

const IAM = defineOperations([...USER_OPERATIONS, ...ACCESS_KEY_OPERATIONS, ...POLICY_OPERATIONS, ...ATTACHMENT_OPERATIONS, ...INLINE_POLICY_OPERATIONS]);
const OTHER = '444455556666';
const NOW = new Date('2026-11-25T12:00:00Z');
const doc = (statement: Record<string, unknown>): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*', ...statement }] });

let f: OrgFixture;
let iam: ReturnType<typeof runner>;
let reads: number;
let counted: Store;
let authenticator: Authenticator;
let authorizer: Authorizer;

/** The fixture's store, counting the read views opened through it (each is a store read a cache did not answer). */
function counting(inner: Store): Store {
  return {
    events: inner.events,
    transaction: (work, options) => inner.transaction(work, options),
    read: (work) => {
      reads += 1;
      return inner.read(work);
    },
    version: () => inner.version(),
    versionOf: (account) => inner.versionOf(account),
    close: () => inner.close(),
  };
}

beforeEach(() => {
  f = orgFixture();
  iam = runner(f.store, IAM);
  reads = 0;
  counted = counting(f.store);
  authenticator = new Authenticator(counted, testServices().decryptSecret);
  authorizer = new Authorizer(counted, testServices().awsManagedPolicies);
});
afterEach(() => f.store.close());

async function createUser(account: string, name: string, tags: Record<string, string> = {}): Promise<Caller> {
  const params = { UserName: name, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
  const user = (await iam.run('CreateUser', params, rootOf(account)))['User'] as Record<string, string>;
  return { kind: 'user', account, arn: userArn(account, '/', name), userId: user['UserId'] as string, userName: name, accessKeyId: 'AKIAEXAMPLEEXAMPLE01' };
}

async function createKey(account: string, user: string): Promise<string> {
  const key = (await iam.run('CreateAccessKey', { UserName: user }, rootOf(account)))['AccessKey'] as Record<string, string>;
  return key['AccessKeyId'] as string;
}

const tag = (account: string, user: string, value: string): Promise<unknown> =>
  iam.run('TagUser', { UserName: user, Tags: [{ Key: 'team', Value: value }] }, rootOf(account));

const request = (caller: Caller, action: string): AuthorizationRequest => ({ caller, action, resource: '*', now: NOW });

async function decision(caller: Caller, action: string): Promise<string> {
  return (await counted.read((tx) => authorizer.decide(request(caller, action), tx))).decision;
}

/** The decision from the compiled policies alone; undefined when they would have to be read again. */
const cachedDecision = (caller: Caller, action: string): string | undefined => authorizer.decideCached(request(caller, action))?.decision;

test('the write scope calls no Organizations kind or relation local, nor the account record that holds the closed flag', () => {
  for (const kind of Object.values(ORG_KIND)) assert.equal(IAM_WRITE_SCOPE.entityIsLocal(kind), false, kind);
  for (const relation of Object.values(ORG_REL)) assert.equal(IAM_WRITE_SCOPE.linkIsLocal(relation), false, relation);
  for (const kind of [KIND.account, KIND.accountAlias, KIND.resourcePolicy, KIND.instanceIndex, KIND.delegationRequest, 'a-kind-added-later']) {
    assert.equal(IAM_WRITE_SCOPE.entityIsLocal(kind), false, kind);
  }
  for (const kind of [KIND.user, KIND.role, KIND.group, KIND.accessKey, KIND.inlinePolicy, KIND.policy, KIND.policyVersion]) assert.equal(IAM_WRITE_SCOPE.entityIsLocal(kind), true, kind);
  for (const relation of Object.values(REL)) assert.equal(IAM_WRITE_SCOPE.linkIsLocal(relation), true, relation);
  assert.equal(IAM_WRITE_SCOPE.linkIsLocal('a-relation-added-later'), false);
});

test('keys: a write in another account keeps a key cached; deleting it in its own account stops it at the next request', async () => {
  await createUser(TEST_ACCOUNT, 'alice');
  const aliceKey = await createKey(TEST_ACCOUNT, 'alice');
  await createUser(OTHER, 'bob');
  const bobKey = await createKey(OTHER, 'bob');
  const alice = await authenticator.resolve(aliceKey, undefined, NOW);
  assert.equal(alice?.caller.userName, 'alice');
  assert.equal((await authenticator.resolve(bobKey, undefined, NOW))?.caller.userName, 'bob');
  assert.equal(reads, 2);

  await tag(OTHER, 'bob', 'red');
  assert.equal(authenticator.peek(aliceKey, undefined, NOW), alice, 'alice\'s key is still cached, as the same answer');
  assert.equal(authenticator.peek(bobKey, undefined, NOW), undefined, 'bob\'s account was written');
  assert.equal(await authenticator.resolve(aliceKey, undefined, NOW), alice);
  assert.equal(reads, 2, 'no read for alice\'s key');

  await iam.run('DeleteAccessKey', { UserName: 'alice', AccessKeyId: aliceKey }, rootOf(TEST_ACCOUNT));
  assert.equal(authenticator.peek(aliceKey, undefined, NOW), undefined);
  assert.equal(await authenticator.resolve(aliceKey, undefined, NOW), undefined, 'the deleted key authenticates no more');

  // A key ID no account holds may be created in any account: its answer lasts only until the next write anywhere.
  assert.equal(await authenticator.resolve('AKIAUNKNOWNUNKNOWN01', undefined, NOW), undefined);
  assert.equal(authenticator.peek('AKIAUNKNOWNUNKNOWN01', undefined, NOW), null);
  await tag(OTHER, 'bob', 'blue');
  assert.equal(authenticator.peek('AKIAUNKNOWNUNKNOWN01', undefined, NOW), undefined);
});

test('policies: a write in another account keeps them compiled; TagUser and DetachUserPolicy apply to the very next request', async () => {
  await iam.run('CreatePolicy', { PolicyName: 'lister', PolicyDocument: doc({ Action: 'iam:ListUsers' }) });
  const alice = await createUser(TEST_ACCOUNT, 'alice', { team: 'blue' });
  await iam.run('AttachUserPolicy', { UserName: 'alice', PolicyArn: `arn:aws:iam::${TEST_ACCOUNT}:policy/lister` });
  const tagged = doc({ Action: 'iam:GetUser', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } });
  await iam.run('PutUserPolicy', { UserName: 'alice', PolicyName: 'tagged', PolicyDocument: tagged });
  const bob = await createUser(OTHER, 'bob');
  await iam.run('PutUserPolicy', { UserName: 'bob', PolicyName: 'all', PolicyDocument: doc({ Action: 'iam:*' }) }, rootOf(OTHER));

  assert.equal(await decision(alice, 'iam:GetUser'), 'Allowed');
  assert.equal(await decision(bob, 'iam:GetUser'), 'Allowed');
  const compiled = reads;
  await tag(OTHER, 'bob', 'red');
  assert.equal(cachedDecision(alice, 'iam:GetUser'), 'Allowed', 'alice\'s policies are still compiled');
  assert.equal(cachedDecision(alice, 'iam:ListUsers'), 'Allowed');
  assert.equal(cachedDecision(bob, 'iam:GetUser'), undefined, 'bob\'s account was written');
  assert.equal(reads, compiled);

  await tag(TEST_ACCOUNT, 'alice', 'red');
  assert.equal(cachedDecision(alice, 'iam:GetUser'), undefined);
  assert.equal(await decision(alice, 'iam:GetUser'), 'ImplicitlyDenied', 'the new tag fails the condition at once');
  assert.equal(await decision(alice, 'iam:ListUsers'), 'Allowed');
  await iam.run('DetachUserPolicy', { UserName: 'alice', PolicyArn: `arn:aws:iam::${TEST_ACCOUNT}:policy/lister` });
  assert.equal(cachedDecision(alice, 'iam:ListUsers'), undefined);
  assert.equal(await decision(alice, 'iam:ListUsers'), 'ImplicitlyDenied', 'the detached policy grants nothing at once');
});

test('organizations: an SCP attached to a member account applies to its next request, though no IAM write touched it', async () => {
  const { member } = await organizationWithMember(f);
  const admin = await createUser(member, 'admin');
  await iam.run('PutUserPolicy', { UserName: 'admin', PolicyName: 'all', PolicyDocument: doc({ Action: '*' }) }, rootOf(member));
  const bystander = await createUser(OTHER, 'bob');
  assert.equal(await decision(admin, 'iam:ListUsers'), 'Allowed');
  await createUser(TEST_ACCOUNT, 'manager');
  assert.equal(await decision(admin, 'iam:ListUsers'), 'Allowed');
  await tag(OTHER, 'bob', 'red');
  // The organization lives under the management account, but an IAM write there is no Organizations write.
  await tag(TEST_ACCOUNT, 'manager', 'ops');
  assert.equal(cachedDecision(admin, 'iam:ListUsers'), 'Allowed', 'writes in other accounts leave the member\'s policies compiled');
  assert.equal(cachedDecision(bystander, 'iam:ListUsers'), undefined);

  const scp = (await f.run('CreatePolicy', { Name: 'no-list', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*' }] }) })) as {
    Policy: { PolicySummary: { Id: string } };
  };
  // Creating the policy (attached nowhere) is an Organizations write: every account's compiled policies are read again.
  assert.equal(cachedDecision(admin, 'iam:ListUsers'), undefined);
  assert.equal(await decision(admin, 'iam:ListUsers'), 'Allowed');
  await f.run('AttachPolicy', { PolicyId: scp.Policy.PolicySummary.Id, TargetId: member }, ROOT_CALLER);
  assert.equal(await decision(admin, 'iam:ListUsers'), 'ExplicitlyDenied', 'the SCP binds the member\'s next request');
});
