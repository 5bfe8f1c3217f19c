import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { deleteResourcePolicy, getResourcePolicy, putResourcePolicy, putResourceTags } from './resource-policies.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] });
const QUEUE_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:111122223333:q' }] });

let store: Store;
beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
});
afterEach(() => store.close());

describe('resource-policy registry', () => {
  it('puts, gets and deletes a bucket policy; a second delete answers NoSuchBucketPolicy', async () => {
    await store.transaction((tx) => putResourcePolicy(tx, { arn: 'arn:aws:s3:::b', account: '111122223333', policy: POLICY }, NOW));
    const got = await store.read((tx) => getResourcePolicy(tx, 'arn:aws:s3:::b'));
    assert.deepEqual(got, { arn: 'arn:aws:s3:::b', account: '111122223333', policy: POLICY, tags: [] });
    await store.transaction((tx) => deleteResourcePolicy(tx, 'arn:aws:s3:::b', NOW));
    assert.equal(await store.read((tx) => getResourcePolicy(tx, 'arn:aws:s3:::b')), undefined);
    await assert.rejects(store.transaction((tx) => deleteResourcePolicy(tx, 'arn:aws:s3:::b', NOW)), { code: 'NoSuchBucketPolicy', message: 'The bucket policy does not exist' });
  });

  it('keeps ARNs that differ only in case apart (object keys are case-sensitive)', async () => {
    await store.transaction((tx) => putResourceTags(tx, { arn: 'arn:aws:s3:::b/Key', account: '111122223333', tags: [{ Key: 'k', Value: 'upper' }] }, NOW));
    await store.transaction((tx) => putResourceTags(tx, { arn: 'arn:aws:s3:::b/key', account: '111122223333', tags: [{ Key: 'k', Value: 'lower' }] }, NOW));
    assert.equal((await store.read((tx) => getResourcePolicy(tx, 'arn:aws:s3:::b/Key')))?.tags[0]?.Value, 'upper');
    assert.equal((await store.read((tx) => getResourcePolicy(tx, 'arn:aws:s3:::b/key')))?.tags[0]?.Value, 'lower');
  });

  it("validates other services' policies as IAM validates a resource policy, and holds an ARN's account to it", async () => {
    const arn = 'arn:aws:sqs:us-east-1:111122223333:q';
    await store.transaction((tx) => putResourcePolicy(tx, { arn, policy: QUEUE_POLICY }, NOW));
    assert.equal((await store.read((tx) => getResourcePolicy(tx, arn)))?.account, '111122223333');
    await assert.rejects(store.transaction((tx) => putResourcePolicy(tx, { arn, account: '444455556666', policy: QUEUE_POLICY }, NOW)), { code: 'ValidationError' });
    await assert.rejects(store.transaction((tx) => putResourcePolicy(tx, { arn, policy: '{"Statement": []}' }, NOW)), { code: 'MalformedPolicyDocument' });
    await assert.rejects(store.transaction((tx) => putResourcePolicy(tx, { arn: 'arn:aws:s3:::b', policy: POLICY }, NOW)), { code: 'ValidationError' }, 'a bucket ARN names no account: it must be given');
  });

  it('refuses to move a resource to another account', async () => {
    await store.transaction((tx) => putResourcePolicy(tx, { arn: 'arn:aws:s3:::b', account: '111122223333', policy: POLICY }, NOW));
    await assert.rejects(store.transaction((tx) => putResourcePolicy(tx, { arn: 'arn:aws:s3:::b', account: '444455556666', policy: POLICY }, NOW)), { code: 'ValidationError' });
  });

  it('validates tags', async () => {
    for (const tags of ['x', [{ Key: '', Value: 'v' }], [{ Key: 'aws:x', Value: 'v' }], [{ Key: 'a', Value: 'v' }, { Key: 'a', Value: 'w' }]]) {
      await assert.rejects(store.transaction((tx) => putResourceTags(tx, { arn: 'arn:aws:s3:::b', account: '111122223333', tags }, NOW)), { code: 'ValidationError' });
    }
  });
});
