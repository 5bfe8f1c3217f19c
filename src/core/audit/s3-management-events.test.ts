import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bucketOfArn, s3ManagementEvents, s3ManagementOperation, type S3RequestFacts } from './s3-management-events.js';

describe('S3 actions and the management events they are logged as', () => {
  const cases: ReadonlyArray<readonly [action: string, expected: { eventName: string; readOnly: boolean } | undefined]> = [
    ['s3:PutBucketPolicy', { eventName: 'PutBucketPolicy', readOnly: false }],
    ['s3:GetBucketPolicy', { eventName: 'GetBucketPolicy', readOnly: true }],
    ['s3:DeleteBucketPolicy', { eventName: 'DeleteBucketPolicy', readOnly: false }],
    ['s3:GetBucketPolicyStatus', { eventName: 'GetBucketPolicyStatus', readOnly: true }],
    ['s3:CreateBucket', { eventName: 'CreateBucket', readOnly: false }],
    ['s3:DeleteBucket', { eventName: 'DeleteBucket', readOnly: false }],
    ['s3:PutBucketAcl', { eventName: 'PutBucketAcl', readOnly: false }],
    ['s3:GetBucketAcl', { eventName: 'GetBucketAcl', readOnly: true }],
    ['s3:PutBucketOwnershipControls', { eventName: 'PutBucketOwnershipControls', readOnly: false }],
    ['s3:ListAllMyBuckets', { eventName: 'ListBuckets', readOnly: true }],
    ['s3:PutLifecycleConfiguration', { eventName: 'PutBucketLifecycle', readOnly: false }],
    ['s3:GetEncryptionConfiguration', { eventName: 'GetBucketEncryption', readOnly: true }],
    ['s3:PutBucketCORS', { eventName: 'PutBucketCors', readOnly: false }],
    ['s3:PutBucketObjectLockConfiguration', { eventName: 'PutObjectLockConfiguration', readOnly: false }],
    ['s3:PutBucketPublicAccessBlock', { eventName: 'PutPublicAccessBlock', readOnly: false }],
    // Action names are case-insensitive, as in policies.
    ['S3:putbucketpolicy', { eventName: 'PutBucketPolicy', readOnly: false }],
    // Data events: object-level calls and listings of a bucket's contents.
    ['s3:GetObject', undefined],
    ['s3:PutObject', undefined],
    ['s3:DeleteObject', undefined],
    ['s3:ListBucket', undefined],
    ['s3:ListBucketVersions', undefined],
    ['s3:ListBucketMultipartUploads', undefined],
    ['s3:AbortMultipartUpload', undefined],
    ['s3:ListMultipartUploadParts', undefined],
    ['s3:PutObjectAcl', undefined],
    // Not one operation, or not S3's.
    ['s3:*', undefined],
    ['s3:PutBucket*', undefined],
    ['iam:CreateUser', undefined],
    ['ec2:CreateBucket', undefined],
  ];
  for (const [action, expected] of cases) {
    test(`${action} → ${expected?.eventName ?? 'not recorded'}`, () => {
      assert.deepEqual(s3ManagementOperation(action), expected);
    });
  }

  const arns: ReadonlyArray<readonly [string, string | undefined]> = [
    ['arn:aws:s3:::photos', 'photos'],
    ['arn:aws:s3:::my.bucket-1', 'my.bucket-1'],
    ['arn:aws:s3:::photos/cat.jpg', undefined],
    ['arn:aws:s3:::*', undefined],
    ['arn:aws:s3:::Photos', undefined],
    ['arn:aws:iam::111122223333:user/bob', undefined],
    ['*', undefined],
  ];
  for (const [arn, bucket] of arns) {
    test(`bucket of ${arn}: ${bucket ?? 'none'}`, () => assert.equal(bucketOfArn(arn), bucket));
  }
});

