import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { defineOperations, type OperationContext, type Params } from '../operation.js';
import { codeAt, timeStep } from '../sts/totp.js';
import { rejects, ROOT_CALLER, runner, TEST_ACCOUNT, userCaller } from '../testing.js';
import { ACCESS_KEY_OPERATIONS, recordAccessKeyUse } from './access-keys.js';
import { recordAccountCreation } from './account-creation.js';
import { CREDENTIAL_REPORT_OPERATIONS } from './credential-report.js';
import { KIND } from './kinds.js';
import { LOGIN_PROFILE_OPERATIONS } from './login-profiles.js';
import { MFA_DEVICE_OPERATIONS } from './mfa-devices.js';
import { PASSWORD_POLICY_OPERATIONS } from './password-policy.js';
import { SIGNING_CERTIFICATE_OPERATIONS } from './signing-certificates.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([
  ...USER_OPERATIONS,
  ...ACCESS_KEY_OPERATIONS,
  ...LOGIN_PROFILE_OPERATIONS,
  ...PASSWORD_POLICY_OPERATIONS,
  ...SIGNING_CERTIFICATE_OPERATIONS,
  ...MFA_DEVICE_OPERATIONS,
  ...CREDENTIAL_REPORT_OPERATIONS,
]);

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const ARN = `arn:aws:iam::${TEST_ACCOUNT}`;
const NO_REPORT = ['ReportNotPresent', 410, 'The request was rejected because the credential report does not exist. To generate a credential report, use GenerateCredentialReport.'] as const;
const EXPIRED = ['ReportExpired', 410, 'The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.'] as const;

