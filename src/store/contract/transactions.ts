import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateKeyError } from '../store.js';
import type { StoreTx } from '../store.js';
import { A, entity, link, type ContractKit } from './kit.js';

/** The transactions part of the Store contract. */
export function transactionContract(kit: ContractKit): void {
  const { withStore, write, read, keys, pairs } = kit;
  describe('transactions', () => {
    test('transaction resolves to what the work returned', async () => {
      await withStore(async (store) => {
        assert.equal(await store.transaction(async () => 42), 42);
        assert.deepEqual(await store.transaction(async (tx) => tx.list('user', A)), []);
      });
    });

    test('a transaction that throws rejects with that error and leaves no trace of its writes', async () => {
      await withStore(async (store) => {
        await write(store, async (tx) => {
          await tx.insert(entity({ key: 'keep', data: { v: 1 } }));
          await tx.insert(entity({ key: 'gone' }));
          await tx.link(link({ from: 'keep', to: 'g' }));
        });
        const failure = new Error('boom');
        const newcomer = entity({ key: 'new' });
        await assert.rejects(
          write(store, async (tx) => {
            await tx.insert(newcomer);
            await tx.update(entity({ key: 'keep', data: { v: 2 } }));
            await tx.delete('user', A, 'gone');
            await tx.link(link({ from: 'new', to: 'g' }));
            await tx.unlinkAll('member', A, { from: 'keep' });
            throw failure;
          }),
          (error) => error === failure,
        );
        await read(store, async (tx) => {
          assert.deepEqual(keys(await tx.list('user', A)), ['gone', 'keep']);
          assert.deepEqual((await tx.get('user', A, 'keep'))?.data, { v: 1 });
          assert.equal(await tx.getById('user', newcomer.id), undefined);
          assert.deepEqual(pairs(await tx.links('member', A)), ['keep->g']);
        });
        // The rolled-back key and id are free again.
        await write(store, (tx) => tx.insert(newcomer));
      });
    });

    test('a transaction whose work throws synchronously rejects instead of throwing, and the store goes on', async () => {
      await withStore(async (store) => {
        await assert.rejects(
          store.transaction((() => {
            throw new Error('sync boom');
          }) as (tx: StoreTx) => Promise<void>),
          /sync boom/,
        );
        assert.equal(await read(store, (tx) => tx.count('user', A)), 0);
      });
    });

    test('a failed transaction does not block the ones queued after it', async () => {
      await withStore(async (store) => {
        const results = await Promise.allSettled([
          write(store, async (tx) => {
            await tx.insert(entity({ key: 'a' }));
            throw new Error('first fails');
          }),
          write(store, (tx) => tx.insert(entity({ key: 'b' }))),
        ]);
        assert.equal(results[0]?.status, 'rejected');
        assert.equal(results[1]?.status, 'fulfilled');
        assert.deepEqual(keys(await read(store, (tx) => tx.list('user', A))), ['b']);
      });
    });

    test('20 concurrent read-modify-write transactions on one counter lose no update', async () => {
      await withStore(async (store) => {
        await write(store, (tx) => tx.insert(entity({ kind: 'counter', key: 'hits', data: { n: 0 } })));
        await Promise.all(
          Array.from({ length: 20 }, () =>
            write(store, async (tx) => {
              const counter = await tx.get('counter', A, 'hits');
              assert.ok(counter);
              // Yield to the event loop between read and write, where a non-serializing store would interleave.
              await new Promise((resolve) => setTimeout(resolve, 1));
              await tx.update({ ...counter, data: { n: (counter.data['n'] as number) + 1 } });
            }),
          ),
        );
        assert.deepEqual((await read(store, (tx) => tx.get('counter', A, 'hits')))?.data, { n: 20 });
      });
    });

    test('transactions never overlap: each finishes before the next begins', async () => {
      await withStore(async (store) => {
        const events: string[] = [];
        await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            store.transaction(async (tx) => {
              events.push(`begin ${i}`);
              await new Promise((resolve) => setImmediate(resolve));
              await tx.insert(entity({ key: `k${i}` }));
              events.push(`end ${i}`);
            }),
          ),
        );
        for (let i = 0; i < events.length; i += 2) {
          const begin = events[i]?.split(' ');
          assert.equal(begin?.[0], 'begin');
          assert.equal(events[i + 1], `end ${begin?.[1]}`);
        }
        assert.equal(await read(store, (tx) => tx.count('user', A)), 5);
      });
    });

    test('a transaction sees its own uncommitted writes', async () => {
      await withStore(async (store) => {
        await write(store, async (tx) => {
          await tx.insert(entity({ key: 'alice' }));
          assert.equal(await tx.count('user', A), 1);
          await tx.link(link({ from: 'alice', to: 'g' }));
          assert.equal(await tx.countLinks('member', A, { to: 'G' }), 1);
        });
      });
    });

    test('the tx object cannot be used after its transaction ended', async () => {
      await withStore(async (store) => {
        let leaked: StoreTx | undefined;
        await store.transaction(async (tx) => {
          leaked = tx;
        });
        assert.ok(leaked);
        const tx = leaked;
        await assert.rejects(async () => tx.insert(entity({ key: 'late' })));
        await assert.rejects(async () => tx.get('user', A, 'late'));
        assert.equal(await read(store, (t) => t.count('user', A)), 0);
      });
    });
  });

  describe('read-only views', () => {
    test('store.read sees committed data, rejects every write and leaves the version alone', async () => {
      await withStore(async (store) => {
        await write(store, async (tx) => {
          await tx.insert(entity({ key: 'alice' }));
          await tx.link(link({ from: 'alice', to: 'g' }));
        });
        const version = store.version();
        assert.equal((await store.read((tx) => tx.get('user', A, 'ALICE')))?.key, 'alice');
        assert.deepEqual(pairs(await store.read((tx) => tx.links('member', A))), ['alice->g']);
        const writes: Array<(tx: StoreTx) => Promise<unknown>> = [
          (tx) => tx.insert(entity({ key: 'bob' })),
          (tx) => tx.update(entity({ key: 'alice', data: { x: 1 } })),
          (tx) => tx.delete('user', A, 'alice'),
          (tx) => tx.link(link({ from: 'alice', to: 'h' })),
          (tx) => tx.unlink('member', A, 'alice', 'g'),
          (tx) => tx.unlinkAll('member', A, { from: 'alice' }),
        ];
        for (const attempt of writes) await assert.rejects(store.read(attempt), /read-only/);
        assert.equal(store.version(), version);
        assert.deepEqual(keys(await store.read((tx) => tx.list('user', A))), ['alice']);
        assert.equal(await store.read((tx) => tx.countLinks('member', A)), 1);
      });
    });

    test('a read after a committed write sees the write, also for an entity read (or missed) before it', async () => {
      await withStore(async (store) => {
        await write(store, (tx) => tx.insert(entity({ key: 'dora', data: { v: 1 } })));
        assert.deepEqual((await store.read((tx) => tx.get('user', A, 'dora')))?.data, { v: 1 });
        assert.equal(await store.read((tx) => tx.get('user', A, 'erin')), undefined);
        await write(store, async (tx) => {
          await tx.update(entity({ key: 'dora', data: { v: 2 } }));
          await tx.insert(entity({ key: 'erin' }));
        });
        assert.deepEqual((await store.read((tx) => tx.get('user', A, 'DORA')))?.data, { v: 2 });
        assert.equal((await store.read((tx) => tx.get('user', A, 'erin')))?.key, 'erin');
        await write(store, (tx) => tx.delete('user', A, 'dora'));
        assert.equal(await store.read((tx) => tx.get('user', A, 'dora')), undefined);
      });
    });

    test('a read started beside a write in flight sees it all or not at all, and a read after its answer sees it', async () => {
      await withStore(async (store) => {
        // What a read owes is what was acknowledged before it started; a write still in flight may land either side.
        const [, seen] = await Promise.all([
          write(store, async (tx) => {
            await tx.insert(entity({ key: 'carol' }));
            await tx.insert(entity({ key: 'dave' }));
          }),
          store.read(async (tx) => [await tx.get('user', A, 'carol'), await tx.get('user', A, 'dave')]),
        ]);
        assert.equal(seen[0] === undefined, seen[1] === undefined);
        assert.equal((await store.read((tx) => tx.get('user', A, 'carol')))?.key, 'carol');
      });
    });
  });

  describe('version', () => {
    test('version increases after a committed write and not after reads or rollbacks', async () => {
      await withStore(async (store) => {
        const v0 = store.version();
        assert.equal(typeof v0, 'number');
        await write(store, (tx) => tx.insert(entity({ key: 'alice' })));
        const v1 = store.version();
        assert.ok(v1 > v0, `${v1} > ${v0}`);

        await read(store, async (tx) => {
          await tx.get('user', A, 'alice');
          await tx.list('user', A);
          await tx.links('member', A);
        });
        assert.equal(store.version(), v1);

        await assert.rejects(
          write(store, async (tx) => {
            await tx.insert(entity({ key: 'bob' }));
            throw new Error('rollback');
          }),
        );
        assert.equal(store.version(), v1);

        await assert.rejects(write(store, (tx) => tx.insert(entity({ key: 'ALICE' }))), DuplicateKeyError);
        assert.equal(store.version(), v1);

        for (const change of [
          (tx: StoreTx) => tx.update(entity({ key: 'alice', data: { x: 1 } })),
          (tx: StoreTx) => tx.link(link({ from: 'alice', to: 'g' })),
          (tx: StoreTx) => tx.unlink('member', A, 'alice', 'g'),
          (tx: StoreTx) => tx.link(link({ from: 'alice', to: 'g' })),
          (tx: StoreTx) => tx.unlinkAll('member', A, { to: 'g' }),
          (tx: StoreTx) => tx.delete('user', A, 'alice'),
        ]) {
          const before = store.version();
          await write(store, change);
          assert.ok(store.version() > before, String(change));
        }
      });
    });

    test('a bookkeeping transaction commits like any other but leaves the version alone', async () => {
      await withStore(async (store) => {
        await write(store, (tx) => tx.insert(entity({ key: 'alice', data: { used: 0 } })));
        // Read views (store.read), where a store may remember entities between views until the next write.
        await store.read(async (tx) => assert.deepEqual((await tx.get('user', A, 'alice'))?.data, { used: 0 }));
        const before = store.version();
        await store.transaction((tx) => tx.update(entity({ key: 'alice', data: { used: 1 } })), { bookkeeping: true });
        assert.equal(store.version(), before);
        await store.read(async (tx) => assert.deepEqual((await tx.get('user', A, 'alice'))?.data, { used: 1 }));
        await write(store, async (tx) => assert.deepEqual((await tx.get('user', A, 'alice'))?.data, { used: 1 }));
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.update(entity({ key: 'alice', data: { used: 2 } }));
            throw new Error('rollback');
          }, { bookkeeping: true }),
        );
        await store.read(async (tx) => assert.deepEqual((await tx.get('user', A, 'alice'))?.data, { used: 1 }));
        // An ordinary write after it still moves the version.
        await write(store, (tx) => tx.update(entity({ key: 'alice', data: { used: 3 } })));
        assert.ok(store.version() > before);
      });
    });

    test('tx.version is the version the transaction reads at: the one before its writes, behind any later commit', async () => {
      await withStore(async (store) => {
        await write(store, (tx) => tx.insert(entity({ key: 'first' })));
        const settled = store.version();
        // What a transaction and a view read is as new as their tx.version: here, everything committed so far.
        assert.equal(await write(store, async (tx) => tx.version), settled);
        assert.equal(await read(store, async (tx) => tx.version), settled);
        // A transaction's own commit moves version() past the tx.version it read at; later ones start from there.
        const during = await write(store, async (tx) => {
          const before = tx.version;
          await tx.insert(entity({ key: 'second' }));
          // After its own writes what it reads may be rolled back: labelled with no version, nothing caches it.
          assert.ok(Number.isNaN(tx.version), String(tx.version));
          return before;
        });
        assert.equal(during, settled);
        assert.ok(store.version() > during);
        assert.equal(await read(store, async (tx) => tx.version), store.version());
      });
    });

    test('version has increased by the time each of several concurrent write transactions resolves', async () => {
      await withStore(async (store) => {
        await Promise.all(
          Array.from({ length: 5 }, async (_, i) => {
            let before = Number.NaN;
            await write(store, async (tx) => {
              before = store.version();
              await tx.insert(entity({ key: `k${i}` }));
            });
            assert.ok(store.version() > before, `${store.version()} > ${before}`);
          }),
        );
      });
    });
  });
}
