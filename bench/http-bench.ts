import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash, createHmac } from 'node:crypto';
import { formatRate, type Rate } from './measure.js';

const run = promisify(execFile);
export const ACCOUNT = '111122223333';
export const ROOT = { id: 'AKIABENCHROOT0000001', secret: 'bench/root/secret/0000000000000000000001' };
const REGION = 'us-east-1';

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const sha256 = (data: string): string => createHash('sha256').update(data).digest('hex');

/** Credentials the bench signs with. */
export interface BenchKey {
  readonly id: string;
  readonly secret: string;
  /** Session token, for temporary credentials. */
  readonly token?: string;
}

/** A SigV4-signed Query request, signed here with the documented algorithm so the bench needs no SDK. */
export function signed(port: number, key: BenchKey, body: string, service = 'iam', date = new Date()): { headers: Record<string, string>; body: string } {
  const amzDate = date.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const host = `127.0.0.1:${port}`;
  const contentType = 'application/x-www-form-urlencoded; charset=utf-8';
  const names = key.token === undefined ? 'content-type;host;x-amz-date' : 'content-type;host;x-amz-date;x-amz-security-token';
  const canonicalHeaders = [`content-type:${contentType}`, `host:${host}`, `x-amz-date:${amzDate}`];
  if (key.token !== undefined) canonicalHeaders.push(`x-amz-security-token:${key.token}`);
  const canonical = ['POST', '/', '', ...canonicalHeaders, '', names, sha256(body)].join('\n');
  const scope = `${day}/${REGION}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secret}`, day), REGION), service), 'aws4_request');
  const signature = hmac(signingKey, toSign).toString('hex');
  return {
    body,
    headers: {
      'content-type': contentType,
      'x-amz-date': amzDate,
      ...(key.token !== undefined ? { 'x-amz-security-token': key.token } : {}),
      authorization: `AWS4-HMAC-SHA256 Credential=${key.id}/${scope}, SignedHeaders=${names}, Signature=${signature}`,
    },
  };
}

export function call(agent: Agent, port: number, req: { headers: Record<string, string>; body: string }, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, method: 'POST', path, agent, headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

export async function iam(agent: Agent, port: number, key: BenchKey, params: Record<string, string>, service = 'iam'): Promise<string> {
  const version = service === 'sts' ? '2011-06-15' : '2010-05-08';
  const body = new URLSearchParams({ Version: version, ...params }).toString();
  const res = await call(agent, port, signed(port, key, body, service));
  if (res.status !== 200) throw new Error(`${params['Action']} failed: ${res.status} ${res.body}`);
  return res.body;
}

/** A server in a child process (see http-child.ts); `env` is added to the bench's environment, e.g. a database URL. */
export function startChild(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL('./http-child.js', import.meta.url));
  const profile = process.env['GATEHOUSE_BENCH_PROFILE_DIR'];
  const flags = profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`];
  const child = spawn(process.execPath, [...flags, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, GATEHOUSE_ACCOUNT_ID: ACCOUNT, GATEHOUSE_ROOT_ACCESS_KEY_ID: ROOT.id, GATEHOUSE_ROOT_SECRET_ACCESS_KEY: ROOT.secret, ...env },
  });
  return new Promise((resolve, reject) => {
    // The port is the first line that is a number: the server's own log (a warning at start) may come first.
    let seen = '';
    const onData = (data: Buffer): void => {
      seen += data.toString();
      const port = /^(\d+)$/m.exec(seen)?.[1];
      if (port === undefined) return;
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      resolve({ child, port: Number(port) });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

const WRK = '/usr/bin/wrk';
const ROUNDS = 3;
// Many short rounds: a pair of 1-second runs back to back sees the same machine, so the median of 30 pairs' ratios
// is steadier than 7 pairs of 4-second runs (GATEHOUSE_BENCH_LOG_AA=1 runs it with the log off in both halves).
const LOG_ROUNDS = 30;
const LOG_ROUND_SECONDS = 1;

export function median(rates: readonly Rate[]): Rate {
  return [...rates].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(rates.length / 2)] as Rate;
}

/**
 * The load generator: wrk (Debian's `wrk`, a C program) when installed, since a Node client would spend as much CPU
 * as the servers it measures on this 2-core machine; otherwise a Node keep-alive client. Same requests either way.
 */
export async function load(port: number, req: { headers: Record<string, string>; body: string }, label: string, connections: number, seconds = 4, path = '/'): Promise<Rate> {
  if (!existsSync(WRK)) return loadWithNode(port, req, `${label} (node client)`, seconds, connections, path);
  const script = join(mkdtempSync(join(tmpdir(), 'gatehouse-wrk-')), 'request.lua');
  const lines = ['wrk.method = "POST"', `wrk.body = ${JSON.stringify(req.body)}`];
  for (const [name, value] of Object.entries(req.headers)) lines.push(`wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`);
  writeFileSync(script, `${lines.join('\n')}\n`);
  const { stdout } = await run(WRK, ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, `http://127.0.0.1:${port}${path}`]);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  if (rate === null) throw new Error(`unexpected wrk output:\n${stdout}`);
  if (/Non-2xx or 3xx responses/.test(stdout)) throw new Error(`${label}: some requests failed:\n${stdout}`);
  return { label: `${label} (wrk)`, perSecond: Number(rate[1]) };
}

