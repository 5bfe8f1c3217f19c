// What consoleSignIn reports of each attempt for the audit trail (see console-login.ts for the records made of it).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { SignInAttempt } from '../audit/console-login.js';
import { ACCOUNT_OPERATIONS } from '../iam/account.js';
import { LOGIN_PROFILE_OPERATIONS } from '../iam/login-profiles.js';
import { MFA_DEVICE_OPERATIONS } from '../iam/mfa-devices.js';
import { PASSWORD_POLICY_OPERATIONS } from '../iam/password-policy.js';
import { USER_OPERATIONS } from '../iam/users.js';
import { defineOperations, type CoreServices } from '../operation.js';
import { runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { consoleSignIn, ConsoleSignInError, type ConsoleSignInInput } from './console-sign-in.js';
import { ensureRootPassword } from './root-password.js';
import { createKeyRing, sealSessionToken } from './session-token.js';
import { codeAt, timeStep } from './totp.js';

const OPERATIONS = defineOperations([...USER_OPERATIONS, ...LOGIN_PROFILE_OPERATIONS, ...MFA_DEVICE_OPERATIONS, ...PASSWORD_POLICY_OPERATIONS, ...ACCOUNT_OPERATIONS]);
const NOW = new Date('2026-11-25T12:00:10Z');
const STEP = timeStep(NOW);
const PASSWORD = 'Correct-horse-1';
const ROOT_PASSWORD = 'Root-password-1';
const RING = createKeyRing([{ id: 'k1', key: randomBytes(32), created: '2026-01-01T00:00:00Z' }]);

let store: Store;
let services: CoreServices;
let r: ReturnType<typeof runner>;
let alice: { userId: string; arn: string };

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  services = { ...testServices(), sealSessionToken: (claims) => sealSessionToken(RING, claims) };
  r = runner(store, OPERATIONS, services);
  r.setClock(NOW);
  const user = (await r.run('CreateUser', { UserName: 'alice', Path: '/staff/' }))['User'] as { UserId: string; Arn: string };
  alice = { userId: user.UserId, arn: user.Arn };
  await r.run('CreateLoginProfile', { UserName: 'alice', Password: PASSWORD });
  await r.run('CreateUser', { UserName: 'nopassword' });
  await r.run('CreateAccountAlias', { AccountAlias: 'example-corp' });
  await ensureRootPassword(store, services, TEST_ACCOUNT, ROOT_PASSWORD, NOW);
});
afterEach(async () => {
  await store.close();
});

/** The attempts reported while signing in once (the sign-in's own outcome is not the point here). */
async function attemptsOf(input: Partial<ConsoleSignInInput>, at = NOW, sourceIp = '192.0.2.1'): Promise<SignInAttempt[]> {
  const seen: SignInAttempt[] = [];
  try {
    await consoleSignIn({ store, services, now: at, sourceIp, observe: (a) => seen.push(a) }, { account: TEST_ACCOUNT, userName: 'alice', password: PASSWORD, ...input });
  } catch (error) {
    assert.ok(error instanceof ConsoleSignInError, String(error));
  }
  return seen;
}

const user = () => ({ kind: 'user' as const, userId: alice.userId, userName: 'alice', arn: alice.arn });

