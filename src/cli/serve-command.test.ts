import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { CommandIo } from './io.js';
import { runServe } from './serve-command.js';

function io(): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readFile: () => Promise.reject(new Error('not used')),
    readStdin: () => Promise.reject(new Error('not used')),
    readLines: () => (async function* () {})(),
    now: () => new Date(),
  };
}

describe('gatehouse serve options', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-serve-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('--help names the connection options and their variables', async () => {
    const out = io();
    assert.equal(await runServe(['--help'], out, {}), 0);
    for (const word of ['--headers-timeout', '--request-timeout', '--keep-alive-timeout', '--max-connections', 'GATEHOUSE_MAX_CONNECTIONS', '0700']) {
      assert.ok(out.out.join('').includes(word), word);
    }
  });

  for (const { args, message } of [
    { args: ['--max-connections', '0'], message: /--max-connections\) must be a whole number of at least 1, not "0"/ },
    { args: ['--headers-timeout', 'soon'], message: /--headers-timeout\) must be a whole number of at least 1, not "soon"/ },
    { args: ['--headers-timeout', '5000', '--request-timeout', '100'], message: /request timeout must be at least the headers timeout/ },
  ]) {
    test(`${args.join(' ')} is refused before the server starts, in one line`, async () => {
      const out = io();
      assert.equal(await runServe([...args, '--data-dir', dataDir, '--port', '0'], out, {}), 1);
      assert.match(out.err.join(''), message);
      assert.equal(out.err.join('').split('\n').length, 2);
    });
  }

  test('a number option without its value is an unexpected argument', async () => {
    const out = io();
    assert.equal(await runServe(['--max-connections'], out, {}), 64);
    assert.match(out.err.join(''), /^gatehouse serve: Option '--max-connections <value>' argument missing\n/);
  });
});
