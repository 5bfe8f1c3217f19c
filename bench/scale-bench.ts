// The scale run (GATEHOUSE_BENCH_ONLY=scale): an organization of 1 000 accounts, 1 000 000 users and 100 000 roles
// (times GATEHOUSE_BENCH_SCALE), seeded straight into the store, served by the real server in a child process, and
// measured against the same server on a store holding only the measured accounts. SQLite, then PostgreSQL with one
// and two nodes sharing the database.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POSTGRES_BIN, startPostgresCluster, type PostgresCluster } from '../test/helpers/postgres-cluster.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { ACCOUNT, ROOT, call, iam, signed, startChild, type BenchKey } from './http-bench.js';
import { mixedLoad, type MixedResult } from './scale-mixed.js';
import { scaleShape, seedOrganization, type ScaleShape, type Seeded } from './scale-seed.js';

const SCALE = Number(process.env['GATEHOUSE_BENCH_SCALE'] ?? '1');
const REQUESTS = Number(process.env['GATEHOUSE_BENCH_SCALE_REQUESTS'] ?? '400');
const PAGE = 100;

interface Latency {
  readonly p50: number;
  readonly p99: number;
}

interface ServerRun {
  readonly coldStartMs: number;
  readonly latencies: Record<string, Latency>;
  readonly rssMb: number;
  readonly peakRssMb: number;
  readonly mixed: MixedResult;
}

type Node = Awaited<ReturnType<typeof startChild>>;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

