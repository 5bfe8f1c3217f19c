import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WriteOrder } from './write-order.js';

/** A holder that records when it starts and ends, and finishes (or fails) when told. */
function holder(log: string[], name: string) {
  let finish!: (ok: boolean) => void;
  const done = new Promise<boolean>((resolve) => (finish = resolve));
  return {
    work: async () => {
      log.push(`${name} start`);
      const ok = await done;
      log.push(`${name} end`);
      if (!ok) throw new Error(`${name} failed`);
      return name;
    },
    finish: (ok = true) => finish(ok),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WriteOrder', () => {
  const cases: Array<{ name: string; order: Array<['read' | 'write', string]>; startedAtOnce: string[] }> = [
    { name: 'reads run alongside each other', order: [['read', 'r1'], ['read', 'r2']], startedAtOnce: ['r1', 'r2'] },
    { name: 'a write does not wait for reads in flight', order: [['read', 'r1'], ['write', 'w1']], startedAtOnce: ['r1', 'w1'] },
    { name: 'a read does not wait for a write in flight', order: [['write', 'w1'], ['read', 'r1']], startedAtOnce: ['w1', 'r1'] },
    { name: 'nor for queued writes', order: [['write', 'w1'], ['write', 'w2'], ['read', 'r1']], startedAtOnce: ['w1', 'r1'] },
    { name: 'writes run one at a time', order: [['write', 'w1'], ['write', 'w2']], startedAtOnce: ['w1'] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const order = new WriteOrder();
      const log: string[] = [];
      const holders = c.order.map(([mode, name]) => {
        const h = holder(log, name);
        return { mode, name, h, result: order[mode](h.work) };
      });
      await tick();
      assert.deepEqual(log, c.startedAtOnce.map((name) => `${name} start`));
      for (const { h } of holders) h.finish();
      assert.deepEqual(await Promise.all(holders.map((x) => x.result)), c.order.map(([, name]) => name));
      await order.idle();
    });
  }

  it('a read alongside a write that fails is answered all the same', async () => {
    const order = new WriteOrder();
    const log: string[] = [];
    const w = holder(log, 'w');
    const r = holder(log, 'r');
    const written = order.write(w.work);
    const read = order.read(r.work);
    await tick();
    r.finish();
    assert.equal(await read, 'r');
    w.finish(false);
    await assert.rejects(written, /w failed/);
    assert.deepEqual(log, ['w start', 'r start', 'r end', 'w end']);
    await order.idle();
  });

  it('a read that arrives after the writes settled starts at once', async () => {
    const order = new WriteOrder();
    const log: string[] = [];
    await order.write(async () => 'w');
    const r = holder(log, 'r');
    const read = order.read(r.work);
    assert.deepEqual(log, ['r start']);
    r.finish();
    await read;
  });

  it('idle waits for the reads running beside a write, not only for the write', async () => {
    const order = new WriteOrder();
    const log: string[] = [];
    const w = holder(log, 'w');
    const r = holder(log, 'r');
    void order.write(w.work);
    const read = order.read(r.work);
    let idle = false;
    const settled = order.idle().then(() => (idle = true));
    w.finish();
    await tick();
    assert.equal(idle, false);
    r.finish();
    await read;
    await settled;
    assert.equal(idle, true);
  });

  it('work that throws synchronously rejects, and the order goes on', async () => {
    const order = new WriteOrder();
    const boom = (): Promise<string> => {
      throw new Error('boom');
    };
    await assert.rejects(order.write(boom), /boom/);
    await assert.rejects(order.read(boom), /boom/);
    assert.equal(await order.write(async () => 'after'), 'after');
    await order.idle();
  });
});
