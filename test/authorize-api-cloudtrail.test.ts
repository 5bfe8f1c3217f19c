// The authorize API's decisions in CloudTrail: the example S3 store (examples/s3-store), driven by the AWS CLI,
// forwards each request to Gatehouse; `aws cloudtrail lookup-events` then finds the bucket-level (management) calls
// as S3 logs them, and no object-level (data) calls.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CreateAccountCommand, CreateOrganizationCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { startS3Store, type RunningS3Store } from '../examples/s3-store/server.js';
import { awsCli } from './helpers/aws-cli.js';
import { keyOf, organizationsClient, stsClient, type Key } from './helpers/clients.js';
import { policyDoc, userWith } from './helpers/organizations.js';
import { REGION, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

interface LookedUp {
  readonly EventId: string;
  readonly EventName: string;
  readonly EventSource: string;
  readonly Username?: string;
  readonly Resources?: Array<{ ResourceType: string; ResourceName: string }>;
  readonly CloudTrailEvent: string;
}

let store: RunningS3Store;
let partner = '';
let partnerAdmin: Key;
const users: Record<string, Key> = {};
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-s3-cloudtrail-'));

async function setup(): Promise<void> {
  const service = await userWith(server.endpoint, 's3-store', [
    { Effect: 'Allow', Action: ['gatehouse:Authorize', 'gatehouse:GetChunkSigningKey'], Resource: 'arn:aws:gatehouse:::service/s3' },
    { Effect: 'Allow', Action: ['gatehouse:GetResourcePolicy', 'gatehouse:PutResourcePolicy', 'gatehouse:DeleteResourcePolicy'], Resource: 'arn:aws:s3:::*' },
  ]);
  users['alice'] = await userWith(server.endpoint, 'alice', [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]);
  users['nobody'] = await userWith(server.endpoint, 'nobody', []);
  const operator = await userWith(server.endpoint, 'operator', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]);
  const org = organizationsClient(server.endpoint);
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  partner = (await org.send(new CreateAccountCommand({ Email: 'partner@example.com', AccountName: 'partner' }))).CreateAccountStatus?.AccountId ?? '';
  const role = `arn:aws:iam::${partner}:role/OrganizationAccountAccessRole`;
  partnerAdmin = keyOf((await stsClient(server.endpoint, operator).send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'setup' }))).Credentials);
  users['erin'] = await userWith(server.endpoint, 'erin', [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }], partnerAdmin);
  store = await startS3Store({ gatehouse: server.endpoint, credentials: service, dataDir: join(dir, 'data') });
}

