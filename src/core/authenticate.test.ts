import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { IAM_WRITE_SCOPE } from './write-scope.js';
import type { Store, StoreTx } from '../store/store.js';
import { Authenticator } from './authenticate.js';
import { KIND } from './iam/kinds.js';
import { TEST_ACCOUNT } from './testing.js';

const KEY_ID = 'AKIAEXAMPLEROTATED01';

/** A store on which another node's commit is heard while a read runs (after the read's snapshot was taken). */
function nodeHearingDuringReads(inner: Store): { store: Store; hearNextTime: (meanwhile: () => Promise<unknown>) => void } {
  let heard = 0;
  let pending: (() => Promise<unknown>) | undefined;
  const version = (): number => inner.version() + heard;
  const versionOf = (account: string): number => inner.versionOf(account) + heard;
  return {
    store: {
      events: inner.events,
      transaction: (work, options) => inner.transaction(work, options),
      read: (work) => {
        const began = version();
        const heardBefore = heard;
        return inner.read(async (tx) => {
          const view = Object.create(tx, { version: { value: began }, versionOf: { value: (account: string) => tx.versionOf(account) + heardBefore } }) as StoreTx;
          const result = await work(view);
          const meanwhile = pending;
          if (meanwhile !== undefined) {
            pending = undefined;
            heard += 1;
            // Another request, served while this read is still under way, sees the newer version first.
            await meanwhile();
          }
          return result;
        });
      },
      version,
      versionOf,
      close: () => inner.close(),
    },
    hearNextTime: (meanwhile) => void (pending = meanwhile),
  };
}

test('a key read while another node deactivates it is not cached as active under the newer version', async () => {
  const inner = openSqliteStore({ path: ':memory:', writeScope: IAM_WRITE_SCOPE });
  try {
    await inner.transaction(async (tx) => {
      await tx.insert({ kind: KIND.user, account: TEST_ACCOUNT, key: 'rotated', id: 'AIDAEXAMPLEROTATED01', path: '/', owner: '', created: '2026-01-01T00:00:00Z', data: {} });
      await tx.insert({ kind: KIND.accessKey, account: TEST_ACCOUNT, key: KEY_ID, id: KEY_ID, path: '/', owner: 'rotated', created: '2026-01-01T00:00:00Z', data: { secret: 'sealed', status: 'Active' } });
    });
    const node = nodeHearingDuringReads(inner);
    const authenticator = new Authenticator(node.store, () => 'secret');
    node.hearNextTime(() => authenticator.resolve('AKIAEXAMPLEOTHER0001'));
    assert.equal((await authenticator.resolve(KEY_ID))?.caller.userName, 'rotated');
    // The deactivation that was heard during that read, now visible (bookkeeping: only the heard count moved version()).
    await inner.transaction(async (tx) => {
      const key = await tx.get(KIND.accessKey, TEST_ACCOUNT, KEY_ID);
      await tx.update({ ...(key as NonNullable<typeof key>), data: { ...key?.data, status: 'Inactive' } });
    }, { bookkeeping: true });
    assert.equal(authenticator.peek(KEY_ID, undefined, new Date()), undefined, 'no cached answer may be trusted');
    assert.equal(await authenticator.resolve(KEY_ID), undefined, 'the inactive key does not authenticate');
  } finally {
    await inner.close();
  }
});
