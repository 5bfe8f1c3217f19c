import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { defineOperations } from '../operation.js';
import { rejects, ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { authorizationMessageDocument, authorizationMessageEncoder, openAuthorizationMessage, type AuthorizationFailure } from './authorization-message.js';
import { DECODE_AUTHORIZATION_MESSAGE_OPERATIONS } from './decode-authorization-message.js';
import { createKeyRing, type SessionKey, type SessionKeyRing } from './session-token.js';

const OPERATIONS = defineOperations(DECODE_AUTHORIZATION_MESSAGE_OPERATIONS);
const INVALID = ['InvalidAuthorizationMessageException', 400, 'The message passed to DecodeAuthorizationMessage was invalid.'] as const;

const key = (id: string, created: string): SessionKey => ({ id, key: randomBytes(32), created });
const old = key('old', '2026-01-01T00:00:00Z');
const current = key('current', '2026-06-01T00:00:00Z');

const failure: AuthorizationFailure = {
  account: TEST_ACCOUNT,
  explicitDeny: false,
  matchedStatements: [],
  principal: { id: 'AIDAEXAMPLEEXAMPLE123', name: 'bob', arn: `arn:aws:iam::${TEST_ACCOUNT}:user/bob` },
  action: 'iam:ListUsers',
  resource: `arn:aws:iam::${TEST_ACCOUNT}:user/`,
};
const DOCUMENT = authorizationMessageDocument(failure);

const store = openSqliteStore({ path: ':memory:' });
after(() => store.close());

/** The operation as the server runs it: its services open messages with `decoding`. */
function decode(decoding: SessionKeyRing, encoded: string) {
  const services = { ...testServices(), openAuthorizationMessage: (account: string, text: string) => openAuthorizationMessage(decoding, account, text) };
  return runner(store, OPERATIONS, services).run('DecodeAuthorizationMessage', { EncodedMessage: encoded }, ROOT_CALLER);
}

/** The message with one byte of its binary form changed. */
function tamper(encoded: string, at: number): string {
  const raw = Buffer.from(encoded, 'base64url');
  raw[at] = (raw[at] as number) ^ 0x80;
  return raw.toString('base64url');
}

describe('DecodeAuthorizationMessage', () => {
  const ring = createKeyRing([old, current]);
  const sealed = authorizationMessageEncoder(ring)(failure);
  const byOldKey = authorizationMessageEncoder(createKeyRing([old]))(failure);

  const decoded: ReadonlyArray<[string, SessionKeyRing, string]> = [
    ['round trip under the ring that sealed it', ring, sealed],
    ['another node holding the same ring', createKeyRing([old, current]), sealed],
    ['sealed under an older key still in the ring (rotation)', ring, byOldKey],
  ];
  for (const [name, decoding, encoded] of decoded) {
    test(`decodes: ${name}`, async () => {
      assert.deepEqual(await decode(decoding, encoded), { DecodedMessage: DOCUMENT });
    });
  }

  const length = Buffer.from(sealed, 'base64url').length;
  const invalid: ReadonlyArray<[string, SessionKeyRing, string]> = [
    ['a byte of the ciphertext flipped', ring, tamper(sealed, 30)],
    ['a byte of the tag flipped', ring, tamper(sealed, length - 1)],
    ['a byte of the key ID flipped', ring, tamper(sealed, 3)],
    ['garbage', ring, 'garbage'],
    ['base64 of something else', ring, Buffer.from('{"allowed":true}').toString('base64url')],
    ['standard base64 with padding', ring, `${sealed}==`],
    ['sealed under a key the ring has dropped', createKeyRing([current]), byOldKey],
    ['sealed by a foreign ring', ring, authorizationMessageEncoder(createKeyRing([key('current', '2026-06-01T00:00:00Z')]))(failure)],
    ['issued in another account', ring, authorizationMessageEncoder(ring)({ ...failure, account: '444455556666' })],
  ];
  for (const [name, decoding, encoded] of invalid) {
    test(`InvalidAuthorizationMessageException (400): ${name}`, async () => {
      await rejects(decode(decoding, encoded), ...INVALID);
    });
  }

  test('a server without a key ring cannot decode anything', async () => {
    await rejects(runner(store, OPERATIONS).run('DecodeAuthorizationMessage', { EncodedMessage: sealed }), ...INVALID);
  });
});
