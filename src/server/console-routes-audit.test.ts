// The console's sign-in and the audit trail: an answer (with a session's credentials) goes out only once its event is
// committed, and not at all when the trail closed first; no audit writer, no event.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { LOGIN_PROFILE_OPERATIONS } from '../core/iam/login-profiles.js';
import { USER_OPERATIONS } from '../core/iam/users.js';
import { defineOperations, type CoreServices } from '../core/operation.js';
import { createKeyRing, sealSessionToken } from '../core/sts/session-token.js';
import { runner, TEST_ACCOUNT, testServices } from '../core/testing.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { AuditEventRecord, EventLog, Store } from '../store/store.js';
import { AuditWriter } from './audit/audit-writer.js';
import { createConsoleRoutes } from './console-routes.js';

const PASSWORD = 'Correct-horse-1';
const RING = createKeyRing([{ id: 'k1', key: randomBytes(32), created: '2026-01-01T00:00:00Z' }]);

/** An event log whose appends wait for `gate` (when set). */
class GatedLog implements EventLog {
  written: AuditEventRecord[] = [];
  gate: Promise<void> | undefined;
  async append(events: readonly AuditEventRecord[]): Promise<void> {
    await this.gate;
    this.written.push(...events);
  }
  async query(): Promise<{ events: AuditEventRecord[] }> {
    return { events: this.written };
  }
  async deleteBefore(): Promise<number> {
    return 0;
  }
}

let store: Store;
let services: CoreServices;
let server: Server | undefined;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  services = { ...testServices(), sealSessionToken: (claims) => sealSessionToken(RING, claims) };
  const r = runner(store, defineOperations([...USER_OPERATIONS, ...LOGIN_PROFILE_OPERATIONS]), services);
  await r.run('CreateUser', { UserName: 'alice' });
  await r.run('CreateLoginProfile', { UserName: 'alice', Password: PASSWORD });
});
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
  await store.close();
});

async function serve(audit?: AuditWriter): Promise<string> {
  const routes = createConsoleRoutes({ store, services, clock: () => new Date(), ...(audit !== undefined ? { audit } : {}) });
  server = createServer((req, res) => {
    if (!routes(req, res, new URL(req.url ?? '/', 'http://x').pathname)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/_gatehouse/console/sign-in`;
}

const post = (url: string, password = PASSWORD): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'test-agent' }, body: JSON.stringify({ account: TEST_ACCOUNT, userName: 'alice', password }) });

describe('console sign-in and the audit trail', () => {
  test('the answer waits for its event to be committed', async () => {
    const log = new GatedLog();
    let release = (): void => undefined;
    log.gate = new Promise((resolve) => (release = resolve));
    const url = await serve(new AuditWriter(log));
    let answered = false;
    const pending = post(url).then((response) => {
      answered = true;
      return response;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(answered, false, 'answered before the event was committed');
    assert.equal(log.written.length, 0);
    release();
    const response = await pending;
    assert.equal(response.status, 200);
    assert.equal(log.written.length, 1);
    const record = JSON.parse(log.written[0]?.record ?? '{}') as Record<string, unknown>;
    assert.deepEqual([record['eventName'], record['responseElements'], record['userAgent'], record['sourceIPAddress']], ['ConsoleLogin', { ConsoleLogin: 'Success' }, 'test-agent', '127.0.0.1']);
    assert.match(String((record['additionalEventData'] as Record<string, unknown>)['LoginTo']), /^http:\/\/127\.0\.0\.1:\d+\/_gatehouse\/console\/$/);
  });

  test('a failed attempt is recorded too; a malformed request is not', async () => {
    const log = new GatedLog();
    const url = await serve(new AuditWriter(log));
    assert.equal((await post(url, 'Wrong-horse-1')).status, 401);
    const malformed = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[' });
    assert.equal(malformed.status, 400);
    assert.deepEqual(log.written.map((e) => [e.eventName, e.userName, JSON.parse(e.record)['errorMessage']]), [['ConsoleLogin', 'alice', 'Failed authentication']]);
  });

  test('a trail closed before the event is written: no credentials are sent', async () => {
    const writer = new AuditWriter(new GatedLog());
    await writer.close();
    const url = await serve(writer);
    const response = await post(url);
    assert.equal(response.status, 500);
    assert.ok(!(await response.text()).includes('credentials'));
  });

  test('without an audit writer nothing is recorded and the sign-in works', async () => {
    const url = await serve();
    assert.equal((await post(url)).status, 200);
  });
});
