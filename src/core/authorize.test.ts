import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { DecisionResult } from '../policy/decide.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { IAM_WRITE_SCOPE } from './write-scope.js';
import type { Store } from '../store/store.js';
import { userArn } from './arns.js';
import { Authorizer } from './authorize.js';
import type { Caller } from './caller.js';
import { INLINE_POLICY_OPERATIONS } from './iam/inline-policies.js';
import { inlineKey, inlineOwner, KIND } from './iam/kinds.js';
import { POLICY_OPERATIONS } from './iam/policies.js';
import { ROLE_OPERATIONS } from './iam/roles.js';
import { USER_OPERATIONS } from './iam/users.js';
import { defineOperations, type AwsManagedPolicy, type CoreServices } from './operation.js';
import { callerFromClaims } from './sts/session-caller.js';
import type { SessionClaims } from './sts/session-token.js';
import { USER_SESSION_OPERATIONS } from './sts/user-session-operations.js';
import { runner, TEST_ACCOUNT, testServices } from './testing.js';

const OPERATIONS = defineOperations([...USER_OPERATIONS, ...ROLE_OPERATIONS, ...POLICY_OPERATIONS, ...INLINE_POLICY_OPERATIONS, ...USER_SESSION_OPERATIONS]);

const doc = (action: string | string[]): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: TEST_ACCOUNT }, Action: 'sts:AssumeRole' }] });
const BOUNDARY_ARN = `arn:aws:iam::${TEST_ACCOUNT}:policy/Boundary`;
const AWS_BOUNDARY: AwsManagedPolicy = {
  arn: 'arn:aws:iam::aws:policy/ListUsersOnly',
  name: 'ListUsersOnly',
  path: '/',
  id: 'ANPAAWSLISTUSERSONLY1',
  defaultVersionId: 'v1',
  createDate: new Date('2020-01-01T00:00:00Z'),
  updateDate: new Date('2020-01-01T00:00:00Z'),
  versions: [{ versionId: 'v1', document: doc('iam:ListUsers'), createDate: new Date('2020-01-01T00:00:00Z') }],
};

let store: Store;
let iam: ReturnType<typeof runner>;
let authorizer: Authorizer;
let sealed: SessionClaims[];

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:', writeScope: IAM_WRITE_SCOPE });
  sealed = [];
  const services: CoreServices = {
    ...testServices([AWS_BOUNDARY]),
    sealSessionToken: (claims) => {
      sealed.push(claims);
      return 'sealed';
    },
  };
  iam = runner(store, OPERATIONS, services);
  authorizer = new Authorizer(store, services.awsManagedPolicies);
});

afterEach(() => store.close());

/** A user allowed iam:* by its own policy, with the Boundary policy (iam:ListUsers only) as its boundary. */
async function boundedUser(name: string, boundary = BOUNDARY_ARN): Promise<Caller> {
  if (boundary === BOUNDARY_ARN) await iam.run('CreatePolicy', { PolicyName: 'Boundary', PolicyDocument: doc('iam:ListUsers') });
  const out = (await iam.run('CreateUser', { UserName: name, PermissionsBoundary: boundary }))['User'] as Record<string, string>;
  await iam.run('PutUserPolicy', { UserName: name, PolicyName: 'all', PolicyDocument: doc('iam:*') });
  return userCaller(name, out['UserId'] as string);
}

function userCaller(name: string, userId: string): Caller {
  return { kind: 'user', account: TEST_ACCOUNT, arn: userArn(TEST_ACCOUNT, '/', name), userId, userName: name, accessKeyId: 'AKIAEXAMPLEEXAMPLE01' };
}

function decide(caller: Caller, action: string): Promise<DecisionResult> {
  return store.read((tx) => authorizer.decide({ caller, action, resource: '*', now: new Date('2026-11-25T12:00:00Z') }, tx));
}

async function allowed(caller: Caller, action: string): Promise<boolean> {
  return (await decide(caller, action)).decision === 'Allowed';
}

async function writeStore(work: Parameters<Store['transaction']>[0]): Promise<void> {
  await store.transaction(work);
}

test('a boundary limits the user: what the boundary allows passes, the rest is denied', async () => {
  const alice = await boundedUser('alice');
  assert.equal(await allowed(alice, 'iam:ListUsers'), true);
  assert.equal(await allowed(alice, 'iam:ListRoles'), false);
});

