import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startPostgresCluster, type PostgresCluster } from '../../../test/helpers/postgres-cluster.js';
import { entity, link, runStoreContract } from '../contract.js';
import { ServiceError } from '../../core/errors.js';
import type { Store, StoreTx, WriteScope } from '../store.js';
import { CONTRACT_SCOPE } from '../contract/scoped-versions.js';
import type { Migration } from '../migration.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { openPostgresStore } from './postgres-store.js';
import { LISTENER_APPLICATION_NAME } from './version-listener.js';

const A = '111111111111';

let cluster: PostgresCluster | undefined;
before(async () => {
  cluster = await startPostgresCluster();
});
after(async () => {
  await cluster?.stop();
});

function running(): PostgresCluster {
  if (cluster === undefined) throw new Error('the PostgreSQL cluster did not start (see the before hook failure)');
  return cluster;
}

let databases = 0;
/** A fresh database for each store or group of stores, so no test sees another's rows or version. */
async function freshDatabase(): Promise<string> {
  databases += 1;
  return running().createDatabase(`store_${databases}`);
}

runStoreContract('postgresql', async ({ writeScope }) => {
  const store = await openPostgresStore({ url: await freshDatabase(), poolSize: 4, writeScope });
  return { store, cleanup: () => store.close() };
});

/** Opens `count` stores on one fresh database, as several Gatehouse nodes would, and closes them after `body`. */
async function withNodes(count: number, body: (stores: Store[], url: string) => Promise<void>, retryBudgetMs?: number, writeScope?: WriteScope): Promise<void> {
  const url = await freshDatabase();
  const stores: Store[] = [];
  try {
    for (let i = 0; i < count; i++) {
      stores.push(await openPostgresStore({ url, poolSize: 4, ...(retryBudgetMs !== undefined ? { retryBudgetMs } : {}), ...(writeScope !== undefined ? { writeScope } : {}) }));
    }
    await body(stores, url);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
}

function pair(stores: Store[]): [Store, Store] {
  const [first, second] = stores;
  assert.ok(first !== undefined && second !== undefined);
  return [first, second];
}

/** Polls until `check` holds, failing after `timeoutMs`; returns how long it took. */
async function within(timeoutMs: number, check: () => boolean, what: string): Promise<number> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) assert.fail(`${what} did not happen within ${timeoutMs} ms`);
    // setImmediate, not a timer: the wait is measured, and timers round it up to whole milliseconds.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return performance.now() - start;
}

class QuotaExceeded extends Error {}

