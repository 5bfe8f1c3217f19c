// The credential report (GenerateCredentialReport, GetCredentialReport) through the AWS SDK for JavaScript v3, boto3
// and the AWS CLI v2 against a real server: the CSV's columns and values, the four-hour rule and the errors.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { awsCli } from './helpers/aws-cli.js';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, type Key } from './helpers/clients.js';
import { REGION, ROOT_KEY, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const COLUMNS = [
  'user', 'arn', 'user_creation_time', 'password_enabled', 'password_last_used', 'password_last_changed', 'password_next_rotation', 'mfa_active',
  'access_key_1_active', 'access_key_1_last_rotated', 'access_key_1_last_used_date', 'access_key_1_last_used_region', 'access_key_1_last_used_service',
  'access_key_2_active', 'access_key_2_last_rotated', 'access_key_2_last_used_date', 'access_key_2_last_used_region', 'access_key_2_last_used_service',
  'cert_1_active', 'cert_1_last_rotated', 'cert_2_active', 'cert_2_last_rotated',
];
const NOT_PRESENT = 'The request was rejected because the credential report does not exist. To generate a credential report, use GenerateCredentialReport.';
const EXPIRED = 'The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.';
const STARTED = { State: 'STARTED', Description: 'No report exists. Starting a new report generation task' };
const FOUR_HOURS = 4 * 3_600_000;

/** The report's date format: ISO 8601 to the second, +00:00. */
const d = (date: Date | undefined): string => `${(date ?? new Date(Number.NaN)).toISOString().slice(0, 19)}+00:00`;

/** The CSV by row: user name → column → value. No field here holds a comma, so a split is a parse. */
function parse(csv: string): { header: string[]; rows: Map<string, Record<string, string>> } {
  const [header = '', ...lines] = csv.split('\n');
  const columns = header.split(',');
  const rows = new Map<string, Record<string, string>>();
  for (const line of lines) {
    const cells = line.split(',');
    assert.equal(cells.length, columns.length, line);
    rows.set(cells[0] ?? '', Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ''])));
  }
  return { header: columns, rows };
}

