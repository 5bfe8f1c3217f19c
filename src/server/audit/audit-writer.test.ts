import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditEvent } from '../../store/contract.js';
import type { AuditEventRecord, EventLog } from '../../store/store.js';
import { AuditWriter, AuditWriterClosedError } from './audit-writer.js';

/** An event log in memory whose appends can be held or made to fail. */
class FakeLog implements EventLog {
  readonly batches: AuditEventRecord[][] = [];
  failNext = 0;
  gate: Promise<void> | undefined;
  async append(events: readonly AuditEventRecord[]): Promise<void> {
    await this.gate;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('disk full');
    }
    this.batches.push([...events]);
  }
  query(): never {
    throw new Error('not used');
  }
  deleteBefore(): never {
    throw new Error('not used');
  }
  get written(): string[] {
    return this.batches.flat().map((e) => e.eventId);
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AuditWriter', () => {
  test('events recorded in the same turn share one batch, and each promise resolves only after its commit', async () => {
    const log = new FakeLog();
    let release = (): void => undefined;
    log.gate = new Promise((resolve) => (release = resolve));
    const writer = new AuditWriter(log);
    const events = Array.from({ length: 20 }, () => auditEvent());
    let settled = 0;
    const all = events.map((e) => writer.record(e).then(() => void (settled += 1)));
    await tick();
    await tick();
    assert.equal(settled, 0, 'nothing acknowledged before the commit');
    release();
    await Promise.all(all);
    assert.equal(log.batches.length, 1);
    assert.deepEqual(log.written, events.map((e) => e.eventId));
  });

  test('a batch is capped at maxBatch; events arriving during a write go in the next batch', async () => {
    const log = new FakeLog();
    const writer = new AuditWriter(log, { maxBatch: 3 });
    const first = Array.from({ length: 7 }, () => auditEvent());
    await Promise.all(first.map((e) => writer.record(e)));
    assert.deepEqual(log.batches.map((b) => b.length), [3, 3, 1]);
    assert.deepEqual(log.written, first.map((e) => e.eventId));
  });

  test('a failed append is retried until it succeeds: no event is dropped, none is acknowledged early', async () => {
    const log = new FakeLog();
    log.failNext = 3;
    const logged: string[] = [];
    const writer = new AuditWriter(log, { maxBackoffMs: 20, failures: { log: (_f: unknown, message: string) => void logged.push(message) } as never });
    const events = Array.from({ length: 5 }, () => auditEvent());
    await Promise.all(events.map((e) => writer.record(e)));
    assert.deepEqual(log.written, events.map((e) => e.eventId));
    assert.equal(logged.length, 3);
    assert.match(logged[0] ?? '', /disk full/);
  });

  test('back-pressure: past maxPending, record() waits for room instead of queueing more', async () => {
    const log = new FakeLog();
    let release = (): void => undefined;
    log.gate = new Promise((resolve) => (release = resolve));
    const writer = new AuditWriter(log, { maxPending: 4, maxBatch: 2 });
    const events = Array.from({ length: 10 }, () => auditEvent());
    const all = events.map((e) => writer.record(e));
    await tick();
    await tick();
    assert.ok(writer.pending <= 4, `${writer.pending} events held`);
    release();
    await Promise.all(all);
    assert.deepEqual([...log.written].sort(), events.map((e) => e.eventId).sort());
    assert.equal(writer.pending, 0);
  });

  test('close writes what was accepted; after it, record() refuses, and events it could not write fail their requests', async () => {
    const log = new FakeLog();
    const writer = new AuditWriter(log);
    const accepted = writer.record(auditEvent());
    assert.equal(await writer.close(), 0);
    await accepted;
    assert.equal(log.written.length, 1);
    await assert.rejects(writer.record(auditEvent()), AuditWriterClosedError);

    const stuck = new FakeLog();
    stuck.failNext = Number.POSITIVE_INFINITY;
    const failing = new AuditWriter(stuck, { maxBackoffMs: 5 });
    const pending = failing.record(auditEvent());
    assert.equal(await failing.close(50), 1);
    await assert.rejects(pending, AuditWriterClosedError);
  });
});
