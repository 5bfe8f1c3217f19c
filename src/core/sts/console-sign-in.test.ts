import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { ACCOUNT_OPERATIONS } from '../iam/account.js';
import { LOGIN_PROFILE_OPERATIONS } from '../iam/login-profiles.js';
import { MFA_DEVICE_OPERATIONS } from '../iam/mfa-devices.js';
import { PASSWORD_POLICY_OPERATIONS } from '../iam/password-policy.js';
import { USER_OPERATIONS } from '../iam/users.js';
import { defineOperations, type CoreServices } from '../operation.js';
import { runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { CONSOLE_SESSION_SECONDS, consoleSignIn, ConsoleSignInError, parseSignInInput, RESET_SESSION_SECONDS, SIGN_IN_FAILED, type ConsoleSignInInput } from './console-sign-in.js';
import { callerFromClaims, callerRestriction } from './session-caller.js';
import { ensureRootPassword } from './root-password.js';
import { createKeyRing, openSessionToken, sealSessionToken, type SessionClaims } from './session-token.js';
import { codeAt, timeStep } from './totp.js';

const OPERATIONS = defineOperations([...USER_OPERATIONS, ...LOGIN_PROFILE_OPERATIONS, ...MFA_DEVICE_OPERATIONS, ...PASSWORD_POLICY_OPERATIONS, ...ACCOUNT_OPERATIONS]);
const NOW = new Date('2026-11-25T12:00:10Z');
const STEP = timeStep(NOW);
const RING = createKeyRing([{ id: 'k1', key: randomBytes(32), created: '2026-01-01T00:00:00Z' }]);

let store: Store;
let services: CoreServices;
let r: ReturnType<typeof runner>;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  services = { ...testServices(), sealSessionToken: (claims) => sealSessionToken(RING, claims) };
  r = runner(store, OPERATIONS, services);
  r.setClock(NOW);
  await r.run('CreateUser', { UserName: 'alice', Path: '/staff/' });
  await r.run('CreateLoginProfile', { UserName: 'alice', Password: 'Correct-horse-1' });
  await r.run('CreateUser', { UserName: 'nopassword' });
  await r.run('CreateAccountAlias', { AccountAlias: 'example-corp' });
});
afterEach(async () => {
  await store.close();
});

const signIn = (input: Partial<ConsoleSignInInput>, at = NOW, sourceIp = '192.0.2.1') =>
  consoleSignIn({ store, services, now: at, sourceIp }, { account: TEST_ACCOUNT, userName: 'alice', password: 'Correct-horse-1', ...input });

/** The error code and message a sign-in fails with, or 'ok'. */
async function outcome(input: Partial<ConsoleSignInInput>, at = NOW, sourceIp = '192.0.2.1'): Promise<string> {
  try {
    await signIn(input, at, sourceIp);
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof ConsoleSignInError, String(error));
    return `${error.status} ${error.code}: ${error.message}`;
  }
}

function claimsOf(token: string): SessionClaims {
  const claims = openSessionToken(RING, token);
  assert.ok(claims !== undefined);
  return claims;
}

const generic = `401 SignInFailed: ${SIGN_IN_FAILED}`;

