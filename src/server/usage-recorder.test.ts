import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store } from '../store/store.js';
import { capturedLogger } from './testing.js';
import type { ServiceUse } from '../core/iam/access-advisor/records.js';
import { UsageRecorder, type KeyUse } from './usage-recorder.js';

const store = {} as Store;
const at = (seconds: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));


/** A write function that fails while `down` is true and remembers what it wrote. */
function flakyWrite(): { down: boolean; attempts: number; written: KeyUse[][]; write: (s: Store, uses: readonly KeyUse[]) => Promise<void> } {
  const state = {
    down: false,
    attempts: 0,
    written: [] as KeyUse[][],
    async write(_store: Store, uses: readonly KeyUse[]): Promise<void> {
      state.attempts++;
      if (state.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      state.written.push(uses.map((u) => ({ ...u })));
    },
  };
  return state;
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('UsageRecorder', () => {
  test('a failed background write is logged once, retried with backoff, and its uses written when the store returns', async () => {
    const { lines, logger } = capturedLogger();
    const db = flakyWrite();
    db.down = true;
    const recorder = new UsageRecorder(store, db.write, { intervalMs: 10, maxBackoffMs: 40, logger });
    recorder.note('AKIAONE', at(1), 'iam', 'us-east-1');
    recorder.note('AKIATWO', at(2), 'sts', 'us-east-1');
    await until(() => db.attempts >= 3, 'three attempts');
    const failures = lines.filter((l) => l['msg'] === 'could not record access key last-used dates; will retry');
    assert.equal(failures.length, db.attempts, 'one line per failed attempt');
    assert.deepEqual(failures.map((l) => l['retryMs']).slice(0, 3), [20, 40, 40], 'the delay doubles up to the ceiling');
    // A later use of one key noted during the outage replaces the kept one; an older one would not.
    recorder.note('AKIAONE', at(5), 'sts', 'eu-west-1');
    db.down = false;
    await until(() => db.written.length === 1, 'the retried write');
    const written = Object.fromEntries((db.written[0] ?? []).map((u) => [u.accessKeyId, u]));
    assert.deepEqual(written['AKIAONE'], { accessKeyId: 'AKIAONE', date: at(5), service: 'sts', region: 'eu-west-1' });
    assert.deepEqual(written['AKIATWO'], { accessKeyId: 'AKIATWO', date: at(2), service: 'sts', region: 'us-east-1' });
    await until(() => lines.some((l) => l['msg'] === 'access key last-used dates recorded again'), 'the recovery line');
  });

  test('a use noted while a failed batch is in flight is not overwritten by the older one put back', async () => {
    const db = flakyWrite();
    const gates: Array<() => void> = [];
    const recorder = new UsageRecorder(
      store,
      async (s, uses) => {
        await new Promise<void>((resolve) => gates.push(resolve));
        return db.write(s, uses);
      },
      { intervalMs: 5, maxBackoffMs: 10 },
    );
    db.down = true;
    recorder.note('AKIAONE', at(1), 'iam', 'us-east-1');
    await until(() => gates.length === 1, 'the first write to start');
    recorder.note('AKIAONE', at(9), 'iam', 'us-west-2');
    gates[0]?.();
    await until(() => db.attempts === 1, 'the first write to fail');
    db.down = false;
    await until(() => gates.length === 2, 'the retry');
    gates[1]?.();
    await until(() => db.written.length > 0, 'a successful write');
    assert.equal(db.written[0]?.[0]?.date.getTime(), at(9).getTime());
    assert.equal(db.written[0]?.[0]?.region, 'us-west-2');
  });

  test('flush at close writes what is pending and reports a failure to its caller, keeping the uses', async () => {
    const db = flakyWrite();
    const recorder = new UsageRecorder(store, db.write, { intervalMs: 60_000 });
    recorder.note('AKIAONE', at(1), 'iam', 'us-east-1');
    db.down = true;
    await assert.rejects(recorder.flush(), /ECONNREFUSED/);
    db.down = false;
    await recorder.flush();
    assert.deepEqual(db.written.map((batch) => batch.map((u) => u.accessKeyId)), [['AKIAONE']]);
  });

  test('service uses: the latest per principal, service and action is written, bounded while the store is down, and put back on failure', async () => {
    const { lines, logger } = capturedLogger();
    const batches: ServiceUse[][] = [];
    let down = true;
    const recorder = new UsageRecorder(
      store,
      async (_s, _uses, serviceUses) => {
        if (down) throw new Error('disk full');
        batches.push([...serviceUses]);
      },
      { intervalMs: 60_000, maxPendingServiceUses: 3, logger },
    );
    const use = (principalId: string, action: string, seconds: number): ServiceUse => ({ account: '111122223333', principalId, service: 'iam', action, region: 'us-east-1', date: at(seconds) });
    recorder.noteService(use('AIDAONE', 'ListUsers', 2));
    recorder.noteService(use('AIDAONE', 'ListUsers', 1)); // older: ignored
    recorder.noteService(use('AIDAONE', 'GetUser', 3));
    recorder.noteService(use('AROATWO', 'GetRole', 4));
    recorder.noteService(use('AROATWO', 'ListRoles', 5)); // a fourth distinct use: past the bound, dropped
    assert.equal(recorder.dropped, 1);
    await assert.rejects(recorder.flush(), /disk full/);
    down = false;
    recorder.noteService(use('AIDAONE', 'ListUsers', 9)); // newer than the one put back
    await recorder.flush();
    const written = (batches[0] ?? []).map((u) => `${u.principalId} ${u.action} ${u.date.getUTCSeconds()}`).sort();
    assert.deepEqual(written, ['AIDAONE GetUser 3', 'AIDAONE ListUsers 9', 'AROATWO GetRole 4']);
    assert.ok(lines.some((l) => l['msg'] === 'too many service uses waiting to be recorded; some were dropped' && l['dropped'] === 1));
  });
});
