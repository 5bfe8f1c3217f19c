import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LogDestination } from './log-destination.js';

function tempFile(): { file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-log-destination-'));
  return { file: join(dir, 'log'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('log destination: flush calls back only once every byte handed over is in the file', async () => {
  const { file, done } = tempFile();
  try {
    const destination = new LogDestination(openSync(file, 'a'));
    const chunk = Buffer.from('x'.repeat(99) + '\n');
    for (let i = 0; i < 2000; i++) destination.writeChunk(chunk);
    destination.write('{"msg":"last"}\n');
    await new Promise<void>((resolve, reject) => destination.flush((error) => (error === undefined ? resolve() : reject(error))));
    const text = readFileSync(file, 'utf8');
    assert.equal(text.length, 2000 * 100 + 15);
    assert.ok(text.endsWith('{"msg":"last"}\n'));
  } finally {
    done();
  }
});

test('log destination: a descriptor that cannot be written reports to flush and never throws', async () => {
  const { file, done } = tempFile();
  try {
    const fd = openSync(file, 'a');
    closeSync(fd);
    const destination = new LogDestination(fd);
    destination.write('{"msg":"lost"}\n');
    const error = await new Promise<Error | undefined>((resolve) => destination.flush(resolve));
    assert.ok(error instanceof Error, 'the failure reaches the flush callback');
    assert.equal(destination.write('{"msg":"after"}\n'), false, 'later lines are refused, not queued forever');
  } finally {
    done();
  }
});
