import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { ACCOUNT_OPERATIONS } from '../iam/account.js';
import { CREDENTIAL_REPORT_OPERATIONS } from '../iam/credential-report.js';
import { LOGIN_PROFILE_OPERATIONS } from '../iam/login-profiles.js';
import { MFA_DEVICE_OPERATIONS } from '../iam/mfa-devices.js';
import { USER_OPERATIONS } from '../iam/users.js';
import { defineOperations, type CoreServices } from '../operation.js';
import { ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { consoleSignIn, ConsoleSignInError, SIGN_IN_FAILED, type ConsoleSignInInput } from './console-sign-in.js';
import { changeRootCredentials, parseRootCredentialsInput, rootPasswordViolation, type RootCredentialsInput } from './root-credentials.js';
import { ensureRootPassword } from './root-password.js';
import { createKeyRing, openSessionToken, sealSessionToken, type SessionClaims } from './session-token.js';
import { codeAt, timeStep } from './totp.js';

const OPERATIONS = defineOperations([...USER_OPERATIONS, ...LOGIN_PROFILE_OPERATIONS, ...MFA_DEVICE_OPERATIONS, ...ACCOUNT_OPERATIONS, ...CREDENTIAL_REPORT_OPERATIONS]);
const NOW = new Date('2026-11-25T12:00:10Z');
const STEP = timeStep(NOW);
const RING = createKeyRing([{ id: 'k1', key: randomBytes(32), created: '2026-01-01T00:00:00Z' }]);
const PASSWORD = 'Root-password-1';
const generic = `401 SignInFailed: ${SIGN_IN_FAILED}`;

let store: Store;
let services: CoreServices;
let r: ReturnType<typeof runner>;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  services = { ...testServices(), sealSessionToken: (claims) => sealSessionToken(RING, claims) };
  r = runner(store, OPERATIONS, services);
  r.setClock(NOW);
  await ensureRootPassword(store, services, TEST_ACCOUNT, PASSWORD, NOW);
});
afterEach(async () => {
  await store.close();
});

type Change = Partial<RootCredentialsInput> & Pick<RootCredentialsInput, 'action'>;
const change = (input: Change, at = NOW, sourceIp = '192.0.2.1') =>
  changeRootCredentials({ store, services, now: at, sourceIp }, { account: TEST_ACCOUNT, password: PASSWORD, ...input } as RootCredentialsInput);
const signIn = (input: Partial<ConsoleSignInInput>, at = NOW) =>
  consoleSignIn({ store, services, now: at, sourceIp: '192.0.2.1' }, { account: TEST_ACCOUNT, root: true, userName: '', password: PASSWORD, ...input });

/** `status code: message` of a failure, or 'ok'. */
async function outcome(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof ConsoleSignInError, String(error));
    return `${error.status} ${error.code}: ${error.message}`;
  }
}

const summary = async (): Promise<Record<string, number>> => (await r.run('GetAccountSummary', {}))['SummaryMap'] as Record<string, number>;

/** The claims of an AssumeRoot session of this account's root user (the operations do not read its task policy). */
const taskClaims = (): SessionClaims => ({
  kind: 'rootTaskSession',
  account: TEST_ACCOUNT,
  arn: ROOT_CALLER.arn,
  userId: TEST_ACCOUNT,
  accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
  secretAccessKey: 'x',
  issued: NOW.toISOString(),
  expires: new Date(NOW.getTime() + 900_000).toISOString(),
});

async function newDevice(name: string): Promise<{ serial: string; seed: string }> {
  const device = (await r.run('CreateVirtualMFADevice', { VirtualMFADeviceName: name }))['VirtualMFADevice'] as { SerialNumber: string; Base32StringSeed: Buffer };
  return { serial: device.SerialNumber, seed: Buffer.from(device.Base32StringSeed).toString('ascii') };
}

describe('root password change', () => {
  test('needs the current password; the new one must meet the root rules and differ; then only the new one signs in', async () => {
    assert.equal(await outcome(change({ action: 'changePassword', password: 'Wrong-password-1', newPassword: 'New-password-2' })), '401 SignInFailed: The current password is incorrect.');
    assert.equal(await outcome(change({ action: 'changePassword', newPassword: 'short1A' })), '400 PasswordPolicyViolation: The password must be 8 to 128 characters long.');
    assert.equal(await outcome(change({ action: 'changePassword', newPassword: PASSWORD })), '400 PasswordPolicyViolation: The new password must differ from the current one.');
    assert.equal((await signIn({})).root, true, 'refusals changed nothing');
    assert.deepEqual(await change({ action: 'changePassword', newPassword: 'New-password-2' }), { changed: 'password' });
    assert.equal(await outcome(signIn({})), generic);
    assert.equal((await signIn({ password: 'New-password-2' })).root, true);
  });

  test('wrong current passwords count against root sign-in\'s throttle', async () => {
    for (let i = 0; i < 10; i++) await outcome(change({ action: 'changePassword', password: `Wrong-password-${i}`, newPassword: 'New-password-2' }));
    assert.match(await outcome(change({ action: 'changePassword', newPassword: 'New-password-2' })), /^429 Throttling/);
    assert.match(await outcome(signIn({})), /^429 Throttling/);
  });
});