describe('SDK v3', () => {
  // The server's clock runs `offset` ms ahead of real time; clients sign with the same offset.
  let offset = 0;
  const server = useTestServer({}, { clock: () => new Date(Date.now() + offset) });
  const iam = (key: Key = ROOT_KEY): IAMClient =>
    new IAMClient({ endpoint: server.endpoint, region: REGION, credentials: key, maxAttempts: 1, systemClockOffset: offset });
  let generated: Date | undefined;

  test('before any report: ReportNotPresent (410)', async () => {
    assert.deepEqual(await failure(iam().send(new GetCredentialReportCommand({}))), { name: 'CredentialReportNotPresentException', message: NOT_PRESENT, status: 410 });
  });

  test('the report: root and user rows, each field as the other operations report it', async () => {
    const root = iam();
    await root.send(new CreateUserCommand({ UserName: 'sdk-user', Path: '/e2e/' }));
    await root.send(new PutUserPolicyCommand({
      UserName: 'sdk-user',
      PolicyName: 'self',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }] }),
    }));
    await root.send(new CreateLoginProfileCommand({ UserName: 'sdk-user', Password: 'Corr3ct-horse!' }));
    const created = (await root.send(new CreateAccessKeyCommand({ UserName: 'sdk-user' }))).AccessKey;
    const key = { accessKeyId: created?.AccessKeyId ?? '', secretAccessKey: created?.SecretAccessKey ?? '' };
    await iam(key).send(new GetUserCommand({}));
    // Uses are written in batches (about every second): wait until this one is.
    let used = (await root.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.accessKeyId }))).AccessKeyLastUsed;
    for (let waited = 0; used?.LastUsedDate === undefined && waited < 5000; waited += 100) {
      await sleep(100);
      used = (await root.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.accessKeyId }))).AccessKeyLastUsed;
    }
    assert.ok(used?.LastUsedDate instanceof Date, 'the key use is recorded within 5 s');

    const before = Date.now();
    const started = await root.send(new GenerateCredentialReportCommand({}));
    assert.deepEqual({ State: started.State, Description: started.Description }, STARTED);
    const report = await root.send(new GetCredentialReportCommand({}));
    assert.equal(report.ReportFormat, 'text/csv');
    assert.ok(report.Content instanceof Uint8Array);
    assert.ok(report.GeneratedTime instanceof Date);
    assert.ok(report.GeneratedTime.getTime() >= before - 1000 && report.GeneratedTime.getTime() <= Date.now(), String(report.GeneratedTime));
    generated = report.GeneratedTime;
    const { header, rows } = parse(Buffer.from(report.Content).toString('utf8'));
    assert.deepEqual(header, COLUMNS);
    assert.deepEqual([...rows.keys()], ['<root_account>', 'sdk-user']);

    const rootUser = (await root.send(new GetUserCommand({}))).User;
    const rootKey = (await root.send(new ListAccessKeysCommand({}))).AccessKeyMetadata?.[0];
    const rootRow = rows.get('<root_account>');
    assert.equal(rootRow?.['arn'], `arn:aws:iam::${A}:root`);
    assert.equal(rootRow?.['user_creation_time'], d(rootUser?.CreateDate));
    // The account was created when this server first started, moments ago.
    assert.ok((rootUser?.CreateDate?.getTime() ?? 0) > before - 600_000);
    assert.deepEqual(
      [rootRow?.['password_enabled'], rootRow?.['password_last_used'], rootRow?.['password_last_changed'], rootRow?.['password_next_rotation'], rootRow?.['mfa_active']],
      ['not_supported', 'no_information', 'not_supported', 'not_supported', 'false'],
    );
    assert.equal(rootKey?.AccessKeyId, ROOT_KEY.accessKeyId);
    assert.deepEqual([rootRow?.['access_key_1_active'], rootRow?.['access_key_1_last_rotated']], ['true', d(rootKey?.CreateDate)]);
    // The root key signs every request here: used, by IAM, in the signing region.
    assert.match(rootRow?.['access_key_1_last_used_date'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.deepEqual([rootRow?.['access_key_1_last_used_service'], rootRow?.['access_key_1_last_used_region']], ['iam', REGION]);
    assert.deepEqual([rootRow?.['access_key_2_active'], rootRow?.['cert_1_active'], rootRow?.['cert_2_active']], ['false', 'false', 'false']);

    const user = (await root.send(new GetUserCommand({ UserName: 'sdk-user' }))).User;
    const profile = (await root.send(new GetLoginProfileCommand({ UserName: 'sdk-user' }))).LoginProfile;
    const row = rows.get('sdk-user');
    assert.deepEqual(row, {
      user: 'sdk-user',
      arn: `arn:aws:iam::${A}:user/e2e/sdk-user`,
      user_creation_time: d(user?.CreateDate),
      password_enabled: 'true',
      // GetUser has no PasswordLastUsed: the password was never used.
      password_last_used: user?.PasswordLastUsed === undefined ? 'no_information' : d(user.PasswordLastUsed),
      password_last_changed: d(profile?.CreateDate),
      password_next_rotation: 'N/A',
      mfa_active: 'false',
      access_key_1_active: 'true',
      access_key_1_last_rotated: d(created?.CreateDate),
      access_key_1_last_used_date: d(used.LastUsedDate),
      access_key_1_last_used_region: used.Region,
      access_key_1_last_used_service: used.ServiceName,
      access_key_2_active: 'false',
      access_key_2_last_rotated: 'N/A',
      access_key_2_last_used_date: 'N/A',
      access_key_2_last_used_region: 'N/A',
      access_key_2_last_used_service: 'N/A',
      cert_1_active: 'false',
      cert_1_last_rotated: 'N/A',
      cert_2_active: 'false',
      cert_2_last_rotated: 'N/A',
    });
    assert.deepEqual([used.ServiceName, used.Region], ['iam', REGION]);
  });

  test('within four hours GenerateCredentialReport answers COMPLETE and the report stays the same', async () => {
    const again = await iam().send(new GenerateCredentialReportCommand({}));
    assert.equal(again.State, 'COMPLETE');
    assert.equal(again.Description, undefined);
    assert.deepEqual((await iam().send(new GetCredentialReportCommand({}))).GeneratedTime, generated);
  });

  test('permissions: iam:GenerateCredentialReport and iam:GetCredentialReport on "*"', async () => {
    const root = iam();
    await root.send(new CreateUserCommand({ UserName: 'auditor' }));
    const created = (await root.send(new CreateAccessKeyCommand({ UserName: 'auditor' }))).AccessKey;
    const auditor = iam({ accessKeyId: created?.AccessKeyId ?? '', secretAccessKey: created?.SecretAccessKey ?? '' });
    for (const [action, command] of [['GenerateCredentialReport', new GenerateCredentialReportCommand({})], ['GetCredentialReport', new GetCredentialReportCommand({})]] as const) {
      assert.deepEqual(await failure(auditor.send(command)), {
        name: 'AccessDenied',
        message: `User: arn:aws:iam::${A}:user/auditor is not authorized to perform: iam:${action} on resource: * because no identity-based policy allows the iam:${action} action`,
        status: 403,
      });
    }
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GenerateCredentialReport', 'iam:GetCredentialReport'], Resource: '*' }] };
    await root.send(new PutUserPolicyCommand({ UserName: 'auditor', PolicyName: 'audit', PolicyDocument: JSON.stringify(policy) }));
    assert.equal((await auditor.send(new GenerateCredentialReportCommand({}))).State, 'COMPLETE');
    assert.deepEqual((await auditor.send(new GetCredentialReportCommand({}))).GeneratedTime, generated);
  });

  test('four hours on, the report has expired (410) until GenerateCredentialReport makes a new one', async () => {
    offset = FOUR_HOURS + 60_000;
    try {
      assert.deepEqual(await failure(iam().send(new GetCredentialReportCommand({}))), { name: 'CredentialReportExpiredException', message: EXPIRED, status: 410 });
      const renewed = await iam().send(new GenerateCredentialReportCommand({}));
      assert.equal(renewed.State, 'STARTED');
      const report = await iam().send(new GetCredentialReportCommand({}));
      assert.ok((report.GeneratedTime?.getTime() ?? 0) >= (generated?.getTime() ?? Infinity) + FOUR_HOURS);
      // The auditor made since the first report is in the new one.
      assert.deepEqual([...parse(Buffer.from(report.Content ?? new Uint8Array()).toString('utf8')).rows.keys()], ['<root_account>', 'auditor', 'sdk-user']);
    } finally {
      offset = 0;
    }
  });
});