/** Keeps `concurrency` keep-alive requests in flight for `seconds` and counts answers per second. */
async function loadWithNode(port: number, req: { headers: Record<string, string>; body: string }, label: string, seconds = 4, concurrency = 32, path = '/'): Promise<Rate> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const warmEnd = Date.now() + 1000;
  let done = 0;
  let failures = 0;
  let measuring = false;
  const end = warmEnd + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const res = await call(agent, port, req, path);
        if (!measuring && Date.now() >= warmEnd) measuring = true;
        if (measuring) {
          if (res.status === 200) done++;
          else failures++;
        }
      }
    }),
  );
  agent.destroy();
  if (failures > 0) throw new Error(`${label}: ${failures} requests failed`);
  return { label, perSecond: done / seconds };
}

type Signed = { headers: Record<string, string>; body: string };

/**
 * The bench's account on a started server: a user whose permission comes from a group's managed policy, as in the
 * issue, and a role it may assume. Returns the two signed requests the bench sends and sample responses.
 */
export async function setUp(agent: Agent, port: number): Promise<{ getUser: Signed; callerIdentity: Signed; userSample: string; identitySample: string }> {
  await iam(agent, port, ROOT, { Action: 'CreateUser', UserName: 'bench' });
  await iam(agent, port, ROOT, { Action: 'CreateGroup', GroupName: 'readers' });
  await iam(agent, port, ROOT, { Action: 'AddUserToGroup', UserName: 'bench', GroupName: 'readers' });
  const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListUsers', 'sts:AssumeRole'], Resource: '*' }] });
  await iam(agent, port, ROOT, { Action: 'CreatePolicy', PolicyName: 'ReadUsers', PolicyDocument: document });
  await iam(agent, port, ROOT, { Action: 'AttachGroupPolicy', GroupName: 'readers', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/ReadUsers` });
  const created = await iam(agent, port, ROOT, { Action: 'CreateAccessKey', UserName: 'bench' });
  const user = {
    id: /<AccessKeyId>([^<]+)</.exec(created)?.[1] as string,
    secret: /<SecretAccessKey>([^<]+)</.exec(created)?.[1] as string,
  };
  // One signed request, sent again and again: the server verifies its signature every time (it stays within
  // the 15-minute window), so this measures the whole path without the load generator re-signing.
  const getUser = signed(port, user, 'Action=GetUser&Version=2010-05-08&UserName=bench');
  // A role the user may assume, for GetCallerIdentity signed with temporary credentials.
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bench` }, Action: 'sts:AssumeRole' }] });
  await iam(agent, port, ROOT, { Action: 'CreateRole', RoleName: 'bench-role', AssumeRolePolicyDocument: trust });
  const assumed = await iam(agent, port, user, { Action: 'AssumeRole', RoleArn: `arn:aws:iam::${ACCOUNT}:role/bench-role`, RoleSessionName: 'bench' }, 'sts');
  const session: BenchKey = {
    id: /<AccessKeyId>([^<]+)</.exec(assumed)?.[1] as string,
    secret: /<SecretAccessKey>([^<]+)</.exec(assumed)?.[1] as string,
    token: /<SessionToken>([^<]+)</.exec(assumed)?.[1] as string,
  };
  const callerIdentity = signed(port, session, 'Action=GetCallerIdentity&Version=2011-06-15', 'sts');
  const identity = await call(agent, port, callerIdentity);
  if (identity.status !== 200) throw new Error(`GetCallerIdentity with session credentials failed: ${identity.status} ${identity.body}`);
  const sample = await call(agent, port, getUser);
  if (sample.status !== 200) throw new Error(`GetUser as the user failed: ${sample.status} ${sample.body}`);
  return { getUser, callerIdentity, userSample: sample.body, identitySample: identity.body };
}

