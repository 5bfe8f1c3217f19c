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

describe('GetWebIdentityToken: SubjectMode and Scope', () => {
  const TIP: Caller = {
    ...ROLE_SESSION,
    context: { 'aws:OriginIdentity/Subject': 'user-8842', 'aws:OriginIdentity/Issuer': 'idp.example.com' },
  };
  const base = { Audience: ['api.example'], SigningAlgorithm: 'RS256' };

  test('AWSIdentity (the default) names the caller; OriginIdentity names the session\'s origin subject', async () => {
    const plain = await jwtVerify((await run('GetWebIdentityToken', { ...base, SubjectMode: 'AWSIdentity' }, T0, ROLE_SESSION))['WebIdentityToken'] as string, await jwks(), { currentDate: T0 });
    assert.equal(plain.payload.sub, `arn:aws:iam::${TEST_ACCOUNT}:role/ci/builder`);
    assert.equal(plain.payload['subject_mode'], undefined);
    assert.equal(plain.payload['scope'], undefined);
    const token = (await run('GetWebIdentityToken', { ...base, SubjectMode: 'OriginIdentity', Scope: 'read:orders write:orders' }, T0, TIP))['WebIdentityToken'] as string;
    const { payload } = await jwtVerify(token, await jwks(), { currentDate: T0 });
    assert.equal(payload.sub, 'user-8842');
    assert.equal(payload['subject_mode'], 'OriginIdentity');
    assert.equal(payload['scope'], 'read:orders write:orders');
    assert.equal((payload[AWS_CLAIMS] as Record<string, unknown>)['principal_id'], ROLE_SESSION.arn, 'principal_id names the requester whatever the mode');
  });

  test('OriginIdentity without trusted identity propagation context is a validation error (every Gatehouse session today)', async () => {
    for (const caller of [ROLE_SESSION, ROOT_CALLER, { ...ROLE_SESSION, context: { 'aws:OriginIdentity/Subject': 'u' } }, { ...TIP, context: { ...TIP.context, 'aws:OriginIdentity/Subject': '  ' } }]) {
      await assert.rejects(run('GetWebIdentityToken', { ...base, SubjectMode: 'OriginIdentity' }, T0, caller), { code: 'ValidationError', status: 400 });
    }
  });

  test('a subject that looks like an ARN or carries control or separator characters is denied', async () => {
    for (const subject of ['arn:aws:iam::1:user/x', 'ARN:x', ' padded', 'tab\there', 'line\u2028sep', 'zero\u200bwidth']) {
      const caller = { ...TIP, context: { ...TIP.context, 'aws:OriginIdentity/Subject': subject } };
      await assert.rejects(run('GetWebIdentityToken', { ...base, SubjectMode: 'OriginIdentity' }, T0, caller), { code: 'AccessDenied', status: 403 }, subject);
    }
    const spaced = { ...TIP, context: { ...TIP.context, 'aws:OriginIdentity/Subject': 'Jane Doe' } };
    await run('GetWebIdentityToken', { ...base, SubjectMode: 'OriginIdentity' }, T0, spaced);
  });

  test('Scope: only with OriginIdentity and one audience; single spaces; allowed characters; no repeats', async () => {
    const cases: Array<[Params, string]> = [
      [{ ...base, Scope: 'read' }, 'Scope can be specified only with SubjectMode OriginIdentity and exactly one Audience.'],
      [{ ...base, Audience: ['a', 'b'], SubjectMode: 'OriginIdentity', Scope: 'read' }, 'Scope can be specified only with SubjectMode OriginIdentity and exactly one Audience.'],
      [{ ...base, SubjectMode: 'OriginIdentity', Scope: ' read' }, 'Scope must not begin or end with a space.'],
      [{ ...base, SubjectMode: 'OriginIdentity', Scope: 'read  write' }, 'Separate the values of Scope with a single space.'],
      [{ ...base, SubjectMode: 'OriginIdentity', Scope: 'read,write' }, 'The scope value "read,write" may contain only printable ASCII characters other than the space, \'"\', \',\' and \'\\\'.'],
      [{ ...base, SubjectMode: 'OriginIdentity', Scope: 'read READ read' }, 'The scope value "read" is repeated.'],
    ];
    for (const [params, message] of cases) await rejects(run('GetWebIdentityToken', params, T0, TIP), 'ValidationError', 400, message);
    for (const scope of ['a"b', 'a\\b', 'caf\u00e9']) {
      await assert.rejects(run('GetWebIdentityToken', { ...base, SubjectMode: 'OriginIdentity', Scope: scope }, T0, TIP), { code: 'ValidationError' }, scope);
    }
  });

  test('condition keys: sts:SubjectMode always, sts:IdentityTokenScope as a list; Scope also needs sts:SetWebIdentityTokenScope', () => {
    const op = WEB_IDENTITY_TOKEN_OPERATIONS[0];
    assert.ok(op?.conditionKeys !== undefined && op.alsoRequires !== undefined);
    const ctx = {} as OperationContext;
    assert.equal(op.conditionKeys(ctx, base)['sts:SubjectMode'], 'AWSIdentity');
    const keys = op.conditionKeys(ctx, { ...base, SubjectMode: 'OriginIdentity', Scope: 'read write' });
    assert.deepEqual([keys['sts:SubjectMode'], keys['sts:IdentityTokenScope']], ['OriginIdentity', ['read', 'write']]);
    assert.deepEqual(op.alsoRequires(ctx, base), []);
    assert.deepEqual(op.alsoRequires(ctx, { ...base, Scope: 'read' }), ['sts:SetWebIdentityTokenScope']);
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
