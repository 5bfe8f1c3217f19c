// Two "nodes" (two stores) on one PostgreSQL database with many writers at once: contention between our own nodes
// must be absorbed by the adapter's retries, never reach the caller as a failure.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPostgresCluster, type PostgresCluster } from '../../../test/helpers/postgres-cluster.js';
import { entity } from '../contract.js';
import type { Store, StoreTx } from '../store.js';
import { openPostgresStore } from './postgres-store.js';

const A = '111111111111';
const WRITERS = 40;
const ROUNDS = 4;

let cluster: PostgresCluster | undefined;
before(async () => {
  cluster = await startPostgresCluster();
});
after(async () => {
  await cluster?.stop();
});

async function twoNodes(name: string): Promise<[Store, Store]> {
  if (cluster === undefined) throw new Error('the PostgreSQL cluster did not start (see the before hook failure)');
  const url = await cluster.createDatabase(name);
  const first = await openPostgresStore({ url, poolSize: 4 });
  const second = await openPostgresStore({ url, poolSize: 4 });
  return [first, second];
}

/** The time a real operation spends between its statements (validation, ID generation, the event loop's other work). */
const requestWork = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

/** As CreateUser does it: the name must be free and the account under its quota (a count over every user). */
async function createUser(tx: StoreTx, key: string): Promise<void> {
  if ((await tx.get('user', A, key)) !== undefined) throw new Error(`${key} exists`);
  if ((await tx.count('user', A)) >= 5000) throw new Error('quota');
  await requestWork();
  await tx.insert(entity({ key, data: { tags: [] } }));
}

/** As TagUser does it: read the user, write it back with one more tag. */
async function tagUser(tx: StoreTx, key: string, tag: string): Promise<void> {
  const user = await tx.get('user', A, key);
  if (user === undefined) throw new Error(`${key} is missing`);
  await requestWork();
  const tags = [...((user.data['tags'] as string[] | undefined) ?? []), tag];
  assert.equal(await tx.update({ ...user, data: { ...user.data, tags } }), true);
}

describe('postgresql store under contention between two nodes', () => {
  test('two overlapping write transactions on different rows, one per node, both commit at their first run', async () => {
    const nodes = await twoNodes('disjoint');
    try {
      await nodes[0].transaction(async (tx) => {
        await tx.insert(entity({ key: 'u0' }));
        await tx.insert(entity({ key: 'u1' }));
      });
      let arrived = 0;
      let bothWrote: () => void = () => undefined;
      const barrier = new Promise<void>((resolve) => (bothWrote = resolve));
      const runs = [0, 0];
      await Promise.all(
        nodes.map((store, node) =>
          store.transaction(async (tx) => {
            runs[node]! += 1;
            await tagUser(tx, `u${node}`, 'x');
            // Both are open, each having read and written its own row, before either commits.
            if (++arrived === 2) bothWrote();
            if (arrived <= 2) await barrier;
          }),
        ),
      );
      // Nothing here conflicts but a row every write transaction updates, if there were one.
      assert.deepEqual(runs, [1, 1]);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });

  test(`${WRITERS} concurrent writers across two nodes: every distinct write commits and both versions move`, async () => {
    const nodes = await twoNodes('contention');
    try {
      const before = nodes.map((n) => n.version());
      const failures: string[] = [];
      let committed = 0;
      let mostRuns = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, writer) => {
          const store = nodes[writer % 2]!;
          const name = `user-${writer}`;
          const steps: Array<(tx: StoreTx) => Promise<void>> = [(tx) => createUser(tx, name)];
          for (let round = 0; round < ROUNDS; round++) steps.push((tx) => tagUser(tx, name, `t${round}`));
          for (const step of steps) {
            let runs = 0;
            try {
              await store.transaction((tx) => {
                runs += 1;
                return step(tx);
              });
              mostRuns = Math.max(mostRuns, runs);
              committed += 1;
            } catch (error) {
              failures.push(`${name}: ${(error as Error).message}`);
              return;
            }
          }
        }),
      );
      const elapsed = performance.now() - started;
      assert.deepEqual(failures, [], `${failures.length} of ${WRITERS * (ROUNDS + 1)} writes failed`);
      assert.equal(committed, WRITERS * (ROUNDS + 1));
      console.log(`# ${committed} transactions from ${WRITERS} writers on two nodes in ${elapsed.toFixed(0)} ms, at most ${mostRuns} runs each`);

      const users = await nodes[0].read((tx) => tx.list('user', A));
      assert.equal(users.length, WRITERS);
      for (const user of users) assert.deepEqual(user.data['tags'], ['t0', 't1', 't2', 't3'], user.key);
      // Each node counts its own commits and the other's as their notifications arrive: once all have arrived, both
      // report one move per committed transaction.
      const expected = before[0]! + committed;
      assert.equal(before[0], before[1]);
      const deadline = performance.now() + 2_000;
      while (nodes.some((n) => n.version() !== expected) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(nodes.map((n) => n.version()), [expected, expected]);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });
});