/**
 * The request log's cost, on one server process switched between log on (a line per request, to a file, level info)
 * and off (level warn) by SIGUSR2, measured in turns after a warm-up: two processes would differ by more than the
 * log does on this machine. The cost is the median of the per-round ratios. Target: within 5 %.
 */
async function requestLogCost(agent: Agent): Promise<boolean> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-log-'));
  const logFile = process.env['GATEHOUSE_BENCH_LOG_FILE'] ?? join(dataDir, 'requests.log');
  const server = await startChild(['gatehouse', dataDir], { GATEHOUSE_BENCH_REQUEST_LOG: logFile });
  let logging = false;
  // GATEHOUSE_BENCH_LOG_AA=1: an A/A run, the log off in both halves, to see what the method itself reads.
  const aa = process.env['GATEHOUSE_BENCH_LOG_AA'] === '1';
  const switchTo = async (on: boolean): Promise<void> => {
    if (aa) return;
    if (on === logging) return;
    server.child.kill('SIGUSR2');
    logging = on;
    await new Promise((resolve) => setTimeout(resolve, 200));
  };
  try {
    const { getUser } = await setUp(agent, server.port);
    console.log('\nRequest log: iam:GetUser, 32 connections, one server with a line per request written to a file, or none');
    const offLabel = 'baseline: Gatehouse, request log off (level warn)';
    const onLabel = 'Gatehouse, request log on (level info)';
    await load(server.port, getUser, offLabel, 32);
    const off: Rate[] = [];
    const on: Rate[] = [];
    for (let round = 0; round < LOG_ROUNDS; round++) {
      // Which goes first alternates, so neither always follows the other.
      for (const logOn of round % 2 === 0 ? [false, true] : [true, false]) {
        await switchTo(logOn);
        (logOn ? on : off).push(await load(server.port, getUser, logOn ? onLabel : offLabel, 32, LOG_ROUND_SECONDS));
      }
    }
    const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').length - 1 : 0;
    if (aa) console.log(`  A/A run: the log stayed off in both halves (${lines} lines written)`);
    else if (logFile !== '/dev/null' && lines === 0) throw new Error('the request log wrote no line');
    const baseline = median(off);
    const measured = median(on);
    // Each round's two measurements are taken back to back: the median of their ratios cancels the drift of this
    // machine's speed between rounds, which the ratio of the two medians would not.
    const ratios = off.map((o, i) => (on[i] as Rate).perSecond / o.perSecond).sort((a, b) => a - b);
    const ratio = ratios[Math.floor(ratios.length / 2)] as number;
    for (const [r, all] of [[baseline, off], [measured, on]] as const) {
      const spread = all.map((x) => formatRate(x.perSecond).trim()).join(', ');
      console.log(`  ${r.label.padEnd(66)} ${formatRate(r.perSecond).padStart(11)}  ${(r.perSecond / baseline.perSecond).toFixed(2)}x baseline  (median of ${spread})`);
    }
    console.log(`  per round, log on / log off: ${ratios.map((x) => x.toFixed(2)).join(', ')}; median ${ratio.toFixed(2)}`);
    const met = ratio >= 0.95;
    console.log(`  target: the log costs at most 5%: it costs ${((1 - ratio) * 100).toFixed(1)}% ${met ? 'MET' : 'NOT MET'}`);
    return met;
  } finally {
    server.child.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const AUDIT_ROUNDS = Number(process.env["GATEHOUSE_BENCH_AUDIT_ROUNDS"] ?? 20);

/**
 * The audit trail's cost: authenticated iam:GetUser on a server recording every request's event (committed before
 * the answer, the default) against one with --audit off, measured in alternating 1-second turns after a warm-up; the
 * cost is the median of the per-round ratios. Two processes (the trail cannot be switched on in a running server),
 * each with its own data directory. Target: auditing on keeps at least 90 % of the requests per second.
 */
async function auditCost(agent: Agent): Promise<boolean> {
  const onDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-audit-on-'));
  const offDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-audit-off-'));
  const on = await startChild(['gatehouse', onDir], { GATEHOUSE_AUDIT: 'on' });
  const off = await startChild(['gatehouse', offDir], { GATEHOUSE_AUDIT: 'off' });
  try {
    const onRequest = (await setUp(agent, on.port)).getUser;
    const offRequest = (await setUp(agent, off.port)).getUser;
    console.log('\nAudit trail: iam:GetUser as a user, 32 connections, each event committed before the answer, or --audit off');
    const offLabel = 'baseline: Gatehouse, --audit off';
    const onLabel = 'Gatehouse, --audit on';
    await load(off.port, offRequest, offLabel, 32);
    await load(on.port, onRequest, onLabel, 32);
    const offs: Rate[] = [];
    const ons: Rate[] = [];
    for (let round = 0; round < AUDIT_ROUNDS; round++) {
      for (const auditOn of round % 2 === 0 ? [false, true] : [true, false]) {
        if (auditOn) ons.push(await load(on.port, onRequest, onLabel, 32, 1));
        else offs.push(await load(off.port, offRequest, offLabel, 32, 1));
      }
    }
    // The trail must really have been written: count the events of the measured server.
    const { openSqliteEventLog } = await import('../src/store/sqlite/event-log.js');
    const log = openSqliteEventLog(join(onDir, 'audit.db'), { readonly: true });
    let events = 0;
    try {
      let nextToken: string | undefined;
      do {
        const page = await log.query({ account: ACCOUNT, eventName: 'GetUser', maxResults: 1000, ...(nextToken !== undefined ? { nextToken } : {}) });
        events += page.events.length;
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
    } finally {
      await log.close();
    }
    const offEvents = existsSync(join(offDir, 'audit.db')) ? 'an empty trail' : 'no trail';
    const ratios = offs.map((o, i) => (ons[i] as Rate).perSecond / o.perSecond).sort((a, b) => a - b);
    const ratio = ratios[Math.floor(ratios.length / 2)] as number;
    const baseline = median(offs);
    for (const [r, all] of [[baseline, offs], [median(ons), ons]] as const) {
      const spread = all.map((x) => formatRate(x.perSecond).trim()).join(', ');
      console.log(`  ${r.label.padEnd(66)} ${formatRate(r.perSecond).padStart(11)}  ${(r.perSecond / baseline.perSecond).toFixed(2)}x baseline  (median of ${spread})`);
    }
    console.log(`  GetUser events recorded by the audited server: ${events} (the other kept ${offEvents})`);
    console.log(`  per round, audit on / audit off: ${ratios.map((x) => x.toFixed(2)).join(', ')}; median ${ratio.toFixed(2)}`);
    const met = ratio >= 0.9 && events > 0;
    console.log(`  target: auditing on keeps >= 90% of the requests/s: it keeps ${(ratio * 100).toFixed(1)}% ${met ? 'MET' : 'NOT MET'}`);
    return met;
  } finally {
    on.child.kill();
    off.child.kill();
    rmSync(onDir, { recursive: true, force: true });
    rmSync(offDir, { recursive: true, force: true });
  }
}

export async function runHttpBench(): Promise<{ rates: Rate[]; ok: boolean }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const agent = new Agent({ keepAlive: true });
  const gatehouse = await startChild(['gatehouse', dataDir]);
  try {
    const port = gatehouse.port;
    const { getUser, callerIdentity, userSample, identitySample } = await setUp(agent, port);
    const identityFile = join(dataDir, 'get-caller-identity-response.xml');
    writeFileSync(identityFile, identitySample);
    const bodyFile = join(dataDir, 'get-user-response.xml');
    writeFileSync(bodyFile, userSample);
    const rates: Rate[] = [];
    let ok = true;
    // GATEHOUSE_BENCH_ONLY=request-log measures the request log alone (the part one tunes while changing it).
    if (process.env['GATEHOUSE_BENCH_ONLY'] === 'request-log') return { rates, ok: await requestLogCost(agent) };
    // GATEHOUSE_BENCH_ONLY=audit measures the audit trail's cost alone.
    if (process.env['GATEHOUSE_BENCH_ONLY'] === 'audit') return { rates, ok: await auditCost(agent) };
    // One connection measures the time a request takes (the servers mostly wait for the client); 32 connections
    // measure how many requests a saturated server answers. The target is held to both.
    for (const connections of [1, 32]) {
      console.log(`\nHTTP with keep-alive, ${connections} connection${connections === 1 ? '' : 's'}, load generator in another process`);
      for (const [label, request, file] of [
        ['iam:GetUser as a user, SigV4, group managed policy', getUser, bodyFile],
        ['sts:GetCallerIdentity with session credentials', callerIdentity, identityFile],
      ] as const) {
        const bare = await startChild(['bare', file]);
        try {
          // This machine's speed drifts from second to second (other tenants): bare and Gatehouse are measured in
          // turns, ROUNDS times each, and the medians compared, so a slow spell cannot land on one side only.
          const baselines: Rate[] = [];
          const measures: Rate[] = [];
          for (let round = 0; round < ROUNDS; round++) {
            baselines.push(await load(bare.port, request, 'baseline: bare node:http server, same response bytes', connections));
            measures.push(await load(port, request, `Gatehouse ${label}`, connections));
          }
          const baseline = median(baselines);
          const measured = median(measures);
          const ratio = measured.perSecond / baseline.perSecond;
          for (const [r, all] of [[baseline, baselines], [measured, measures]] as const) {
            const spread = all.map((x) => formatRate(x.perSecond).trim()).join(', ');
            console.log(`  ${r.label.padEnd(66)} ${formatRate(r.perSecond).padStart(11)}  ${(r.perSecond / baseline.perSecond).toFixed(2)}x baseline  (median of ${spread})`);
          }
          const met = ratio >= 0.5;
          ok &&= met;
          console.log(`  target >= 50% of the bare server: ${(ratio * 100).toFixed(0)}% ${met ? 'MET' : 'NOT MET'}`);
          rates.push(baseline, measured);
        } finally {
          bare.child.kill();
        }
      }
    }
    ok = (await requestLogCost(agent)) && ok;
    ok = (await auditCost(agent)) && ok;
    return { rates, ok };
  } finally {
    agent.destroy();
    gatehouse.child.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
