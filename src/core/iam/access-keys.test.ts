import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { defineOperations, type Params } from '../operation.js';
import { ROOT_CALLER, runner, TEST_ACCOUNT, rejects } from '../testing.js';
import { ACCESS_KEY_OPERATIONS, recordAccessKeyUse } from './access-keys.js';
import { KIND } from './kinds.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([...ACCESS_KEY_OPERATIONS, ...USER_OPERATIONS]);

const ALICE: Caller = {
  kind: 'user',
  account: TEST_ACCOUNT,
  arn: `arn:aws:iam::${TEST_ACCOUNT}:user/alice`,
  userId: 'AIDAALICE',
  userName: 'alice',
  accessKeyId: 'AKIAALICE',
};

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
  await iam.run('CreateUser', { UserName: 'alice' });
});

afterEach(() => store.close());


const keyOf = (out: Record<string, unknown>): Record<string, unknown> => out['AccessKey'] as Record<string, unknown>;
const metadata = (out: Record<string, unknown>): Array<Record<string, unknown>> => out['AccessKeyMetadata'] as Array<Record<string, unknown>>;

test('CreateAccessKey returns the secret once and stores it only sealed', async () => {
  const key = keyOf(await iam.run('CreateAccessKey', { UserName: 'alice' }));
  assert.equal(key['UserName'], 'alice');
  assert.match(key['AccessKeyId'] as string, /^AKIA[A-Z2-7]{16}$/);
  assert.equal(key['Status'], 'Active');
  assert.equal((key['SecretAccessKey'] as string).length, 40);
  assert.deepEqual(key['CreateDate'], new Date('2026-11-25T12:00:00Z'));
  await store.transaction(async (tx) => {
    const record = await tx.getById(KIND.accessKey, key['AccessKeyId'] as string);
    assert.equal(record?.owner, 'alice');
    assert.equal(record?.data['secret'], `sealed:${key['SecretAccessKey'] as string}`);
  });
  const listed = metadata(await iam.run('ListAccessKeys', { UserName: 'alice' }));
  assert.deepEqual(listed, [{ UserName: 'alice', AccessKeyId: key['AccessKeyId'], Status: 'Active', CreateDate: new Date('2026-11-25T12:00:00Z') }]);
});

test('CreateAccessKey enforces AccessKeysPerUser (2)', async () => {
  await iam.run('CreateAccessKey', { UserName: 'alice' });
  await iam.run('CreateAccessKey', { UserName: 'alice' });
  await rejects(iam.run('CreateAccessKey', { UserName: 'alice' }), 'LimitExceeded', 409, 'Cannot exceed quota for AccessKeysPerUser: 2');
});

test('without UserName an IAM user manages its own keys', async () => {
  const key = keyOf(await iam.run('CreateAccessKey', {}, ALICE));
  assert.equal(key['UserName'], 'alice');
  assert.equal(metadata(await iam.run('ListAccessKeys', {}, ALICE)).length, 1);
  assert.equal(metadata(await iam.run('ListAccessKeys', {})).length, 0, 'root sees its own keys, not alice’s');
});

test('without UserName the root user manages the root keys, listed without a user name', async () => {
  const key = keyOf(await iam.run('CreateAccessKey', {}, ROOT_CALLER));
  assert.equal(key['UserName'], undefined);
  const listed = metadata(await iam.run('ListAccessKeys', {}));
  assert.deepEqual(listed.map((k) => [k['AccessKeyId'], k['UserName']]), [[key['AccessKeyId'], undefined]]);
  await store.transaction(async (tx) => assert.equal((await tx.get(KIND.accessKey, TEST_ACCOUNT, key['AccessKeyId'] as string))?.owner, ''));
});

test('UpdateAccessKey changes the status; DeleteAccessKey removes the key', async () => {
  const id = keyOf(await iam.run('CreateAccessKey', { UserName: 'alice' }))['AccessKeyId'];
  await iam.run('UpdateAccessKey', { UserName: 'alice', AccessKeyId: id, Status: 'Inactive' });
  assert.equal(metadata(await iam.run('ListAccessKeys', { UserName: 'alice' }))[0]?.['Status'], 'Inactive');
  await iam.run('UpdateAccessKey', { UserName: 'alice', AccessKeyId: id, Status: 'Active' });
  assert.equal(metadata(await iam.run('ListAccessKeys', { UserName: 'alice' }))[0]?.['Status'], 'Active');
  await iam.run('DeleteAccessKey', { UserName: 'alice', AccessKeyId: id });
  assert.deepEqual(metadata(await iam.run('ListAccessKeys', { UserName: 'alice' })), []);
});

const unknownKey: ReadonlyArray<[string, Params]> = [
  ['UpdateAccessKey', { UserName: 'alice', AccessKeyId: 'AKIAUNKNOWNUNKNOWN12', Status: 'Inactive' }],
  ['DeleteAccessKey', { UserName: 'alice', AccessKeyId: 'AKIAUNKNOWNUNKNOWN12' }],
  ['GetAccessKeyLastUsed', { AccessKeyId: 'AKIAUNKNOWNUNKNOWN12' }],
];
for (const [name, params] of unknownKey) {
  test(`${name} answers NoSuchEntity for an unknown key`, async () => {
    await rejects(iam.run(name, params), 'NoSuchEntity', 404, 'The Access Key with id AKIAUNKNOWNUNKNOWN12 cannot be found.');
  });
}

