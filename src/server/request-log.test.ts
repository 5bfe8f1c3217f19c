import assert from 'node:assert/strict';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LogDestination } from './log-destination.js';
import { createLogger, flushLogger } from './logger.js';
import { RequestLog, type RequestRecord } from './request-log.js';
import { capturedLogger } from './testing.js';

const base: RequestRecord = { requestId: 'r-1', principal: 'arn:aws:iam::111122223333:user/alice', service: 'iam', action: 'iam:GetUser', decision: 'Allowed', status: 200, code: undefined, micros: 1250 };

const cases: ReadonlyArray<{ name: string; record: RequestRecord; expect: Record<string, unknown>; alone?: boolean }> = [
  { name: 'an allowed request', record: base, expect: { requestId: 'r-1', principal: base.principal, service: 'iam', action: 'iam:GetUser', decision: 'Allowed', status: 200, ms: 1.25 } },
  {
    name: 'a denial with its code',
    record: { ...base, decision: 'Denied', status: 403, code: 'AccessDenied' },
    expect: { decision: 'Denied', status: 403, code: 'AccessDenied' },
  },
  {
    name: 'a request refused before anyone was known (no principal, service or action)',
    record: { ...base, principal: undefined, service: undefined, action: undefined, decision: undefined, status: 403, code: 'SignatureDoesNotMatch' },
    expect: { principal: null, service: null, action: null, status: 403, code: 'SignatureDoesNotMatch' },
  },
  {
    name: 'text that needs escaping stays one valid JSON line',
    record: { ...base, principal: 'arn:aws:iam::111122223333:user/a"b\\c\nd' },
    expect: { principal: 'arn:aws:iam::111122223333:user/a"b\\c\nd' },
  },
  { name: 'non-ASCII text is written as UTF-8', record: { ...base, principal: 'arn:aws:iam::111122223333:user/zoë-日本' }, expect: { principal: 'arn:aws:iam::111122223333:user/zoë-日本' } },
  { name: 'a line too long for the room left in a chunk goes out whole, at once', alone: true, record: { ...base, principal: `arn:aws:iam::111122223333:user/${'é'.repeat(3000)}` }, expect: { principal: `arn:aws:iam::111122223333:user/${'é'.repeat(3000)}` } },
  { name: 'a request under a millisecond', record: { ...base, micros: 7 }, expect: { ms: 0.007 } },
  { name: 'a request of whole milliseconds', record: { ...base, micros: 42_000 }, expect: { ms: 42 } },
  { name: 'a slow request', record: { ...base, micros: 12_345_678 }, expect: { ms: 12345.678 } },
  { name: 'tens of microseconds', record: { ...base, micros: 1_050 }, expect: { ms: 1.05 } },
];

for (const c of cases) {
  test(`request log: ${c.name}`, () => {
    const { lines, logger } = capturedLogger();
    const log = RequestLog.of(logger);
    assert.ok(log !== undefined);
    log.write(c.record);
    if (c.alone !== true) assert.equal(lines.length, 0, 'handed over in chunks, not line by line');
    log.flush();
    // The destination's write is synchronous for the captured stream.
    return new Promise<void>((resolve) => {
      setImmediate(() => {
        assert.equal(lines.length, 1);
        const line = lines[0] as Record<string, unknown>;
        // pino's own fields, so the lines read like the logger's others.
        assert.equal(line['level'], 30);
        assert.equal(typeof line['time'], 'number');
        assert.equal(line['name'], 'gatehouse');
        assert.equal(line['msg'], 'request');
        for (const [key, value] of Object.entries(c.expect)) assert.deepEqual(line[key], value, key);
        resolve();
      });
    });
  });
}

test('request log: inactive while the level leaves info lines out', () => {
  const { logger } = capturedLogger();
  logger.level = 'warn';
  assert.equal(RequestLog.of(logger)?.active, false);
  logger.level = 'info';
  assert.equal(RequestLog.of(logger)?.active, true);
});

test('request log: a full chunk is handed over at once', () => {
  const { lines, logger } = capturedLogger();
  const log = RequestLog.of(logger) as RequestLog;
  for (let i = 0; i < 400; i++) log.write({ ...base, requestId: `r-${i}` });
  return new Promise<void>((resolve) => {
    setImmediate(() => {
      assert.ok(lines.length > 0 && lines.length < 400, String(lines.length));
      log.flush();
      setImmediate(() => {
        assert.equal(lines.length, 400);
        assert.deepEqual(lines.map((l) => l['requestId']).slice(0, 3), ['r-0', 'r-1', 'r-2']);
        resolve();
      });
    });
  });
});

test("request log: on the server's own destination, chunks reach the file as bytes, whole and in order with pino's lines", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-request-log-'));
  try {
    const file = join(dir, 'log');
    const destination = new LogDestination(openSync(file, 'a'));
    const logger = createLogger({ destination });
    const log = RequestLog.of(logger) as RequestLog;
    logger.info('before');
    for (let i = 0; i < 1000; i++) log.write({ ...base, requestId: `r-${i}`, principal: i % 7 === 0 ? 'arn:aws:iam::111122223333:user/zoë' : base.principal });
    log.flush();
    logger.info('after');
    await flushLogger(logger);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 1002);
    assert.equal(lines[0]?.['msg'], 'before');
    assert.equal(lines[1001]?.['msg'], 'after');
    assert.deepEqual(lines.slice(1, 1001).map((l) => l['requestId']), Array.from({ length: 1000 }, (_, i) => `r-${i}`));
    assert.equal(lines[1]?.['principal'], 'arn:aws:iam::111122223333:user/zoë');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
