import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openSessionToken, sealSessionToken, type SessionClaims } from '../core/sts/session-token.js';
import { loadSessionKeyRing, rotateSessionKeys, SESSION_KEYS_FILE } from './session-keys.js';

const dirs: string[] = [];
const fresh = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const claims: SessionClaims = {
  kind: 'rootSession',
  account: '111122223333',
  arn: 'arn:aws:iam::111122223333:root',
  userId: '111122223333',
  accessKeyId: 'ASIAEXAMPLEEXAMPLE12',
  secretAccessKey: 's',
  issued: '2026-01-01T00:00:00.000Z',
  expires: '2026-01-01T01:00:00.000Z',
};

describe('session key ring', () => {
  test('created at first start in the data directory, mode 0600, and read back by the next start', () => {
    const dir = fresh();
    const first = loadSessionKeyRing(dir, {});
    assert.equal(statSync(join(dir, SESSION_KEYS_FILE)).mode & 0o777, 0o600);
    const second = loadSessionKeyRing(dir, {});
    assert.deepEqual(openSessionToken(second, sealSessionToken(first, claims)), claims);
  });

  test('GATEHOUSE_SESSION_KEYS replaces the file, so separate processes share one ring', () => {
    const dir = fresh();
    loadSessionKeyRing(dir, {});
    const shared = readFileSync(join(dir, SESSION_KEYS_FILE), 'utf8');
    const a = loadSessionKeyRing(fresh(), { GATEHOUSE_SESSION_KEYS: shared });
    const b = loadSessionKeyRing(fresh(), { GATEHOUSE_SESSION_KEYS: shared });
    assert.deepEqual(openSessionToken(b, sealSessionToken(a, claims)), claims);
  });

  test('rotation: a new key seals after restart; old tokens still open; a running node learns the new key', () => {
    const dir = fresh();
    const running = loadSessionKeyRing(dir, {}, new Date('2026-01-01T00:00:00Z'));
    const old = sealSessionToken(running, claims);
    rotateSessionKeys(dir, new Date('2026-02-01T00:00:00Z'));
    const restarted = loadSessionKeyRing(dir, {});
    assert.notEqual(restarted.sealingKey().id, running.sealingKey().id);
    assert.deepEqual(openSessionToken(restarted, old), claims);
    assert.deepEqual(openSessionToken(running, sealSessionToken(restarted, claims)), claims);
  });

  test('rotation drops keys whose tokens have all expired', () => {
    const dir = fresh();
    loadSessionKeyRing(dir, {}, new Date('2026-01-01T00:00:00Z'));
    rotateSessionKeys(dir, new Date('2026-01-02T00:00:00Z'));
    assert.equal(rotateSessionKeys(dir, new Date('2026-01-02T01:00:00Z')).length, 3, 'the first key sealed until an hour ago');
    assert.equal(rotateSessionKeys(dir, new Date('2026-02-01T00:00:00Z')).length, 2, 'only the last key and the new one remain');
  });

  test('a malformed GATEHOUSE_SESSION_KEYS stops the start', () => {
    assert.throws(() => loadSessionKeyRing(fresh(), { GATEHOUSE_SESSION_KEYS: 'nope' }), /not JSON/);
    assert.throws(() => loadSessionKeyRing(fresh(), { GATEHOUSE_SESSION_KEYS: '{"keys":[]}' }), /at least one key/);
  });
});
