// The event log part of the Store contract: what CloudTrail lookups (and the export) rely on.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { InvalidEventTokenError, type AuditEventRecord, type EventLog } from '../store.js';
import { A, B, type ContractKit } from './kit.js';

const T0 = Date.parse('2026-11-25T12:00:00.000Z');

/** An event with a fresh UUID; tests override only what they are about. */
export function auditEvent(fields: Partial<AuditEventRecord> = {}): AuditEventRecord {
  const eventId = fields.eventId ?? randomUUID();
  return {
    eventId,
    time: T0,
    account: A,
    eventName: 'GetUser',
    eventSource: 'iam.amazonaws.com',
    userName: 'alice',
    accessKeyId: 'AKIAALICE',
    readOnly: true,
    resources: [],
    record: JSON.stringify({ eventID: eventId }),
    ...fields,
  };
}

async function all(log: EventLog, query: Omit<Parameters<EventLog['query']>[0], 'maxResults'>): Promise<AuditEventRecord[]> {
  const found: AuditEventRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await log.query({ ...query, maxResults: 3, ...(nextToken !== undefined ? { nextToken } : {}) });
    found.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return found;
}

export function eventLogContract(kit: ContractKit): void {
  test('events: appended events are found newest first, whole, in their own account only', () =>
    kit.withStore(async (store) => {
      const older = auditEvent({ time: T0, eventName: 'CreateUser', readOnly: false, resources: [{ type: 'AWS::IAM::User', name: 'bob' }] });
      const newer = auditEvent({ time: T0 + 1000 });
      const elsewhere = auditEvent({ time: T0 + 2000, account: B });
      await store.events.append([older, newer]);
      await store.events.append([elsewhere]);
      const page = await store.events.query({ account: A, maxResults: 50 });
      assert.deepEqual(page.events, [newer, older]);
      assert.equal(page.nextToken, undefined);
      assert.deepEqual((await store.events.query({ account: B, maxResults: 50 })).events, [elsewhere]);
      assert.deepEqual((await store.events.query({ maxResults: 50 })).events, [elsewhere, newer, older], 'without an account: every account');
    }));

  test('events: each lookup attribute filters, and the time range is inclusive', () =>
    kit.withStore(async (store) => {
      const create = auditEvent({ time: T0, eventName: 'CreateUser', readOnly: false, userName: 'admin', accessKeyId: 'AKIAADMIN', resources: [{ type: 'AWS::IAM::User', name: 'bob' }] });
      const assume = auditEvent({ time: T0 + 10, eventName: 'AssumeRole', eventSource: 'sts.amazonaws.com', readOnly: true, resources: [{ type: 'AWS::IAM::Role', name: 'arn:aws:iam::111111111111:role/R' }] });
      const get = auditEvent({ time: T0 + 20 });
      const noUser = auditEvent({ time: T0 + 30, eventName: 'AssumeRoleWithWebIdentity', eventSource: 'sts.amazonaws.com' });
      const { userName: _u, accessKeyId: _k, ...anonymous } = noUser;
      await store.events.append([create, assume, get, anonymous]);
      const ids = async (query: Omit<Parameters<EventLog['query']>[0], 'maxResults' | 'account'>): Promise<string[]> => (await all(store.events, { account: A, ...query })).map((e) => e.eventId);
      assert.deepEqual(await ids({ eventName: 'CreateUser' }), [create.eventId]);
      assert.deepEqual(await ids({ eventSource: 'sts.amazonaws.com' }), [anonymous.eventId, assume.eventId]);
      assert.deepEqual(await ids({ userName: 'admin' }), [create.eventId]);
      assert.deepEqual(await ids({ userName: 'ADMIN' }), [], 'user names match exactly');
      assert.deepEqual(await ids({ accessKeyId: 'AKIAALICE' }), [get.eventId, assume.eventId]);
      assert.deepEqual(await ids({ readOnly: false }), [create.eventId]);
      assert.deepEqual(await ids({ readOnly: true }), [anonymous.eventId, get.eventId, assume.eventId]);
      assert.deepEqual(await ids({ resourceName: 'bob' }), [create.eventId]);
      assert.deepEqual(await ids({ resourceType: 'AWS::IAM::Role' }), [assume.eventId]);
      assert.deepEqual(await ids({ resourceName: 'bob', resourceType: 'AWS::IAM::Role' }), []);
      assert.deepEqual(await ids({ eventId: get.eventId }), [get.eventId]);
      assert.deepEqual(await ids({ startTime: T0 + 10, endTime: T0 + 20 }), [get.eventId, assume.eventId]);
      assert.deepEqual(await ids({ startTime: T0 + 31 }), []);
      const found = (await store.events.query({ account: A, eventId: anonymous.eventId, maxResults: 1 })).events[0];
      assert.deepEqual(found, anonymous, 'absent user name and key stay absent');
    }));

  test('events: pages of maxResults cover every event once, in order, ties on time included', () =>
    kit.withStore(async (store) => {
      const events = Array.from({ length: 11 }, (_, i) => auditEvent({ time: T0 + Math.floor(i / 4) }));
      await store.events.append(events);
      const expected = [...events].sort((a, b) => b.time - a.time || (a.eventId < b.eventId ? 1 : -1)).map((e) => e.eventId);
      const pages: number[] = [];
      const seen: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await store.events.query({ account: A, maxResults: 4, ...(nextToken !== undefined ? { nextToken } : {}) });
        pages.push(page.events.length);
        seen.push(...page.events.map((e) => e.eventId));
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      assert.deepEqual(pages, [4, 4, 3]);
      assert.deepEqual(seen, expected);
    }));

  test('events: an event appended twice (a retried batch) is kept once, with its resources once', () =>
    kit.withStore(async (store) => {
      const event = auditEvent({ resources: [{ type: 'AWS::IAM::User', name: 'bob' }] });
      await store.events.append([event]);
      await store.events.append([event, auditEvent({ time: T0 - 1 })]);
      assert.equal((await all(store.events, { account: A })).length, 2);
      assert.deepEqual((await all(store.events, { account: A, resourceName: 'bob' })).map((e) => e.eventId), [event.eventId]);
    }));

  test('events: deleteBefore removes only older events and says how many', () =>
    kit.withStore(async (store) => {
      const old = auditEvent({ time: T0 - 5000, resources: [{ type: 'AWS::IAM::User', name: 'bob' }] });
      const kept = auditEvent({ time: T0, resources: [{ type: 'AWS::IAM::User', name: 'bob' }] });
      await store.events.append([old, kept, auditEvent({ time: T0 - 1, account: B })]);
      assert.equal(await store.events.deleteBefore(T0), 2);
      assert.deepEqual((await all(store.events, { account: A })).map((e) => e.eventId), [kept.eventId]);
      assert.deepEqual((await all(store.events, { account: A, resourceName: 'bob' })).map((e) => e.eventId), [kept.eventId]);
      assert.equal(await store.events.deleteBefore(T0), 0);
    }));

  test('events: a next token this log did not issue is refused', () =>
    kit.withStore(async (store) => {
      for (const nextToken of ['garbage!', 'MTIz', Buffer.from('x\nabc').toString('base64url'), '']) {
        await assert.rejects(store.events.query({ account: A, maxResults: 5, nextToken }), InvalidEventTokenError, nextToken);
      }
    }));
}