test('rootPasswordViolation: 8 to 128 characters of three kinds', () => {
  const cases: ReadonlyArray<[string, boolean]> = [
    ['Abcdefg1', true],
    ['abcdefg1!', true],
    ['ABCDEFG1!', true],
    ['abcdefgh1', false],
    ['abcdefghij', false],
    ['Ab1!', false],
    [`Aa1${'x'.repeat(125)}`, true],
    [`Aa1${'x'.repeat(126)}`, false],
    ['Abcdefg1\u0100', false],
  ];
  for (const [password, ok] of cases) assert.equal(rootPasswordViolation(password) === undefined, ok, password);
});

describe('root MFA', () => {
  test('enabling needs two consecutive codes; then sign-in asks for a code and the account summary counts it', async () => {
    const { serial, seed } = await newDevice('root-account-mfa-device');
    assert.equal((await summary())['AccountMFAEnabled'], 0);
    assert.deepEqual([(await summary())['MFADevices'], (await summary())['MFADevicesInUse']], [1, 0], 'created, not in use');
    const wrong = codeAt(seed, STEP) === '000000' ? '000001' : '000000';
    assert.equal(
      await outcome(change({ action: 'enableMfa', serialNumber: serial, authenticationCode1: wrong, authenticationCode2: codeAt(seed, STEP) })),
      '403 InvalidAuthenticationCode: Authentication code for device is not valid.',
    );
    assert.equal(
      await outcome(change({ action: 'enableMfa', password: 'Wrong-password-1', serialNumber: serial, authenticationCode1: codeAt(seed, STEP - 1), authenticationCode2: codeAt(seed, STEP) })),
      '401 SignInFailed: The current password is incorrect.',
    );
    assert.equal((await summary())['AccountMFAEnabled'], 0, 'refusals assigned nothing');
    await change({ action: 'enableMfa', serialNumber: serial, authenticationCode1: codeAt(seed, STEP - 1), authenticationCode2: codeAt(seed, STEP) });
    assert.deepEqual([(await summary())['AccountMFAEnabled'], (await summary())['MFADevicesInUse']], [1, 1]);

    // The IAM API shows root's device as AWS does: ListMFADevices with root's own credentials, ListVirtualMFADevices' User.
    assert.deepEqual(((await r.run('ListMFADevices', {}))['MFADevices'] as Array<{ SerialNumber: string }>).map((d) => d.SerialNumber), [serial]);
    const listed = (await r.run('ListVirtualMFADevices', { AssignmentStatus: 'Assigned' }))['VirtualMFADevices'] as Array<{ SerialNumber: string; User: { Arn: string; UserId: string } }>;
    assert.deepEqual(listed.map((d) => [d.SerialNumber, d.User.Arn, d.User.UserId]), [[serial, `arn:aws:iam::${TEST_ACCOUNT}:root`, TEST_ACCOUNT]]);
    await assert.rejects(r.run('DeleteVirtualMFADevice', { SerialNumber: serial }), /deactivate it first/);

    // Sign-in: the password alone no longer does; the code used to enable cannot be replayed; the next one can.
    const later = new Date(NOW.getTime() + 30_000);
    assert.match(await outcome(signIn({}, later)), /^401 MfaRequired/);
    assert.equal(await outcome(signIn({ mfaCode: codeAt(seed, STEP) }, later)), generic);
    const session = await signIn({ mfaCode: codeAt(seed, STEP + 1) }, later);
    assert.equal(session.mfaAuthenticated, true);
    assert.equal(openSessionToken(RING, session.credentials.sessionToken)?.mfaAuthTime, later.toISOString());
    // The credential report's <root_account> row: MFA active, the password used at that sign-in.
    r.setClock(later);
    await r.run('GenerateCredentialReport', {});
    const [header = '', rootRow = ''] = Buffer.from((await r.run('GetCredentialReport', {}))['Content'] as Uint8Array).toString('utf8').split('\n');
    const cells = Object.fromEntries(header.split(',').map((column, i) => [column, rootRow.split(',')[i]]));
    assert.deepEqual([cells['user'], cells['mfa_active'], cells['password_last_used']], ['<root_account>', 'true', `${later.toISOString().slice(0, 19)}+00:00`]);

    // Every further change needs a code too.
    const muchLater = new Date(NOW.getTime() + 60_000);
    assert.match(await outcome(change({ action: 'changePassword', newPassword: 'New-password-2' }, muchLater)), /^401 MfaRequired/);
    assert.match(await outcome(change({ action: 'removeMfa', serialNumber: serial, mfaCode: wrong }, muchLater)), /^401 InvalidAuthenticationCode/);
    assert.deepEqual(await change({ action: 'removeMfa', serialNumber: serial, mfaCode: codeAt(seed, STEP + 2) }, muchLater), { removed: serial });
    assert.deepEqual([(await summary())['AccountMFAEnabled'], (await summary())['MFADevices']], [0, 0]);
    assert.equal((await signIn({}, muchLater)).mfaAuthenticated, false);
  });

  test('through the API only an AssumeRoot session may deactivate a root device (IAMDeleteRootUserCredentials)', async () => {
    const { serial, seed } = await newDevice('root-account-mfa-device');
    await change({ action: 'enableMfa', serialNumber: serial, authenticationCode1: codeAt(seed, STEP - 1), authenticationCode2: codeAt(seed, STEP) });
    await assert.rejects(r.run('DeactivateMFADevice', { SerialNumber: serial }), /cannot be found/, "root's own credentials: not through the API");
    assert.deepEqual(await r.run('DeactivateMFADevice', { SerialNumber: serial }, { ...ROOT_CALLER, session: taskClaims() }), {});
    assert.deepEqual([(await summary())['AccountMFAEnabled'], (await summary())['MFADevices'], (await summary())['MFADevicesInUse']], [0, 1, 0]);
    assert.equal((await signIn({})).mfaAuthenticated, false, 'root signs in with its password alone again');
  });

  test('an AssumeRoot session\'s DeleteLoginProfile deletes the console password: root signs in no more', async () => {
    const task = { ...ROOT_CALLER, session: taskClaims() };
    assert.equal(((await r.run('GetLoginProfile', {}, task))['LoginProfile'] as { UserName: string }).UserName, '<root_account>');
    await assert.rejects(r.run('CreateLoginProfile', {}, task), /already exists/);
    assert.deepEqual(await r.run('DeleteLoginProfile', {}, task), {});
    assert.equal(await outcome(signIn({})), generic);
    assert.equal(await outcome(change({ action: 'changePassword', newPassword: 'New-password-2' })), '401 SignInFailed: The current password is incorrect.');
    await assert.rejects(r.run('GetLoginProfile', {}, task), /cannot be found/);
  });

  test('a device in use by an IAM user cannot become root\'s, nor be removed as root\'s', async () => {
    await r.run('CreateUser', { UserName: 'alice' });
    const { serial, seed } = await newDevice('alice');
    await r.run('EnableMFADevice', { UserName: 'alice', SerialNumber: serial, AuthenticationCode1: codeAt(seed, STEP - 2), AuthenticationCode2: codeAt(seed, STEP - 1) });
    assert.equal(
      await outcome(change({ action: 'enableMfa', serialNumber: serial, authenticationCode1: codeAt(seed, STEP - 1), authenticationCode2: codeAt(seed, STEP) })),
      '409 EntityAlreadyExists: MFA device is already in use.',
    );
    assert.match(await outcome(change({ action: 'removeMfa', serialNumber: serial })), /^404 NoSuchEntity/);
    assert.equal((await summary())['AccountMFAEnabled'], 0);
    assert.deepEqual((await r.run('ListMFADevices', {}))['MFADevices'], [], "alice's device is not root's");
  });
});

