import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ROOT_CALLER, TEST_ACCOUNT } from '../../core/testing.js';
import { AuditRetention, AuditTrail, type RequestFacts } from './audit-trail.js';

const facts = (fields: Partial<RequestFacts> = {}): RequestFacts => ({
  service: 'iam',
  action: 'GetUser',
  caller: ROOT_CALLER,
  params: { UserName: 'bob' },
  result: { User: { UserName: 'bob' } },
  requestId: 'r-1',
  time: new Date('2026-11-25T12:00:00.500Z'),
  sourceIp: '192.0.2.7',
  userAgent: 'aws-cli/2',
  ...fields,
});

describe('AuditTrail.eventFor', () => {
  const trail = new AuditTrail({ accountId: '999999999999' });

  test('an authenticated call: the caller\'s account, the indexed fields, the record', () => {
    const event = trail.eventFor(facts());
    assert.ok(event !== undefined);
    assert.equal(event.account, TEST_ACCOUNT);
    assert.equal(event.userName, 'root');
    assert.equal(event.accessKeyId, ROOT_CALLER.accessKeyId);
    assert.equal(event.readOnly, true);
    assert.deepEqual(event.resources, [{ type: 'AWS::IAM::User', name: 'bob' }]);
    assert.equal(event.time, Date.parse('2026-11-25T12:00:00.500Z'));
    const record = JSON.parse(event.record) as Record<string, unknown>;
    assert.equal(record['eventID'], event.eventId);
    assert.equal(record['responseElements'], null);
    assert.deepEqual(record['requestParameters'], { userName: 'bob' });
  });

  test('no event for an action that does not exist, or for a failed authentication unless asked', () => {
    assert.equal(trail.eventFor(facts({ action: 'NoSuchAction' })), undefined);
    assert.equal(trail.eventFor(facts({ action: undefined })), undefined);
    const { caller: _c, ...unauthenticated } = facts({ presentedKeyId: 'AKIABAD', error: { code: 'InvalidClientTokenId', message: 'x' } });
    assert.equal(trail.eventFor(unauthenticated), undefined);
    const recorded = new AuditTrail({ accountId: '999999999999', failedAuthentication: true }).eventFor(unauthenticated);
    assert.equal(recorded?.account, '999999999999');
    assert.deepEqual(JSON.parse(recorded?.record ?? '{}')['userIdentity'], { type: 'Unknown', accessKeyId: 'AKIABAD' });
    assert.equal(JSON.parse(recorded?.record ?? '{}')['requestParameters'], null);
  });

  test('an unsigned federation call goes to the role\'s account; a long user agent is cut at 1 KiB; STS keeps its signing region', () => {
    const { caller: _c, ...unsigned } = facts({ service: 'sts', action: 'AssumeRoleWithSAML', unsigned: true, params: { RoleArn: 'arn:aws:iam::123456789012:role/R', PrincipalArn: 'arn:aws:iam::123456789012:saml-provider/P', SAMLAssertion: 'PHNhbWw+' }, result: undefined, error: { code: 'InvalidIdentityToken', message: 'bad' }, userAgent: 'x'.repeat(5000) });
    const event = trail.eventFor(unsigned);
    assert.equal(event?.account, '123456789012');
    const record = JSON.parse(event?.record ?? '{}') as Record<string, unknown>;
    assert.deepEqual(record['userIdentity'], { type: 'SAMLUser' });
    assert.equal((record['userAgent'] as string).length, 1024);
    assert.ok(!event?.record.includes('PHNhbWw+'));
    const regional = trail.eventFor(facts({ service: 'sts', action: 'GetCallerIdentity', params: {}, signingRegion: 'eu-west-3' }));
    assert.equal(JSON.parse(regional?.record ?? '{}')['awsRegion'], 'eu-west-3');
  });
});

describe('AuditRetention', () => {
  test('deletes what is older than the retention, and reports a failed sweep instead of throwing', async () => {
    const cutoffs: number[] = [];
    const now = Date.parse('2026-11-25T12:00:00Z');
    const retention = new AuditRetention(async (before) => {
      cutoffs.push(before);
      return 3;
    }, 90, () => assert.fail('no error expected'), () => now);
    assert.equal(await retention.runOnce(), 3);
    assert.deepEqual(cutoffs, [now - 90 * 86_400_000]);
    const errors: unknown[] = [];
    const failing = new AuditRetention(() => Promise.reject(new Error('disk gone')), 1, (e) => errors.push(e), () => now);
    assert.equal(await failing.runOnce(), 0);
    assert.equal(errors.length, 1);
  });
});
