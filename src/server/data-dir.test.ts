import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createPrivateFile, secureDataDir } from './data-dir.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('secureDataDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-datadir-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('tightens the directory and its files, once: a second pass finds nothing', () => {
    const dir = join(root, 'plain');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'a'), 'x');
    chmodSync(join(dir, 'a'), 0o644);
    assert.deepEqual(secureDataDir(dir), [dir, join(dir, 'a')]);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, 'a')), 0o600);
    assert.deepEqual(secureDataDir(dir), []);
  });

  test('a symbolic link in the directory is not followed out of it', () => {
    const dir = join(root, 'links');
    mkdirSync(dir, { mode: 0o700 });
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'x');
    chmodSync(outside, 0o644);
    symlinkSync(outside, join(dir, 'link'));
    assert.deepEqual(secureDataDir(dir), []);
    assert.equal(mode(outside), 0o644);
  });

  test('a data directory given as a symbolic link is the directory it points to', () => {
    const target = join(root, 'target');
    mkdirSync(target);
    chmodSync(target, 0o755);
    const link = join(root, 'data-link');
    symlinkSync(target, link);
    assert.deepEqual(secureDataDir(link), [link]);
    assert.equal(mode(target), 0o700);
    assert.deepEqual(secureDataDir(link), []);
  });

  test('createPrivateFile makes a 0600 file whatever the umask, and leaves an existing one its content', () => {
    const previous = process.umask(0);
    try {
      const path = join(root, 'db');
      createPrivateFile(path);
      assert.equal(mode(path), 0o600);
      writeFileSync(path, 'kept');
      chmodSync(path, 0o666);
      createPrivateFile(path);
      assert.equal(mode(path), 0o600);
      assert.equal(statSync(path).size, 4);
    } finally {
      process.umask(previous);
    }
  });
});
