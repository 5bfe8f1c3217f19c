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
import { CLIENTS, mixedLoad, type MixedResult } from './scale-mixed.js';
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
  /** Reads alone, then reads with a tenth of writes: one management-account key, then one key per tenant account. */
  readonly loads: readonly MixedResult[];
}

type Node = Awaited<ReturnType<typeof startChild>>;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

/** `count` requests one after another (the time a request takes, not throughput), round-robin over `ports`. */
async function timed(agent: Agent, ports: readonly number[], from: number, count: number, request: (i: number, port: number) => { headers: Record<string, string>; body: string }): Promise<number[]> {
  const times: number[] = [];
  for (let i = from; i < from + count; i++) {
    const port = ports[(i + 1000) % ports.length] as number;
    const req = request(i, port);
    const start = performance.now();
    const res = await call(agent, port, req);
    const took = performance.now() - start;
    if (res.status !== 200) throw new Error(`request failed: ${res.status} ${res.body.slice(0, 300)}`);
    times.push(took);
  }
  return times;
}

function summary(times: readonly number[]): Latency {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
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

/**
 * One user per tenant account, made through the API (the server seals the secrets) by a session of the tenant's
 * OrganizationAccountAccessRole: allowed iam:GetUser and iam:TagUser on its own account's users, nothing else.
 */
async function tenantKeys(agent: Agent, port: number, user: BenchKey, seeded: Seeded): Promise<BenchKey[]> {
  const keys: BenchKey[] = [];
  for (const account of seeded.tenants) {
    const roleArn = `arn:aws:iam::${account}:role/${seeded.memberRole}`;
    const assumed = await iam(agent, port, user, { Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: 'setup', DurationSeconds: '900' }, 'sts');
    const admin = { id: grab(assumed, 'AccessKeyId'), secret: grab(assumed, 'SecretAccessKey'), token: grab(assumed, 'SessionToken') };
    await iam(agent, port, admin, { Action: 'CreateUser', UserName: 'tenant' });
    const own = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:TagUser'], Resource: `arn:aws:iam::${account}:user/*` }] });
    await iam(agent, port, admin, { Action: 'PutUserPolicy', UserName: 'tenant', PolicyName: 'own-users', PolicyDocument: own });
    const created = await iam(agent, port, admin, { Action: 'CreateAccessKey', UserName: 'tenant' });
    keys.push({ id: grab(created, 'AccessKeyId'), secret: grab(created, 'SecretAccessKey') });
  }
  return keys;
}

const body = (params: Record<string, string>, version = '2010-05-08'): string => new URLSearchParams({ Version: version, ...params }).toString();

function rssOf(pid: number | undefined): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** A running deployment (one or more nodes on one store) and what the bench signs its requests with. */
interface Deployment {
  readonly nodes: Node[];
  readonly ports: number[];
  readonly coldStartMs: number;
  readonly seeded: Seeded;
  user?: BenchKey;
  member?: BenchKey;
  roleArn?: string;
  tenantKeys?: BenchKey[];
  /** ListUsers pages walked so far: the next request asks for the page after this marker. */
  marker?: string;
  pagesWalked?: number;
}

/** Starts `count` nodes on one store, the first's start timed: a cold start on the seeded data. */
async function deploy(count: number, env: NodeJS.ProcessEnv, dirs: readonly string[], seeded: Seeded, nodes: Node[]): Promise<Deployment> {
  const started = performance.now();
  nodes.push(await startChild(['gatehouse', dirs[0] as string], env));
  const coldStartMs = performance.now() - started;
  const mine = [nodes[nodes.length - 1] as Node];
  for (let i = 1; i < count; i++) {
    const node = await startChild(['gatehouse', dirs[i] as string], env);
    nodes.push(node);
    mine.push(node);
  }
  return { nodes: mine, ports: mine.map((n) => n.port), coldStartMs, seeded };
}

type Operation = (agent: Agent, d: Deployment, from: number, count: number) => Promise<number[]>;

const pick = (names: readonly string[], i: number): string => names[(((i * 7919) % names.length) + names.length) % names.length] as string;

const OPERATIONS: Record<string, Operation> = {
  GetUser: (agent, d, from, count) => timed(agent, d.ports, from, count, (i, port) => signed(port, d.user!, body({ Action: 'GetUser', UserName: pick(d.seeded.userNames, i) }))),
  // Page after page of the management account's users, starting over at the end.
  'ListUsers (100 a page)': async (agent, d, from, count) => {
    const times: number[] = [];
    for (let i = from; i < from + count; i++) {
      const port = d.ports[(i + 1000) % d.ports.length] as number;
      const params: Record<string, string> = { Action: 'ListUsers', MaxItems: String(PAGE), ...(d.marker !== undefined ? { Marker: d.marker } : {}) };
      const start = performance.now();
      const res = await call(agent, port, signed(port, d.user!, body(params)));
      times.push(performance.now() - start);
      if (res.status !== 200) throw new Error(`ListUsers failed: ${res.status} ${res.body.slice(0, 300)}`);
      // Only whole pages: the walk starts over before the last, short page (the bench user makes one), so both
      // stores answer pages of the same size and differ only in how far into the account they reach.
      d.pagesWalked = (d.pagesWalked ?? 0) + 1;
      const whole = Math.max(1, Math.floor(d.seeded.userNames.length / PAGE));
      const more = /<IsTruncated>true<\/IsTruncated>/.test(res.body) && d.pagesWalked < whole;
      d.marker = more ? grab(res.body, 'Marker') : undefined;
      if (!more) d.pagesWalked = 0;
    }
    return times;
  },
  'AssumeRole (into the member)': (agent, d, from, count) =>
    timed(agent, d.ports, from, count, (i, port) => signed(port, d.user!, body({ Action: 'AssumeRole', RoleArn: d.roleArn!, RoleSessionName: `s${i + 100}` }, '2011-06-15'), 'sts')),
  'member GetUser (7 SCP levels)': (agent, d, from, count) =>
    timed(agent, d.ports, from, count, (i, port) => signed(port, d.member!, body({ Action: 'GetUser', UserName: pick(d.seeded.userNames, i) }))),
};

const ROUNDS = 6;

/**
 * Measures the empty and the full deployment in turns, ROUNDS times per operation (which goes first alternating),
 * so a slow spell of this shared machine cannot land on one side only.
 */
async function measure(empty: Deployment, full: Deployment): Promise<{ empty: ServerRun; full: ServerRun }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    for (const d of [empty, full]) {
      Object.assign(d, await principals(agent, d.ports[0] as number, d.seeded));
      d.tenantKeys = await tenantKeys(agent, d.ports[0] as number, d.user!, d.seeded);
    }
    const times = { empty: {} as Record<string, number[]>, full: {} as Record<string, number[]> };
    const perRound = Math.max(1, Math.ceil(REQUESTS / ROUNDS));
    for (const [name, operation] of Object.entries(OPERATIONS)) {
      // A warm-up on each: the first requests compile policies and fill caches on every node.
      for (const d of [empty, full]) await operation(agent, d, -20, 20);
      times.empty[name] = [];
      times.full[name] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (const which of round % 2 === 0 ? (['empty', 'full'] as const) : (['full', 'empty'] as const)) {
          const d = which === 'empty' ? empty : full;
          times[which][name]!.push(...(await operation(agent, d, round * perRound, perRound)));
        }
      }
    }
    const result = async (which: 'empty' | 'full', d: Deployment): Promise<ServerRun> => {
      const loads: MixedResult[] = [];
      for (const share of [0, 0.1]) loads.push(await mixedLoad(d.ports, [d.user!], d.seeded.userNames, share));
      for (const share of [0, 0.1]) loads.push(await mixedLoad(d.ports, d.tenantKeys!, d.seeded.commonUserNames, share));
      const memory = d.nodes.map((n) => rssOf(n.child.pid));
      return {
        coldStartMs: d.coldStartMs,
        latencies: Object.fromEntries(Object.entries(times[which]).map(([name, t]) => [name, summary(t)])),
        rssMb: Math.max(...memory.map((m) => m.rss)),
        peakRssMb: Math.max(...memory.map((m) => m.peak)),
        loads,
      };
    };
    return { empty: await result('empty', empty), full: await result('full', full) };
  } finally {
    agent.destroy();
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
        // Nodes of one deployment share the database, the master key and the session token keys.
        env: {
          GATEHOUSE_DATABASE_URL: url,
          GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64'),
          GATEHOUSE_SESSION_KEYS: JSON.stringify({ keys: [{ id: randomBytes(6).toString('hex'), key: randomBytes(32).toString('base64'), created: new Date().toISOString() }] }),
        },
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
  const prepared: Array<Awaited<ReturnType<Configuration['prepare']>>> = [];
  const nodes: Node[] = [];
  try {
    const deployments: Deployment[] = [];
    let seedMs = 0;
    for (const populated of [false, true]) {
      const p = await config.prepare(populated ? 'full' : 'empty');
      prepared.push(p);
      const start = performance.now();
      let seeded: Seeded;
      try {
        seeded = await seedOrganization(p.store, shape, populated, CLIENTS, (line) => console.log(`    seeding: ${line}`));
      } finally {
        await p.store.close();
      }
      if (populated) seedMs = performance.now() - start;
      deployments.push(await deploy(config.nodes, p.env, p.dirs, seeded, nodes));
    }
    const [emptyDeployment, fullDeployment] = deployments as [Deployment, Deployment];
    const { empty, full } = await measure(emptyDeployment, fullDeployment);
    const sizes = [await prepared[0]!.size(), await prepared[1]!.size()] as const;
    console.log(`  seeded ${fullDeployment.seeded.entities} users and roles in ${(seedMs / 1000).toFixed(1)} s; empty store: ${emptyDeployment.seeded.entities}`);
    return report(empty, full, sizes);
  } finally {
    for (const node of nodes) node.child.kill();
    for (const p of prepared) await p.cleanup();
  }
}

