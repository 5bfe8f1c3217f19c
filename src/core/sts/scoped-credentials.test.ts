import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { Authorizer } from '../authorize.js';
import type { Caller } from '../caller.js';
import { INLINE_POLICY_OPERATIONS } from '../iam/inline-policies.js';
import { ROLE_OPERATIONS } from '../iam/roles.js';
import { defineOperations, type CoreServices, type Params, type Result } from '../operation.js';
import { rejects, runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { SCOPED_CREDENTIALS_OPERATIONS } from './scoped-credentials.js';
import { callerFromClaims, callerRestriction } from './session-caller.js';
import { createKeyRing, MAX_SESSION_TOKEN_BYTES, openSessionToken, sealSessionToken, type SessionClaims } from './session-token.js';

const OPERATIONS = defineOperations([...ROLE_OPERATIONS, ...INLINE_POLICY_OPERATIONS, ...SCOPED_CREDENTIALS_OPERATIONS]);
const ring = createKeyRing([{ id: 'k1', key: randomBytes(32), created: '2026-01-01T00:00:00Z' }]);
const T0 = new Date('2026-11-25T12:00:00Z');
const doc = (action: string | string[], resource = '*'): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: TEST_ACCOUNT }, Action: 'sts:AssumeRole' }] });

let store: Store;
let sts: ReturnType<typeof runner>;
let authorizer: Authorizer;
let roleId: string;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  const services: CoreServices = { ...testServices(), sealSessionToken: (claims) => sealSessionToken(ring, claims) };
  sts = runner(store, OPERATIONS, services);
  sts.setClock(T0);
  authorizer = new Authorizer(store, services.awsManagedPolicies);
  const role = (await sts.run('CreateRole', { RoleName: 'worker', AssumeRolePolicyDocument: TRUST }))['Role'] as Record<string, string>;
  roleId = role['RoleId'] as string;
  await sts.run('PutRolePolicy', { RoleName: 'worker', PolicyName: 'p', PolicyDocument: doc(['iam:Get*', 'iam:List*', 'sts:GetScopedCredentials']) });
});

afterEach(() => store.close());

