// The data directory's modes: whatever the umask and whatever an earlier start or a person left, the directory ends
// up 0700 and every file in it (database, WAL/SHM, keys, root credentials) 0600, with a log line for each loosening
// that had to be undone.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { flushLogger } from '../src/server/logger.js';
import { capturedLogger } from '../src/server/testing.js';
import { TEST_ACCOUNT_ID } from './helpers/server.js';

const mode = (path: string): string => `0${(statSync(path).mode & 0o777).toString(8)}`;

/** The modes of the directory and of every file in it, by name. */
function modes(dir: string): Record<string, string> {
  return Object.fromEntries([['.', mode(dir)], ...readdirSync(dir).map((name) => [name, mode(join(dir, name))])]);
}

async function startIn(dataDir: string) {
  const { lines, logger } = capturedLogger();
  // No root key in the environment: the server generates one and writes root-credentials.json.
  const config = loadConfig({ port: 0, host: '127.0.0.1', dataDir }, { GATEHOUSE_ACCOUNT_ID: TEST_ACCOUNT_ID });
  const running = await startServer(config, { logger });
  return { lines, logger, running };
}

describe('data directory modes', () => {
  const parent = mkdtempSync(join(tmpdir(), 'gatehouse-modes-'));
  let umask = 0;
  // The loosest umask there is: nothing may depend on it to keep the files private.
  before(() => {
    umask = process.umask(0);
  });
  after(() => {
    process.umask(umask);
    rmSync(parent, { recursive: true, force: true });
  });

  test('a new directory: 0700, every file 0600 while the server runs, nothing to report', async () => {
    const dataDir = join(parent, 'fresh');
    const { lines, logger, running } = await startIn(dataDir);
    try {
      const seen = modes(dataDir);
      for (const name of ['gatehouse.db', 'master.key', 'session-keys.json', 'root-credentials.json']) assert.ok(name in seen, `${name} exists`);
      assert.ok(Object.keys(seen).some((name) => name.endsWith('-wal')), 'the WAL file exists while the server runs');
      assert.deepEqual(seen, Object.fromEntries(Object.keys(seen).map((name) => [name, name === '.' ? '0700' : '0600'])));
    } finally {
      await running.close();
    }
    await flushLogger(logger);
    assert.deepEqual(lines.filter((l) => /tightened/.test(String(l['msg']))), []);
  });

  test('an existing 0755 directory with 0644 files is tightened at start, with a log line for each', async () => {
    const dataDir = join(parent, 'loose');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'master.key'), randomBytes(32).toString('base64'), { mode: 0o644 });
    writeFileSync(join(dataDir, 'gatehouse.db'), '', { mode: 0o644 });
    writeFileSync(join(dataDir, 'root-credentials.json'), '{}', { mode: 0o666 });
    const { lines, logger, running } = await startIn(dataDir);
    try {
      const seen = modes(dataDir);
      assert.deepEqual(seen, Object.fromEntries(Object.keys(seen).map((name) => [name, name === '.' ? '0700' : '0600'])));
    } finally {
      await running.close();
    }
    await flushLogger(logger);
    const tightened = lines.filter((l) => /tightened/.test(String(l['msg'])));
    assert.deepEqual(
      tightened.map((l) => [String(l['path']).slice(dataDir.length), l['was'], l['now'], l['level']]).sort(),
      [
        ['', '0755', '0700', 40],
        ['/gatehouse.db', '0644', '0600', 40],
        ['/master.key', '0644', '0600', 40],
        ['/root-credentials.json', '0666', '0600', 40],
      ],
    );
  });
});