test('parseRootCredentialsInput takes the expected strings and refuses anything else', () => {
  assert.deepEqual(parseRootCredentialsInput({ action: 'changePassword', account: ' 111122223333 ', password: 'p', newPassword: 'q', mfaCode: '' }), {
    action: 'changePassword',
    account: '111122223333',
    password: 'p',
    newPassword: 'q',
  });
  assert.deepEqual(parseRootCredentialsInput({ action: 'removeMfa', account: 'a', password: 'p', serialNumber: 's', mfaCode: ' 123456 ' }), {
    action: 'removeMfa',
    account: 'a',
    password: 'p',
    serialNumber: 's',
    mfaCode: '123456',
  });
  const refused: unknown[] = [
    null,
    [],
    { action: 'deleteRoot', account: 'a', password: 'p' },
    { action: 'changePassword', account: 'a', password: 'p' },
    { action: 'enableMfa', account: 'a', password: 'p', serialNumber: 's', authenticationCode1: '1' },
    { action: 'changePassword', account: 'a', password: 1, newPassword: 'q' },
    Object.create({ action: 'changePassword', account: 'a', password: 'p', newPassword: 'q' }) as object,
  ];
  for (const body of refused) assert.throws(() => parseRootCredentialsInput(body), (e: unknown) => e instanceof ConsoleSignInError && e.status === 400, JSON.stringify(body));
});
