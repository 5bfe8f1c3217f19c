// The per-account versions (Store.versionOf): a write confined to one account moves that account's version and
// version(), and no other account's; anything else moves them all; a transaction's label never counts a change its
// reads may miss.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store, StoreTx, WriteScope } from '../store.js';
import { A, B, entity, link, type ContractKit } from './kit.js';

/** The scope contract stores are opened with: users and `member` links are account-local, everything else global. */
export const CONTRACT_SCOPE: WriteScope = {
  entityIsLocal: (kind) => kind === 'user',
  linkIsLocal: (relation) => relation === 'member',
};

const C = '333333333333';

interface Reading {
  readonly all: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

function reading(store: Store): Reading {
  return { all: store.version(), a: store.versionOf(A), b: store.versionOf(B), c: store.versionOf(C) };
}

/** Which of the readings moved between two moments. */
function moved(before: Reading, after: Reading): string[] {
  for (const key of ['all', 'a', 'b', 'c'] as const) assert.ok(after[key] >= before[key], `${key} went back`);
  return (['all', 'a', 'b', 'c'] as const).filter((key) => after[key] !== before[key]);
}

export function scopedVersionContract({ withStore }: ContractKit): void {
  describe('per-account versions', () => {
    test('a write of an account-local kind or relation moves its account and version(), no other account', async () => {
      await withStore(async (store) => {
        const writes: Array<[string, (tx: StoreTx) => Promise<unknown>]> = [
          ['insert', (tx) => tx.insert(entity({ key: 'alice' }))],
          ['update', (tx) => tx.update(entity({ key: 'alice', data: { tag: 'x' } }))],
          ['link', (tx) => tx.link(link({ from: 'alice', to: 'admins' }))],
          ['unlink', (tx) => tx.unlink('member', A, 'alice', 'admins')],
          ['link again', (tx) => tx.link(link({ from: 'alice', to: 'ops' }))],
          ['unlinkAll', (tx) => tx.unlinkAll('member', A, { from: 'alice' })],
          ['delete', (tx) => tx.delete('user', A, 'alice')],
        ];
        for (const [what, write] of writes) {
          const before = reading(store);
          await store.transaction(write);
          assert.deepEqual(moved(before, reading(store)), ['all', 'a'], what);
        }
      });
    });

    test('a write of any other kind or relation moves every account, the ones never written included', async () => {
      await withStore(async (store) => {
        const writes: Array<[string, (tx: StoreTx) => Promise<unknown>]> = [
          ['a global kind', (tx) => tx.insert(entity({ kind: 'org-policy', key: 'p-1' }))],
          ['a global relation', (tx) => tx.link(link({ relation: 'org-policy-attachment', from: 'p-1', to: 'r-1' }))],
          ['a global write beside a local one', async (tx) => {
            await tx.insert(entity({ key: 'bob' }));
            await tx.update(entity({ kind: 'org-policy', key: 'p-1', data: { v: 2 } }));
          }],
        ];
        for (const [what, write] of writes) {
          const before = reading(store);
          await store.transaction(write);
          assert.deepEqual(moved(before, reading(store)), ['all', 'a', 'b', 'c'], what);
        }
      });
    });

    test('one transaction writing in two accounts moves both; writes that change nothing and bookkeeping move none', async () => {
      await withStore(async (store) => {
        let before = reading(store);
        await store.transaction(async (tx) => {
          await tx.insert(entity({ key: 'alice' }));
          await tx.insert(entity({ key: 'bob', account: B }));
        });
        assert.deepEqual(moved(before, reading(store)), ['all', 'a', 'b']);
        before = reading(store);
        await store.transaction(async (tx) => {
          await tx.update(entity({ kind: 'org-policy', key: 'absent' }));
          await tx.delete('org-policy', A, 'absent');
          await tx.unlink('org-policy-attachment', A, 'x', 'y');
        });
        await store.transaction((tx) => tx.update(entity({ key: 'alice', data: { used: 1 } })), { bookkeeping: true });
        await store.transaction((tx) => tx.update(entity({ kind: 'org-policy', key: 'absent', data: { used: 1 } })), { bookkeeping: true });
        assert.deepEqual(moved(before, reading(store)), []);
      });
    });

    test('a transaction reports its accounts\' versions as of its start, and NaN after its own writes', async () => {
      await withStore(async (store) => {
        await store.transaction((tx) => tx.insert(entity({ key: 'alice' })));
        const now = reading(store);
        const seen = await store.read(async (tx) => [tx.versionOf(A), tx.versionOf(B)]);
        assert.deepEqual(seen, [now.a, now.b]);
        const labels = await store.transaction(async (tx) => {
          const before = [tx.versionOf(A), tx.versionOf(B)];
          await tx.insert(entity({ key: 'bob', account: B }));
          return [...before, tx.versionOf(A), tx.versionOf(B), tx.version];
        });
        assert.deepEqual(labels.slice(0, 2), [now.a, now.b]);
        assert.ok(labels.slice(2).every(Number.isNaN), `after its own write: ${labels.slice(2).join(', ')}`);
        // A write that changed nothing leaves the labels usable.
        const unchanged = await store.transaction(async (tx) => {
          await tx.delete('user', A, 'nobody');
          return tx.versionOf(A);
        });
        assert.equal(unchanged, store.versionOf(A));
      });
    });
  });
}
