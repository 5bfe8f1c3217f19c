import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { TEST_ACCOUNT } from '../testing.js';
import { accountCreateDate, recordAccountCreation } from './account-creation.js';
import { KIND, ROOT_KEY_OWNER } from './kinds.js';

let store: Store;
beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
});
afterEach(() => store.close());

const created = (account = TEST_ACCOUNT): Promise<Date> => store.read((tx) => accountCreateDate(tx, account));
const record = (now: Date, account = TEST_ACCOUNT): Promise<void> => store.transaction((tx) => recordAccountCreation(tx, account, now));

test('an account never started by a server is as old as the epoch (what GetUser answered before)', async () => {
  assert.deepEqual(await created(), new Date(0));
});

test('the first start records the account\'s creation; later starts leave it', async () => {
  await record(new Date('2026-01-01T00:00:00Z'));
  await record(new Date('2026-06-01T00:00:00Z'));
  assert.deepEqual(await created(), new Date('2026-01-01T00:00:00Z'));
  assert.deepEqual(await created('444455556666'), new Date(0));
});

test('a store from before takes the creation of the root user\'s oldest access key, its first start', async () => {
  await store.transaction(async (tx) => {
    for (const [id, when] of [['AKIAROOTNEWER0000000', '2025-05-01T00:00:00.000Z'], ['AKIAROOTOLDER0000000', '2025-03-01T00:00:00.000Z']] as const) {
      await tx.insert({ kind: KIND.accessKey, account: TEST_ACCOUNT, key: id, id, path: '/', owner: ROOT_KEY_OWNER, created: when, data: { status: 'Active' } });
    }
    // A user's older key says nothing of the account.
    await tx.insert({ kind: KIND.accessKey, account: TEST_ACCOUNT, key: 'AKIAUSER000000000000', id: 'AKIAUSER000000000000', path: '/', owner: 'alice', created: '2024-01-01T00:00:00.000Z', data: {} });
  });
  await record(new Date('2026-01-01T00:00:00Z'));
  assert.deepEqual(await created(), new Date('2025-03-01T00:00:00Z'));
});