test("a key is not found under another user's name", async () => {
  await iam.run('CreateUser', { UserName: 'bob' });
  const id = keyOf(await iam.run('CreateAccessKey', { UserName: 'alice' }))['AccessKeyId'] as string;
  await rejects(iam.run('DeleteAccessKey', { UserName: 'bob', AccessKeyId: id }), 'NoSuchEntity', 404, `The Access Key with id ${id} cannot be found.`);
  await rejects(iam.run('UpdateAccessKey', { AccessKeyId: id, Status: 'Inactive' }), 'NoSuchEntity', 404, `The Access Key with id ${id} cannot be found.`);
});

const missingUser: ReadonlyArray<[string, Params]> = [
  ['CreateAccessKey', { UserName: 'ghost' }],
  ['ListAccessKeys', { UserName: 'ghost' }],
  ['UpdateAccessKey', { UserName: 'ghost', AccessKeyId: 'AKIAUNKNOWNUNKNOWN12', Status: 'Active' }],
  ['DeleteAccessKey', { UserName: 'ghost', AccessKeyId: 'AKIAUNKNOWNUNKNOWN12' }],
];
for (const [name, params] of missingUser) {
  test(`${name} answers NoSuchEntity for a missing user`, async () => {
    await rejects(iam.run(name, params), 'NoSuchEntity', 404, 'The user with name ghost cannot be found.');
  });
}

test('GetAccessKeyLastUsed: N/A before use, then the latest recorded use', async () => {
  const id = keyOf(await iam.run('CreateAccessKey', { UserName: 'alice' }))['AccessKeyId'] as string;
  assert.deepEqual(await iam.run('GetAccessKeyLastUsed', { AccessKeyId: id }), {
    UserName: 'alice',
    AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' },
  });
  const later = new Date('2026-11-26T08:00:00Z');
  const earlier = new Date('2026-11-26T07:00:00Z');
  assert.equal(await store.transaction((tx) => recordAccessKeyUse(tx, TEST_ACCOUNT, id, { date: later, service: 'iam', region: 'us-east-1' })), true);
  // A batch committed late must not move the date backwards.
  await store.transaction((tx) => recordAccessKeyUse(tx, TEST_ACCOUNT, id, { date: earlier, service: 'sts', region: 'eu-west-1' }));
  assert.deepEqual(await iam.run('GetAccessKeyLastUsed', { AccessKeyId: id }), {
    UserName: 'alice',
    AccessKeyLastUsed: { LastUsedDate: later, ServiceName: 'iam', Region: 'us-east-1' },
  });
  assert.equal(await store.transaction((tx) => recordAccessKeyUse(tx, TEST_ACCOUNT, 'AKIAGONEGONEGONEGONE', { date: later, service: 'iam', region: 'us-east-1' })), false);
});

test('renaming a user keeps its keys', async () => {
  const id = keyOf(await iam.run('CreateAccessKey', { UserName: 'alice' }))['AccessKeyId'];
  await iam.run('UpdateUser', { UserName: 'alice', NewUserName: 'alicia' });
  assert.deepEqual(metadata(await iam.run('ListAccessKeys', { UserName: 'alicia' })).map((k) => k['AccessKeyId']), [id]);
});

test('resources: the named user, the caller, or the key owner', async () => {
  const id = keyOf(await iam.run('CreateAccessKey', { UserName: 'alice' }))['AccessKeyId'];
  const rootKey = keyOf(await iam.run('CreateAccessKey', {}))['AccessKeyId'];
  const byName = new Map(ACCESS_KEY_OPERATIONS.map((o) => [o.name, o]));
  await store.transaction(async (tx) => {
    const ctx = (caller: Caller) => ({ caller, account: TEST_ACCOUNT, tx, now: new Date(), requestId: 'r', services: {} }) as never;
    const userArn = `arn:aws:iam::${TEST_ACCOUNT}:user/alice`;
    const rootArn = `arn:aws:iam::${TEST_ACCOUNT}:root`;
    assert.equal(await byName.get('CreateAccessKey')?.resource(ctx(ROOT_CALLER), { UserName: 'alice' }), userArn);
    assert.equal(await byName.get('ListAccessKeys')?.resource(ctx(ALICE), {}), userArn);
    assert.equal(await byName.get('ListAccessKeys')?.resource(ctx(ROOT_CALLER), {}), rootArn);
    assert.equal(await byName.get('GetAccessKeyLastUsed')?.resource(ctx(ROOT_CALLER), { AccessKeyId: id }), userArn);
    assert.equal(await byName.get('GetAccessKeyLastUsed')?.resource(ctx(ALICE), { AccessKeyId: rootKey }), rootArn);
  });
});