describe('console sign-in', () => {
  test('a right password gives a console session acting as the user itself, for 12 hours, and records PasswordLastUsed', async () => {
    const result = await signIn({});
    assert.equal(result.arn, `arn:aws:iam::${TEST_ACCOUNT}:user/staff/alice`);
    assert.equal(result.passwordResetRequired, false);
    assert.equal(result.mfaAuthenticated, false);
    assert.equal(Date.parse(result.credentials.expiration) - Math.floor(NOW.getTime() / 1000) * 1000, CONSOLE_SESSION_SECONDS * 1000);
    const claims = claimsOf(result.credentials.sessionToken);
    assert.equal(claims.kind, 'consoleSession');
    assert.equal(claims.accessKeyId, result.credentials.accessKeyId);
    const caller = callerFromClaims(claims);
    const user = (await r.run('GetUser', { UserName: 'alice' }))['User'] as { UserId: string; PasswordLastUsed?: Date };
    assert.deepEqual({ kind: caller.kind, arn: caller.arn, userId: caller.userId, userName: caller.userName }, { kind: 'user', arn: result.arn, userId: user.UserId, userName: 'alice' });
    assert.equal(caller.context?.['aws:MultiFactorAuthPresent'], 'false');
    assert.deepEqual(user.PasswordLastUsed, NOW);
    // Not limited like GetSessionToken credentials without MFA: IAM answers, GetSessionToken does not.
    assert.equal(callerRestriction(caller, 'iam', 'ListUsers', '*'), undefined);
    assert.equal(callerRestriction(caller, 'sts', 'GetCallerIdentity', '*'), undefined);
    assert.equal(callerRestriction(caller, 'sts', 'GetSessionToken', '*')?.code, 'AccessDenied');
    assert.equal(callerRestriction(caller, 'sts', 'GetFederationToken', '*')?.code, 'AccessDenied');
  });

  test('the account may be named by its alias, in any case; user names are case-insensitive as IAM', async () => {
    assert.equal((await signIn({ account: 'Example-Corp', userName: 'ALICE' })).userName, 'alice');
  });

  for (const [name, input] of [
    ['wrong password', { password: 'Correct-horse-2' }],
    ['unknown user', { userName: 'mallory' }],
    ['user without a password', { userName: 'nopassword', password: '' + 'anything' }],
    ['unknown account', { account: '999988887777' }],
    ['unknown alias', { account: 'no-such-alias' }],
    ['malformed user name', { userName: 'a/b' }],
    ['malformed MFA code', { mfaCode: '12ab56' }],
  ] as const) {
    test(`${name}: one same generic answer`, async () => {
      assert.equal(await outcome(input), generic);
    });
  }

  test('failures are throttled per user name (existing or not) and per address; a right password then waits too', async () => {
    // Spelling the account by its ID or its alias, the user name in any case: the same key.
    const spellings = [{}, { account: 'example-corp' }, { userName: 'ALICE' }, { account: 'EXAMPLE-CORP', userName: 'Alice' }, {}];
    for (const [i, spelling] of spellings.entries()) assert.equal(await outcome({ ...spelling, password: `wrong-${i}` }, NOW, `198.51.100.${i}`), generic);
    assert.match(await outcome({}, NOW, '203.0.113.9'), /^429 Throttling/);
    assert.match(await outcome({ account: 'example-corp' }, NOW, '203.0.113.9'), /^429 Throttling/);
    for (let i = 0; i < 5; i++) assert.equal(await outcome({ userName: 'ghost', password: `wrong-${i}` }, NOW, `198.51.100.${i}`), generic);
    assert.match(await outcome({ userName: 'ghost' }, NOW, '203.0.113.9'), /^429 Throttling/);
    // After the back-off the right password works again.
    assert.equal(await outcome({}, new Date(NOW.getTime() + 31_000), '203.0.113.9'), 'ok');
  });

  test('PasswordResetRequired: a short session that may only change the password', async () => {
    await r.run('UpdateLoginProfile', { UserName: 'alice', PasswordResetRequired: true });
    const result = await signIn({});
    assert.equal(result.passwordResetRequired, true);
    assert.equal(Date.parse(result.credentials.expiration) - Math.floor(NOW.getTime() / 1000) * 1000, RESET_SESSION_SECONDS * 1000);
    const caller = callerFromClaims(claimsOf(result.credentials.sessionToken));
    assert.equal(callerRestriction(caller, 'iam', 'ChangePassword', result.arn), undefined);
    assert.equal(callerRestriction(caller, 'iam', 'GetAccountPasswordPolicy', '*'), undefined);
    for (const [service, op] of [['iam', 'ListUsers'], ['iam', 'CreateAccessKey'], ['sts', 'AssumeRole'], ['sts', 'GetCallerIdentity']] as const) {
      assert.equal(callerRestriction(caller, service, op, '*')?.code, 'AccessDenied', `${service}:${op}`);
    }
  });

  test('an expired password (MaxPasswordAge) must be changed; with HardExpiry the user cannot sign in', async () => {
    await r.run('UpdateAccountPasswordPolicy', { MaxPasswordAge: 30 });
    const later = new Date(NOW.getTime() + 31 * 86_400_000);
    assert.equal((await signIn({})).passwordResetRequired, false);
    assert.equal((await signIn({}, later)).passwordResetRequired, true);
    await r.run('UpdateAccountPasswordPolicy', { MaxPasswordAge: 30, HardExpiry: true });
    assert.match(await outcome({}, later), /^403 PasswordExpired/);
    // A wrong password still learns nothing about the expiry.
    assert.equal(await outcome({ password: 'nope-nope-1' }, later), generic);
  });

  describe('with an MFA device', () => {
    let seed: string;
    beforeEach(async () => {
      const device = (await r.run('CreateVirtualMFADevice', { VirtualMFADeviceName: 'alice' }))['VirtualMFADevice'] as { SerialNumber: string; Base32StringSeed: Buffer };
      seed = Buffer.from(device.Base32StringSeed).toString('ascii');
      await r.run('EnableMFADevice', { UserName: 'alice', SerialNumber: device.SerialNumber, AuthenticationCode1: codeAt(seed, STEP - 3), AuthenticationCode2: codeAt(seed, STEP - 2) });
    });

    test('the right password asks for the code; a wrong password does not tell', async () => {
      assert.match(await outcome({}), /^401 MfaRequired/);
      assert.equal(await outcome({ password: 'nope-nope-1' }), generic);
      assert.equal(await outcome({ password: 'nope-nope-1', mfaCode: codeAt(seed, STEP) }), generic);
    });

    test('a wrong code gets the generic answer; the right code gives MFA context, once (no replay)', async () => {
      const wrong = codeAt(seed, STEP) === '000000' ? '000001' : '000000';
      assert.equal(await outcome({ mfaCode: wrong }), generic);
      const result = await signIn({ mfaCode: codeAt(seed, STEP) });
      assert.equal(result.mfaAuthenticated, true);
      const claims = claimsOf(result.credentials.sessionToken);
      assert.equal(claims.mfaAuthTime, NOW.toISOString());
      assert.equal(callerFromClaims(claims).context?.['aws:MultiFactorAuthPresent'], 'true');
      assert.equal(await outcome({ mfaCode: codeAt(seed, STEP) }), generic);
    });
  });
});

