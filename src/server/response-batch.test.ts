import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { flushLogger, RateLimitedLog } from './logger.js';
import { ResponseBatch } from './response-batch.js';
import { capturedLogger } from './testing.js';

/** A response that records what was written to it, and can be told to fail. */
function fakeResponse(log: string[], name: string, fail = false) {
  return {
    destroyed: false,
    writeHead(status: number, headers: string[]) {
      if (fail) throw new Error(`${name} cannot be written`);
      log.push(`${name} ${status} ${headers.join(' ')}`);
    },
    end(body: string) {
      log.push(`${name} body ${body}`);
    },
    destroy() {
      this.destroyed = true;
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('ResponseBatch', () => {
  it('writes the responses of one turn together, after it, in the order they were sent', async () => {
    const batch = new ResponseBatch();
    const log: string[] = [];
    batch.send(fakeResponse(log, 'a') as unknown as ServerResponse, 200, '<a/>', 'id-a');
    batch.send(fakeResponse(log, 'b') as unknown as ServerResponse, 403, 'é', 'id-b');
    assert.deepEqual(log, []);
    await nextTurn();
    assert.deepEqual(log, [
      'a 200 content-type text/xml content-length 4 x-amzn-requestid id-a',
      'a body <a/>',
      // content-length counts UTF-8 bytes, not characters.
      'b 403 content-type text/xml content-length 2 x-amzn-requestid id-b',
      'b body é',
    ]);
    batch.send(fakeResponse(log, 'c') as unknown as ServerResponse, 200, '', 'id-c');
    await nextTurn();
    assert.equal(log.at(-1), 'c body ');
  });

  it('a response that fails to write is destroyed and the others still go out', async () => {
    const { lines, logger } = capturedLogger();
    const batch = new ResponseBatch(new RateLimitedLog(logger, 'error', 'response failures'));
    const log: string[] = [];
    const broken = fakeResponse(log, 'broken', true);
    batch.send(broken as unknown as ServerResponse, 200, 'x', 'id-1');
    batch.send(fakeResponse(log, 'fine') as unknown as ServerResponse, 200, 'y', 'id-2');
    await nextTurn();
    await flushLogger(logger);
    const errors = lines.filter((l) => l['level'] === 50);
    assert.equal(broken.destroyed, true);
    assert.equal(errors.length, 1);
    assert.deepEqual(log, ['fine 200 content-type text/xml content-length 1 x-amzn-requestid id-2', 'fine body y']);
  });
});