/** A session of the role `worker`, as AssumeRole would have issued it an hour before expiry. */
function roleSession(extra: Partial<SessionClaims> = {}): Caller {
  return callerFromClaims({
    kind: 'assumedRole',
    account: TEST_ACCOUNT,
    arn: `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/worker/agent`,
    userId: `${roleId}:agent`,
    roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/worker`,
    roleName: 'worker',
    sessionName: 'agent',
    accessKeyId: 'ASIAWORKERWORKER0001',
    secretAccessKey: 'secret',
    tags: [{ Key: 'team', Value: 'blue' }],
    sourceIdentity: 'alice',
    mfaAuthTime: '2026-11-25T11:30:00.000Z',
    issued: '2026-11-25T11:00:00.000Z',
    expires: '2026-11-25T13:00:00.000Z',
    ...extra,
  });
}

const scoped = async (caller: Caller, p: Params): Promise<{ out: Result; claims: SessionClaims; caller: Caller }> => {
  const out = await sts.run('GetScopedCredentials', p, caller);
  const token = (out['Credentials'] as { SessionToken: string }).SessionToken;
  const claims = openSessionToken(ring, token);
  assert.ok(claims !== undefined);
  return { out, claims, caller: callerFromClaims(claims) };
};

const allowed = async (caller: Caller, action: string, resource = '*'): Promise<boolean> =>
  (await store.read((tx) => authorizer.decide({ caller, action, resource, now: T0 }, tx))).decision === 'Allowed';

describe('GetScopedCredentials', () => {
  test('keeps the identity (ARN, ID, tags, source identity, MFA time, issue time) and adds the scope', async () => {
    const caller = roleSession();
    const { out, claims } = await scoped(caller, { Policy: doc('iam:GetRole') });
    assert.deepEqual(out['SessionInfo'], { ScopedSessionId: caller.userId, Arn: caller.arn });
    assert.equal(out['ScopedPoliciesCount'], 1);
    assert.equal(out['SourceIdentity'], 'alice');
    assert.equal(claims.arn, caller.arn);
    assert.equal(claims.userId, caller.userId);
    assert.deepEqual(claims.tags, [{ Key: 'team', Value: 'blue' }]);
    assert.equal(claims.mfaAuthTime, '2026-11-25T11:30:00.000Z');
    assert.equal(claims.issued, '2026-11-25T11:00:00.000Z', 'aws:TokenIssueTime stays the session\'s');
    assert.equal(claims.expires, '2026-11-25T13:00:00.000Z', 'the lifetime is inherited when DurationSeconds is absent');
    assert.deepEqual(claims.scopePolicies, [doc('iam:GetRole')]);
    assert.notEqual(claims.accessKeyId, caller.accessKeyId);
    const credentials = out['Credentials'] as { Expiration: Date; SessionToken: string };
    assert.deepEqual(credentials.Expiration, new Date('2026-11-25T13:00:00Z'));
    assert.equal(out['SessionTokenSize'], credentials.SessionToken.length);
    assert.equal(out['SessionTokenUtilization'], Math.ceil((100 * credentials.SessionToken.length) / MAX_SESSION_TOKEN_BYTES));
  });

  test('the scoped session can do only what both the role and the scope allow', async () => {
    const caller = roleSession();
    const { caller: narrowed } = await scoped(caller, { Policy: doc(['iam:GetRole', 's3:GetObject']) });
    assert.equal(await allowed(caller, 'iam:ListRoles'), true);
    assert.equal(await allowed(narrowed, 'iam:GetRole'), true);
    assert.equal(await allowed(narrowed, 'iam:ListRoles'), false, 'outside the scope');
    assert.equal(await allowed(narrowed, 's3:GetObject'), false, 'the scope cannot grant what the role lacks');
    const result = await store.read((tx) => authorizer.decide({ caller: narrowed, action: 'iam:ListRoles', resource: '*', now: T0 }, tx));
    assert.deepEqual(result.decidedBy, ['session']);
  });

  test('layers accumulate up to three; each narrows further; a fourth Policy is denied, a shorter lifetime still allowed', async () => {
    let caller = roleSession();
    const layers = [
      doc(['iam:GetRole', 'iam:ListRoles', 'iam:GetUser', 'sts:GetScopedCredentials']),
      doc(['iam:GetRole', 'iam:ListRoles', 'sts:GetScopedCredentials']),
      doc(['iam:GetRole', 'sts:GetScopedCredentials']),
    ];
    for (const [i, layer] of layers.entries()) {
      const next = await scoped(caller, { Policy: layer });
      assert.equal(next.out['ScopedPoliciesCount'], i + 1);
      caller = next.caller;
    }
    assert.equal(await allowed(caller, 'iam:GetRole'), true);
    assert.equal(await allowed(caller, 'iam:ListRoles'), false);
    await rejects(
      sts.run('GetScopedCredentials', { Policy: doc('iam:GetRole') }, caller),
      'AccessDenied', 403,
      'The session already has 3 scope down policies, the most GetScopedCredentials allows; a further Policy cannot be added.',
    );
    const shorter = await scoped(caller, { DurationSeconds: 60 });
    assert.equal(shorter.out['ScopedPoliciesCount'], 3);
    assert.deepEqual((shorter.out['Credentials'] as { Expiration: Date }).Expiration, new Date(T0.getTime() + 60_000));
  });

  test('DurationSeconds cannot outlast the calling session', async () => {
    const caller = roleSession();
    await scoped(caller, { DurationSeconds: 3600 });
    await rejects(
      sts.run('GetScopedCredentials', { DurationSeconds: 3601 }, caller),
      'InsufficientSessionLifetime', 400,
      'The requested DurationSeconds (3601) is greater than the remaining lifetime of the calling session (3600 seconds).',
    );
  });

  test('a request with neither Policy nor DurationSeconds, and a malformed policy, are refused', async () => {
    await rejects(sts.run('GetScopedCredentials', {}, roleSession()), 'ValidationError', 400, 'A GetScopedCredentials request must provide at least one of Policy and DurationSeconds.');
    await rejects(sts.run('GetScopedCredentials', { Policy: '{"Version":"2012-10-17"}' }, roleSession()), 'MalformedPolicyDocument', 400, 'Syntax errors in policy.');
    await assert.rejects(sts.run('GetScopedCredentials', { Policy: '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}' }, roleSession()), { code: 'MalformedPolicyDocument' });
  });

  test('MinimumSessionTokenSize pads the token to at least that many bytes', async () => {
    const plain = await scoped(roleSession(), { DurationSeconds: 60 });
    const size = (plain.out['Credentials'] as { SessionToken: string }).SessionToken.length;
    for (const minimum of [size + 1, size + 100, 4096]) {
      const padded = await scoped(roleSession(), { DurationSeconds: 60, MinimumSessionTokenSize: minimum });
      const token = (padded.out['Credentials'] as { SessionToken: string }).SessionToken;
      assert.ok(token.length >= minimum && token.length < minimum + 16, `${token.length} for ${minimum}`);
      assert.equal(padded.out['SessionTokenSize'], token.length);
    }
  });

  test('long-term keys are refused before any policy is read; every kind of session may narrow', () => {
    const user: Caller = { kind: 'user', account: TEST_ACCOUNT, arn: `arn:aws:iam::${TEST_ACCOUNT}:user/u`, userId: 'AIDAU', userName: 'u', accessKeyId: 'AKIAU' };
    const refusal = callerRestriction(user, 'sts', 'GetScopedCredentials', '*');
    assert.equal(refusal?.code, 'InvalidSubjectCredentials');
    assert.equal(refusal?.status, 400);
    for (const kind of ['assumedRole', 'userSession', 'rootSession', 'federatedUser'] as const) {
      const caller = callerFromClaims({ ...(roleSession().session as SessionClaims), kind });
      assert.equal(callerRestriction(caller, 'sts', 'GetScopedCredentials', '*'), undefined, kind);
    }
  });

  test('a scoped root session is bound by its scope too', async () => {
    const root = callerFromClaims({ kind: 'rootSession', account: TEST_ACCOUNT, arn: `arn:aws:iam::${TEST_ACCOUNT}:root`, userId: TEST_ACCOUNT, accessKeyId: 'ASIAROOT', secretAccessKey: 's', issued: '2026-11-25T11:30:00.000Z', expires: '2026-11-25T12:30:00.000Z' });
    const { caller } = await scoped(root, { Policy: doc('iam:GetUser') });
    assert.equal(await allowed(root, 'iam:DeleteRole'), true);
    assert.equal(await allowed(caller, 'iam:GetUser'), true);
    assert.equal(await allowed(caller, 'iam:DeleteRole'), false);
  });
});
