import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuthorizeAnswer, AuthorizeInput } from '../../core/authorize-api/authorize-request.js';
import type { Caller } from '../../core/caller.js';
import type { AuditEventRecord, EventLog } from '../../store/store.js';
import { AuditWriter } from './audit-writer.js';
import { AuthorizeAudit, SOURCE_IP_PLACEHOLDER, type AuthorizeCallFacts } from './authorize-events.js';

/** An event log in memory whose appends can be held. */
class HeldLog implements EventLog {
  readonly written: AuditEventRecord[] = [];
  gate: Promise<void> | undefined;
  async append(events: readonly AuditEventRecord[]): Promise<void> {
    await this.gate;
    this.written.push(...events);
  }
  query(): never {
    throw new Error('not used');
  }
  deleteBefore(): never {
    throw new Error('not used');
  }
}

const ALICE: Caller = { kind: 'user', account: '111122223333', arn: 'arn:aws:iam::111122223333:user/alice', userId: 'AIDAALICE', userName: 'alice', accessKeyId: 'AKIAALICE' };
const FORWARDED = { method: 'PUT', path: '/photos', query: 'policy', headers: [['host', 's3.example.test'], ['user-agent', 'aws-cli/2.9'], ['authorization', 'AWS4-HMAC-SHA256 ...']] as Array<[string, string]> };

function call(input: Partial<AuthorizeInput>, answer: Partial<AuthorizeAnswer>): AuthorizeCallFacts {
  return {
    input: { actions: [{ action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::photos' }], request: FORWARDED, ...input },
    answer: {
      authenticated: true,
      allowed: true,
      results: [{ action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::photos', decision: 'Allowed', allowed: true, resourceAccount: '111122223333' }],
      caller: ALICE,
      region: 'eu-west-1',
      ...answer,
    },
    callRegion: 'us-east-1',
    requestId: 'req-9',
    time: new Date('2026-12-06T04:40:00Z'),
  };
}

const recordOf = (event: AuditEventRecord | undefined): Record<string, unknown> => JSON.parse(event?.record ?? '{}') as Record<string, unknown>;

describe('AuthorizeAudit', () => {
  const audit = (options: { failedAuthentication?: boolean } = {}) => new AuthorizeAudit(new AuditWriter(new HeldLog()), { accountId: '111122223333', ...options });

  test("a signed request's PutBucketPolicy: the principal, the forwarded request's region, host and user agent, the Context's source address", () => {
    const [event, ...rest] = audit().eventsFor(call({ context: { 'aws:SourceIp': '192.0.2.10' } }, {}));
    assert.equal(rest.length, 0);
    const record = recordOf(event);
    assert.equal(record['eventName'], 'PutBucketPolicy');
    assert.equal(record['awsRegion'], 'eu-west-1');
    assert.equal(record['sourceIPAddress'], '192.0.2.10');
    assert.equal(record['userAgent'], 'aws-cli/2.9');
    assert.deepEqual(record['requestParameters'], { bucketName: 'photos', Host: 's3.example.test' });
    assert.deepEqual(record['userIdentity'], { type: 'IAMUser', principalId: 'AIDAALICE', arn: ALICE.arn, accountId: '111122223333', accessKeyId: 'AKIAALICE', userName: 'alice' });
    assert.equal(record['requestID'], 'req-9');
  });

  test('no aws:SourceIp (or one that is no address): the placeholder', () => {
    assert.equal(recordOf(audit().eventsFor(call({}, {}))[0])['sourceIPAddress'], SOURCE_IP_PLACEHOLDER);
    assert.equal(recordOf(audit().eventsFor(call({ context: { 'aws:SourceIp': '<script>' } }, {}))[0])['sourceIPAddress'], SOURCE_IP_PLACEHOLDER);
    // An action's own Context wins over the shared one.
    const own = call({ context: { 'aws:SourceIp': '192.0.2.1' }, actions: [{ action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::photos', context: { 'aws:SourceIp': '2001:db8::1' } }] }, {});
    assert.equal(recordOf(audit().eventsFor(own)[0])['sourceIPAddress'], '2001:db8::1');
  });

  test('one event per request: the first action names the operation, any denial fails it', () => {
    const facts = call(
      { actions: [{ action: 's3:CreateBucket', resource: 'arn:aws:s3:::new' }, { action: 's3:PutBucketAcl', resource: 'arn:aws:s3:::new' }] },
      {
        allowed: false,
        results: [
          { action: 's3:CreateBucket', resource: 'arn:aws:s3:::new', decision: 'Allowed', allowed: true },
          { action: 's3:PutBucketAcl', resource: 'arn:aws:s3:::new', decision: 'ImplicitlyDenied', allowed: false, message: 'User: alice is not authorized to perform: s3:PutBucketAcl' },
        ],
      },
    );
    const events = audit().eventsFor(facts);
    assert.deepEqual(events.map((e) => e.eventName), ['CreateBucket']);
    assert.equal(recordOf(events[0])['errorCode'], 'AccessDenied');
    assert.equal(recordOf(events[0])['errorMessage'], 'User: alice is not authorized to perform: s3:PutBucketAcl');
  });

  test('data events are not recorded', () => {
    const facts = call(
      { actions: [{ action: 's3:GetObject', resource: 'arn:aws:s3:::photos/a' }, { action: 's3:ListBucket', resource: 'arn:aws:s3:::photos' }] },
      { results: [{ action: 's3:GetObject', resource: 'arn:aws:s3:::photos/a', decision: 'Allowed', allowed: true }] },
    );
    assert.deepEqual(audit().eventsFor(facts), []);
  });

  test('the trusted-caller form: recorded the same way, in the authorize call own region, without Host or user agent', () => {
    const { request: _none, ...input } = call({}, {}).input;
    const facts = call({}, { region: undefined });
    const record = recordOf(audit().eventsFor({ ...facts, input: { ...input, principalArn: ALICE.arn } })[0]);
    assert.equal(record['awsRegion'], 'us-east-1');
    assert.equal(record['userAgent'], '');
    assert.deepEqual(record['requestParameters'], { bucketName: 'photos' });
    assert.equal((record['userIdentity'] as Record<string, unknown>)['arn'], ALICE.arn);
  });

  test('a failed authentication: recorded only with the option, with the presented key and the service error, in the server account', () => {
    const failed = call({ resourceAccount: '444455556666' }, { authenticated: false, allowed: false, results: [], caller: undefined, region: undefined, presentedKeyId: 'AKIAWRONG', error: { code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match', status: 403 } });
    assert.deepEqual(audit().eventsFor(failed), []);
    const events = audit({ failedAuthentication: true }).eventsFor(failed);
    assert.deepEqual(events.map((e) => e.account), ['111122223333']);
    const record = recordOf(events[0]);
    assert.deepEqual(record['userIdentity'], { type: 'Unknown', accessKeyId: 'AKIAWRONG' });
    assert.equal(record['errorCode'], 'SignatureDoesNotMatch');
    assert.equal(record['sharedEventID'], undefined);
  });

  test('record() resolves only once the events are committed', async () => {
    const log = new HeldLog();
    let release = (): void => undefined;
    log.gate = new Promise((resolve) => {
      release = resolve;
    });
    const trail = new AuthorizeAudit(new AuditWriter(log), { accountId: '111122223333' });
    let done = false;
    const recording = trail.record(call({}, {})).then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(done, false);
    release();
    await recording;
    assert.equal(log.written.length, 1);
  });
});
