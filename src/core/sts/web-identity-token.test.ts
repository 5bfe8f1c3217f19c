import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { KEY_ROTATION_MS, OUTBOUND_FEDERATION_OPERATIONS, outboundDiscovery, outboundRecord } from '../iam/outbound-federation.js';
import { defineOperations, type OperationContext, type Params, type Result } from '../operation.js';
import { rejects, ROOT_CALLER, TEST_ACCOUNT, testServices } from '../testing.js';
import { AWS_CLAIMS, isOutboundIssuer, WEB_IDENTITY_TOKEN_OPERATIONS } from './web-identity-token.js';

const OPERATIONS = defineOperations([...OUTBOUND_FEDERATION_OPERATIONS, ...WEB_IDENTITY_TOKEN_OPERATIONS]);
const ORIGIN = 'https://gatehouse.example';
const ISSUER = `${ORIGIN}/_gatehouse/outbound/${TEST_ACCOUNT}`;
const T0 = new Date('2026-11-25T12:00:00Z');

const ROLE_SESSION: Caller = {
  kind: 'assumedRole',
  account: TEST_ACCOUNT,
  arn: `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/builder/s`,
  userId: 'AROABUILDER:s',
  accessKeyId: 'ASIABUILDER',
  roleName: 'builder',
  roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/ci/builder`,
  session: { expires: '2026-11-25T12:10:00Z' } as Caller['session'],
};

let store: Store;
const run = (name: string, p: Params, now = T0, caller: Caller = ROOT_CALLER): Promise<Result> => {
  const op = OPERATIONS.get(`iam:${name}`) ?? OPERATIONS.get(`sts:${name}`);
  if (op === undefined) throw new Error(name);
  return store.transaction((tx) => {
    const ctx: OperationContext = { caller, account: caller.account, tx, now, requestId: 't', services: testServices(), origin: ORIGIN };
    return op.run(ctx, p);
  });
};
const jwks = async () => createLocalJWKSet((await outboundDiscovery(store, TEST_ACCOUNT))?.jwks ?? { keys: [] });

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  await run('EnableOutboundWebIdentityFederation', {});
});

describe('GetWebIdentityToken', () => {
  test('claims: issuer, subject (a role session by its role), audiences, default lifetime, AWS namespace', async () => {
    const out = await run('GetWebIdentityToken', { Audience: ['a1', 'a2'], SigningAlgorithm: 'ES384' }, T0, ROLE_SESSION);
    const token = out['WebIdentityToken'] as string;
    const { payload } = await jwtVerify(token, await jwks(), { issuer: ISSUER, currentDate: T0 });
    assert.equal(payload.sub, `arn:aws:iam::${TEST_ACCOUNT}:role/ci/builder`);
    assert.deepEqual(payload.aud, ['a1', 'a2']);
    assert.equal(payload.exp, T0.getTime() / 1000 + 300);
    assert.deepEqual(out['Expiration'], new Date(T0.getTime() + 300_000));
    assert.deepEqual(payload[AWS_CLAIMS], { aws_account: TEST_ACCOUNT, principal_id: ROLE_SESSION.arn });
  });

  test('a token may not outlive the session that asks for it', async () => {
    await rejects(
      run('GetWebIdentityToken', { Audience: ['a'], SigningAlgorithm: 'RS256', DurationSeconds: 601 }, T0, ROLE_SESSION),
      'SessionDurationEscalationException', 403,
      'The requested token duration would extend beyond the expiration of the credentials used to request it.',
    );
    await run('GetWebIdentityToken', { Audience: ['a'], SigningAlgorithm: 'RS256', DurationSeconds: 600 }, T0, ROLE_SESSION);
  });

  test('private keys are stored sealed', async () => {
    const record = await store.read((tx) => outboundRecord(tx, TEST_ACCOUNT));
    for (const pair of Object.values(record?.data['keys'] as Record<string, { current: { sealedPrivateKey: string; publicJwk: object } }>)) {
      assert.ok(pair.current.sealedPrivateKey.startsWith('sealed:-----BEGIN PRIVATE KEY-----'));
      assert.equal('d' in pair.current.publicJwk, false);
    }
    for (const key of (await outboundDiscovery(store, TEST_ACCOUNT))?.jwks.keys ?? []) assert.equal(key.d, undefined);
  });

  test('rotation: a due key is replaced, the old one stays published (public half only) and still verifies', async () => {
    const old = (await run('GetWebIdentityToken', { Audience: ['a'], SigningAlgorithm: 'RS256', DurationSeconds: 3600 })).WebIdentityToken as string;
    const later = new Date(T0.getTime() + KEY_ROTATION_MS + 1000);
    const fresh = (await run('GetWebIdentityToken', { Audience: ['a'], SigningAlgorithm: 'RS256' }, later)).WebIdentityToken as string;
    assert.notEqual(decodeProtectedHeader(old).kid, decodeProtectedHeader(fresh).kid);
    const set = await jwks();
    await jwtVerify(old, set, { issuer: ISSUER, currentDate: T0 });
    await jwtVerify(fresh, set, { issuer: ISSUER, currentDate: later });
    const record = await store.read((tx) => outboundRecord(tx, TEST_ACCOUNT));
    const rs = (record?.data['keys'] as Record<string, { previous?: Record<string, unknown> }>)['RS256'];
    assert.equal(rs?.previous?.['sealedPrivateKey'], undefined);
    assert.equal((await outboundDiscovery(store, TEST_ACCOUNT))?.jwks.keys.length, 3);
  });

  test('an unknown algorithm is a validation error; disabled federation is refused', async () => {
    await rejects(
      run('GetWebIdentityToken', { Audience: ['a'], SigningAlgorithm: 'HS256' }),
      'ValidationError', 400,
      "1 validation error detected: Value 'HS256' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]",
    );
    await run('DisableOutboundWebIdentityFederation', {});
    await rejects(
      run('GetWebIdentityToken', { Audience: ['a'], SigningAlgorithm: 'RS256' }),
      'OutboundWebIdentityFederationDisabledException', 403,
      'The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.',
    );
    assert.equal(await outboundDiscovery(store, TEST_ACCOUNT), undefined);
  });
});

describe('isOutboundIssuer', () => {
  const cases: Array<[string, boolean]> = [
    [ISSUER, true],
    ['http://127.0.0.1:9000/_gatehouse/outbound/123456789012', true],
    ['https://h/_GateHouse/Outbound/123456789012', true],
    ['https://h/x/../_gatehouse/outbound/1', true],
    ['https://h/%5Fgatehouse/outbound/1', true],
    ['https://token.actions.githubusercontent.com', false],
    ['https://h/_gatehouse/health', false],
    ['not a url', false],
  ];
  for (const [issuer, expected] of cases) test(issuer, () => assert.equal(isOutboundIssuer(issuer), expected));
});