describe('root sign-in', () => {
  test('the root password gives an hour-long console session of the root user; anything else the generic answer', async () => {
    assert.equal(await ensureRootPassword(store, services, TEST_ACCOUNT, 'Root-password-1', NOW), undefined);
    const result = await signIn({ root: true, userName: '', password: 'Root-password-1' });
    assert.deepEqual([result.arn, result.root, result.userName], [`arn:aws:iam::${TEST_ACCOUNT}:root`, true, 'root']);
    assert.equal(Date.parse(result.credentials.expiration) - Math.floor(NOW.getTime() / 1000) * 1000, 3600 * 1000);
    const caller = callerFromClaims(claimsOf(result.credentials.sessionToken));
    assert.deepEqual([caller.kind, caller.arn, caller.userId, caller.userName], ['root', result.arn, TEST_ACCOUNT, undefined]);
    assert.equal(callerRestriction(caller, 'sts', 'AssumeRole', '*')?.code, 'AccessDenied');
    assert.equal(await outcome({ root: true, password: 'Root-password-2' }), generic);
    // An IAM user's password is not the root password, and the root password is no IAM user's.
    assert.equal(await outcome({ root: true }), generic);
    assert.equal(await outcome({ root: true, password: 'Root-password-1', account: '999988887777' }), generic);
  });

  test('ensureRootPassword: generated once when none is configured, replaced when the configured one differs', async () => {
    const generated = await ensureRootPassword(store, services, TEST_ACCOUNT, undefined, NOW);
    assert.ok(generated !== undefined && generated.length >= 32);
    assert.equal(await ensureRootPassword(store, services, TEST_ACCOUNT, undefined, NOW), undefined, 'not again');
    assert.equal((await signIn({ root: true, password: generated })).root, true);
    assert.equal(await ensureRootPassword(store, services, TEST_ACCOUNT, 'Configured-1', NOW), undefined);
    assert.equal(await outcome({ root: true, password: generated }), generic);
    assert.equal((await signIn({ root: true, password: 'Configured-1' })).root, true);
  });
});

describe('parseSignInInput', () => {
  test('takes the expected strings and refuses anything else', () => {
    assert.deepEqual(parseSignInInput({ account: ' 111122223333 ', userName: 'bob', password: ' p ', mfaCode: '' }), { account: '111122223333', userName: 'bob', password: ' p ' });
    for (const body of [null, [], 'x', { userName: 'a', password: 'b' }, { account: 1, userName: 'a', password: 'b' }, { account: 'a', userName: 'b', password: 'c'.repeat(2000) }]) {
      assert.throws(() => parseSignInInput(body), (e: unknown) => e instanceof ConsoleSignInError && e.status === 400);
    }
    // Inherited members are not members: a polluted prototype does not fill the request in.
    assert.deepEqual(parseSignInInput({ account: 'a', root: true, password: 'p' }), { account: 'a', userName: '', password: 'p', root: true });
    assert.throws(() => parseSignInInput({ account: 'a', root: 'yes', password: 'p' }), ConsoleSignInError);
    const inherited = Object.create({ account: '111122223333', userName: 'bob', password: 'x' }) as object;
    assert.throws(() => parseSignInInput(inherited), ConsoleSignInError);
  });
});
