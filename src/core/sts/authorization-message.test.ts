import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  authorizationMessageDocument,
  authorizationMessageEncoder,
  MAX_ENCODED_MESSAGE_LENGTH,
  openAuthorizationMessage,
  sealAuthorizationMessage,
  type AuthorizationFailure,
} from './authorization-message.js';
import { createKeyRing, openSessionToken, sealSessionToken, type SessionClaims, type SessionKey } from './session-token.js';

const ACCOUNT = '111122223333';
const key = (id: string, created: string): SessionKey => ({ id, key: randomBytes(32), created });
const k1 = key('k1', '2026-01-01T00:00:00Z');
const k2 = key('k2', '2026-06-01T00:00:00Z');
const ring = createKeyRing([k1]);

const failure: AuthorizationFailure = {
  account: ACCOUNT,
  explicitDeny: true,
  matchedStatements: [
    {
      statementId: 'NoUsers',
      effect: 'Deny',
      principals: ['AIDAEXAMPLEEXAMPLE123'],
      actions: ['iam:List*'],
      resources: ['*'],
      conditions: [{ key: 'aws:SourceIp', values: ['203.0.113.0/24'] }],
    },
  ],
  principal: { id: 'AIDAEXAMPLEEXAMPLE123', name: 'alice', arn: `arn:aws:iam::${ACCOUNT}:user/alice` },
  action: 'iam:ListUsers',
  resource: `arn:aws:iam::${ACCOUNT}:user/`,
  conditions: { 'aws:SourceIp': '203.0.113.7', 'aws:PrincipalTag/team': ['blue', 'green'] },
};

describe('the decoded message document', () => {
  test("AWS's members, in the order of AWS's examples, every list as items and every value as {value}", () => {
    assert.equal(
      authorizationMessageDocument(failure),
      '{"allowed":false,"explicitDeny":true,"matchedStatements":{"items":[{"statementId":"NoUsers","effect":"DENY",' +
        '"principals":{"items":[{"value":"AIDAEXAMPLEEXAMPLE123"}]},"principalGroups":{"items":[]},"actions":{"items":[{"value":"iam:List*"}]},' +
        '"resources":{"items":[{"value":"*"}]},"conditions":{"items":[{"key":"aws:SourceIp","values":{"items":[{"value":"203.0.113.0/24"}]}}]}}]},' +
        '"failures":{"items":[]},"context":{"principal":{"id":"AIDAEXAMPLEEXAMPLE123","name":"alice","arn":"arn:aws:iam::111122223333:user/alice"},' +
        '"action":"iam:ListUsers","resource":"arn:aws:iam::111122223333:user/","conditions":{"items":[' +
        '{"key":"aws:SourceIp","values":{"items":[{"value":"203.0.113.7"}]}},' +
        '{"key":"aws:PrincipalTag/team","values":{"items":[{"value":"blue"},{"value":"green"}]}}]}}}',
    );
  });

  test('an implicit deny of a principal without a name: no statements, no name, empty conditions', () => {
    const decoded = JSON.parse(
      authorizationMessageDocument({
        account: ACCOUNT,
        explicitDeny: false,
        matchedStatements: [],
        principal: { id: 'AROAEXAMPLEEXAMPLE123:s', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s` },
        action: 'iam:GetUser',
        resource: `arn:aws:iam::${ACCOUNT}:user/bob`,
      }),
    ) as Record<string, unknown>;
    assert.deepEqual(decoded, {
      allowed: false,
      explicitDeny: false,
      matchedStatements: { items: [] },
      failures: { items: [] },
      context: {
        principal: { id: 'AROAEXAMPLEEXAMPLE123:s', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s` },
        action: 'iam:GetUser',
        resource: `arn:aws:iam::${ACCOUNT}:user/bob`,
        conditions: { items: [] },
      },
    });
  });
});

/** The message with one byte of its binary form changed. */
function flip(encoded: string, at: number): string {
  const raw = Buffer.from(encoded, 'base64url');
  raw[at] = (raw[at] as number) ^ 0x01;
  return raw.toString('base64url');
}