// However the boundary's policy went missing, the principal is left with no permissions at all, never with its
// identity policies unbounded.
const VANISHING: ReadonlyArray<readonly [string, Parameters<Store['transaction']>[0]]> = [
  ['its default version document is gone', (tx) => tx.delete(KIND.policyVersion, TEST_ACCOUNT, 'Boundary:v1')],
  [
    'the policy is gone, bypassing DeletePolicy',
    async (tx) => {
      await tx.delete(KIND.policyVersion, TEST_ACCOUNT, 'Boundary:v1');
      return tx.delete(KIND.policy, TEST_ACCOUNT, 'Boundary');
    },
  ],
  [
    'the policy was replaced by another of the same name (another ID)',
    async (tx) => {
      const old = await tx.get(KIND.policy, TEST_ACCOUNT, 'Boundary');
      assert.ok(old !== undefined);
      await tx.delete(KIND.policy, TEST_ACCOUNT, 'Boundary');
      await tx.insert({ ...old, id: 'ANPAREPLACEMENTPOLICY1' });
      const version = await tx.get(KIND.policyVersion, TEST_ACCOUNT, 'Boundary:v1');
      assert.ok(version !== undefined);
      await tx.update({ ...version, data: { document: doc('*') } });
    },
  ],
  [
    'an ARN-only boundary (older data) names no policy',
    async (tx) => {
      const user = await tx.get(KIND.user, TEST_ACCOUNT, 'alice');
      assert.ok(user !== undefined);
      await tx.update({ ...user, data: { ...user.data, permissionsBoundary: `arn:aws:iam::${TEST_ACCOUNT}:policy/Gone`, permissionsBoundaryId: undefined } });
    },
  ],
];

for (const [name, vanish] of VANISHING) {
  test(`a boundary that cannot be resolved denies everything: ${name}`, async () => {
    const alice = await boundedUser('alice');
    assert.equal(await allowed(alice, 'iam:ListUsers'), true);
    await writeStore(vanish);
    // Implicitly: the boundary is there and allows nothing (it is not an explicit deny of the policy's making).
    const { decision, decidedBy } = await decide(alice, 'iam:ListUsers');
    assert.deepEqual({ decision, decidedBy }, { decision: 'ImplicitlyDenied', decidedBy: ['permissionsBoundary'] });
    assert.equal(await allowed(alice, 'iam:ListRoles'), false);
  });
}

test('a role whose boundary vanished is denied everything too', async () => {
  await iam.run('CreatePolicy', { PolicyName: 'Boundary', PolicyDocument: doc('iam:ListUsers') });
  const role = (await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: BOUNDARY_ARN }))['Role'] as Record<string, string>;
  await iam.run('PutRolePolicy', { RoleName: 'app', PolicyName: 'all', PolicyDocument: doc('iam:*') });
  const session: Caller = {
    kind: 'assumedRole',
    account: TEST_ACCOUNT,
    arn: `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/app/s`,
    userId: `${role['RoleId']}:s`,
    roleName: 'app',
    roleArn: role['Arn'] as string,
    accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
  };
  assert.equal(await allowed(session, 'iam:ListUsers'), true);
  await writeStore((tx) => tx.delete(KIND.policyVersion, TEST_ACCOUNT, 'Boundary:v1'));
  assert.equal(await allowed(session, 'iam:ListUsers'), false);
});

test('an ARN-only boundary (older data) in another case still resolves to its policy and limits', async () => {
  const alice = await boundedUser('alice');
  await writeStore(async (tx) => {
    const user = await tx.get(KIND.user, TEST_ACCOUNT, 'alice');
    assert.ok(user !== undefined);
    const { permissionsBoundaryId: _id, ...rest } = user.data;
    await tx.update({ ...user, data: { ...rest, permissionsBoundary: `arn:aws:iam::${TEST_ACCOUNT}:policy/BOUNDARY` } });
  });
  assert.equal(await allowed(alice, 'iam:ListUsers'), true);
  assert.equal(await allowed(alice, 'iam:ListRoles'), false);
});

test('an AWS managed policy as a boundary is stored by its ID and limits', async () => {
  const alice = await boundedUser('alice', AWS_BOUNDARY.arn);
  const user = await store.read((tx) => tx.get(KIND.user, TEST_ACCOUNT, 'alice'));
  assert.equal(user?.data['permissionsBoundary'], AWS_BOUNDARY.arn);
  assert.equal(user?.data['permissionsBoundaryId'], AWS_BOUNDARY.id);
  assert.equal(await allowed(alice, 'iam:ListUsers'), true);
  assert.equal(await allowed(alice, 'iam:ListRoles'), false);
});

