// CloudTrail LookupEvents end to end: the AWS SDK v3 (client-cloudtrail), Debian's AWS CLI v2 and boto3 read back the
// events the audit trail recorded, field by field; authorization, account isolation and NextToken tampering.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { CloudTrailClient, CreateDashboardCommand, CreateTrailCommand, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { CreateAccessKeyCommand, CreateLoginProfileCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateAccountCommand, CreateOrganizationCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { awsCli } from './helpers/aws-cli.js';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, iamClient, keyOf, organizationsClient, stsClient, type Key } from './helpers/clients.js';
import { REGION, ROOT_KEY, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function cloudTrailClient(endpoint: string, key: Key = ROOT_KEY): CloudTrailClient {
  return new CloudTrailClient({ endpoint, region: REGION, credentials: key, maxAttempts: 1 });
}

const doc = (...statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });

async function userWithKey(endpoint: string, name: string, policy?: string): Promise<Key> {
  const iam = iamClient(endpoint);
  await iam.send(new CreateUserCommand({ UserName: name }));
  if (policy !== undefined) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' };
}

/** Every event a lookup finds, following NextToken. */
async function allEvents(client: CloudTrailClient, input: ConstructorParameters<typeof LookupEventsCommand>[0]): Promise<Event[]> {
  const found: Event[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new LookupEventsCommand({ ...input, ...(token !== undefined ? { NextToken: token } : {}) }));
    found.push(...(page.Events ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return found;
}

describe('CloudTrail LookupEvents', () => {
  const server = useTestServer();
  const password = `Pw-${randomBytes(9).toString('base64url')}!1a`;
  let created: { requestId: string | undefined; accessKeyId: string; secret: string };

  test('the SDK finds a CreateUser by its event name: every field of Event, and the record behind it', async () => {
    const iam = iamClient(server.endpoint);
    const before = Math.floor(Date.now() / 1000) * 1000;
    const user = await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'alice', Password: password }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    created = { requestId: user.$metadata.requestId, accessKeyId: key.AccessKey?.AccessKeyId ?? '', secret: key.AccessKey?.SecretAccessKey ?? '' };
    const out = await cloudTrailClient(server.endpoint).send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateUser' }] }));
    assert.equal(out.NextToken, undefined);
    assert.equal(out.Events?.length, 1);
    const event = out.Events?.[0] as Event;
    assert.deepEqual(Object.keys(event).sort(), ['AccessKeyId', 'CloudTrailEvent', 'EventId', 'EventName', 'EventSource', 'EventTime', 'ReadOnly', 'Resources', 'Username']);
    assert.equal(event.EventName, 'CreateUser');
    assert.equal(event.EventSource, 'iam.amazonaws.com');
    assert.equal(event.ReadOnly, 'false');
    assert.equal(event.Username, 'root');
    assert.equal(event.AccessKeyId, ROOT_KEY.accessKeyId);
    assert.deepEqual(event.Resources, [{ ResourceType: 'AWS::IAM::User', ResourceName: 'alice' }]);
    assert.ok(event.EventTime instanceof Date && event.EventTime.getTime() >= before && event.EventTime.getTime() <= Date.now());
    const record = JSON.parse(event.CloudTrailEvent ?? '{}') as Rec;
    assert.equal(record['eventID'], event.EventId);
    assert.equal(record['requestID'], created.requestId);
    assert.deepEqual(record['userIdentity'], { type: 'Root', principalId: TEST_ACCOUNT_ID, arn: `arn:aws:iam::${TEST_ACCOUNT_ID}:root`, accountId: TEST_ACCOUNT_ID, accessKeyId: ROOT_KEY.accessKeyId });
    assert.equal(record['eventName'], 'CreateUser');
    assert.deepEqual(record['requestParameters'], { userName: 'alice' });
    assert.equal(record['recipientAccountId'], TEST_ACCOUNT_ID);
    assert.equal(new Date(record['eventTime']).getTime(), event.EventTime?.getTime());
  });

  test('no password or secret access key is in what LookupEvents returns', async () => {
    const ct = cloudTrailClient(server.endpoint);
    const events = await allEvents(ct, { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'alice' }] });
    assert.deepEqual(events.map((e) => e.EventName), ['CreateAccessKey', 'CreateLoginProfile', 'CreateUser']);
    const profile = JSON.parse(events[1]?.CloudTrailEvent ?? '{}') as Rec;
    // The SDK sends no PasswordResetRequired when none is given; the password is never logged.
    assert.deepEqual(profile['requestParameters'], { userName: 'alice' });
    const keyRecord = JSON.parse(events[0]?.CloudTrailEvent ?? '{}') as Rec;
    assert.equal(keyRecord['responseElements']['accessKey']['accessKeyId'], created.accessKeyId);
    assert.equal(keyRecord['responseElements']['accessKey']['secretAccessKey'], undefined);
    const text = JSON.stringify(await allEvents(ct, {}));
    assert.ok(!text.includes(password), 'the password is nowhere');
    assert.ok(!text.includes(created.secret), 'the secret access key is nowhere');
  });

  test('each lookup attribute, the time range, ReadOnly as strings, and LookupEvents itself recorded read-only', async () => {
    const ct = cloudTrailClient(server.endpoint);
    const [createUser] = await allEvents(ct, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateUser' }] });
    const byId = await allEvents(ct, { LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: createUser?.EventId ?? '' }] });
    assert.deepEqual(byId.map((e) => e.EventId), [createUser?.EventId]);
    const byType = await allEvents(ct, { LookupAttributes: [{ AttributeKey: 'ResourceType', AttributeValue: 'AWS::IAM::User' }] });
    assert.ok(byType.length >= 3 && byType.every((e) => e.Resources?.some((r) => r.ResourceType === 'AWS::IAM::User')));
    assert.deepEqual(await allEvents(ct, { LookupAttributes: [{ AttributeKey: 'ResourceType', AttributeValue: 'AWS::IAM::Nothing' }] }), []);
    const byKey = await allEvents(ct, { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: ROOT_KEY.accessKeyId }] });
    assert.ok(byKey.length >= 4 && byKey.every((e) => e.AccessKeyId === ROOT_KEY.accessKeyId));
    const byUser = await allEvents(ct, { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }] });
    assert.deepEqual(byUser, []);
    const readOnly = await allEvents(ct, { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'true' }] });
    assert.ok(readOnly.length >= 1 && readOnly.every((e) => e.ReadOnly === 'true'));
    // The lookups above were recorded as CloudTrail read-only management events.
    const lookups = readOnly.filter((e) => e.EventSource === 'cloudtrail.amazonaws.com');
    assert.ok(lookups.length >= 1 && lookups.every((e) => e.EventName === 'LookupEvents'));
    const writes = await allEvents(ct, { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'false' }] });
    assert.ok(writes.length >= 3 && writes.every((e) => e.ReadOnly === 'false'));
    // Newest first, and a time range that ends before the first event finds nothing.
    const times = writes.map((e) => e.EventTime?.getTime() ?? 0);
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    const first = Math.min(...times);
    assert.deepEqual(await allEvents(ct, { StartTime: new Date(first - 60_000), EndTime: new Date(first - 1000) }), []);
    const inRange = await allEvents(ct, { StartTime: new Date(first), EndTime: new Date(Date.now() + 60_000), LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateUser' }] });
    assert.deepEqual(inRange.map((e) => e.EventId), [createUser?.EventId]);
    assert.deepEqual((await ct.send(new LookupEventsCommand({ EventCategory: 'insight' }))).Events, []);
  });

  test('AWS’s errors: two attributes, a bad ReadOnly, start after end, MaxResults out of range', async () => {
    const ct = cloudTrailClient(server.endpoint);
    const two = await failure(ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateUser' }, { AttributeKey: 'Username', AttributeValue: 'root' }] })));
    assert.deepEqual([two.name, two.status], ['InvalidLookupAttributesException', 400]);
    const readOnly = await failure(ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'yes' }] })));
    assert.deepEqual([readOnly.name, readOnly.status], ['InvalidLookupAttributesException', 400]);
    const range = await failure(ct.send(new LookupEventsCommand({ StartTime: new Date(Date.now()), EndTime: new Date(Date.now() - 3600_000) })));
    assert.deepEqual([range.name, range.status], ['InvalidTimeRangeException', 400]);
    for (const max of [0, 51]) {
      const tooMany = await failure(ct.send(new LookupEventsCommand({ MaxResults: max })));
      assert.deepEqual([tooMany.name, tooMany.status], ['InvalidMaxResultsException', 400]);
    }
    const other = await failure(ct.send(new CreateTrailCommand({ Name: 'trail', S3BucketName: 'bucket' })));
    assert.deepEqual([other.name, other.status], ['NotImplemented', 501]);
    // An operation only the SDK's model has (botocore's lacks it): known too, so NotImplemented rather than unknown.
    const newer = await failure(ct.send(new CreateDashboardCommand({ Name: 'board' })));
    assert.deepEqual([newer.name, newer.status], ['NotImplemented', 501]);
    // Unsigned, but plainly for CloudTrail: answered in CloudTrail's JSON, not as IAM's XML.
    const unsigned = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents' },
      body: '{}',
    });
    assert.equal(unsigned.status, 403);
    assert.equal((await unsigned.json() as Rec)['__type'], 'MissingAuthenticationTokenException');
  });

  test('pagination: MaxResults pages, the token works only for the query that issued it', async () => {
    const ct = cloudTrailClient(server.endpoint);
    const everything = await allEvents(ct, { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'iam.amazonaws.com' }] });
    const paged = await allEvents(ct, { MaxResults: 1, LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'iam.amazonaws.com' }] });
    assert.ok(everything.length >= 3);
    assert.deepEqual(paged.map((e) => e.EventId), everything.map((e) => e.EventId));
    const first = await ct.send(new LookupEventsCommand({ MaxResults: 1, LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'iam.amazonaws.com' }] }));
    const token = first.NextToken ?? '';
    assert.notEqual(token, '');
    // Another query with the same token: refused, not answered under the token's filters or without them.
    const widened = await failure(ct.send(new LookupEventsCommand({ MaxResults: 1, NextToken: token })));
    assert.deepEqual([widened.name, widened.status], ['InvalidNextTokenException', 400]);
    const middle = Math.floor(token.length / 2);
    const flipped = `${token.slice(0, middle)}${token[middle] === 'A' ? 'B' : 'A'}${token.slice(middle + 1)}`;
    const tampered = await failure(ct.send(new LookupEventsCommand({ MaxResults: 1, NextToken: flipped, LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'iam.amazonaws.com' }] })));
    assert.deepEqual([tampered.name, tampered.status], ['InvalidNextTokenException', 400]);
    const garbage = await failure(ct.send(new LookupEventsCommand({ NextToken: 'not-a-token' })));
    assert.deepEqual([garbage.name, garbage.status], ['InvalidNextTokenException', 400]);
  });

  test('a user without cloudtrail:LookupEvents is denied; with it, the user’s own events carry its identity', async () => {
    const nobody = await userWithKey(server.endpoint, 'nobody', doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }));
    const denied = await failure(cloudTrailClient(server.endpoint, nobody).send(new LookupEventsCommand({})));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.equal(denied.status, 403);
    assert.match(denied.message, new RegExp(`User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/nobody is not authorized to perform: cloudtrail:LookupEvents`));
    const auditor = await userWithKey(server.endpoint, 'auditor', doc({ Effect: 'Allow', Action: ['cloudtrail:LookupEvents', 'iam:GetUser'], Resource: '*' }));
    await iamClient(server.endpoint, auditor).send(new CreateUserCommand({ UserName: 'not-allowed' })).catch(() => undefined);
    const mine = await allEvents(cloudTrailClient(server.endpoint, auditor), { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'auditor' }] });
    const denial = mine.find((e) => e.EventName === 'CreateUser');
    assert.ok(denial !== undefined, 'the denied CreateUser is recorded');
    const record = JSON.parse(denial.CloudTrailEvent ?? '{}') as Rec;
    assert.equal(record['userIdentity']['type'], 'IAMUser');
    assert.equal(record['userIdentity']['arn'], `arn:aws:iam::${TEST_ACCOUNT_ID}:user/auditor`);
    assert.equal(record['userIdentity']['accessKeyId'], auditor.accessKeyId);
    assert.equal(record['errorCode'], 'AccessDenied');
    // The denied LookupEvents of `nobody` is there too, as AWS records denied calls.
    const nobodys = await allEvents(cloudTrailClient(server.endpoint, auditor), { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'nobody' }] });
    assert.ok(nobodys.some((e) => e.EventName === 'LookupEvents' && JSON.parse(e.CloudTrailEvent ?? '{}')['errorCode'] === 'AccessDenied'));
  });

  test('another account’s events are not visible, by any attribute or token', async () => {
    const org = organizationsClient(server.endpoint);
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const member = (await org.send(new CreateAccountCommand({ Email: 'member@example.com', AccountName: 'member' }))).CreateAccountStatus?.AccountId ?? '';
    assert.match(member, /^\d{12}$/);
    const admin = await userWithKey(server.endpoint, 'org-admin', doc({ Effect: 'Allow', Action: '*', Resource: '*' }));
    const session = keyOf((await stsClient(server.endpoint, admin).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'ops' }))).Credentials);
    await iamClient(server.endpoint, session).send(new CreateUserCommand({ UserName: 'member-user' }));
    const inMember = cloudTrailClient(server.endpoint, session);
    const theirs = await allEvents(inMember, {});
    assert.ok(theirs.length >= 1);
    assert.ok(theirs.every((e) => JSON.parse(e.CloudTrailEvent ?? '{}')['recipientAccountId'] === member));
    assert.deepEqual(theirs.filter((e) => e.EventName === 'CreateUser').map((e) => e.Resources?.[0]?.ResourceName), ['member-user']);
    const memberCreate = JSON.parse(theirs.find((e) => e.EventName === 'CreateUser')?.CloudTrailEvent ?? '{}') as Rec;
    assert.equal(memberCreate['userIdentity']['type'], 'AssumedRole');
    assert.equal(memberCreate['userIdentity']['arn'], `arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/ops`);
    assert.equal(memberCreate['userIdentity']['sessionContext']['sessionIssuer']['arn'], `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`);
    // The management account's events, asked for by name, ID and key, are not the member's to see.
    assert.deepEqual(await allEvents(inMember, { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'alice' }] }), []);
    assert.deepEqual(await allEvents(inMember, { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: ROOT_KEY.accessKeyId }] }).then((e) => e.filter((x) => x.EventSource !== 'sts.amazonaws.com')), []);
    const [aliceEvent] = await allEvents(cloudTrailClient(server.endpoint), { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateUser' }] });
    assert.deepEqual(await allEvents(inMember, { LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: aliceEvent?.EventId ?? '' }] }), []);
    // And the management account does not see the member's.
    const ours = await allEvents(cloudTrailClient(server.endpoint), { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'member-user' }] });
    assert.deepEqual(ours, []);
    // A token issued to the management account does not carry over to the member account with the same query.
    const page = await cloudTrailClient(server.endpoint).send(new LookupEventsCommand({ MaxResults: 1 }));
    assert.ok(page.NextToken !== undefined);
    const borrowed = await failure(inMember.send(new LookupEventsCommand({ MaxResults: 1, NextToken: page.NextToken })));
    assert.equal(borrowed.name, 'InvalidNextTokenException');
  });

  test('the AWS CLI v2: aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=CreateUser', async () => {
    const out = await awsCli(server.endpoint, ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=CreateUser']);
    assert.equal(out.code, 0, out.stderr);
    const events = (JSON.parse(out.stdout) as { Events: Rec[] }).Events;
    const alice = events.find((e) => e['Resources']?.[0]?.['ResourceName'] === 'alice');
    assert.ok(alice !== undefined);
    assert.equal(alice['EventName'], 'CreateUser');
    assert.equal(alice['Username'], 'root');
    assert.equal(alice['ReadOnly'], 'false');
    assert.match(alice['EventTime'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    const record = JSON.parse(alice['CloudTrailEvent']) as Rec;
    assert.equal(record['userIdentity']['type'], 'Root');
    assert.equal(record['userIdentity']['arn'], `arn:aws:iam::${TEST_ACCOUNT_ID}:root`);
    // The CLI follows NextToken itself: a page size of 1 still returns every CreateUser.
    const paged = await awsCli(server.endpoint, ['cloudtrail', 'lookup-events', '--page-size', '1', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=CreateUser']);
    assert.equal(paged.code, 0, paged.stderr);
    assert.deepEqual((JSON.parse(paged.stdout) as { Events: Rec[] }).Events.map((e) => e['EventId']), events.map((e) => e['EventId']));
    const bad = await awsCli(server.endpoint, ['cloudtrail', 'lookup-events', '--start-time', '2026-01-02T00:00:00Z', '--end-time', '2026-01-01T00:00:00Z']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /InvalidTimeRangeException/);
  });

  test('boto3: lookup_events, its paginator, and the error for two attributes', async () => {
    const pw = `Py-${randomBytes(9).toString('base64url')}!1a`;
    const seen = await runBoto3Script<Rec>('boto3_cloudtrail_lookup.py', server.endpoint, { LOOKUP_PASSWORD: pw });
    assert.deepEqual(seen['byResource'].map((e: Rec) => e['EventName']), ['CreateLoginProfile', 'CreateUser']);
    for (const e of seen['byResource'] as Rec[]) {
      assert.equal(e['ReadOnly'], 'false');
      assert.equal(e['Username'], 'root');
      assert.deepEqual(e['Resources'], [{ ResourceType: 'AWS::IAM::User', ResourceName: 'py-user' }]);
      assert.equal(e['record']['userIdentity']['type'], 'Root');
      assert.equal(e['record']['eventSource'], 'iam.amazonaws.com');
    }
    // boto3 sends no PasswordResetRequired when none is given: nothing but the user name is logged.
    assert.deepEqual(seen['byResource'][0]['record']['requestParameters'], { userName: 'py-user' });
    assert.ok(!JSON.stringify(seen).includes(pw), 'the password is nowhere');
    assert.ok(seen['paged'].length >= 2 && seen['paged'].every((page: string[]) => page.length <= 1));
    assert.deepEqual(seen['paged'].flat(), seen['unpaged']);
    assert.deepEqual(seen['twoAttributes'], { code: 'InvalidLookupAttributesException', status: 400 });
  });
});
