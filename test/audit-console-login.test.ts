// The web console's sign-ins in the audit trail, end to end: sign in through the HTTP endpoint, then read the
// ConsoleLogin (and CheckMfa) events back with the AWS SDK v3, Debian's AWS CLI v2 and boto3, field by field.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { CloudTrailClient, LookupEventsCommand, type Event, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { CreateLoginProfileCommand, CreateUserCommand, CreateVirtualMFADeviceCommand, EnableMFADeviceCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { codeAt, timeStep } from '../src/core/sts/totp.js';
import { awsCli } from './helpers/aws-cli.js';
import { runBoto3Script } from './helpers/boto3.js';
import { iamClient } from './helpers/clients.js';
import { REGION, ROOT_KEY, TEST_ACCOUNT_ID, useTestServer, type TestServerHandle } from './helpers/server.js';

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SIGN_IN = '/_gatehouse/console/sign-in';
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) gatehouse-console-login-test/1.0';
const PASSWORD = `Pw-${randomBytes(9).toString('base64url')}!1a`;
const ROOT_PASSWORD = `Root-${randomBytes(9).toString('base64url')}!1a`;
const WRONG_PASSWORD = `Wrong-${randomBytes(9).toString('base64url')}!1a`;
const UNKNOWN_USER = `ghost-${randomBytes(4).toString('hex')}`;

async function signIn(endpoint: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; body: Rec }> {
  const response = await fetch(`${endpoint}${SIGN_IN}`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'user-agent': USER_AGENT },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Rec };
}

function cloudTrail(endpoint: string): CloudTrailClient {
  return new CloudTrailClient({ endpoint, region: REGION, credentials: ROOT_KEY, maxAttempts: 1 });
}