// Self-signed certificates by openssl are in force from now for 30 days: the clock runs from an hour on.
const OPENSSL = '/usr/bin/openssl';
const skip = existsSync(OPENSSL) ? false : 'openssl is not installed';
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
function selfSigned(): string {
  const base = join(dir, `c${counter++}`);
  execFileSync(OPENSSL, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.pem`, '-days', '30', '-subj', `/CN=r${counter}`], { stdio: 'ignore' });
  return readFileSync(`${base}.pem`, 'utf8');
}

const BASE = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
const at = (minutes: number): Date => new Date(BASE.getTime() + minutes * 60_000);
/** The report's date format, written out here rather than taken from the code under test. */
const d = (date: Date): string => `${date.toISOString().slice(0, 19)}+00:00`;
const HOUR = 60;

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
  await store.transaction((tx) => recordAccountCreation(tx, TEST_ACCOUNT, at(-10 * 24 * HOUR)));
});
afterEach(() => store.close());

async function run(minutes: number, name: string, params: Params = {}, caller: Caller = ROOT_CALLER): Promise<Record<string, unknown>> {
  iam.setClock(at(minutes));
  return iam.run(name, params, caller);
}

async function report(minutes: number, caller: Caller = ROOT_CALLER): Promise<{ csv: string; generated: Date; format: unknown }> {
  const out = await run(minutes, 'GetCredentialReport', {}, caller);
  assert.ok(out['Content'] instanceof Uint8Array);
  return { csv: Buffer.from(out['Content']).toString('utf8'), generated: out['GeneratedTime'] as Date, format: out['ReportFormat'] };
}

const lines = (csv: string): string[] => csv.split('\n');
const row = (csv: string, user: string): Record<string, string> => {
  const [header = '', ...rest] = lines(csv);
  const columns = header.split(',');
  const cells = rest.map((l) => l.split(',')).find((c) => c[0] === user);
  assert.ok(cells !== undefined, `a row for ${user}`);
  return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));
};

const keyId = (out: Record<string, unknown>): string => (out['AccessKey'] as { AccessKeyId: string }).AccessKeyId;

test('GetCredentialReport before any report: ReportNotPresent (410)', async () => {
  await rejects(run(0, 'GetCredentialReport'), ...NO_REPORT);
});

test('the report, exactly: root first, users by name, passwords, rotation, MFA, keys in age order, certificates', { skip }, async () => {
  await run(0, 'UpdateAccountPasswordPolicy', { MaxPasswordAge: 90 });
  const rootKey = keyId(await run(1, 'CreateAccessKey'));
  await run(2, 'CreateUser', { UserName: 'carol' });
  await run(3, 'CreateUser', { UserName: 'alice', Path: '/eng/' });
  await run(4, 'CreateUser', { UserName: 'Bob' });
  await run(5, 'CreateLoginProfile', { UserName: 'alice', Password: 'Corr3ct-horse!' });
  const older = keyId(await run(6, 'CreateAccessKey', { UserName: 'alice' }));
  const newer = keyId(await run(7, 'CreateAccessKey', { UserName: 'alice' }));
  await run(8, 'UpdateAccessKey', { UserName: 'alice', AccessKeyId: newer, Status: 'Inactive' });
  await store.transaction((tx) => recordAccessKeyUse(tx, TEST_ACCOUNT, older, { date: at(9), service: 'sts', region: 'eu-west-1' }));
  await store.transaction((tx) => recordAccessKeyUse(tx, TEST_ACCOUNT, rootKey, { date: at(10), service: 'iam', region: 'us-east-1' }));
  const cert = (await run(11, 'UploadSigningCertificate', { UserName: 'alice', CertificateBody: selfSigned() }))['Certificate'] as { CertificateId: string };
  await run(12, 'UploadSigningCertificate', { UserName: 'alice', CertificateBody: selfSigned() });
  await run(13, 'UpdateSigningCertificate', { UserName: 'alice', CertificateId: cert.CertificateId, Status: 'Inactive' });
  await run(14, 'UploadSigningCertificate', { CertificateBody: selfSigned() });
  // carol: an enabled virtual MFA device, and a password set later (its rotation counts from then).
  const device = await run(15, 'CreateVirtualMFADevice', { VirtualMFADeviceName: 'carol-phone' });
  const seed = Buffer.from((device['VirtualMFADevice'] as { Base32StringSeed: Uint8Array }).Base32StringSeed).toString('ascii');
  const step = timeStep(at(15));
  await run(15, 'EnableMFADevice', {
    UserName: 'carol',
    SerialNumber: `${ARN}:mfa/carol-phone`,
    AuthenticationCode1: codeAt(seed, step - 1),
    AuthenticationCode2: codeAt(seed, step),
  });
  await run(16, 'CreateLoginProfile', { UserName: 'carol', Password: 'An0ther-secret!' });
  await run(17, 'UpdateLoginProfile', { UserName: 'carol', Password: 'Th1rd-secret!!' });

  assert.deepEqual(await run(20, 'GenerateCredentialReport'), { State: 'STARTED', Description: 'No report exists. Starting a new report generation task' });
  const { csv, generated, format } = await report(21);
  assert.equal(format, 'text/csv');
  assert.deepEqual(generated, at(20));
  const days90 = 90 * 24 * HOUR;
  assert.equal(
    csv,
    [
      HEADER,
      `<root_account>,${ARN}:root,${d(at(-10 * 24 * HOUR))},not_supported,no_information,not_supported,not_supported,false,` +
        `true,${d(at(1))},${d(at(10))},us-east-1,iam,false,N/A,N/A,N/A,N/A,true,${d(at(14))},false,N/A`,
      `alice,${ARN}:user/eng/alice,${d(at(3))},true,no_information,${d(at(5))},${d(at(5 + days90))},false,` +
        `true,${d(at(6))},${d(at(9))},eu-west-1,sts,false,${d(at(7))},N/A,N/A,N/A,false,${d(at(11))},true,${d(at(12))}`,
      `Bob,${ARN}:user/Bob,${d(at(4))},false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`,
      `carol,${ARN}:user/carol,${d(at(2))},true,no_information,${d(at(17))},${d(at(17 + days90))},true,` +
        'false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
    ].join('\n'),
  );
});

test('without a password policy that expires passwords, password_next_rotation is N/A', async () => {
  await run(0, 'CreateUser', { UserName: 'dora' });
  await run(1, 'CreateLoginProfile', { UserName: 'dora', Password: 'Corr3ct-horse!' });
  await run(2, 'GenerateCredentialReport');
  const dora = row((await report(3)).csv, 'dora');
  assert.deepEqual([dora['password_enabled'], dora['password_last_changed'], dora['password_next_rotation']], ['true', d(at(1)), 'N/A']);
});

test('one source of truth: the report says what GetAccessKeyLastUsed, GetUser and ListUsers say', async () => {
  await run(0, 'CreateUser', { UserName: 'erin' });
  await run(0, 'CreateLoginProfile', { UserName: 'erin', Password: 'Corr3ct-horse!' });
  const key = keyId(await run(1, 'CreateAccessKey', { UserName: 'erin' }));
  await store.transaction((tx) => recordAccessKeyUse(tx, TEST_ACCOUNT, key, { date: at(2), service: 'iam', region: 'us-east-1' }));
  // A password use carried over from elsewhere (Gatehouse itself has no console to record one).
  await store.transaction(async (tx) => {
    const user = await tx.get(KIND.user, TEST_ACCOUNT, 'erin');
    assert.ok(user !== undefined);
    await tx.update({ ...user, data: { ...user.data, passwordLastUsed: at(3).toISOString() } });
  });
  await run(4, 'GenerateCredentialReport');
  const { csv } = await report(5);
  const erin = row(csv, 'erin');
  const used = (await run(5, 'GetAccessKeyLastUsed', { AccessKeyId: key }))['AccessKeyLastUsed'] as { LastUsedDate: Date; ServiceName: string; Region: string };
  assert.deepEqual(
    [erin['access_key_1_last_used_date'], erin['access_key_1_last_used_service'], erin['access_key_1_last_used_region']],
    [d(used.LastUsedDate), used.ServiceName, used.Region],
  );
  const user = (await run(5, 'GetUser', { UserName: 'erin' }))['User'] as { PasswordLastUsed: Date; CreateDate: Date };
  assert.equal(erin['password_last_used'], d(user.PasswordLastUsed));
  assert.equal(erin['user_creation_time'], d(user.CreateDate));
  const listed = ((await run(5, 'ListUsers'))['Users'] as Array<{ PasswordLastUsed?: Date }>)[0];
  assert.deepEqual(listed?.PasswordLastUsed, user.PasswordLastUsed);
  const root = (await run(5, 'GetUser'))['User'] as { CreateDate: Date };
  assert.equal(row(csv, '<root_account>')['user_creation_time'], d(root.CreateDate));
  assert.deepEqual(root.CreateDate, at(-10 * 24 * HOUR));
});

test('a report younger than four hours stays (COMPLETE); after four hours it expires and a new one is made', async () => {
  await run(0, 'CreateUser', { UserName: 'first' });
  await run(1, 'GenerateCredentialReport');
  await run(2, 'CreateUser', { UserName: 'second' });
  // AWS leaves Description out of COMPLETE.
  assert.deepEqual(await run(4 * HOUR, 'GenerateCredentialReport'), { State: 'COMPLETE' });
  const kept = await report(4 * HOUR);
  assert.deepEqual(kept.generated, at(1));
  assert.deepEqual(lines(kept.csv).map((l) => l.split(',')[0]), ['user', '<root_account>', 'first']);

  await rejects(run(4 * HOUR + 1, 'GetCredentialReport'), ...EXPIRED);
  assert.deepEqual(await run(4 * HOUR + 1, 'GenerateCredentialReport'), {
    State: 'STARTED',
    Description: 'The report is older than 4 hours. Starting a new report generation task',
  });
  const fresh = await report(4 * HOUR + 2);
  assert.deepEqual(fresh.generated, at(4 * HOUR + 1));
  assert.deepEqual(lines(fresh.csv).map((l) => l.split(',')[0]), ['user', '<root_account>', 'first', 'second']);
  assert.deepEqual(await run(4 * HOUR + 3, 'GenerateCredentialReport'), { State: 'COMPLETE' });
});

test('a report is its account\'s: another account has none', async () => {
  await run(0, 'GenerateCredentialReport');
  const other: Caller = { ...ROOT_CALLER, account: '444455556666', arn: 'arn:aws:iam::444455556666:root', userId: '444455556666' };
  await rejects(run(1, 'GetCredentialReport', {}, other), ...NO_REPORT);
  assert.equal((await report(1)).csv.split('\n')[1]?.startsWith(`<root_account>,${ARN}:root,`), true);
});

test('a renamed user keeps its keys in its row; a deleted user leaves the next report', async () => {
  await run(0, 'CreateUser', { UserName: 'fred' });
  await run(1, 'CreateAccessKey', { UserName: 'fred' });
  await run(2, 'UpdateUser', { UserName: 'fred', NewUserName: 'frederick' });
  await run(3, 'CreateUser', { UserName: 'gone' });
  await run(4, 'GenerateCredentialReport');
  const before = (await report(5)).csv;
  assert.equal(row(before, 'frederick')['access_key_1_active'], 'true');
  assert.equal(row(before, 'frederick')['access_key_1_last_rotated'], d(at(1)));
  await run(6, 'DeleteUser', { UserName: 'gone' });
  await run(4 * HOUR + 4, 'GenerateCredentialReport');
  assert.ok(!lines((await report(4 * HOUR + 5)).csv).some((l) => l.startsWith('gone,')));
});

test('both actions are authorized against "*", whoever calls', async () => {
  await store.transaction(async (tx) => {
    const ctx = { caller: userCaller('alice'), account: TEST_ACCOUNT, tx, now: BASE, requestId: 'r', services: {} } as unknown as OperationContext;
    for (const name of ['GenerateCredentialReport', 'GetCredentialReport']) {
      assert.equal(await OPERATIONS.get(`iam:${name}`)?.resource(ctx, {}), '*');
    }
  });
});