const PYTHON = '/usr/bin/python3';
const noBoto3 = existsSync(PYTHON) ? false : 'python3 (with boto3) is not installed';

describe('boto3', { skip: noBoto3 }, () => {
  const server = useTestServer();

  test('ReportNotPresent, STARTED then COMPLETE, and a CSV that csv.reader parses into every column', async () => {
    const seen = await runBoto3Script<Record<string, unknown>>('boto3_credential_report.py', server.endpoint);
    assert.deepEqual(seen['not_present'], { code: 'ReportNotPresent', message: NOT_PRESENT, status: 410, class: 'CredentialReportNotPresentException' });
    assert.deepEqual(seen['first'], STARTED);
    assert.deepEqual(seen['second'], { State: 'COMPLETE', Description: null });
    assert.equal(seen['content_type'], 'bytes');
    assert.equal(seen['format'], 'text/csv');
    assert.equal(seen['generated_type'], 'datetime');
    assert.deepEqual(seen['header'], COLUMNS);
    const rows = seen['rows'] as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(rows), ['<root_account>', 'py-user']);
    const root = rows['<root_account>'];
    assert.equal(root?.['arn'], `arn:aws:iam::${A}:root`);
    assert.equal(root?.['user_creation_time'], `${String(seen['root_create_date']).slice(0, 19)}+00:00`);
    assert.equal(root?.['password_enabled'], 'not_supported');
    const user = rows['py-user'];
    assert.equal(user?.['arn'], `arn:aws:iam::${A}:user/py/py-user`);
    assert.deepEqual([user?.['password_enabled'], user?.['password_last_used'], user?.['mfa_active']], ['true', 'no_information', 'false']);
    // The key was never used: active, created then, no use recorded.
    assert.deepEqual(
      [user?.['access_key_1_active'], user?.['access_key_1_last_rotated'], user?.['access_key_1_last_used_date'], user?.['access_key_1_last_used_region'], user?.['access_key_1_last_used_service']],
      ['true', `${String(seen['key_created']).slice(0, 19)}+00:00`, 'N/A', 'N/A', 'N/A'],
    );
  });
});

const AWS = '/usr/bin/aws';
const noCli = existsSync(AWS) ? false : 'the AWS CLI v2 is not installed';

describe('AWS CLI v2', { skip: noCli }, () => {
  const server = useTestServer();

  test('get-credential-report before generate-credential-report fails; then the base64 Content is the CSV', async () => {
    const missing = await awsCli(server.endpoint, ['iam', 'get-credential-report']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /\(ReportNotPresent\) when calling the GetCredentialReport operation: The request was rejected because the credential report does not exist\./);

    await awsCli(server.endpoint, ['iam', 'create-user', '--user-name', 'cli-user']);
    const generated = await awsCli(server.endpoint, ['iam', 'generate-credential-report']);
    assert.equal(generated.code, 0, generated.stderr);
    assert.deepEqual(JSON.parse(generated.stdout), STARTED);
    const again = await awsCli(server.endpoint, ['iam', 'generate-credential-report']);
    assert.deepEqual(JSON.parse(again.stdout), { State: 'COMPLETE' });

    const got = await awsCli(server.endpoint, ['iam', 'get-credential-report']);
    assert.equal(got.code, 0, got.stderr);
    const report = JSON.parse(got.stdout) as { Content: string; ReportFormat: string; GeneratedTime: string };
    assert.equal(report.ReportFormat, 'text/csv');
    assert.match(report.GeneratedTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    // The CLI prints a blob in base64, as the API reference describes Content.
    assert.match(report.Content, /^[A-Za-z0-9+/]+={0,2}$/);
    const { header, rows } = parse(Buffer.from(report.Content, 'base64').toString('utf8'));
    assert.deepEqual(header, COLUMNS);
    assert.deepEqual([...rows.keys()], ['<root_account>', 'cli-user']);
    assert.deepEqual(rows.get('cli-user'), {
      ...Object.fromEntries(COLUMNS.map((c) => [c, c.endsWith('_active') || c === 'password_enabled' ? 'false' : 'N/A'])),
      user: 'cli-user',
      arn: `arn:aws:iam::${A}:user/cli-user`,
      user_creation_time: rows.get('cli-user')?.['user_creation_time'],
    });
    assert.match(rows.get('cli-user')?.['user_creation_time'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  });
});
