import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createKeyRing, openSessionToken, sealSessionToken, type SessionClaims, type SessionKey } from './session-token.js';

const claims: SessionClaims = {
  kind: 'assumedRole',
  account: '111122223333',
  arn: 'arn:aws:sts::111122223333:assumed-role/deploy/alice',
  userId: 'AROAEXAMPLEEXAMPLE123:alice',
  roleArn: 'arn:aws:iam::111122223333:role/ci/deploy',
  roleName: 'deploy',
  sessionName: 'alice',
  accessKeyId: 'ASIAEXAMPLEEXAMPLE12',
  secretAccessKey: 'secret/secret/secret/secret/secret/secre',
  sessionPolicy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}',
  tags: [{ Key: 'team', Value: 'blue' }],
  transitiveTagKeys: ['team'],
  sourceIdentity: 'alice@example.com',
  issued: '2026-11-25T12:00:00.000Z',
  expires: '2026-11-25T13:00:00.000Z',
  chained: true,
};

const key = (id: string, created: string): SessionKey => ({ id, key: randomBytes(32), created });
const k1 = key('k1', '2026-01-01T00:00:00Z');
const k2 = key('k2', '2026-06-01T00:00:00Z');

/** The token with one byte of its binary form changed. */
function flip(token: string, at: number): string {
  const raw = Buffer.from(token, 'base64');
  raw[at] = (raw[at] as number) ^ 0x01;
  return raw.toString('base64');
}

describe('session tokens', () => {
  test('round trip: every claim comes back', () => {
    const ring = createKeyRing([k1]);
    assert.deepEqual(openSessionToken(ring, sealSessionToken(ring, claims)), claims);
  });

  test('two tokens for the same claims differ (fresh nonce)', () => {
    const ring = createKeyRing([k1]);
    assert.notEqual(sealSessionToken(ring, claims), sealSessionToken(ring, claims));
  });

  test('the newest key seals; older keys still open their tokens (rotation)', () => {
    const old = createKeyRing([k1]);
    const rotated = createKeyRing([k1, k2]);
    const before = sealSessionToken(old, claims);
    const after = sealSessionToken(rotated, claims);
    assert.equal(rotated.sealingKey().id, 'k2');
    assert.deepEqual(openSessionToken(rotated, before), claims);
    assert.deepEqual(openSessionToken(rotated, after), claims);
    assert.equal(openSessionToken(old, after), undefined, 'a ring without k2 cannot open its tokens');
    assert.equal(openSessionToken(createKeyRing([k2]), before), undefined, 'a retired key no longer opens');
  });

  const ring = createKeyRing([k1]);
  const token = sealSessionToken(ring, claims);
  const length = Buffer.from(token, 'base64').length;
  const rejected: ReadonlyArray<[string, string]> = [
    ['empty', ''],
    ['not base64', 'not a token!'],
    ['version changed', flip(token, 0)],
    ['key ID changed (same length)', flip(token, 2)],
    ['nonce changed', flip(token, 5)],
    ['ciphertext changed', flip(token, 30)],
    ['tag changed', flip(token, length - 1)],
    ['truncated', Buffer.from(token, 'base64').subarray(0, length - 1).toString('base64')],
    ['header only', Buffer.from(token, 'base64').subarray(0, 4).toString('base64')],
    ['another ring with the same key ID', sealSessionToken(createKeyRing([key('k1', '2026-01-01T00:00:00Z')]), claims)],
  ];
  for (const [name, candidate] of rejected) {
    test(`rejected: ${name}`, () => assert.equal(openSessionToken(ring, candidate), undefined));
  }

  test('a token names its key in clear and nothing else', () => {
    const raw = Buffer.from(token, 'base64');
    assert.equal(raw[0], 1);
    assert.equal(raw.subarray(2, 2 + (raw[1] as number)).toString(), 'k1');
    assert.ok(!raw.includes(Buffer.from('alice')), 'claims are encrypted');
  });

  const badRings: ReadonlyArray<[string, SessionKey[]]> = [
    ['no keys', []],
    ['short key', [{ id: 'a', key: randomBytes(16), created: '2026-01-01T00:00:00Z' }]],
    ['bad id', [{ id: 'a b', key: randomBytes(32), created: '2026-01-01T00:00:00Z' }]],
    ['duplicate ids', [k1, { ...k2, id: 'k1' }]],
  ];
  for (const [name, keys] of badRings) {
    test(`key ring refused: ${name}`, () => assert.throws(() => createKeyRing(keys)));
  }
});