async function allEvents(endpoint: string, input: LookupEventsCommandInput): Promise<Event[]> {
  const found: Event[] = [];
  let token: string | undefined;
  do {
    const page = await cloudTrail(endpoint).send(new LookupEventsCommand({ ...input, ...(token !== undefined ? { NextToken: token } : {}) }));
    found.push(...(page.Events ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return found;
}

const byName = (name: string): LookupEventsCommandInput => ({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] });
const ORDER = ['eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'errorMessage', 'requestParameters', 'responseElements', 'additionalEventData', 'eventID', 'readOnly', 'eventType', 'managementEvent', 'recipientAccountId', 'eventCategory'];
const recordOf = (event: Event): Rec => JSON.parse(event.CloudTrailEvent ?? '{}') as Rec;

/** Every string anywhere in a value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return [...Object.keys(value), ...Object.values(value).flatMap(strings)];
  return [];
}

describe('ConsoleLogin events (audit on)', () => {
  const server: TestServerHandle = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD });
  let anaya: { id: string; arn: string };
  let erin: { id: string; serial: string };
  const codes: string[] = [];
  let signedInAt: number;

  before(async () => {
    const iam = iamClient(server.endpoint);
    const created = (await iam.send(new CreateUserCommand({ UserName: 'anaya', Path: '/staff/' }))).User;
    anaya = { id: created?.UserId ?? '', arn: created?.Arn ?? '' };
    await iam.send(new CreateLoginProfileCommand({ UserName: 'anaya', Password: PASSWORD }));
    const erinUser = (await iam.send(new CreateUserCommand({ UserName: 'erin' }))).User;
    await iam.send(new CreateLoginProfileCommand({ UserName: 'erin', Password: PASSWORD }));
    const device = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'erin' }))).VirtualMFADevice;
    const seed = Buffer.from(device?.Base32StringSeed ?? new Uint8Array()).toString('ascii');
    const step = timeStep(new Date());
    await iam.send(new EnableMFADeviceCommand({ UserName: 'erin', SerialNumber: device?.SerialNumber, AuthenticationCode1: codeAt(seed, step - 2), AuthenticationCode2: codeAt(seed, step - 1) }));
    erin = { id: erinUser?.UserId ?? '', serial: device?.SerialNumber ?? '' };

    const account = TEST_ACCOUNT_ID;
    // Not sign-in attempts: no event.
    assert.equal((await signIn(server.endpoint, '{"account":', 'application/json')).status, 400);
    assert.equal((await signIn(server.endpoint, { account, userName: 'anaya', password: PASSWORD }, 'text/plain')).status, 415);
    assert.equal((await signIn(server.endpoint, { account, userName: 'anaya' })).status, 400);

    signedInAt = Math.floor(Date.now() / 1000) * 1000;
    const attempts: Array<[unknown, number]> = [
      [{ account, userName: 'anaya', password: PASSWORD }, 200],
      [{ account, userName: 'anaya', password: WRONG_PASSWORD }, 401],
      [{ account, userName: UNKNOWN_USER, password: PASSWORD }, 401],
      [{ account, root: true, password: ROOT_PASSWORD }, 200],
      [{ account, root: true, password: WRONG_PASSWORD }, 401],
      [{ account, userName: 'erin', password: PASSWORD }, 401],
    ];
    for (const [body, status] of attempts) assert.equal((await signIn(server.endpoint, body)).status, status, JSON.stringify(body));
    const wrongCode = codeAt(seed, step - 5);
    const rightCode = codeAt(seed, timeStep(new Date()));
    codes.push(wrongCode, rightCode);
    assert.equal((await signIn(server.endpoint, { account, userName: 'erin', password: PASSWORD, mfaCode: wrongCode })).status, 401);
    const mfa = await signIn(server.endpoint, { account, userName: 'erin', password: PASSWORD, mfaCode: rightCode });
    assert.equal(mfa.status, 200, JSON.stringify(mfa.body));
  });

  const common = () => ({
    eventVersion: '1.11',
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: 'us-east-1',
    sourceIPAddress: '127.0.0.1',
    userAgent: USER_AGENT,
    requestParameters: null,
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    managementEvent: true,
    recipientAccountId: TEST_ACCOUNT_ID,
    eventCategory: 'Management',
  });
  const loginTo = () => `http://127.0.0.1:${server.port}/_gatehouse/console/`;
  const additional = (mfaUsed: 'Yes' | 'No', device?: string) => ({ LoginTo: loginTo(), MobileVersion: 'No', ...(device !== undefined ? { MFAIdentifier: device } : {}), MFAUsed: mfaUsed });

  test('the SDK finds every judged attempt by EventName ConsoleLogin, each as AWS records it', async () => {
    const events = await allEvents(server.endpoint, byName('ConsoleLogin'));
    assert.equal(events.length, 7, events.map((e) => e.CloudTrailEvent).join('\n'));
    for (const event of events) {
      const record = recordOf(event);
      assert.equal(event.EventId, record['eventID']);
      assert.equal(event.EventSource, 'signin.amazonaws.com');
      assert.equal(event.ReadOnly, 'false');
      assert.equal(event.AccessKeyId, undefined);
      assert.deepEqual(event.Resources, []);
      assert.ok((event.EventTime?.getTime() ?? 0) >= signedInAt && (event.EventTime?.getTime() ?? 0) <= Date.now());
      assert.equal(new Date(record['eventTime']).getTime(), event.EventTime?.getTime());
    }
    // Without the per-event fields, newest first: the order they were made in, reversed.
    const views = events.map((e) => {
      const { eventTime: _t, eventID: _i, ...rest } = recordOf(e);
      return { Username: e.Username, ...rest } as Rec;
    });
    const failedAnaya = { type: 'IAMUser', principalId: anaya.id, accountId: TEST_ACCOUNT_ID, accessKeyId: '', userName: 'anaya' };
    const root = { type: 'Root', principalId: TEST_ACCOUNT_ID, arn: `arn:aws:iam::${TEST_ACCOUNT_ID}:root`, accountId: TEST_ACCOUNT_ID, accessKeyId: '' };
    const expected = [
      {
        Username: 'anaya',
        ...common(),
        userIdentity: { type: 'IAMUser', principalId: anaya.id, arn: anaya.arn, accountId: TEST_ACCOUNT_ID, userName: 'anaya' },
        responseElements: { ConsoleLogin: 'Success' },
        additionalEventData: additional('No'),
      },
      { Username: 'anaya', ...common(), userIdentity: failedAnaya, errorMessage: 'Failed authentication', responseElements: { ConsoleLogin: 'Failure' }, additionalEventData: additional('No') },
      {
        Username: 'HIDDEN_DUE_TO_SECURITY_REASONS',
        ...common(),
        userIdentity: { type: 'IAMUser', accountId: TEST_ACCOUNT_ID, accessKeyId: '', userName: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
        errorMessage: 'No username found in supplied account',
        responseElements: { ConsoleLogin: 'Failure' },
        additionalEventData: additional('No'),
      },
      { Username: 'root', ...common(), userIdentity: root, responseElements: { ConsoleLogin: 'Success' }, additionalEventData: additional('No') },
      { Username: 'root', ...common(), userIdentity: root, errorMessage: 'Failed authentication', responseElements: { ConsoleLogin: 'Failure' }, additionalEventData: additional('No') },
      {
        Username: 'erin',
        ...common(),
        userIdentity: { type: 'IAMUser', principalId: erin.id, accountId: TEST_ACCOUNT_ID, accessKeyId: '', userName: 'erin' },
        errorMessage: 'Failed authentication',
        responseElements: { ConsoleLogin: 'Failure' },
        additionalEventData: additional('Yes'),
      },
      {
        Username: 'erin',
        ...common(),
        userIdentity: { type: 'IAMUser', principalId: erin.id, arn: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/erin`, accountId: TEST_ACCOUNT_ID, userName: 'erin' },
        responseElements: { ConsoleLogin: 'Success' },
        additionalEventData: additional('Yes', erin.serial),
      },
    ];
    // Events of one millisecond have no order among themselves: compared as sets (the order checked by time below).
    const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));
    assert.deepEqual(views.map(canonical).sort(), expected.map(canonical).sort());
    // CloudTrail's field order.
    for (const event of events) {
      const keys = Object.keys(recordOf(event));
      assert.deepEqual(keys, ORDER.filter((k) => keys.includes(k)));
    }
    const times = events.map((e) => e.EventTime?.getTime() ?? 0);
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    assert.equal(views[0]?.Username, 'erin');
    assert.deepEqual((views[0] as Rec)['responseElements'], { ConsoleLogin: 'Success' });
  });

  test('the right password of an MFA user before its code is a CheckMfa event, not a failed ConsoleLogin', async () => {
    const events = await allEvents(server.endpoint, byName('CheckMfa'));
    assert.equal(events.length, 1);
    const { eventTime: _t, eventID: _i, ...record } = recordOf(events[0] as Event);
    assert.deepEqual(record, {
      ...common(),
      eventName: 'CheckMfa',
      userIdentity: { type: 'IAMUser', principalId: erin.id, accountId: TEST_ACCOUNT_ID, accessKeyId: '', userName: 'erin' },
      responseElements: { CheckMfa: 'Success' },
      additionalEventData: { MfaType: 'Virtual MFA' },
    });
  });

  test('by EventSource signin.amazonaws.com and by Username; no password or MFA code anywhere', async () => {
    const bySource = await allEvents(server.endpoint, { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'signin.amazonaws.com' }] });
    assert.equal(bySource.length, 8);
    assert.ok(bySource.every((e) => e.EventSource === 'signin.amazonaws.com' && ['ConsoleLogin', 'CheckMfa'].includes(e.EventName ?? '')));
    const anayas = await allEvents(server.endpoint, { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'anaya' }] });
    assert.deepEqual(anayas.map((e) => [e.EventName, (recordOf(e)['responseElements'] as Rec)['ConsoleLogin']]), [['ConsoleLogin', 'Failure'], ['ConsoleLogin', 'Success']]);
    const roots = (await allEvents(server.endpoint, { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'root' }] })).filter((e) => e.EventSource === 'signin.amazonaws.com');
    assert.equal(roots.length, 2);
    // Every event of the account (the IAM calls that set the users up as well).
    const everything = await allEvents(server.endpoint, {});
    const text = JSON.stringify(everything);
    for (const secret of [PASSWORD, ROOT_PASSWORD, WRONG_PASSWORD, UNKNOWN_USER]) assert.ok(!text.includes(secret), `${secret.slice(0, 6)}… is nowhere`);
    const values = new Set(everything.flatMap((e) => strings(recordOf(e))));
    for (const code of codes) assert.ok(!values.has(code), `the MFA code ${code} is no value of any event`);
  });

  test('a successful sign-in sets the user\'s PasswordLastUsed (GetUser)', async () => {
    const user = (await iamClient(server.endpoint).send(new GetUserCommand({ UserName: 'anaya' }))).User;
    const used = user?.PasswordLastUsed?.getTime() ?? 0;
    assert.ok(used >= signedInAt && used <= Date.now(), `PasswordLastUsed ${user?.PasswordLastUsed?.toISOString()}`);
  });

  test('the AWS CLI: aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=ConsoleLogin', async () => {
    const result = await awsCli(server.endpoint, ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=ConsoleLogin']);
    assert.equal(result.code, 0, result.stderr);
    const events = (JSON.parse(result.stdout) as { Events: Rec[] }).Events;
    assert.equal(events.length, 7);
    const records = events.map((e) => JSON.parse(e['CloudTrailEvent'] as string) as Rec);
    assert.ok(events.every((e) => e['EventName'] === 'ConsoleLogin' && e['EventSource'] === 'signin.amazonaws.com' && e['ReadOnly'] === 'false'));
    assert.ok(records.every((r) => r['eventType'] === 'AwsConsoleSignIn' && r['requestParameters'] === null && r['recipientAccountId'] === TEST_ACCOUNT_ID));
    const success = records.filter((r) => r['responseElements']['ConsoleLogin'] === 'Success').map((r) => [r['userIdentity']['type'], r['userIdentity']['userName'] ?? null, r['additionalEventData']['MFAUsed']]);
    assert.deepEqual(success.sort(), [['IAMUser', 'anaya', 'No'], ['IAMUser', 'erin', 'Yes'], ['Root', null, 'No']]);
    const failures = records.filter((r) => r['responseElements']['ConsoleLogin'] === 'Failure').map((r) => [r['userIdentity']['userName'] ?? r['userIdentity']['type'], r['errorMessage']]);
    assert.deepEqual(failures.sort(), [
      ['HIDDEN_DUE_TO_SECURITY_REASONS', 'No username found in supplied account'],
      ['Root', 'Failed authentication'],
      ['anaya', 'Failed authentication'],
      ['erin', 'Failed authentication'],
    ]);
    assert.ok(!result.stdout.includes(PASSWORD) && !result.stdout.includes(WRONG_PASSWORD) && !result.stdout.includes(ROOT_PASSWORD));
  });

  test('boto3: lookup_events by EventName and by Username, and its paginator by EventSource', async () => {
    const seen = await runBoto3Script<Rec>('boto3_console_login_lookup.py', server.endpoint, { LOOKUP_USER: 'erin' });
    assert.equal(seen['byName'].length, 7);
    for (const event of seen['byName'] as Rec[]) {
      assert.equal(event['EventName'], 'ConsoleLogin');
      assert.equal(event['record']['eventSource'], 'signin.amazonaws.com');
      assert.equal(event['record']['eventID'], event['EventId']);
    }
    assert.deepEqual([...(seen['bySource'] as string[])].sort(), [...Array(7).fill('ConsoleLogin'), 'CheckMfa'].sort());
    const erinEvents = (seen['byUser'] as Rec[]).map((e) => [e['EventName'], e['record']['responseElements'], e['record']['additionalEventData']['MFAIdentifier'] ?? null]);
    assert.deepEqual(erinEvents, [
      ['ConsoleLogin', { ConsoleLogin: 'Success' }, erin.serial],
      ['ConsoleLogin', { ConsoleLogin: 'Failure' }, null],
      ['CheckMfa', { CheckMfa: 'Success' }, null],
    ]);
    const text = JSON.stringify(seen);
    assert.ok(!text.includes(PASSWORD) && !text.includes(WRONG_PASSWORD) && !text.includes(ROOT_PASSWORD));
  });
});

describe('ConsoleLogin events (audit off)', () => {
  const server = useTestServer({ GATEHOUSE_AUDIT: 'off', GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD });

  test('sign-ins work as before and nothing is recorded', async () => {
    assert.equal((await signIn(server.endpoint, { account: TEST_ACCOUNT_ID, root: true, password: ROOT_PASSWORD })).status, 200);
    assert.equal((await signIn(server.endpoint, { account: TEST_ACCOUNT_ID, root: true, password: WRONG_PASSWORD })).status, 401);
    assert.equal((await signIn(server.endpoint, { account: TEST_ACCOUNT_ID, userName: UNKNOWN_USER, password: WRONG_PASSWORD })).status, 401);
    assert.deepEqual(await allEvents(server.endpoint, { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'signin.amazonaws.com' }] }), []);
  });
});