test('a boundary is stored by the policy ID and canonical ARN, whatever case the request used', async () => {
  await iam.run('CreatePolicy', { PolicyName: 'Boundary', PolicyDocument: doc('iam:ListUsers') });
  await iam.run('CreateUser', { UserName: 'bob' });
  await iam.run('PutUserPermissionsBoundary', { UserName: 'bob', PermissionsBoundary: `arn:aws:iam::${TEST_ACCOUNT}:policy/bOuNdArY` });
  const [user, policy] = await store.read((tx) => Promise.all([tx.get(KIND.user, TEST_ACCOUNT, 'bob'), tx.get(KIND.policy, TEST_ACCOUNT, 'Boundary')]));
  assert.equal(user?.data['permissionsBoundary'], BOUNDARY_ARN);
  assert.equal(user?.data['permissionsBoundaryId'], policy?.id);
});

test('a federation token of a deleted user does not pass to a new user of the same name', async () => {
  await iam.run('CreateUser', { UserName: 'fed' });
  await iam.run('PutUserPolicy', { UserName: 'fed', PolicyName: 'p', PolicyDocument: doc('iam:ListUsers') });
  const first = (await store.read((tx) => tx.get(KIND.user, TEST_ACCOUNT, 'fed')))!;
  await iam.run('GetFederationToken', { Name: 'session', Policy: doc('*') }, userCaller('fed', first.id));
  const federated = callerFromClaims(sealed[0] as SessionClaims);
  assert.equal(await allowed(federated, 'iam:ListUsers'), true);

  await iam.run('DeleteUserPolicy', { UserName: 'fed', PolicyName: 'p' });
  await iam.run('DeleteUser', { UserName: 'fed' });
  await iam.run('CreateUser', { UserName: 'fed' });
  await iam.run('PutUserPolicy', { UserName: 'fed', PolicyName: 'p', PolicyDocument: doc('iam:*') });
  assert.equal(await allowed(federated, 'iam:ListUsers'), false);
  assert.equal(await allowed(federated, 'iam:ListRoles'), false);
});

test('a caller bound to another unique ID than the user of that name has no permissions, even with the other cached', async () => {
  await iam.run('CreateUser', { UserName: 'erin' });
  await iam.run('PutUserPolicy', { UserName: 'erin', PolicyName: 'p', PolicyDocument: doc('iam:*') });
  const current = (await store.read((tx) => tx.get(KIND.user, TEST_ACCOUNT, 'erin')))!;
  // Same ARN and name, same store version: only the unique ID tells them apart.
  assert.equal(await allowed(userCaller('erin', current.id), 'iam:ListUsers'), true);
  assert.equal(await allowed(userCaller('erin', 'AIDAFORMERERINFORMER1'), 'iam:ListUsers'), false);
});

/**
 * Another node's commit, heard (by notification) while this node's transaction reads from a snapshot taken before
 * it: a store whose version() can be moved from outside, with transactions that report the version they began at.
 */
function nodeWithRemoteCommits(inner: Store): { store: Store; hearRemoteCommit: () => void } {
  let heard = 0;
  const version = (): number => inner.version() + heard;
  const versionOf = (account: string): number => inner.versionOf(account) + heard;
  const at = <T>(run: (work: (tx: Parameters<Parameters<Store['read']>[0]>[0]) => Promise<T>) => Promise<T>, work: (tx: Parameters<Parameters<Store['read']>[0]>[0]) => Promise<T>): Promise<T> => {
    const began = version();
    const heardBefore = heard;
    return run((tx) => work(Object.create(tx, { version: { value: began }, versionOf: { value: (account: string) => tx.versionOf(account) + heardBefore } }) as typeof tx));
  };
  return {
    store: {
      events: inner.events,
      transaction: (work, options) => at((w) => inner.transaction(w, options), work),
      read: (work) => at((w) => inner.read(w), work),
      version,
      versionOf,
      close: () => inner.close(),
    },
    hearRemoteCommit: () => void (heard += 1),
  };
}

