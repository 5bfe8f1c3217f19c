import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store } from '../store.js';
import { A, entity, type ContractKit } from './kit.js';

/**
 * The read cache part of the Store contract: adapters may answer views from entities read earlier, and forget only
 * what each commit changed, but a view must never see less than every commit acknowledged before it began.
 */
export function readViewContract(kit: ContractKit): void {
  const { withStore, write } = kit;
  const data = async (store: Store, key: string): Promise<unknown> =>
    (await store.read((tx) => tx.get('user', A, key)))?.data;

  describe('read views after scoped changes', () => {
    test('a write to one entity is seen at once and leaves the others as they were', async () => {
      await withStore(async (store) => {
        await write(store, async (tx) => {
          for (const key of ['alice', 'bob', 'carol']) await tx.insert(entity({ key, data: { v: 1 } }));
        });
        for (const key of ['alice', 'bob', 'carol', 'dave']) await store.read((tx) => tx.get('user', A, key));
        await write(store, (tx) => tx.update(entity({ key: 'bob', data: { v: 2 } })));
        assert.deepEqual(await data(store, 'alice'), { v: 1 });
        assert.deepEqual(await data(store, 'BOB'), { v: 2 });
        assert.deepEqual(await data(store, 'carol'), { v: 1 });
        await write(store, async (tx) => {
          await tx.delete('user', A, 'carol');
          await tx.insert(entity({ key: 'dave', data: { v: 1 } }));
        });
        assert.equal(await data(store, 'carol'), undefined);
        assert.deepEqual(await data(store, 'dave'), { v: 1 });
        assert.deepEqual(await data(store, 'alice'), { v: 1 });
      });
    });

    test('a rename (delete and insert in one transaction) is seen under both names at once', async () => {
      await withStore(async (store) => {
        const before = entity({ key: 'old-name', data: { v: 1 } });
        await write(store, (tx) => tx.insert(before));
        assert.deepEqual(await data(store, 'old-name'), { v: 1 });
        assert.equal(await data(store, 'new-name'), undefined);
        await write(store, async (tx) => {
          await tx.delete('user', A, 'old-name');
          await tx.insert({ ...before, key: 'new-name' });
        });
        assert.equal(await data(store, 'old-name'), undefined);
        assert.deepEqual(await data(store, 'new-name'), { v: 1 });
        assert.equal((await store.read((tx) => tx.getById('user', before.id)))?.key, 'new-name');
      });
    });

    test('a transaction changing many entities, all read before it, is seen whole', async () => {
      await withStore(async (store) => {
        const keys = Array.from({ length: 120 }, (_, i) => `${'k'.repeat(60)}-${i}`);
        await write(store, async (tx) => {
          for (const key of keys) await tx.insert(entity({ key, data: { v: 1 } }));
        });
        await store.read(async (tx) => {
          for (const key of keys) await tx.get('user', A, key);
        });
        await write(store, async (tx) => {
          for (const key of keys) await tx.update(entity({ key, data: { v: 2 } }));
        });
        const seen = await store.read(async (tx) => Promise.all(keys.map(async (key) => (await tx.get('user', A, key))?.data['v'])));
        assert.deepEqual(new Set(seen), new Set([2]));
      });
    });
  });
}
