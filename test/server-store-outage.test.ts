// The database going away under a running server: PostgreSQL refusing and dropping connections (then restarting),
// SQLite's disk full. Requests made meanwhile fail (500), the access-key last-used write in the background fails
// too: the process must stay up, keep answering, log the failure on one line, and record the uses it kept once the
// database is back.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, GetAccessKeyLastUsedCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { iamClient, stsClient, type Key } from './helpers/clients.js';
import { startPostgresCluster, type PostgresCluster } from './helpers/postgres-cluster.js';
import { ROOT_KEY, TEST_ACCOUNT_ID, startTestServer, type TestServer } from './helpers/server.js';
import { flushLogger } from '../src/server/logger.js';
import { capturedLogger } from '../src/server/testing.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const FAILED_WRITE = 'could not record access key last-used dates; will retry';

async function newUserWithKey(endpoint: string, name: string): Promise<Key> {
  const root = iamClient(endpoint);
  await root.send(new CreateUserCommand({ UserName: name }));
  const key = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
}

/** The key's last-used date as GetAccessKeyLastUsed reports it (asked with the root key, which is not the one watched). */
async function lastUsed(endpoint: string, key: Key): Promise<Date | undefined> {
  const answer = await iamClient(endpoint).send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.accessKeyId }));
  return answer.AccessKeyLastUsed?.LastUsedDate;
}

/** Waits until the key's last-used date reaches `atLeast` (second precision, as IAM reports it). */
async function lastUsedReaches(endpoint: string, key: Key, atLeast: Date, timeoutMs: number): Promise<Date> {
  const floor = Math.floor(atLeast.getTime() / 1000) * 1000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const date = await lastUsed(endpoint, key).catch(() => undefined);
    if (date !== undefined && date.getTime() >= floor) return date;
    if (Date.now() > deadline) assert.fail(`last-used of ${key.accessKeyId} stayed ${date?.toISOString()} (wanted >= ${atLeast.toISOString()})`);
    await sleep(100);
  }
}

/** Requests made with `key` for `ms`: each may fail (the database is away), none may hang or end the server. */
async function useDuring(endpoint: string, key: Key, ms: number): Promise<{ ok: number; failed: number; lastOk: Date | undefined }> {
  const client = stsClient(endpoint, key);
  const end = Date.now() + ms;
  let ok = 0;
  let failed = 0;
  let lastOk: Date | undefined;
  while (Date.now() < end) {
    const at = new Date();
    try {
      await client.send(new GetCallerIdentityCommand({}));
      ok++;
      lastOk = at;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      assert.equal(status, 500, `an outage is a ServiceFailure, not ${String(error)}`);
      failed++;
    }
    await sleep(50);
  }
  return { ok, failed, lastOk };
}

