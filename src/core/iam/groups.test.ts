import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { defineOperations, type Params } from '../operation.js';
import { runner, TEST_ACCOUNT, rejects } from '../testing.js';
import { GROUP_OPERATIONS } from './groups.js';
import { attachmentKey, inlineKey, inlineOwner, KIND, REL } from './kinds.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([...GROUP_OPERATIONS, ...USER_OPERATIONS]);

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
});

afterEach(() => store.close());


test('CreateGroup returns the group with its ARN, path and an AGPA id', async () => {
  const out = await iam.run('CreateGroup', { GroupName: 'Admins', Path: '/ops/' });
  const group = out['Group'] as Record<string, unknown>;
  assert.equal(group['GroupName'], 'Admins');
  assert.equal(group['Path'], '/ops/');
  assert.equal(group['Arn'], `arn:aws:iam::${TEST_ACCOUNT}:group/ops/Admins`);
  assert.match(group['GroupId'] as string, /^AGPA[A-Z2-7]{17}$/);
  assert.deepEqual(group['CreateDate'], new Date('2026-11-25T12:00:00Z'));
});

test('CreateGroup refuses a name taken in any case', async () => {
  await iam.run('CreateGroup', { GroupName: 'Admins' });
  await rejects(iam.run('CreateGroup', { GroupName: 'admins' }), 'EntityAlreadyExists', 409, 'Group with name admins already exists.');
});

const missingGroup: ReadonlyArray<[string, Params]> = [
  ['GetGroup', { GroupName: 'Nope' }],
  ['UpdateGroup', { GroupName: 'Nope', NewPath: '/x/' }],
  ['DeleteGroup', { GroupName: 'Nope' }],
  ['AddUserToGroup', { GroupName: 'Nope', UserName: 'alice' }],
  ['RemoveUserFromGroup', { GroupName: 'Nope', UserName: 'alice' }],
];
for (const [name, params] of missingGroup) {
  test(`${name} answers NoSuchEntity for a missing group`, async () => {
    await iam.run('CreateUser', { UserName: 'alice' });
    await rejects(iam.run(name, params), 'NoSuchEntity', 404, 'The group with name Nope cannot be found.');
  });
}

const missingUser: ReadonlyArray<[string, Params]> = [
  ['AddUserToGroup', { GroupName: 'Admins', UserName: 'ghost' }],
  ['RemoveUserFromGroup', { GroupName: 'Admins', UserName: 'ghost' }],
  ['ListGroupsForUser', { UserName: 'ghost' }],
];
for (const [name, params] of missingUser) {
  test(`${name} answers NoSuchEntity for a missing user`, async () => {
    await iam.run('CreateGroup', { GroupName: 'Admins' });
    await rejects(iam.run(name, params), 'NoSuchEntity', 404, 'The user with name ghost cannot be found.');
  });
}

test('membership: add (twice is a no-op), list both ways, remove', async () => {
  await iam.run('CreateGroup', { GroupName: 'Admins' });
  await iam.run('CreateGroup', { GroupName: 'Devs' });
  await iam.run('CreateUser', { UserName: 'bob' });
  await iam.run('CreateUser', { UserName: 'alice' });
  await iam.run('AddUserToGroup', { GroupName: 'Admins', UserName: 'bob' });
  await iam.run('AddUserToGroup', { GroupName: 'admins', UserName: 'ALICE' });
  await iam.run('AddUserToGroup', { GroupName: 'Admins', UserName: 'bob' });
  await iam.run('AddUserToGroup', { GroupName: 'Devs', UserName: 'bob' });

  const got = await iam.run('GetGroup', { GroupName: 'Admins' });
  assert.deepEqual((got['Users'] as Array<Record<string, unknown>>).map((u) => u['UserName']), ['alice', 'bob']);
  assert.equal(got['IsTruncated'], false);
  assert.equal((got['Group'] as Record<string, unknown>)['GroupName'], 'Admins');

  const forBob = await iam.run('ListGroupsForUser', { UserName: 'bob' });
  assert.deepEqual((forBob['Groups'] as Array<Record<string, unknown>>).map((g) => g['GroupName']), ['Admins', 'Devs']);

  await iam.run('RemoveUserFromGroup', { GroupName: 'Admins', UserName: 'bob' });
  await iam.run('RemoveUserFromGroup', { GroupName: 'Admins', UserName: 'bob' });
  const after = await iam.run('GetGroup', { GroupName: 'Admins' });
  assert.deepEqual((after['Users'] as Array<Record<string, unknown>>).map((u) => u['UserName']), ['alice']);
});