describe('postgresql store across nodes', () => {
  // Each node counts, waits until the other has counted too, then inserts a different key: without SERIALIZABLE
  // both would see room for one more and both would commit: only the predicate locks of SERIALIZABLE stand between
  // the quota and a second insert, whether the writes are bookkeeping or not.
  for (const { name, quota, existing, bookkeeping } of [
    { name: 'one slot left, counted writes', quota: 3, existing: 2, bookkeeping: false },
    { name: 'one slot left, bookkeeping writes', quota: 3, existing: 2, bookkeeping: true },
    { name: 'empty account, quota of one, bookkeeping writes', quota: 1, existing: 0, bookkeeping: true },
  ]) {
    test(`two nodes counting then inserting under a quota never pass it (${name})`, async () => {
      await withNodes(2, async (stores) => {
        const [first] = stores;
        await first?.transaction(async (tx) => {
          for (let i = 0; i < existing; i++) await tx.insert(entity({ key: `old${i}` }));
        });
        let counted = 0;
        let bothCounted: () => void = () => undefined;
        const barrier = new Promise<void>((resolve) => (bothCounted = resolve));
        let runs = 0;
        const results = await Promise.allSettled(
          stores.map((store, node) =>
            store.transaction(async (tx) => {
              runs += 1;
              const users = await tx.count('user', A);
              if (users >= quota) throw new QuotaExceeded(`node ${node}: ${users} users`);
              if (++counted === 2) bothCounted();
              // Only the first runs meet here; a retried run goes straight on with what it counted afresh.
              if (counted <= 2) await barrier;
              await tx.insert(entity({ key: `new-from-node-${node}` }));
            }, { bookkeeping }),
          ),
        );
        const fulfilled = results.filter((r) => r.status === 'fulfilled').length;
        const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof QuotaExceeded).length;
        assert.equal(fulfilled, quota - existing);
        assert.equal(refused, 2 - (quota - existing), JSON.stringify(results));
        assert.ok(runs >= 3, `the losing transaction ran again after its serialization failure (${runs} runs)`);
        assert.equal(await first?.read((tx) => tx.count('user', A)), quota);
      });
    });
  }

  for (const { code, retried } of [
    { code: '40001', retried: true },
    { code: '40P01', retried: true },
    { code: '23505', retried: false },
    { code: undefined, retried: false },
  ]) {
    const outcome = retried ? 'is retried for the 300 ms budget, then answers Throttling' : 'runs once and rejects with it';
    test(`a transaction failing with SQLSTATE ${code ?? '(none)'} ${outcome}`, async () => {
      await withNodes(1, async ([store]) => {
        let calls = 0;
        const failure = Object.assign(new Error('induced'), code === undefined ? {} : { code });
        const started = performance.now();
        const rejection = await store!
          .transaction(async (tx) => {
            calls += 1;
            await tx.insert(entity({ key: `attempt${calls}` }));
            throw failure;
          })
          .then(() => assert.fail('committed'), (error: unknown) => error);
        const elapsed = performance.now() - started;
        if (retried) {
          // AWS's shape, which the gateway sends as is and the SDKs retry: not a 500.
          assert.ok(rejection instanceof ServiceError, String(rejection));
          assert.deepEqual([rejection.code, rejection.status, rejection.message], ['Throttling', 400, 'Rate exceeded']);
          assert.equal(rejection.cause, failure);
          assert.ok(calls > 5, `${calls} runs`);
          assert.ok(elapsed >= 250 && elapsed < 2_000, `${elapsed} ms`);
        } else {
          assert.equal(rejection, failure);
          assert.equal(calls, 1);
        }
        assert.equal(await store!.read((tx) => tx.count('user', A)), 0);
      }, 300);
    });
  }

  test('a write on one node moves the other node\'s version within one notification, for every kind of change', async () => {
    await withNodes(2, async (stores) => {
      const [a, b] = pair(stores);
      const latencies: number[] = [];
      const changes: Array<(tx: StoreTx) => Promise<unknown>> = [
        (tx: StoreTx) => tx.insert(entity({ key: 'alice' })),
        (tx: StoreTx) => tx.update(entity({ key: 'alice', data: { v: 2 } })),
        (tx: StoreTx) => tx.link(link({ from: 'alice', to: 'admins' })),
        (tx: StoreTx) => tx.unlink('member', A, 'alice', 'admins'),
        (tx: StoreTx) => tx.delete('user', A, 'alice'),
      ];
      for (const change of changes) {
        const before = b.version();
        await a.transaction(change);
        const written = a.version();
        assert.ok(written > before, String(change));
        latencies.push(await within(2_000, () => b.version() >= written, `node B seeing version ${written}`));
        assert.equal(b.version(), written);
      }
      // For the report: how long B lagged behind A's acknowledged commits.
      const sorted = latencies.sort((x, y) => x - y);
      console.log(`# version propagation ms: median ${sorted[2]?.toFixed(2)}, max ${sorted[4]?.toFixed(2)}`);
    });
  });

  test('settle: once it resolves, a node counts every commit another node acknowledged before the call', async () => {
    await withNodes(2, async (stores) => {
      const [a, b] = pair(stores);
      let unsettled = 0;
      for (let round = 0; round < 30; round++) {
        const before = b.version();
        await a.transaction((tx) => tx.insert(entity({ key: `settle-${round}` })));
        // Without waiting, B may not have heard the commit yet (counted, not asserted: it is a race).
        if (b.version() === before) unsettled += 1;
        await b.settle?.();
        assert.ok(b.version() > before, `round ${round}: B's version did not move after settle`);
      }
      console.log(`# commits B had not heard when A acknowledged them: ${unsettled} of 30`);
    });
  });

  test('a read told its request settled sees what settle confirmed, without a freshness check of its own', async () => {
    await withNodes(2, async (stores) => {
      const [a, b] = pair(stores);
      const fresh = (b as unknown as { fresh: { fresh: () => Promise<void> } }).fresh;
      const original = fresh.fresh.bind(fresh);
      let checks = 0;
      fresh.fresh = () => {
        checks += 1;
        return original();
      };
      try {
        for (let round = 0; round < 10; round++) {
          const record = entity({ key: `settled-read-${round}` });
          // B's read cache first learns that the entity is absent: a cache that missed A's commit would still say so.
          assert.equal(await b.read((tx) => tx.get(record.kind, record.account, record.key)), undefined);
          await a.transaction((tx) => tx.insert(record));
          assert.equal(await b.settle?.(), true);
          const seen = await b.read((tx) => tx.get(record.kind, record.account, record.key), { settled: true });
          assert.equal(seen?.id, record.id, `round ${round}: the settled read missed A's acknowledged commit`);
          // That read went to the database and handed the cache its row after a check of its own (in the background);
          // once it is kept, a settled read is answered from the cache with no check at all.
          assert.equal(await b.settle?.(), true);
          const before = checks;
          assert.equal((await b.read((tx) => tx.get(record.kind, record.account, record.key), { settled: true }))?.id, record.id);
          assert.equal(checks, before, 'the settled read made a freshness check of its own');
          // Without the option, a read still checks for itself.
          await b.read((tx) => tx.get(record.kind, record.account, record.key));
          assert.equal(checks, before + 1);
        }
      } finally {
        fresh.fresh = original;
      }
    });
  });

  test('a notification a node cannot place (another version, a repeated count) still moves its version', async () => {
    await withNodes(2, async (stores, url) => {
      const [a, b] = pair(stores);
      const database = new URL(url).pathname.slice(1);
      for (const payload of ['42', '', 'ffffffffffffffff:0', 'not a payload at all']) {
        const before = [a.version(), b.version()];
        await running().query(database, `SELECT pg_notify('gatehouse_version', $1)`, [payload]);
        await within(2_000, () => a.version() > before[0]! && b.version() > before[1]!, `both nodes moving on ${JSON.stringify(payload)}`);
      }
      // A node first heard at its 5th commit moves the others by 5; a count of it that does not go forward (a replay)
      // still moves them, by one.
      const node = 'aaaaaaaaaaaaaaaa';
      for (const [count, move] of [[5, 5], [3, 1], [5, 1], [6, 1]] as const) {
        const before = b.version();
        await running().query(database, `SELECT pg_notify('gatehouse_version', $1)`, [`${node}:${count}`]);
        await within(2_000, () => b.version() !== before, `node B hearing ${node}:${count}`);
        assert.equal(b.version(), before + move, `${node}:${count}`);
      }
    });
  });

  test('per-account versions: another node\'s commit moves only the accounts its notification names, anything unclear all', async () => {
    await withNodes(
      2,
      async (stores, url) => {
        const [a, b] = pair(stores);
        const database = new URL(url).pathname.slice(1);
        const OTHER = '222222222222';
        const readings = (): number[] => [b.version(), b.versionOf(A), b.versionOf(OTHER)];
        const movedOnB = async (change: () => Promise<unknown>): Promise<string> => {
          const before = readings();
          await change();
          await b.settle?.();
          const after = readings();
          after.forEach((value, i) => assert.ok(value >= (before[i] as number), `reading ${i} went back`));
          return ['all', 'A', 'other'].filter((_, i) => after[i] !== before[i]).join(',');
        };
        assert.equal(await movedOnB(() => a.transaction((tx) => tx.insert(entity({ key: 'alice' })))), 'all,A');
        assert.equal(await movedOnB(() => a.transaction((tx) => tx.link(link({ from: 'alice', to: 'admins' })))), 'all,A');
        assert.equal(await movedOnB(() => a.transaction((tx) => tx.insert(entity({ kind: 'org-policy', key: 'p-1' })))), 'all,A,other');
        // Batched with a global write, a local one is global too.
        assert.equal(
          await movedOnB(() =>
            Promise.all([a.transaction((tx) => tx.insert(entity({ key: 'bob', account: OTHER }))), a.transaction((tx) => tx.update(entity({ kind: 'org-policy', key: 'p-1', data: { v: 2 } })))]),
          ),
          'all,A,other',
        );
        // Another node's own words: scoped when it names twelve-digit accounts, global when it names none (an older node).
        const node = 'bbbbbbbbbbbbbbbb';
        const notify = (payload: string) => () => running().query(database, `SELECT pg_notify('gatehouse_version', $1)`, [payload]);
        assert.equal(await movedOnB(notify(`${node}:1:${OTHER}`)), 'all,other');
        assert.equal(await movedOnB(notify(`${node}:2`)), 'all,A,other');
        assert.equal(await movedOnB(notify(`${node}:3:${A},x`)), 'all,A,other');
        assert.equal(await movedOnB(notify(`${node}:2:${A}`)), 'all,A,other', 'a count that does not go forward');

        // A read view's labels: its account's version as of its start, NaN once that account (or all) moved since.
        const labels = await b.read(async (tx) => {
          const start = [tx.versionOf(A), tx.versionOf(OTHER)];
          await a.transaction((t) => t.update(entity({ key: 'alice', data: { tag: 1 } })));
          await b.settle?.();
          return [...start, tx.versionOf(A), tx.versionOf(OTHER)];
        });
        assert.ok(Number.isNaN(labels[2]), 'A moved while the view ran');
        assert.equal(labels[3], labels[1]);
        assert.equal(labels[3], b.versionOf(OTHER));
        const own = await b.read(async (tx) => {
          await b.transaction((t) => t.insert(entity({ kind: 'org-policy', key: 'p-2' })));
          return [tx.versionOf(A), tx.versionOf(OTHER)];
        });
        assert.ok(own.every(Number.isNaN), 'a global commit on this node while the view ran');
      },
      undefined,
      CONTRACT_SCOPE,
    );
  });

  test('bookkeeping commits on one node, is read by the other, and moves neither version', async () => {
    await withNodes(2, async (stores) => {
      const [a, b] = pair(stores);
      await a.transaction((tx) => tx.insert(entity({ key: 'alice', data: { used: 0 } })));
      const start = a.version();
      await within(2_000, () => b.version() === start, 'node B seeing the insert');
      await a.transaction((tx) => tx.update(entity({ key: 'alice', data: { used: 1 } })), { bookkeeping: true });
      await b.transaction((tx) => tx.update(entity({ key: 'alice', data: { used: 2 } })), { bookkeeping: true });
      assert.deepEqual((await a.read((tx) => tx.get('user', A, 'alice')))?.data, { used: 2 });
      // A bump would have been notified by now; the next real write must be exactly one past the start.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual([a.version(), b.version()], [start, start]);
      await b.transaction((tx) => tx.insert(entity({ key: 'bob' })));
      assert.equal(b.version(), start + 1);
      await within(2_000, () => a.version() === start + 1, 'node A seeing the next write');
    });
  });

  test('concurrent get-then-insert of one name (in different case) on two nodes: one inserts, the other\'s retry finds it', async () => {
    await withNodes(2, async (stores) => {
      const results = await Promise.allSettled(
        stores.map((store, node) =>
          store.transaction(async (tx) => {
            if ((await tx.get('user', A, 'carol')) !== undefined) return 'exists';
            await new Promise((resolve) => setTimeout(resolve, 20));
            await tx.insert(entity({ key: node === 0 ? 'carol' : 'CAROL' }));
            return 'inserted';
          }),
        ),
      );
      const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).name)).sort();
      assert.deepEqual(outcomes, ['exists', 'inserted']);
    });
  });

  test('work that swallows a database error does not commit anything', async () => {
    await withNodes(1, async ([store]) => {
      const rejected = await store!
        .transaction(async (tx) => {
          await tx.insert(entity({ key: 'kept?' }));
          // PostgreSQL text cannot hold NUL: the statement fails and aborts the transaction.
          await tx.insert(entity({ key: 'nul\u0000key' })).catch(() => undefined);
          return 'committed';
        })
        .then(String, (error: Error) => error.message);
      assert.match(rejected, /0x00|invalid byte sequence/);
      assert.equal(await store!.read((tx) => tx.count('user', A)), 0);
    });
  });

  test('while its listener is cut a node trusts no cached version; it reconnects and hears notifications again', async () => {
    await withNodes(2, async (stores, url) => {
      const [a, b] = pair(stores);
      const database = new URL(url).pathname.slice(1);
      const start = b.version();
      const cut = await running().query(
        database,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
        [database, LISTENER_APPLICATION_NAME],
      );
      assert.equal(cut.rowCount, 2);
      await within(2_000, () => b.version() !== b.version(), 'node B noticing it is deaf');
      await a.transaction((tx) => tx.insert(entity({ key: 'written-while-b-was-deaf' })));
      // Back on the channel, its version holds still again, past where it was before the cut.
      await within(5_000, () => b.version() === b.version(), 'node B listening again');
      const resumed = b.version();
      assert.ok(resumed > start, `${resumed} > ${start}`);
      await a.transaction((tx) => tx.insert(entity({ key: 'after' })));
      await within(2_000, () => b.version() > resumed, 'node B hearing notifications again');
    });
  });

  test('read cache: a node reuses what it read while nothing commits, and never serves a row older than the last acknowledged commit', async () => {
    await withNodes(2, async (stores) => {
      const [a, b] = pair(stores);
      await a.transaction(async (tx) => tx.insert(entity({ key: 'fresh', data: { n: 0 } })));
      // Nothing commits between these two views: the second is served the very object the first read.
      const first = await b.read((tx) => tx.get('user', A, 'fresh'));
      const second = await b.read((tx) => tx.get('user', A, 'FRESH'));
      assert.equal(first?.data['n'], 0);
      assert.ok(first === second, 'the second view should be served from the read cache');
      // Write on A, read on B at once, without waiting for any notification, again and again for a bounded time.
      const deadline = performance.now() + 3_000;
      let rounds = 0;
      for (let n = 1; performance.now() < deadline && rounds < 500; n++, rounds++) {
        const writer = n % 2 === 0 ? a : b;
        const reader = writer === a ? b : a;
        await writer.transaction(async (tx) => {
          const current = await tx.get('user', A, 'fresh');
          assert.ok(current !== undefined);
          assert.equal(await tx.update({ ...current, data: { n } }), true);
        });
        // Twice: the first read fills the reader's cache, the second must not be served something older.
        for (let i = 0; i < 2; i++) {
          const seen = await reader.read((tx) => tx.get('user', A, 'fresh'));
          assert.equal(seen?.data['n'], n, `round ${n}: the reader served a stale row`);
        }
      }
      assert.ok(rounds >= 20, `only ${rounds} rounds ran`);
    });
  });

  test('read cache: a write acknowledged on A is seen by the next read on B while other readers keep B busy', async () => {
    await withNodes(2, async (stores) => {
      const [a, b] = pair(stores);
      await a.transaction(async (tx) => {
        await tx.insert(entity({ key: 'hot', data: { n: 0 } }));
        await tx.insert(entity({ key: 'bystander', data: { n: 0 } }));
      });
      // Readers hammering B: freshness checks are always in flight, so every read below shares one.
      let hammering = true;
      let hammered = 0;
      const hammer = async (): Promise<void> => {
        while (hammering) {
          await b.read(async (tx) => {
            await tx.get('user', A, 'hot');
            await tx.get('user', A, 'bystander');
          });
          hammered += 1;
        }
      };
      const hammers = Array.from({ length: 8 }, hammer);
      try {
        const deadline = performance.now() + 4_000;
        let n = 0;
        while (performance.now() < deadline && n < 300) {
          n += 1;
          await a.transaction(async (tx) => {
            const current = await tx.get('user', A, 'hot');
            assert.ok(current !== undefined);
            await tx.update({ ...current, data: { n } });
          });
          const seen = await b.read((tx) => tx.get('user', A, 'hot'));
          assert.equal(seen?.data['n'], n, `round ${n}: B served a row older than A's acknowledged write`);
        }
        assert.ok(n >= 20, `only ${n} rounds ran`);
      } finally {
        hammering = false;
        await Promise.all(hammers);
      }
      assert.ok(hammered > 0);
    });
  });

  test('read cache: a change forgets only the entities it touched, on every node; one too large to name forgets all', async () => {
    await withNodes(2, async (stores, url) => {
      const [a, b] = pair(stores);
      const keys = Array.from({ length: 150 }, (_, i) => `${'k'.repeat(60)}-${i}`);
      await a.transaction(async (tx) => {
        for (const key of ['hot', 'bystander', ...keys]) await tx.insert(entity({ key, data: { n: 0 } }));
      });
      const first = await b.read((tx) => tx.get('user', A, 'bystander'));
      await b.read((tx) => tx.get('user', A, 'hot'));
      await a.transaction(async (tx) => {
        const current = await tx.get('user', A, 'hot');
        assert.ok(current !== undefined);
        await tx.update({ ...current, data: { n: 1 } });
      });
      assert.equal((await b.read((tx) => tx.get('user', A, 'hot')))?.data['n'], 1);
      // The same object: B kept its cached bystander through a commit that did not touch it.
      assert.ok((await b.read((tx) => tx.get('user', A, 'bystander'))) === first, 'an untouched entry should survive the commit');
      // One statement changing more rows than a notification can name: announced as '*', and every node starts afresh.
      await b.read(async (tx) => {
        for (const key of keys) await tx.get('user', A, key);
      });
      const database = new URL(url).pathname.slice(1);
      await running().query(database, `UPDATE entities SET data = '{"n":2}' WHERE key_lower LIKE 'kkk%'`);
      const seen = await b.read(async (tx) => Promise.all(keys.map(async (key) => (await tx.get('user', A, key))?.data['n'])));
      assert.deepEqual(new Set(seen), new Set([2]));
      assert.ok((await b.read((tx) => tx.get('user', A, 'bystander'))) !== first, "'*' should have emptied the cache");
    });
  });

  test('read cache: a commit no node announces (SQL run beside Gatehouse, a bookkeeping write) is seen by the next view', async () => {
    await withNodes(2, async (stores, url) => {
      const [a, b] = pair(stores);
      await a.transaction(async (tx) => tx.insert(entity({ key: 'quiet', data: { n: 0 } })));
      assert.equal((await b.read((tx) => tx.get('user', A, 'quiet')))?.data['n'], 0);
      const database = new URL(url).pathname.slice(1);
      await running().query(database, `UPDATE entities SET data = '{"n":1}' WHERE key_lower = 'quiet'`);
      assert.equal((await b.read((tx) => tx.get('user', A, 'quiet')))?.data['n'], 1);
      await a.transaction(async (tx) => {
        const current = await tx.get('user', A, 'quiet');
        assert.ok(current !== undefined);
        await tx.update({ ...current, data: { n: 2 } });
      }, { bookkeeping: true });
      assert.equal((await b.read((tx) => tx.get('user', A, 'quiet')))?.data['n'], 2);
      // A known absence is cached too, and forgotten as soon as the entity exists.
      assert.equal(await b.read((tx) => tx.get('user', A, 'later')), undefined);
      await a.transaction(async (tx) => tx.insert(entity({ key: 'later' })));
      assert.notEqual(await b.read((tx) => tx.get('user', A, 'later')), undefined);
    });
  });

  test('close waits for running transactions, then rejects new ones', async () => {
    const store = await openPostgresStore({ url: await freshDatabase() });
    const pending = store.transaction(async (tx) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await tx.insert(entity({ key: 'late' }));
      return tx.count('user', A);
    });
    await store.close();
    assert.equal(await pending, 1);
    await assert.rejects(store.transaction(async () => 0), /closed/);
    await assert.rejects(store.read(async () => 0), /closed/);
  });
});