test('policies read from a snapshot are cached under the version the snapshot is as new as, not a later one', async () => {
  const out = (await iam.run('CreateUser', { UserName: 'rotated' }))['User'] as Record<string, string>;
  await iam.run('PutUserPolicy', { UserName: 'rotated', PolicyName: 'all', PolicyDocument: doc('iam:*') });
  const caller = userCaller('rotated', out['UserId'] as string);
  const node = nodeWithRemoteCommits(store);
  const onNode = new Authorizer(node.store, testServices([]).awsManagedPolicies);
  const request = { caller, action: 'iam:ListUsers', resource: '*', now: new Date('2026-11-25T12:00:00Z') };
  // The revoking commit happens "on another node" while this read runs: its notification arrives after the snapshot.
  const first = await node.store.read(async (tx) => {
    await tx.get(KIND.user, TEST_ACCOUNT, 'rotated');
    node.hearRemoteCommit();
    return onNode.decide(request, tx);
  });
  assert.equal(first.decision, 'Allowed');
  // What that commit did, now visible to new snapshots; written as bookkeeping so only the heard count moves version().
  await store.transaction((tx) => tx.delete(KIND.inlinePolicy, TEST_ACCOUNT, 'user/rotated/all').then(() => undefined), { bookkeeping: true });
  const inline = await store.read((tx) => tx.list(KIND.inlinePolicy, TEST_ACCOUNT));
  assert.deepEqual(inline, [], 'the inline policy is gone');
  const second = await node.store.read((tx) => onNode.decide(request, tx));
  assert.equal(second.decision, 'ImplicitlyDenied', 'the revoked permission must not be served from the cache');
});

test('scope-down policies bind a caller, and the same caller without them is cached apart', async () => {
  const out = (await iam.run('CreateUser', { UserName: 'scoped' }))['User'] as Record<string, string>;
  await iam.run('PutUserPolicy', { UserName: 'scoped', PolicyName: 'all', PolicyDocument: doc('iam:*') });
  const plain = userCaller('scoped', out['UserId'] as string);
  const scoped: Caller = { ...plain, limitPolicies: [doc('iam:ListUsers')] };
  assert.equal(await allowed(plain, 'iam:DeleteUser'), true);
  assert.equal(await allowed(scoped, 'iam:ListUsers'), true);
  assert.equal(await allowed(scoped, 'iam:DeleteUser'), false);
  assert.deepEqual((await decide(scoped, 'iam:DeleteUser')).decidedBy, ['session']);
  assert.equal(await allowed(plain, 'iam:DeleteUser'), true, 'the unscoped caller is not served the scoped set');
});

test('what AWS grants without a policy is still bound by scope-down policies', () => {
  const caller: Caller = { ...userCaller('u', 'AIDAU'), limitPolicies: [doc('iam:ChangePassword')] };
  const request = { caller, resource: '*', now: new Date('2026-11-25T12:00:00Z') };
  authorizer.authorizeWithinLimits({ ...request, action: 'iam:ChangePassword' }, () => ({}));
  assert.throws(
    () => authorizer.authorizeWithinLimits({ ...request, action: 'iam:GetAccountPasswordPolicy' }, () => ({})),
    { code: 'AccessDenied', message: `User: ${caller.arn} is not authorized to perform: iam:GetAccountPasswordPolicy on resource: * because no session policy allows the iam:GetAccountPasswordPolicy action` },
  );
  authorizer.authorizeWithinLimits({ ...request, caller: userCaller('u', 'AIDAU'), action: 'iam:GetAccountPasswordPolicy' }, () => ({}));
});

test('policies read inside a transaction after its own writes are not cached: a rolled-back grant does not stay in force', async () => {
  const out = (await iam.run('CreateUser', { UserName: 'dora' }))['User'] as Record<string, string>;
  const dora = userCaller('dora', out['UserId'] as string);
  const now = new Date('2026-11-25T12:00:00Z');
  await assert.rejects(
    store.transaction(async (tx) => {
      await tx.insert({ kind: KIND.inlinePolicy, account: TEST_ACCOUNT, key: inlineKey('user', 'dora', 'p'), id: `${dora.userId}:p`, path: '/', owner: inlineOwner('user', 'dora'), created: now.toISOString(), data: { document: doc('iam:ListUsers') } });
      // Inside the transaction its own write is in force.
      assert.equal((await authorizer.decide({ caller: dora, action: 'iam:ListUsers', resource: '*', now }, tx)).decision, 'Allowed');
      throw new Error('rolled back');
    }),
    /rolled back/,
  );
  assert.equal(authorizer.decideCached({ caller: dora, action: 'iam:ListUsers', resource: '*', now, context: {} })?.decision, undefined, 'nothing cached');
  assert.equal(await allowed(dora, 'iam:ListUsers'), false);
});