function report(empty: ServerRun, full: ServerRun, sizes: readonly [number, number]): boolean {
  let ok = true;
  console.log(`  ${'request'.padEnd(32)} ${'empty p50'.padStart(10)} ${'empty p99'.padStart(10)} ${'full p50'.padStart(10)} ${'full p99'.padStart(10)}  full/empty p50`);
  for (const [name, e] of Object.entries(empty.latencies)) {
    const f = full.latencies[name] as Latency;
    const ratio = f.p50 / e.p50;
    ok &&= ratio <= 1.5;
    console.log(`  ${name.padEnd(32)} ${ms(e.p50).padStart(10)} ${ms(e.p99).padStart(10)} ${ms(f.p50).padStart(10)} ${ms(f.p99).padStart(10)}  ${ratio.toFixed(2)}x ${ratio <= 1.5 ? 'MET' : 'NOT MET'}`);
  }
  for (const [which, r] of [['empty', empty], ['full', full]] as const) {
    for (const m of r.loads) {
      const what = m.writeShare === 0 ? 'GetUser alone' : `GetUser and ${m.writeShare * 100}% TagUser`;
      const callers = m.callers === 1 ? '' : ` in ${m.callers} accounts`;
      console.log(`  load of ${m.clients} clients${callers}, ${what}, ${which} store: ${m.perSecond.toFixed(0)} req/s, p50 ${ms(m.p50)}, p99 ${ms(m.p99)}${m.failed > 0 ? `, ${m.failed} FAILED` : ''}`);
      ok &&= m.failed === 0;
    }
  }
  const coldOk = full.coldStartMs <= 10_000;
  const rssOk = full.peakRssMb <= 2048;
  ok &&= coldOk && rssOk;
  console.log(`  cold start: empty ${(empty.coldStartMs / 1000).toFixed(2)} s, full ${(full.coldStartMs / 1000).toFixed(2)} s (target <= 10 s: ${coldOk ? 'MET' : 'NOT MET'})`);
  console.log(`  resident memory after the run (largest node): empty ${empty.rssMb.toFixed(0)} MB (peak ${empty.peakRssMb.toFixed(0)}), full ${full.rssMb.toFixed(0)} MB (peak ${full.peakRssMb.toFixed(0)}) (target <= 2048 MB: ${rssOk ? 'MET' : 'NOT MET'})`);
  console.log(`  database size: empty ${(sizes[0] / 2 ** 20).toFixed(1)} MB, full ${(sizes[1] / 2 ** 20).toFixed(1)} MB`);
  return ok;
}