describe('postgresql migrations', () => {
  test('nodes starting at once on an empty database apply each migration once', async () => {
    await withNodes(0, async (_stores, url) => {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore({ url, poolSize: 2 })));
      await Promise.all(stores.map((s) => s.close()));
      const database = new URL(url).pathname.slice(1);
      const applied = await running().query(database, 'SELECT id FROM schema_migrations ORDER BY id');
      assert.deepEqual(applied.rows.map((r: { id: number }) => r.id), MIGRATIONS.map((m) => m.id));
    });
  });

  test('migrate applies only new steps, a failing one leaves no trace, and a newer database is refused', async () => {
    const url = await freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      assert.deepEqual(await migrate(client), MIGRATIONS.map((m) => m.id));
      assert.deepEqual(await migrate(client), []);
      const next = MIGRATIONS.length + 1;
      const added: Migration = { id: next, name: 'extra table', sql: 'CREATE TABLE extra (x integer)' };
      assert.deepEqual(await migrate(client, [...MIGRATIONS, added]), [next]);
      const broken: Migration = { id: next + 1, name: 'broken', sql: 'CREATE TABLE half (x integer); THIS IS NOT SQL' };
      await assert.rejects(migrate(client, [...MIGRATIONS, added, broken]), /migration \d+ \(broken\) failed/);
      assert.equal((await client.query(`SELECT to_regclass('half') AS t`)).rows[0]?.t, null);
      assert.equal((await client.query('SELECT max(id) AS m FROM schema_migrations')).rows[0]?.m, next);
      await assert.rejects(migrate(client), new RegExp(`does not know: ${next}$`));
    } finally {
      await client.end();
    }
  });
});