describe('PostgreSQL away and back', () => {
  let cluster: PostgresCluster | undefined;
  let server: TestServer | undefined;
  const { lines, logger } = capturedLogger();
  before(async () => {
    cluster = await startPostgresCluster();
    const url = await cluster.createDatabase('gatehouse');
    server = await startTestServer({ GATEHOUSE_DATABASE_URL: url }, { logger, usageRetryMaxMs: 300 });
  });
  after(async () => {
    try {
      await server?.close();
    } finally {
      await cluster?.stop();
    }
  });

  test('refused and dropped connections, then a crash and restart: the server answers throughout and records the uses', async () => {
    const db = cluster as PostgresCluster;
    const endpoint = (server as TestServer).endpoint;
    const key = await newUserWithKey(endpoint, 'outage');
    await stsClient(endpoint, key).send(new GetCallerIdentityCommand({}));
    const before = await lastUsedReaches(endpoint, key, new Date(Date.now() - 1000), 5000);
    await sleep(1100);

    // A use noted just before the database goes away: its write falls due (a second later) during the outage.
    const lastBefore = new Date();
    await stsClient(endpoint, key).send(new GetCallerIdentityCommand({}));
    // The database refuses new sessions and its current ones are killed: what a client sees of a stopped server.
    // Without its change feed the node trusts no cached key or policy, so requests fail (500) rather than run on
    // what may have been revoked meanwhile.
    await db.query('postgres', 'ALTER DATABASE gatehouse ALLOW_CONNECTIONS false');
    await db.query('postgres', "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'gatehouse'");
    const during = await useDuring(endpoint, key, 1500);
    assert.ok(during.failed > 0, 'requests failed while the database was away');
    await flushLogger(logger);
    const failures = lines.filter((l) => l['msg'] === FAILED_WRITE);
    assert.ok(failures.length >= 1, 'the failed background write is logged');
    assert.ok(failures.every((l) => typeof l['err'] === 'object'), 'with its error, on its one line');
    await db.query('postgres', 'ALTER DATABASE gatehouse ALLOW_CONNECTIONS true');
    const recorded = await lastUsedReaches(endpoint, key, during.lastOk ?? lastBefore, 10_000);
    assert.ok(recorded.getTime() > before.getTime());

    // A crash and restart of PostgreSQL itself while the key is in use.
    await sleep(1100);
    const crash = db.crashAndRestart();
    const meanwhile = await useDuring(endpoint, key, 500);
    await crash;
    // Whatever was used before or during the crash is recorded once the database is back; then a use after it.
    if (meanwhile.lastOk !== undefined) await lastUsedReaches(endpoint, key, meanwhile.lastOk, 10_000);
    const after = (await useDuring(endpoint, key, 3000)).lastOk;
    assert.ok(after !== undefined, 'the server answers again once the database is back');
    await lastUsedReaches(endpoint, key, after, 10_000);
    const root = await iamClient(endpoint).send(new GetUserCommand({}));
    assert.equal(root.User?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:root`);
  });
});

/** A `gatehouse serve` child process (the real command line), with its standard output as lines. */
async function serveChild(dataDir: string): Promise<{ child: ChildProcess; endpoint: string; lines: string[]; exited: () => boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'src', 'cli', 'main.ts'), 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    env: {
      ...process.env,
      GATEHOUSE_ACCOUNT_ID: TEST_ACCOUNT_ID,
      GATEHOUSE_ROOT_ACCESS_KEY_ID: ROOT_KEY.accessKeyId,
      GATEHOUSE_ROOT_SECRET_ACCESS_KEY: ROOT_KEY.secretAccessKey,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let exited = false;
  child.on('exit', () => (exited = true));
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const listening = lines.map((l) => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(l)).find((m) => m !== null);
    if (listening?.[1] !== undefined) return { child, endpoint: listening[1], lines, exited: () => exited };
    if (exited || Date.now() > deadline) throw new Error(`gatehouse serve did not start: ${stderr}`);
    await sleep(50);
  }
}

describe('SQLite with its disk full', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-full-'));
  let served: Awaited<ReturnType<typeof serveChild>> | undefined;
  after(async () => {
    if (served !== undefined && !served.exited()) {
      const exit = new Promise((resolve) => served?.child.once('exit', resolve));
      served.child.kill('SIGTERM');
      await exit;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('writes fail with the file size limit reached: the process stays up, answers, and records the use once there is room', async () => {
    served = await serveChild(dataDir);
    const { child, endpoint } = served;
    const key = await newUserWithKey(endpoint, 'full');
    await stsClient(endpoint, key).send(new GetCallerIdentityCommand({}));
    await lastUsedReaches(endpoint, key, new Date(Date.now() - 1000), 5000);
    await sleep(1100);

    // No file of the process may grow any more (the soft RLIMIT_FSIZE, which it may raise again; writes past it fail
    // with EFBIG, as on a full disk).
    const largest = Math.max(...readdirSync(dataDir).map((name) => statSync(join(dataDir, name)).size));
    const limit = spawnSync('prlimit', ['--pid', String(child.pid), `--fsize=${largest}:`], { encoding: 'utf8' });
    assert.equal(limit.status, 0, limit.stderr);
    const root = iamClient(endpoint);
    let full = false;
    for (let i = 0; i < 500 && !full; i++) {
      full = await root.send(new CreateUserCommand({ UserName: `filler-${i}` })).then(
        () => false,
        (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode === 500,
      );
    }
    assert.ok(full, 'the writes hit the limit');

    const during = await useDuring(endpoint, key, 2500);
    assert.ok(during.ok > 0, 'reads still answered');
    assert.equal(served.exited(), false, 'the server is still running');
    const failures = served.lines.filter((l) => l.includes(FAILED_WRITE));
    assert.ok(failures.length >= 1, `the failed write is logged: ${served.lines.slice(-5).join('\n')}`);

    const lift = spawnSync('prlimit', ['--pid', String(child.pid), '--fsize=unlimited:'], { encoding: 'utf8' });
    assert.equal(lift.status, 0, lift.stderr);
    await lastUsedReaches(endpoint, key, during.lastOk as Date, 90_000);
    assert.equal(served.exited(), false);
  });
});