/** `count` requests one after another (the time a request takes, not throughput), round-robin over `ports`. */
async function timed(agent: Agent, ports: readonly number[], count: number, request: (i: number, port: number) => { headers: Record<string, string>; body: string }): Promise<Latency> {
  const times: number[] = [];
  // A short warm-up: the first requests compile policies and fill caches on every node.
  for (let i = -Math.min(20, count); i < count; i++) {
    const port = ports[(i + 1000) % ports.length] as number;
    const req = request(i, port);
    const start = performance.now();
    const res = await call(agent, port, req);
    const took = performance.now() - start;
    if (res.status !== 200) throw new Error(`request failed: ${res.status} ${res.body.slice(0, 300)}`);
    if (i >= 0) times.push(took);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

const grab = (xml: string, tag: string): string => {
  const found = new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)?.[1];
  if (found === undefined) throw new Error(`no ${tag} in ${xml.slice(0, 300)}`);
  return found;
};

/** A management-account user allowed everything, and a session of the measured member account's access role. */
async function principals(agent: Agent, port: number, seeded: Seeded): Promise<{ user: BenchKey; member: BenchKey; roleArn: string }> {
  await iam(agent, port, ROOT, { Action: 'CreateUser', UserName: 'bench' });
  const all = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
  await iam(agent, port, ROOT, { Action: 'PutUserPolicy', UserName: 'bench', PolicyName: 'all', PolicyDocument: all });
  const created = await iam(agent, port, ROOT, { Action: 'CreateAccessKey', UserName: 'bench' });
  const user = { id: grab(created, 'AccessKeyId'), secret: grab(created, 'SecretAccessKey') };
  const roleArn = `arn:aws:iam::${seeded.member}:role/${seeded.memberRole}`;
  const assumed = await iam(agent, port, user, { Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: 'member', DurationSeconds: '3600' }, 'sts');
  const member = { id: grab(assumed, 'AccessKeyId'), secret: grab(assumed, 'SecretAccessKey'), token: grab(assumed, 'SessionToken') };
  return { user, member, roleArn };
}

const body = (params: Record<string, string>, version = '2010-05-08'): string => new URLSearchParams({ Version: version, ...params }).toString();

function rssOf(pid: number | undefined): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Starts `count` nodes on one store (the first's start timed: a cold start on the seeded data), measures, stops. */
async function serve(count: number, env: NodeJS.ProcessEnv, dirs: readonly string[], seeded: Seeded): Promise<ServerRun> {
  const nodes: Node[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    const started = performance.now();
    nodes.push(await startChild(['gatehouse', dirs[0] as string], env));
    const coldStartMs = performance.now() - started;
    for (let i = 1; i < count; i++) nodes.push(await startChild(['gatehouse', dirs[i] as string], env));
    const ports = nodes.map((n) => n.port);
    const { user, member, roleArn } = await principals(agent, ports[0] as number, seeded);
    const names = seeded.userNames;
    const pick = (i: number): string => names[(i * 7919) % names.length] as string;
    const latencies: Record<string, Latency> = {};
    latencies['GetUser'] = await timed(agent, ports, REQUESTS, (i, port) => signed(port, user, body({ Action: 'GetUser', UserName: pick(i) })));
    // Page after page of the management account's users, starting over at the end.
    let marker: string | undefined;
    const listTimes: number[] = [];
    for (let i = -10; i < REQUESTS; i++) {
      const port = ports[(i + 1000) % ports.length] as number;
      const params: Record<string, string> = { Action: 'ListUsers', MaxItems: String(PAGE), ...(marker !== undefined ? { Marker: marker } : {}) };
      const start = performance.now();
      const res = await call(agent, port, signed(port, user, body(params)));
      if (i >= 0) listTimes.push(performance.now() - start);
      if (res.status !== 200) throw new Error(`ListUsers failed: ${res.status} ${res.body.slice(0, 300)}`);
      marker = /<IsTruncated>true<\/IsTruncated>/.test(res.body) ? grab(res.body, 'Marker') : undefined;
    }
    listTimes.sort((a, b) => a - b);
    latencies['ListUsers (100 a page)'] = { p50: percentile(listTimes, 50), p99: percentile(listTimes, 99) };
    latencies['AssumeRole (into the member)'] = await timed(agent, ports, REQUESTS, (i, port) =>
      signed(port, user, body({ Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: `s${i + 100}` }, '2011-06-15'), 'sts'),
    );
    latencies['member GetUser (7 SCP levels)'] = await timed(agent, ports, REQUESTS, (i, port) => signed(port, member, body({ Action: 'GetUser', UserName: pick(i) })));
    const mixed = await mixedLoad(ports, user, names);
    const memory = nodes.map((n) => rssOf(n.child.pid));
    return {
      coldStartMs,
      latencies,
      rssMb: Math.max(...memory.map((m) => m.rss)),
      peakRssMb: Math.max(...memory.map((m) => m.peak)),
      mixed,
    };
  } finally {
    agent.destroy();
    for (const node of nodes) node.child.kill();
  }
}

interface Configuration {
  readonly label: string;
  readonly nodes: number;
  /** Opens a fresh store for seeding, and says how to start servers on it and how big it is. */
  prepare(name: string): Promise<{ store: Store; env: NodeJS.ProcessEnv; dirs: string[]; size: () => Promise<number>; cleanup: () => Promise<void> }>;
}

function sqliteConfiguration(): Configuration {
  return {
    label: 'SQLite, 1 node',
    nodes: 1,
    async prepare() {
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-scale-'));
      const path = join(dir, 'gatehouse.db');
      return {
        store: openSqliteStore({ path }),
        env: {},
        dirs: [dir],
        size: async () => [path, `${path}-wal`].reduce((sum, p) => sum + (existsSync(p) ? statSync(p).size : 0), 0),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  };
}

function postgresConfiguration(cluster: PostgresCluster, nodes: number): Configuration {
  return {
    label: `PostgreSQL, ${nodes} node${nodes === 1 ? '' : 's'}`,
    nodes,
    async prepare(name) {
      const database = `scale_${name}_${nodes}`;
      const url = await cluster.createDatabase(database);
      const dirs = Array.from({ length: nodes }, () => mkdtempSync(join(tmpdir(), 'gatehouse-scale-')));
      return {
        store: await openPostgresStore({ url }),
        env: { GATEHOUSE_DATABASE_URL: url, GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64') },
        dirs,
        size: async () => Number((await cluster.query(database, 'SELECT pg_database_size(current_database()) AS n')).rows[0]?.n),
        cleanup: async () => {
          for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

const ms = (x: number): string => `${x.toFixed(1)} ms`;

async function runConfiguration(config: Configuration, shape: ScaleShape): Promise<boolean> {
  console.log(`\n${config.label}`);
  const runs: Array<{ run: ServerRun; size: number; seeded: Seeded; seedMs: number }> = [];
  for (const populated of [false, true]) {
    const prepared = await config.prepare(populated ? 'full' : 'empty');
    try {
      const start = performance.now();
      let seeded: Seeded;
      try {
        seeded = await seedOrganization(prepared.store, shape, populated, (line) => console.log(`    seeding: ${line}`));
      } finally {
        await prepared.store.close();
      }
      const seedMs = performance.now() - start;
      const run = await serve(config.nodes, prepared.env, prepared.dirs, seeded);
      runs.push({ run, size: await prepared.size(), seeded, seedMs });
    } finally {
      await prepared.cleanup();
    }
  }
  const [empty, full] = runs as [(typeof runs)[0], (typeof runs)[0]];
  console.log(`  seeded ${full.seeded.entities} users and roles in ${(full.seedMs / 1000).toFixed(1)} s; empty store: ${empty.seeded.entities}`);
  let ok = true;
  console.log(`  ${'request'.padEnd(32)} ${'empty p50'.padStart(10)} ${'empty p99'.padStart(10)} ${'full p50'.padStart(10)} ${'full p99'.padStart(10)}  full/empty p50`);
  for (const [name, e] of Object.entries(empty.run.latencies)) {
    const f = full.run.latencies[name] as Latency;
    const ratio = f.p50 / e.p50;
    ok &&= ratio <= 1.5;
    console.log(`  ${name.padEnd(32)} ${ms(e.p50).padStart(10)} ${ms(e.p99).padStart(10)} ${ms(f.p50).padStart(10)} ${ms(f.p99).padStart(10)}  ${ratio.toFixed(2)}x ${ratio <= 1.5 ? 'MET' : 'NOT MET'}`);
  }
  for (const [which, r] of [['empty', empty], ['full', full]] as const) {
    const m = r.run.mixed;
    console.log(`  mixed load (${m.clients} clients, ${m.writeShare * 100}% TagUser), ${which} store: ${m.perSecond.toFixed(0)} req/s, p50 ${ms(m.p50)}, p99 ${ms(m.p99)}${m.failed > 0 ? `, ${m.failed} FAILED` : ''}`);
    ok &&= m.failed === 0;
  }
  const coldOk = full.run.coldStartMs <= 10_000;
  const rssOk = full.run.peakRssMb <= 2048;
  ok &&= coldOk && rssOk;
  console.log(`  cold start: empty ${(empty.run.coldStartMs / 1000).toFixed(2)} s, full ${(full.run.coldStartMs / 1000).toFixed(2)} s (target <= 10 s: ${coldOk ? 'MET' : 'NOT MET'})`);
  console.log(`  resident memory after the run (largest node): empty ${empty.run.rssMb.toFixed(0)} MB (peak ${empty.run.peakRssMb.toFixed(0)}), full ${full.run.rssMb.toFixed(0)} MB (peak ${full.run.peakRssMb.toFixed(0)}) (target <= 2048 MB: ${rssOk ? 'MET' : 'NOT MET'})`);
  console.log(`  database size: empty ${(empty.size / 2 ** 20).toFixed(1)} MB, full ${(full.size / 2 ** 20).toFixed(1)} MB`);
  return ok;
}

export async function runScaleBench(): Promise<{ ok: boolean }> {
  const shape = scaleShape(SCALE);
  console.log(
    `\nScale: an organization of ${shape.accounts} accounts, ${shape.users} users and ${shape.roles} roles in all, ${shape.levels} OU levels, an SCP at each ` +
      `(GATEHOUSE_BENCH_SCALE=${SCALE}; 1 is the full size), against the same organization with one member account and ${100} users per account; ` +
      `latencies over ${REQUESTS} sequential requests (GATEHOUSE_BENCH_SCALE_REQUESTS), account ${ACCOUNT} is the management account`,
  );
  let ok = await runConfiguration(sqliteConfiguration(), shape);
  if (!existsSync(join(POSTGRES_BIN, 'postgres'))) {
    console.log(`  PostgreSQL part skipped: no server binaries in ${POSTGRES_BIN} (apt-get install postgresql-15)`);
    return { ok };
  }
  const cluster = await startPostgresCluster();
  try {
    for (const nodes of [1, 2]) ok = (await runConfiguration(postgresConfiguration(cluster, nodes), shape)) && ok;
  } finally {
    await cluster.stop();
  }
  return { ok };
}