describe('postgresql durability', () => {
  test('every acknowledged commit survives a crash of the server, even where the database defaults to asynchronous commit', async () => {
    const url = await freshDatabase();
    const database = new URL(url).pathname.slice(1);
    // Asynchronous commit acknowledges before the WAL is written; a crash then loses the last ~200 ms of commits.
    await running().query('postgres', `ALTER DATABASE ${database} SET synchronous_commit = off`);
    const writer = await openPostgresStore({ url, poolSize: 2 });
    let acknowledged = 0;
    let crashed: Promise<void> | undefined;
    try {
      for (let i = 1; ; i++) {
        try {
          await writer.transaction((tx) => tx.insert(entity({ key: `k${i}`, data: { i } })));
        } catch {
          break;
        }
        acknowledged = i;
        // The crash lands while commits keep coming, not between a commit and a quiet moment.
        if (i === 100) crashed = running().crashAndRestart();
      }
      await crashed;
    } finally {
      await writer.close();
    }
    assert.ok(acknowledged >= 100, `${acknowledged} acknowledged`);
    const reader = await openPostgresStore({ url, poolSize: 2 });
    try {
      const found = await reader.read((tx) => tx.list('user', A));
      const present = new Set(found.map((r) => r.key));
      const lost = Array.from({ length: acknowledged }, (_, i) => `k${i + 1}`).filter((key) => !present.has(key));
      assert.deepEqual(lost, [], `acknowledged ${acknowledged}, found ${found.length}`);
    } finally {
      await reader.close();
    }
  });

  test('transactions queued together commit together, each all or nothing: a failing one (a swallowed database error included) is undone alone', async () => {
    await withNodes(1, async ([store]) => {
      const v0 = store!.version();
      const versions: number[] = [];
      // The first holds the node's turn while the others queue behind it and are then carried by one database transaction.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const first = store!.transaction(async (tx) => {
        await held;
        await tx.insert(entity({ key: 'first' }));
      });
      const outcomes = [
        store!.transaction(async (tx) => {
          versions.push(tx.version);
          await tx.insert(entity({ key: 'second' }));
          return 'second';
        }),
        store!.transaction(async (tx) => {
          await tx.insert(entity({ key: 'thrown' }));
          throw new Error('work failed');
        }),
        store!.transaction(async (tx) => {
          await tx.insert(entity({ key: 'swallowed' }));
          await tx.insert(entity({ key: 'nul\u0000key' })).catch(() => undefined);
          return 'committed?';
        }),
        store!.transaction(async (tx) => {
          versions.push(tx.version);
          // It sees what the earlier ones of its batch wrote, and nothing of those undone.
          return (await tx.list('user', A)).map((e) => e.key).join(',');
        }),
      ].map((p) => p.then(String, (error: Error) => `rejected: ${error.message}`));
      release();
      await first;
      const settled = await Promise.all(outcomes);
      assert.equal(settled[0], 'second');
      assert.equal(settled[1], 'rejected: work failed');
      assert.match(settled[2] as string, /^rejected: .*(0x00|invalid byte sequence)/);
      assert.equal(settled[3], 'first,second');
      assert.deepEqual((await store!.read((tx) => tx.list('user', A))).map((e) => e.key), ['first', 'second']);
      // One move per committed writing transaction, as if each had committed alone.
      assert.equal(store!.version(), v0 + 2);
      // The first of the batch reads committed rows at the version before it; one after another's uncommitted
      // writes has a label that no version equals, so no cache keeps what it read.
      assert.equal(versions[0], v0 + 1);
      assert.ok(Number.isNaN(versions[1]));
    });
  });
});
