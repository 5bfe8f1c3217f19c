import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { AuditEventRecord, Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { defineOperations } from '../operation.js';
import { rejects, ROOT_CALLER, runner, testServices, TEST_ACCOUNT } from '../testing.js';
import { LOOKUP_EVENTS_OPERATIONS } from './lookup-events.js';

const OPERATIONS = defineOperations(LOOKUP_EVENTS_OPERATIONS);
const OTHER = '444455556666';
const OTHER_ROOT: Caller = { ...ROOT_CALLER, account: OTHER, arn: `arn:aws:iam::${OTHER}:root`, userId: OTHER };

function event(n: number, account: string, over: Partial<AuditEventRecord> = {}): AuditEventRecord {
  const eventId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return { eventId, time: Date.UTC(2026, 10, 25, 11, 0, n), account, eventName: 'CreateUser', eventSource: 'iam.amazonaws.com', userName: 'root', accessKeyId: 'AKIAROOT', readOnly: false, resources: [{ type: 'AWS::IAM::User', name: `u${n}` }], record: JSON.stringify({ eventID: eventId, recipientAccountId: account }), ...over };
}

describe('cloudtrail:LookupEvents', () => {
  let store: Store;
  let ops: ReturnType<typeof runner>;
  beforeEach(async () => {
    store = openSqliteStore({ path: ':memory:' });
    ops = runner(store, OPERATIONS, { ...testServices(), events: store.events });
    await store.events.append([
      event(1, TEST_ACCOUNT),
      event(2, TEST_ACCOUNT, { eventName: 'GetUser', readOnly: true }),
      event(3, OTHER, { resources: [{ type: 'AWS::IAM::User', name: 'u1' }] }),
      event(4, TEST_ACCOUNT, { eventName: 'AssumeRole', eventSource: 'sts.amazonaws.com', readOnly: true, userName: 'alice', accessKeyId: 'AKIAALICE', resources: [] }),
    ]);
  });
  afterEach(() => store.close());

  const ids = (result: Record<string, unknown>): string[] => (result['Events'] as Array<{ EventId: string }>).map((e) => e.EventId.slice(-1));

  const cases: ReadonlyArray<readonly [string, Record<string, unknown>, string[]]> = [
    ['no attribute: the account’s events, newest first', {}, ['4', '2', '1']],
    ['EventName', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateUser' }] }, ['1']],
    ['EventSource', { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'sts.amazonaws.com' }] }, ['4']],
    ['ReadOnly true', { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'true' }] }, ['4', '2']],
    ['ReadOnly false', { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'false' }] }, ['1']],
    ['Username', { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }] }, ['4']],
    ['AccessKeyId', { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: 'AKIAALICE' }] }, ['4']],
    ['ResourceName (another account’s event of that name is not found)', { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'u1' }] }, ['1']],
    ['ResourceType', { LookupAttributes: [{ AttributeKey: 'ResourceType', AttributeValue: 'AWS::IAM::User' }] }, ['2', '1']],
    ['EventId of another account', { LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: '00000000-0000-4000-8000-000000000003' }] }, []],
    ['time range, inclusive', { StartTime: new Date(Date.UTC(2026, 10, 25, 11, 0, 2)), EndTime: new Date(Date.UTC(2026, 10, 25, 11, 0, 2)) }, ['2']],
    ['insight: no Insights events are recorded', { EventCategory: 'insight' }, []],
  ];
  for (const [name, params, expected] of cases) {
    test(name, async () => assert.deepEqual(ids(await ops.run('LookupEvents', params)), expected));
  }

  test('the Event structure', async () => {
    const out = await ops.run('LookupEvents', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }] });
    assert.deepEqual(out['Events'], [
      { EventId: '00000000-0000-4000-8000-000000000004', EventName: 'AssumeRole', ReadOnly: 'true', AccessKeyId: 'AKIAALICE', EventTime: new Date(Date.UTC(2026, 10, 25, 11, 0, 4)), EventSource: 'sts.amazonaws.com', Username: 'alice', Resources: [], CloudTrailEvent: JSON.stringify({ eventID: '00000000-0000-4000-8000-000000000004', recipientAccountId: TEST_ACCOUNT }) },
    ]);
  });

  test('errors', async () => {
    await rejects(ops.run('LookupEvents', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'a' }, { AttributeKey: 'EventName', AttributeValue: 'b' }] }), 'InvalidLookupAttributesException', 400, 'You cannot specify more than one lookup attribute.');
    await rejects(ops.run('LookupEvents', { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'TRUE' }] }), 'InvalidLookupAttributesException', 400, 'ReadOnly must be either true or false.');
    await rejects(ops.run('LookupEvents', { StartTime: new Date(2), EndTime: new Date(1) }), 'InvalidTimeRangeException', 400, 'Start time must be before end time.');
    await rejects(ops.run('LookupEvents', { NextToken: 'x' }), 'InvalidNextTokenException', 400, 'Invalid token or token that was previously used in a request with different parameters.');
  });

  test('pages, and a token only for its own query and account', async () => {
    const first = await ops.run('LookupEvents', { MaxResults: 2 });
    assert.deepEqual(ids(first), ['4', '2']);
    const token = first['NextToken'] as string;
    assert.deepEqual(ids(await ops.run('LookupEvents', { MaxResults: 2, NextToken: token })), ['1']);
    const invalid = 'InvalidNextTokenException';
    const message = 'Invalid token or token that was previously used in a request with different parameters.';
    await rejects(ops.run('LookupEvents', { MaxResults: 2, NextToken: token }, OTHER_ROOT), invalid, 400, message);
    await rejects(ops.run('LookupEvents', { NextToken: token, LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'false' }] }), invalid, 400, message);
    await rejects(ops.run('LookupEvents', { NextToken: token, StartTime: new Date(0) }), invalid, 400, message);
  });
});
