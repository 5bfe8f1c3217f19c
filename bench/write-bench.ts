// Write throughput over HTTP: signed TagUser requests from many concurrent writers, each on its own user, against
// one SQLite node, one PostgreSQL node, and two PostgreSQL nodes sharing the database (the multi-node deployment).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POSTGRES_BIN, startPostgresCluster, type PostgresCluster } from '../test/helpers/postgres-cluster.js';
import { ROOT, call, iam, signed, startChild } from './http-bench.js';
import { formatRate, type Rate } from './measure.js';

const WRITERS = 32;
const WARM_UP_MS = 1_000;
const MEASURE_MS = 4_000;

interface WriteRate extends Rate {
  /** Answers other than 200: any is a failure the bench reports (and fails on). */
  readonly failed: number;
}

/** Starts `count` nodes on `env` (each with its own data directory), runs `body`, and stops them. */
async function withNodes<T>(count: number, env: NodeJS.ProcessEnv, body: (ports: number[]) => Promise<T>): Promise<T> {
  const dirs = Array.from({ length: count }, () => mkdtempSync(join(tmpdir(), 'gatehouse-write-bench-')));
  const nodes: Array<Awaited<ReturnType<typeof startChild>>> = [];
  try {
    // One after the other: the first creates the schema and the root key, the others find them.
    for (const dir of dirs) nodes.push(await startChild(['gatehouse', dir], env));
    return await body(nodes.map((n) => n.port));
  } finally {
    for (const node of nodes) node.child.kill();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * WRITERS keep-alive clients, spread over the nodes in turn, each tagging its own user as fast as answers come back
 * (a fresh signature and tag value per request); answers are counted after a warm-up.
 */
async function tagUsers(label: string, ports: readonly number[]): Promise<WriteRate> {
  const agent = new Agent({ keepAlive: true, maxSockets: WRITERS });
  try {
    for (let w = 0; w < WRITERS; w++) await iam(agent, ports[w % ports.length]!, ROOT, { Action: 'CreateUser', UserName: `writer-${w}` });
    const start = Date.now();
    const measureFrom = start + WARM_UP_MS;
    const end = measureFrom + MEASURE_MS;
    let done = 0;
    let failed = 0;
    let firstFailure = '';
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        const port = ports[w % ports.length]!;
        for (let i = 0; Date.now() < end; i++) {
          const body = new URLSearchParams({ Action: 'TagUser', Version: '2010-05-08', UserName: `writer-${w}`, 'Tags.member.1.Key': 'n', 'Tags.member.1.Value': String(i) });
          const res = await call(agent, port, signed(port, ROOT, body.toString()));
          if (Date.now() < measureFrom) continue;
          if (res.status === 200) done++;
          else {
            failed++;
            firstFailure ||= `${res.status} ${res.body}`;
          }
        }
      }),
    );
    if (failed > 0) console.log(`  ${label}: ${failed} failed, first: ${firstFailure.slice(0, 300)}`);
    return { label, perSecond: done / (MEASURE_MS / 1000), failed };
  } finally {
    agent.destroy();
  }
}

/** Writes are counted in hundreds per second, not thousands: whole numbers. */
const perSecond = (rate: number): string => (rate >= 1e4 ? formatRate(rate) : `${rate.toFixed(0)} /s`);

function print(rate: WriteRate, baseline: WriteRate, reference?: WriteRate): void {
  const vs = reference === undefined ? '' : `, ${(rate.perSecond / reference.perSecond).toFixed(2)}x ${reference.label}`;
  const failures = rate.failed === 0 ? 'no failures' : `${rate.failed} FAILED`;
  console.log(`  ${rate.label.padEnd(36)} ${perSecond(rate.perSecond).padStart(10)}  ${(rate.perSecond / baseline.perSecond).toFixed(2)}x baseline${vs}  (${failures})`);
}

export async function runWriteBench(): Promise<{ rates: Rate[]; ok: boolean }> {
  console.log(`\nWrites over HTTP: TagUser, ${WRITERS} concurrent writers each on its own user, keep-alive, servers in child processes`);
  const sqlite = await withNodes(1, {}, (ports) => tagUsers('SQLite, 1 node (baseline)', ports));
  print(sqlite, sqlite);
  const rates: WriteRate[] = [sqlite];
  if (!existsSync(join(POSTGRES_BIN, 'postgres'))) {
    console.log(`  PostgreSQL part skipped: no server binaries in ${POSTGRES_BIN} (apt-get install postgresql-15)`);
  } else {
    let cluster: PostgresCluster | undefined;
    try {
      cluster = await startPostgresCluster();
      // Nodes of one deployment share the database and the master key that seals secret keys.
      const masterKey = randomBytes(32).toString('base64');
      const one = await withNodes(1, { GATEHOUSE_DATABASE_URL: await cluster.createDatabase('bench_one'), GATEHOUSE_MASTER_KEY: masterKey }, (ports) =>
        tagUsers('PostgreSQL, 1 node', ports),
      );
      print(one, sqlite);
      const two = await withNodes(2, { GATEHOUSE_DATABASE_URL: await cluster.createDatabase('bench_two'), GATEHOUSE_MASTER_KEY: masterKey }, (ports) =>
        tagUsers('PostgreSQL, 2 nodes', ports),
      );
      print(two, sqlite, one);
      rates.push(one, two);
    } finally {
      await cluster?.stop();
    }
  }
  const ok = rates.every((r) => r.failed === 0);
  console.log(`  target: no failed write: ${ok ? 'MET' : 'NOT MET'}`);
  return { rates, ok };
}