describe('console sign-in attempts as the audit trail sees them', () => {
  const cases: ReadonlyArray<{ name: string; input: Partial<ConsoleSignInInput>; expected: () => SignInAttempt[] }> = [
    { name: 'right password', input: {}, expected: () => [{ account: TEST_ACCOUNT, principal: user(), outcome: 'success', mfaUsed: false }] },
    { name: 'user named in another case, account by alias', input: { account: 'EXAMPLE-CORP', userName: 'ALICE' }, expected: () => [{ account: TEST_ACCOUNT, principal: user(), outcome: 'success', mfaUsed: false }] },
    { name: 'wrong password', input: { password: 'Correct-horse-2' }, expected: () => [{ account: TEST_ACCOUNT, principal: user(), outcome: 'failure', mfaUsed: false }] },
    { name: 'unknown user: its name is not kept', input: { userName: 'mallory' }, expected: () => [{ account: TEST_ACCOUNT, principal: { kind: 'unknownUser' }, outcome: 'failure', mfaUsed: false }] },
    {
      name: 'user without a password',
      input: { userName: 'nopassword' },
      expected: () => [{ account: TEST_ACCOUNT, principal: { kind: 'user', userId: '', userName: 'nopassword', arn: `arn:aws:iam::${TEST_ACCOUNT}:user/nopassword` }, outcome: 'failure', mfaUsed: false }],
    },
    { name: 'an account ID no alias resolves: that account gets the event', input: { account: '999988887777' }, expected: () => [{ account: '999988887777', principal: { kind: 'unknownUser' }, outcome: 'failure', mfaUsed: false }] },
    { name: 'an alias no account has: nobody to record it for', input: { account: 'no-such-alias' }, expected: () => [] },
    { name: 'a user name IAM cannot have: refused before the account is looked up', input: { userName: 'a/b' }, expected: () => [] },
    { name: 'root, right password', input: { root: true, userName: '', password: ROOT_PASSWORD }, expected: () => [{ account: TEST_ACCOUNT, principal: { kind: 'root' }, outcome: 'success', mfaUsed: false }] },
    { name: 'root, wrong password', input: { root: true, userName: '' }, expected: () => [{ account: TEST_ACCOUNT, principal: { kind: 'root' }, outcome: 'failure', mfaUsed: false }] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const seen = await attemptsOf(c.input);
      const expected = c.expected();
      // A user's unique ID is random: the case names it empty when it is not alice's.
      const normal = seen.map((a) => (a.principal.kind === 'user' && a.principal.userName !== 'alice' ? { ...a, principal: { ...a.principal, userId: '' } } : a));
      assert.deepEqual(normal, expected);
      assert.ok(!JSON.stringify(seen).includes(PASSWORD) && !JSON.stringify(seen).includes(ROOT_PASSWORD), 'no password in an attempt');
    });
  }

  test('throttled attempts refused before the check are not reported; those that led to it are', async () => {
    let reported = 0;
    for (let i = 0; i < 5; i++) reported += (await attemptsOf({ password: `wrong-${i}` }, NOW, `198.51.100.${i}`)).length;
    assert.equal(reported, 5);
    assert.deepEqual(await attemptsOf({}, NOW, '203.0.113.9'), []);
  });

  test('HardExpiry: the right password of an expired one', async () => {
    await r.run('UpdateAccountPasswordPolicy', { MaxPasswordAge: 30, HardExpiry: true });
    const later = new Date(NOW.getTime() + 31 * 86_400_000);
    assert.deepEqual(await attemptsOf({}, later), [{ account: TEST_ACCOUNT, principal: user(), outcome: 'passwordExpired', mfaUsed: false }]);
  });

  describe('with an MFA device', () => {
    let seed: string;
    let serial: string;
    beforeEach(async () => {
      const device = (await r.run('CreateVirtualMFADevice', { VirtualMFADeviceName: 'alice' }))['VirtualMFADevice'] as { SerialNumber: string; Base32StringSeed: Buffer };
      seed = Buffer.from(device.Base32StringSeed).toString('ascii');
      serial = device.SerialNumber;
      await r.run('EnableMFADevice', { UserName: 'alice', SerialNumber: serial, AuthenticationCode1: codeAt(seed, STEP - 3), AuthenticationCode2: codeAt(seed, STEP - 2) });
    });

    test('no code yet: the MFA check, with the devices; a wrong code; the right one names the device', async () => {
      assert.deepEqual(await attemptsOf({}), [{ account: TEST_ACCOUNT, principal: user(), outcome: 'mfaRequired', mfaUsed: false, mfaDevices: [serial] }]);
      const right = codeAt(seed, STEP);
      const wrong = right === '000000' ? '000001' : '000000';
      assert.deepEqual(await attemptsOf({ mfaCode: wrong }), [{ account: TEST_ACCOUNT, principal: user(), outcome: 'failure', mfaUsed: true }]);
      // A wrong password with a code: the password fails first, no code is checked.
      assert.deepEqual(await attemptsOf({ password: 'nope-nope-1', mfaCode: right }), [{ account: TEST_ACCOUNT, principal: user(), outcome: 'failure', mfaUsed: false }]);
      const seen = await attemptsOf({ mfaCode: right });
      assert.deepEqual(seen, [{ account: TEST_ACCOUNT, principal: user(), outcome: 'success', mfaUsed: true, mfaSerial: serial }]);
      assert.ok(!JSON.stringify(seen).includes(right), 'no code in an attempt');
    });
  });
});