test('GetGroup pages its members with MaxItems and Marker', async () => {
  await iam.run('CreateGroup', { GroupName: 'G' });
  for (const name of ['u1', 'u2', 'u3']) {
    await iam.run('CreateUser', { UserName: name });
    await iam.run('AddUserToGroup', { GroupName: 'G', UserName: name });
  }
  const first = await iam.run('GetGroup', { GroupName: 'G', MaxItems: 2 });
  assert.equal(first['IsTruncated'], true);
  assert.equal((first['Users'] as unknown[]).length, 2);
  const second = await iam.run('GetGroup', { GroupName: 'G', MaxItems: 2, Marker: first['Marker'] });
  assert.equal(second['IsTruncated'], false);
  assert.deepEqual((second['Users'] as Array<Record<string, unknown>>).map((u) => u['UserName']), ['u3']);
});

test('AddUserToGroup enforces GroupsPerUser (10)', async () => {
  await iam.run('CreateUser', { UserName: 'busy' });
  for (let i = 0; i < 11; i++) await iam.run('CreateGroup', { GroupName: `g${i}` });
  for (let i = 0; i < 10; i++) await iam.run('AddUserToGroup', { GroupName: `g${i}`, UserName: 'busy' });
  // Re-adding an existing membership stays a success at the quota.
  await iam.run('AddUserToGroup', { GroupName: 'g0', UserName: 'busy' });
  await rejects(iam.run('AddUserToGroup', { GroupName: 'g10', UserName: 'busy' }), 'LimitExceeded', 409, 'Cannot exceed quota for GroupsPerUser: 10');
});

test('ListGroups filters by PathPrefix', async () => {
  await iam.run('CreateGroup', { GroupName: 'a', Path: '/ops/' });
  await iam.run('CreateGroup', { GroupName: 'b' });
  const all = await iam.run('ListGroups', {});
  assert.deepEqual((all['Groups'] as Array<Record<string, unknown>>).map((g) => g['GroupName']), ['a', 'b']);
  const ops = await iam.run('ListGroups', { PathPrefix: '/ops/' });
  assert.deepEqual((ops['Groups'] as Array<Record<string, unknown>>).map((g) => g['GroupName']), ['a']);
});

test('UpdateGroup renames and moves members, attachments and inline policies', async () => {
  await iam.run('CreateGroup', { GroupName: 'Old' });
  await iam.run('CreateUser', { UserName: 'bob' });
  await iam.run('AddUserToGroup', { GroupName: 'Old', UserName: 'bob' });
  const policy = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
  await store.transaction(async (tx) => {
    await tx.link({ relation: REL.attached, account: TEST_ACCOUNT, from: attachmentKey('group', 'Old'), to: policy, created: '2026-01-01T00:00:00Z', data: {} });
    await tx.insert({
      kind: KIND.inlinePolicy,
      account: TEST_ACCOUNT,
      key: inlineKey('group', 'Old', 'p1'),
      id: 'inline-1',
      path: '/',
      owner: inlineOwner('group', 'Old'),
      created: '2026-01-01T00:00:00Z',
      data: { document: '{}' },
    });
  });
  await iam.run('UpdateGroup', { GroupName: 'Old', NewGroupName: 'New', NewPath: '/x/' });

  await rejects(iam.run('GetGroup', { GroupName: 'Old' }), 'NoSuchEntity', 404, 'The group with name Old cannot be found.');
  const got = await iam.run('GetGroup', { GroupName: 'New' });
  assert.equal((got['Group'] as Record<string, unknown>)['Arn'], `arn:aws:iam::${TEST_ACCOUNT}:group/x/New`);
  assert.deepEqual((got['Users'] as Array<Record<string, unknown>>).map((u) => u['UserName']), ['bob']);
  await store.transaction(async (tx) => {
    assert.deepEqual((await tx.links(REL.attached, TEST_ACCOUNT, { from: attachmentKey('group', 'New') })).map((l) => l.to), [policy]);
    assert.equal(await tx.countLinks(REL.attached, TEST_ACCOUNT, { from: attachmentKey('group', 'Old') }), 0);
    const inline = await tx.list(KIND.inlinePolicy, TEST_ACCOUNT, { owner: inlineOwner('group', 'New') });
    assert.deepEqual(inline.map((r) => r.key), [inlineKey('group', 'New', 'p1')]);
  });
});

