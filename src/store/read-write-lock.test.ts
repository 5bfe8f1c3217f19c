import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadWriteLock } from './read-write-lock.js';

/** A holder that records when it starts and ends, and finishes when told. */
function holder(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    work: async () => {
      log.push(`${name} start`);
      await done;
      log.push(`${name} end`);
      return name;
    },
    finish: () => finish(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ReadWriteLock', () => {
  const cases: Array<{ name: string; order: Array<['shared' | 'exclusive', string]>; startedAtOnce: string[] }> = [
    { name: 'readers share', order: [['shared', 'r1'], ['shared', 'r2'], ['shared', 'r3']], startedAtOnce: ['r1', 'r2', 'r3'] },
    { name: 'a writer waits for earlier readers', order: [['shared', 'r1'], ['exclusive', 'w1']], startedAtOnce: ['r1'] },
    { name: 'readers wait for an earlier writer', order: [['exclusive', 'w1'], ['shared', 'r1'], ['shared', 'r2']], startedAtOnce: ['w1'] },
    { name: 'a reader behind a waiting writer waits too', order: [['shared', 'r1'], ['exclusive', 'w1'], ['shared', 'r2']], startedAtOnce: ['r1'] },
    { name: 'writers run one at a time', order: [['exclusive', 'w1'], ['exclusive', 'w2']], startedAtOnce: ['w1'] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const lock = new ReadWriteLock();
      const log: string[] = [];
      const holders = c.order.map(([mode, name]) => ({ mode, name, ...holder(log, name) }));
      const results = holders.map((h) => (h.mode === 'shared' ? lock.shared(h.work) : lock.exclusive(h.work)));
      await tick();
      assert.deepEqual(log, c.startedAtOnce.map((n) => `${n} start`));
      // Finishing everyone in arrival order lets each waiting holder run in turn, never two writers or a writer and a reader.
      for (const h of holders) {
        h.finish();
        await tick();
      }
      assert.deepEqual(await Promise.all(results), holders.map((h) => h.name));
      let readers = 0;
      let writer = false;
      for (const entry of log) {
        const [name, what] = entry.split(' ') as [string, string];
        const exclusive = holders.find((h) => h.name === name)?.mode === 'exclusive';
        if (what === 'start') {
          assert.ok(!writer, `${name} started while a writer held the lock`);
          if (exclusive) {
            assert.equal(readers, 0, `${name} started while readers held the lock`);
            writer = true;
          } else readers++;
        } else if (exclusive) writer = false;
        else readers--;
      }
    });
  }

  it('keeps going after a holder fails, and the failure reaches only that caller', async () => {
    const lock = new ReadWriteLock();
    const failed = lock.exclusive(async () => {
      throw new Error('boom');
    });
    const thrownSync = lock.shared(() => {
      throw new Error('sync boom');
    });
    const after = lock.exclusive(async () => 'after');
    await assert.rejects(failed, /boom/);
    await assert.rejects(thrownSync, /sync boom/);
    assert.equal(await after, 'after');
  });

  it('idle settles once everything queued has finished', async () => {
    const lock = new ReadWriteLock();
    const log: string[] = [];
    const r = holder(log, 'r');
    const w = holder(log, 'w');
    void lock.shared(r.work);
    void lock.exclusive(w.work);
    let idle = false;
    void lock.idle().then(() => (idle = true));
    r.finish();
    await tick();
    assert.equal(idle, false);
    w.finish();
    await tick();
    assert.equal(idle, true);
    await lock.idle();
  });
});