describe('s3ManagementEvents', () => {
  let n = 0;
  const facts: S3RequestFacts = {
    identity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', accessKeyId: 'AKIAALICE', userName: 'alice' },
    principalAccount: '111122223333',
    fallbackAccount: '111122223333',
    region: 'eu-west-1',
    sourceIp: '192.0.2.7',
    userAgent: 'aws-cli/2',
    host: 's3.eu-west-1.example.test',
    requestId: 'req-1',
    time: new Date('2026-12-06T04:30:01.250Z'),
    newId: () => `id-${++n}`,
  };

  test('an allowed PutBucketPolicy in the principal own account: one event, every field', () => {
    n = 0;
    const [event, ...rest] = s3ManagementEvents(facts, [{ action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::photos', resourceAccount: '111122223333' }]);
    assert.equal(rest.length, 0);
    assert.ok(event !== undefined);
    assert.deepEqual({ ...event, record: undefined }, {
      eventId: 'id-1',
      time: facts.time.getTime(),
      account: '111122223333',
      eventName: 'PutBucketPolicy',
      eventSource: 's3.amazonaws.com',
      userName: 'alice',
      accessKeyId: 'AKIAALICE',
      readOnly: false,
      resources: [{ type: 'AWS::S3::Bucket', name: 'photos' }],
      record: undefined,
    });
    assert.deepEqual(JSON.parse(event.record), {
      eventVersion: '1.11',
      userIdentity: facts.identity,
      eventTime: '2026-12-06T04:30:01Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'PutBucketPolicy',
      awsRegion: 'eu-west-1',
      sourceIPAddress: '192.0.2.7',
      userAgent: 'aws-cli/2',
      requestParameters: { bucketName: 'photos', Host: 's3.eu-west-1.example.test' },
      responseElements: null,
      requestID: 'req-1',
      eventID: 'id-1',
      readOnly: false,
      resources: [{ accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::photos' }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: '111122223333',
      eventCategory: 'Management',
    });
  });

  test('a denial carries AccessDenied and its message', () => {
    const [event] = s3ManagementEvents(facts, [{ action: 's3:GetBucketPolicy', resource: 'arn:aws:s3:::photos', error: { code: 'AccessDenied', message: 'User: x is not authorized' } }]);
    const record = JSON.parse(event?.record ?? '{}') as Record<string, unknown>;
    assert.equal(record['errorCode'], 'AccessDenied');
    assert.equal(record['errorMessage'], 'User: x is not authorized');
    assert.equal(record['readOnly'], true);
    // No ResourceAccount: the principal's own bucket.
    assert.equal(event?.account, '111122223333');
  });

  test("a bucket of another account: one event in each account, one sharedEventID, distinct eventIDs", () => {
    n = 0;
    const events = s3ManagementEvents(facts, [{ action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::partner', resourceAccount: '444455556666' }]);
    assert.deepEqual(events.map((e) => e.account), ['111122223333', '444455556666']);
    const records = events.map((e) => JSON.parse(e.record) as Record<string, unknown>);
    assert.deepEqual(records.map((r) => r['recipientAccountId']), ['111122223333', '444455556666']);
    assert.deepEqual(records.map((r) => r['sharedEventID']), ['id-1', 'id-1']);
    assert.deepEqual(records.map((r) => r['eventID']), ['id-2', 'id-3']);
    assert.deepEqual(records[1]?.['resources'], [{ accountId: '444455556666', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::partner' }]);
  });

  test('an anonymous request goes to the bucket account only', () => {
    const events = s3ManagementEvents({ ...facts, identity: { type: 'AWSAccount', principalId: '', accountId: 'anonymous' }, principalAccount: undefined }, [
      { action: 's3:GetBucketPolicyStatus', resource: 'arn:aws:s3:::open', resourceAccount: '444455556666' },
    ]);
    assert.deepEqual(events.map((e) => e.account), ['444455556666']);
    assert.equal((JSON.parse(events[0]?.record ?? '{}') as Record<string, unknown>)['sharedEventID'], undefined);
  });

  test('ListBuckets names no bucket; data events and object ARNs give none', () => {
    const events = s3ManagementEvents(facts, [
      { action: 's3:ListAllMyBuckets', resource: 'arn:aws:s3:::*' },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::photos/cat.jpg' },
      { action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::photos/cat.jpg' },
    ]);
    assert.deepEqual(events.map((e) => e.eventName), ['ListBuckets']);
    const record = JSON.parse(events[0]?.record ?? '{}') as Record<string, unknown>;
    assert.deepEqual(record['requestParameters'], { Host: 's3.eu-west-1.example.test' });
    assert.equal(record['resources'], undefined);
    assert.deepEqual(events[0]?.resources, []);
  });
});