const server = useTestServer({}, {}, setup);
after(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const s3api = (key: Key, args: string[]) => awsCli(store.endpoint, ['s3api', ...args], key);

/** Every S3 event of the account whose key looks them up, through the AWS CLI against Gatehouse. */
async function s3Events(key?: Key): Promise<LookedUp[]> {
  const session = key?.sessionToken !== undefined ? { AWS_SESSION_TOKEN: key.sessionToken } : {};
  const out = await awsCli(server.endpoint, ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventSource,AttributeValue=s3.amazonaws.com'], key, session);
  assert.equal(out.code, 0, out.stderr);
  return (JSON.parse(out.stdout) as { Events: LookedUp[] }).Events;
}

const recordOf = (event: LookedUp | undefined): Record<string, unknown> => JSON.parse(event?.CloudTrailEvent ?? '{}') as Record<string, unknown>;

describe('the authorize API in CloudTrail, through the example store and the AWS CLI', () => {
  const policy = policyDoc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:root` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::audited/*' });

  test('bucket-level calls are recorded as S3 logs them; object-level calls are not', async () => {
    const alice = users['alice'] as Key;
    assert.equal((await s3api(alice, ['create-bucket', '--bucket', 'audited'])).code, 0);
    const put = await s3api(alice, ['put-bucket-policy', '--bucket', 'audited', '--policy', policy]);
    assert.equal(put.code, 0, put.stderr);
    writeFileSync(join(dir, 'a.txt'), 'data\n');
    assert.equal((await s3api(alice, ['put-object', '--bucket', 'audited', '--key', 'a.txt', '--body', join(dir, 'a.txt')])).code, 0);
    assert.equal((await awsCli(store.endpoint, ['s3', 'cp', 's3://audited/a.txt', join(dir, 'out.txt')], alice)).code, 0);
    assert.equal((await s3api(alice, ['list-objects-v2', '--bucket', 'audited'])).code, 0);
    const denied = await s3api(users['nobody'] as Key, ['get-bucket-policy', '--bucket', 'audited']);
    assert.notEqual(denied.code, 0);

    const events = await s3Events();
    const names = events.map((e) => e.EventName);
    for (const data of ['GetObject', 'PutObject', 'ListObjects', 'ListObjectsV2', 'HeadBucket']) assert.ok(!names.includes(data), `${data} is a data event: ${names.join(', ')}`);
    assert.deepEqual([...names].sort(), ['CreateBucket', 'GetBucketPolicy', 'PutBucketPolicy']);

    const putEvent = events.find((e) => e.EventName === 'PutBucketPolicy');
    assert.equal(putEvent?.EventSource, 's3.amazonaws.com');
    assert.equal(putEvent?.Username, 'alice');
    assert.deepEqual(putEvent?.Resources, [{ ResourceType: 'AWS::S3::Bucket', ResourceName: 'audited' }]);
    const record = recordOf(putEvent);
    assert.equal(record['eventSource'], 's3.amazonaws.com');
    assert.equal(record['eventName'], 'PutBucketPolicy');
    assert.equal(record['awsRegion'], REGION);
    // The store forwards its client's address as aws:SourceIp.
    assert.equal(record['sourceIPAddress'], '127.0.0.1');
    assert.match(String(record['userAgent']), /^aws-cli\//);
    const identity = record['userIdentity'] as Record<string, unknown>;
    assert.equal(identity['type'], 'IAMUser');
    assert.equal(identity['arn'], `arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice`);
    assert.equal(identity['accessKeyId'], alice.accessKeyId);
    assert.deepEqual(record['requestParameters'], { bucketName: 'audited', Host: new URL(store.endpoint).host });
    assert.deepEqual(record['resources'], [{ accountId: TEST_ACCOUNT_ID, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::audited' }]);
    assert.equal(record['readOnly'], false);
    assert.equal(record['managementEvent'], true);
    assert.equal(record['eventCategory'], 'Management');
    assert.equal(record['eventType'], 'AwsApiCall');
    assert.equal(record['recipientAccountId'], TEST_ACCOUNT_ID);
    assert.equal(record['errorCode'], undefined);
    assert.equal(record['sharedEventID'], undefined);

    const deniedRecord = recordOf(events.find((e) => e.EventName === 'GetBucketPolicy'));
    assert.equal(deniedRecord['errorCode'], 'AccessDenied');
    assert.match(String(deniedRecord['errorMessage']), /user\/nobody is not authorized to perform: s3:GetBucketPolicy/);
    assert.equal(deniedRecord['readOnly'], true);
  });

  test("another account's principal: the event goes to both accounts, with one sharedEventID", async () => {
    const denied = await s3api(users['erin'] as Key, ['put-bucket-policy', '--bucket', 'audited', '--policy', policy]);
    assert.notEqual(denied.code, 0);
    const byErin = (events: LookedUp[]) => events.filter((e) => e.EventName === 'PutBucketPolicy' && e.Username === 'erin').map(recordOf);
    const [owners] = byErin(await s3Events());
    const [requesters, ...more] = byErin(await s3Events(partnerAdmin));
    assert.equal(more.length, 0);
    assert.ok(owners !== undefined && requesters !== undefined);
    assert.equal(owners['recipientAccountId'], TEST_ACCOUNT_ID);
    assert.equal(requesters['recipientAccountId'], partner);
    assert.equal(typeof owners['sharedEventID'], 'string');
    assert.equal(owners['sharedEventID'], requesters['sharedEventID']);
    assert.notEqual(owners['eventID'], requesters['eventID']);
    assert.equal(owners['errorCode'], 'AccessDenied');
    assert.equal((owners['userIdentity'] as Record<string, unknown>)['accountId'], partner);
    assert.deepEqual(owners['resources'], [{ accountId: TEST_ACCOUNT_ID, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::audited' }]);
  });
});

describe('with the audit trail off', () => {
  test('the authorize API records nothing and answers as before', async () => {
    const { startTestServer } = await import('./helpers/server.js');
    const off = await startTestServer({ GATEHOUSE_AUDIT: 'off' });
    const offDir = mkdtempSync(join(tmpdir(), 'gatehouse-s3-cloudtrail-off-'));
    try {
      const service = await userWith(off.endpoint, 's3-store', [{ Effect: 'Allow', Action: 'gatehouse:*', Resource: '*' }]);
      const owner = await userWith(off.endpoint, 'owner', [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]);
      const offStore = await startS3Store({ gatehouse: off.endpoint, credentials: service, dataDir: join(offDir, 'data') });
      try {
        assert.equal((await awsCli(offStore.endpoint, ['s3api', 'create-bucket', '--bucket', 'quiet'], owner)).code, 0);
      } finally {
        await offStore.close();
      }
      const out = await awsCli(off.endpoint, ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventSource,AttributeValue=s3.amazonaws.com']);
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual((JSON.parse(out.stdout) as { Events: unknown[] }).Events, []);
    } finally {
      await off.close();
      rmSync(offDir, { recursive: true, force: true });
    }
  });
});