test('UpdateGroup refuses a new name another group has, and allows a change of case', async () => {
  await iam.run('CreateGroup', { GroupName: 'One' });
  await iam.run('CreateGroup', { GroupName: 'Two' });
  await rejects(iam.run('UpdateGroup', { GroupName: 'One', NewGroupName: 'two' }), 'EntityAlreadyExists', 409, 'Group with name two already exists.');
  await iam.run('UpdateGroup', { GroupName: 'One', NewGroupName: 'ONE' });
  const got = await iam.run('GetGroup', { GroupName: 'one' });
  assert.equal((got['Group'] as Record<string, unknown>)['GroupName'], 'ONE');
});

test('UpdateGroup with only NewPath keeps the name', async () => {
  await iam.run('CreateGroup', { GroupName: 'G' });
  await iam.run('UpdateGroup', { GroupName: 'G', NewPath: '/p/' });
  const got = await iam.run('GetGroup', { GroupName: 'G' });
  assert.equal((got['Group'] as Record<string, unknown>)['Path'], '/p/');
});

const deleteConflicts: ReadonlyArray<[string, (s: Store) => Promise<void>, string]> = [
  [
    'members',
    async () => {
      await iam.run('CreateUser', { UserName: 'bob' });
      await iam.run('AddUserToGroup', { GroupName: 'G', UserName: 'bob' });
    },
    'Cannot delete entity, must remove users from group first.',
  ],
  [
    'inline policies',
    (s) =>
      s.transaction((tx) =>
        tx.insert({ kind: KIND.inlinePolicy, account: TEST_ACCOUNT, key: inlineKey('group', 'G', 'p'), id: 'i1', path: '/', owner: inlineOwner('group', 'G'), created: '2026-01-01T00:00:00Z', data: { document: '{}' } }),
      ),
    'Cannot delete entity, must delete policies first.',
  ],
  [
    'attached policies',
    (s) =>
      s.transaction((tx) =>
        tx.link({ relation: REL.attached, account: TEST_ACCOUNT, from: attachmentKey('group', 'G'), to: 'arn:aws:iam::aws:policy/X', created: '2026-01-01T00:00:00Z', data: {} }),
      ),
    'Cannot delete entity, must detach all policies first.',
  ],
];
for (const [what, setup, message] of deleteConflicts) {
  test(`DeleteGroup refuses a group with ${what}`, async () => {
    await iam.run('CreateGroup', { GroupName: 'G' });
    await setup(store);
    await rejects(iam.run('DeleteGroup', { GroupName: 'G' }), 'DeleteConflict', 409, message);
  });
}

test('DeleteGroup removes an empty group', async () => {
  await iam.run('CreateGroup', { GroupName: 'G' });
  await iam.run('DeleteGroup', { GroupName: 'G' });
  assert.deepEqual((await iam.run('ListGroups', {}))['Groups'], []);
});

test('resources: group ARNs with their path, the bare prefix for ListGroups, the user for ListGroupsForUser', async () => {
  await iam.run('CreateGroup', { GroupName: 'G', Path: '/p/' });
  await iam.run('CreateUser', { UserName: 'bob' });
  const byName = new Map(GROUP_OPERATIONS.map((o) => [o.name, o]));
  await store.transaction(async (tx) => {
    const ctx = { caller: { kind: 'root', account: TEST_ACCOUNT, arn: '', userId: '', accessKeyId: '' }, account: TEST_ACCOUNT, tx, now: new Date(), requestId: 'r', services: {} } as never;
    assert.equal(await byName.get('GetGroup')?.resource(ctx, { GroupName: 'G' }), `arn:aws:iam::${TEST_ACCOUNT}:group/p/G`);
    assert.equal(await byName.get('DeleteGroup')?.resource(ctx, { GroupName: 'Missing' }), `arn:aws:iam::${TEST_ACCOUNT}:group/Missing`);
    assert.equal(await byName.get('CreateGroup')?.resource(ctx, { GroupName: 'N', Path: '/q/' }), `arn:aws:iam::${TEST_ACCOUNT}:group/q/N`);
    assert.equal(await byName.get('ListGroups')?.resource(ctx, {}), `arn:aws:iam::${TEST_ACCOUNT}:group/`);
    assert.equal(await byName.get('ListGroupsForUser')?.resource(ctx, { UserName: 'bob' }), `arn:aws:iam::${TEST_ACCOUNT}:user/bob`);
  });
});