export async function runScaleBench(): Promise<{ ok: boolean }> {
  const shape = scaleShape(SCALE);
  console.log(
    `\nScale: an organization of ${shape.accounts} accounts, ${shape.users} users and ${shape.roles} roles in all, ${shape.levels} OU levels, an SCP at each ` +
      `(GATEHOUSE_BENCH_SCALE=${SCALE}; 1 is the full size), against the same organization with only the measured accounts (management and member, ${Math.max(100, Math.floor(shape.users / shape.accounts))} users each in both stores, ` +
      `none read before the measured requests) and the ${CLIENTS} tenant accounts of 100 users ` +
      `(at least ${CLIENTS} member accounts beside the measured one in both, for the load of ${CLIENTS} clients in as many accounts; ` +
      `accounts past the scale's count hold 100 users); ` +
      `latencies over ${REQUESTS} sequential requests (GATEHOUSE_BENCH_SCALE_REQUESTS), account ${ACCOUNT} is the management account`,
  );
  // GATEHOUSE_BENCH_SCALE_STORES=sqlite, =postgres-1 or =postgres-2 (comma-separated) runs only those.
  const stores = (process.env['GATEHOUSE_BENCH_SCALE_STORES'] ?? 'sqlite,postgres-1,postgres-2').split(',').map((x) => x.trim());
  let ok = stores.includes('sqlite') ? await runConfiguration(sqliteConfiguration(), shape) : true;
  const postgresNodes = [1, 2].filter((n) => stores.includes(`postgres-${n}`));
  if (postgresNodes.length === 0) return { ok };
  if (!existsSync(join(POSTGRES_BIN, 'postgres'))) {
    console.log(`  PostgreSQL part skipped: no server binaries in ${POSTGRES_BIN} (apt-get install postgresql-15)`);
    return { ok };
  }
  const cluster = await startPostgresCluster();
  try {
    for (const nodes of postgresNodes) ok = (await runConfiguration(postgresConfiguration(cluster, nodes), shape)) && ok;
  } finally {
    await cluster.stop();
  }
  return { ok };
}