describe('sealed messages', () => {
  const document = authorizationMessageDocument(failure);
  const sealed = sealAuthorizationMessage(ring, ACCOUNT, document);
  const length = Buffer.from(sealed, 'base64url').length;

  test('round trip: the same JSON comes back, and the text is URL-safe base64 without padding', () => {
    assert.match(sealed, /^[A-Za-z0-9_-]+$/);
    assert.equal(openAuthorizationMessage(ring, ACCOUNT, sealed), document);
    assert.notEqual(sealAuthorizationMessage(ring, ACCOUNT, document), sealed, 'a fresh nonce each time');
    assert.ok(!Buffer.from(sealed, 'base64url').includes(Buffer.from('alice')), 'the content is encrypted');
  });

  test('a message sealed under an older key still opens after rotation; a ring without its key cannot open it', () => {
    const rotated = createKeyRing([k1, k2]);
    assert.equal(rotated.sealingKey().id, 'k2');
    const newer = sealAuthorizationMessage(rotated, ACCOUNT, document);
    assert.equal(openAuthorizationMessage(rotated, ACCOUNT, sealed), document);
    assert.equal(openAuthorizationMessage(rotated, ACCOUNT, newer), document);
    assert.equal(openAuthorizationMessage(ring, ACCOUNT, newer), undefined);
    assert.equal(openAuthorizationMessage(createKeyRing([k2]), ACCOUNT, sealed), undefined);
  });

  const claims: SessionClaims = {
    kind: 'userSession',
    account: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
    userId: 'AIDAEXAMPLEEXAMPLE123',
    accessKeyId: 'ASIAEXAMPLEEXAMPLE12',
    secretAccessKey: 'secret/secret/secret/secret/secret/secre',
    issued: '2026-11-25T12:00:00.000Z',
    expires: '2026-11-25T13:00:00.000Z',
  };
  const token = sealSessionToken(ring, claims);
  const rejected: ReadonlyArray<[string, string]> = [
    ['format byte changed', flip(sealed, 0)],
    ['key ID changed', flip(sealed, 2)],
    ['nonce changed', flip(sealed, 6)],
    ['ciphertext changed', flip(sealed, 40)],
    ['tag changed', flip(sealed, length - 1)],
    ['truncated', Buffer.from(sealed, 'base64url').subarray(0, length - 1).toString('base64url')],
    ['header only', Buffer.from(sealed, 'base64url').subarray(0, 4).toString('base64url')],
    ['garbage', 'this-is-not-a-message'],
    ['not base64url', 'abc+/def=='],
    ['a line break inside', `${sealed.slice(0, 10)}\n${sealed.slice(10)}`],
    ['empty', ''],
    ['longer than EncodedMessage allows', 'A'.repeat(MAX_ENCODED_MESSAGE_LENGTH + 1)],
    ['another ring with the same key ID', sealAuthorizationMessage(createKeyRing([key('k1', '2026-01-01T00:00:00Z')]), ACCOUNT, document)],
    ['issued in another account', sealAuthorizationMessage(ring, '444455556666', document)],
    ['a session token of the same ring', Buffer.from(token, 'base64').toString('base64url')],
  ];
  for (const [name, candidate] of rejected) {
    test(`rejected: ${name}`, () => assert.equal(openAuthorizationMessage(ring, ACCOUNT, candidate), undefined));
  }

  test('a message is no session token either', () => {
    assert.equal(openSessionToken(ring, Buffer.from(sealed, 'base64url').toString('base64')), undefined);
  });
});

describe('the encoder', () => {
  const encode = authorizationMessageEncoder(ring);

  test('what it encodes decodes to the document', () => {
    assert.equal(openAuthorizationMessage(ring, ACCOUNT, encode(failure)), authorizationMessageDocument(failure));
  });

  const bigContext = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`aws:RequestTag/key-${i}`, 'v'.repeat(40)]));
  const manyStatements = Array.from({ length: 200 }, (_, i) => ({ ...(failure.matchedStatements[0] as AuthorizationFailure['matchedStatements'][0]), statementId: `S${i}` }));
  const oversized: ReadonlyArray<[string, AuthorizationFailure, (decoded: { matchedStatements: { items: unknown[] }; context: { conditions: { items: unknown[] } } }) => void]> = [
    ['a large context is left out first', { ...failure, conditions: bigContext }, (d) => {
      assert.equal(d.context.conditions.items.length, 0);
      assert.equal(d.matchedStatements.items.length, 1);
    }],
    ['then the statements', { ...failure, conditions: bigContext, matchedStatements: manyStatements }, (d) => {
      assert.equal(d.context.conditions.items.length, 0);
      assert.equal(d.matchedStatements.items.length, 0);
    }],
  ];
  for (const [name, input, check] of oversized) {
    test(`stays within DecodeAuthorizationMessage's ${MAX_ENCODED_MESSAGE_LENGTH} characters: ${name}`, () => {
      const encoded = encode(input);
      assert.ok(encoded.length <= MAX_ENCODED_MESSAGE_LENGTH, `${encoded.length}`);
      check(JSON.parse(openAuthorizationMessage(ring, ACCOUNT, encoded) ?? 'null'));
    });
  }
});
