// The audit trail's durability promise against the real command: a kill -9 in the middle of a burst of writes loses
// no event of a request that was answered 200.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { CreateUserCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { openSqliteEventLog } from '../src/store/sqlite/event-log.js';
import { iamClient } from './helpers/clients.js';
import { ROOT_KEY, TEST_ACCOUNT_ID } from './helpers/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-kill-'));
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** `gatehouse serve` as a child process; resolves with its endpoint once it listens. */
async function serve(): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'src', 'cli', 'main.ts'), 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--log-level', 'warn'], {
    env: { ...process.env, GATEHOUSE_AUDIT: 'on', GATEHOUSE_ACCOUNT_ID: TEST_ACCOUNT_ID, GATEHOUSE_ROOT_ACCESS_KEY_ID: ROOT_KEY.accessKeyId, GATEHOUSE_ROOT_SECRET_ACCESS_KEY: ROOT_KEY.secretAccessKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (listening?.[1] !== undefined) return { child, endpoint: listening[1] };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`gatehouse serve did not start: ${err}`);
    await sleep(50);
  }
}

test('kill -9 during a burst of writes: every request answered 200 has its event after a restart', { timeout: 180_000 }, async () => {
  const first = await serve();
  const iam = iamClient(first.endpoint);
  const acknowledged = new Map<string, string>();
  let stop = false;
  let failed = 0;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; !stop; i++) {
      const name = `burst-${w}-${i}`;
      try {
        const out = i % 4 === 3 ? await iam.send(new GetUserCommand({ UserName: `burst-${w}-${i - 1}` })) : await iam.send(new CreateUserCommand({ UserName: name }));
        if (out.$metadata.httpStatusCode === 200 && out.$metadata.requestId !== undefined) acknowledged.set(out.$metadata.requestId, i % 4 === 3 ? 'GetUser' : 'CreateUser');
      } catch {
        // The server is gone (connection refused or reset): this request was not acknowledged.
        failed += 1;
        if (first.child.exitCode !== null || first.child.signalCode !== null) return;
      }
    }
  };
  const workers = Array.from({ length: 12 }, (_, w) => worker(w));
  // Let the burst get going, then kill the server mid-burst, with requests in flight.
  while (acknowledged.size < 300) await sleep(10);
  const exited = new Promise((resolve) => first.child.once('exit', resolve));
  first.child.kill('SIGKILL');
  await exited;
  stop = true;
  await Promise.all(workers);
  assert.ok(failed > 0, 'some requests were in flight when the server died');

  // The restarted server opens the same files (and replays SQLite's WAL); its event log has every acknowledged event.
  const second = await serve();
  const log = openSqliteEventLog(join(dataDir, 'audit.db'), { readonly: true });
  try {
    const found = new Map<string, string>();
    let nextToken: string | undefined;
    do {
      const page = await log.query({ account: TEST_ACCOUNT_ID, maxResults: 1000, ...(nextToken !== undefined ? { nextToken } : {}) });
      for (const event of page.events) {
        const record = JSON.parse(event.record) as { requestID: string; eventName: string; errorCode?: string };
        found.set(record.requestID, `${record.eventName}${record.errorCode !== undefined ? ` ${record.errorCode}` : ''}`);
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    const missing = [...acknowledged.keys()].filter((id) => !found.has(id));
    assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.size} acknowledged requests have no event`);
    for (const [id, name] of acknowledged) assert.equal(found.get(id), name, id);
  } finally {
    await log.close();
    const done = new Promise((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGTERM');
    await done;
  }
});
