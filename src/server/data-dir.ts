import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from './logger.js';

export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/**
 * The data directory holds the master key, the session keys, the root credentials and the database: only the
 * server's user may read it. A directory made by an older version or by hand keeps whatever mode it had (0755 is
 * common), and files take the umask's, so modes are set explicitly rather than left to `mkdir`/`open`: the
 * directory 0700, every regular file in it 0600. Symbolic links are left alone (chmod would follow them out of the
 * directory). Returns what it tightened; each tightening is logged.
 */
export function secureDataDir(dir: string, logger?: Logger): string[] {
  mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  const tightened: string[] = [];
  // stat, not lstat: a data directory given as a symbolic link is the directory it points to.
  const dirMode = statSync(dir).mode & 0o777;
  if (dirMode !== DATA_DIR_MODE) {
    chmodSync(dir, DATA_DIR_MODE);
    tightened.push(dir);
    logger?.warn({ path: dir, was: octal(dirMode), now: octal(DATA_DIR_MODE) }, 'data directory was open to other users: mode tightened');
  }
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (!stat.isFile() || (stat.mode & 0o777) === DATA_FILE_MODE) continue;
    chmodSync(path, DATA_FILE_MODE);
    tightened.push(path);
    logger?.warn({ path, was: octal(stat.mode & 0o777), now: octal(DATA_FILE_MODE) }, 'data file was readable by other users: mode tightened');
  }
  return tightened;
}

/**
 * Creates `path` empty with mode 0600 if it does not exist, whatever the umask. SQLite creates its -wal and -shm
 * files with the database file's permissions, so a database file made this way before SQLite opens it keeps them
 * private too.
 */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', DATA_FILE_MODE));
  chmodSync(path, DATA_FILE_MODE);
}

const octal = (mode: number): string => `0${mode.toString(8)}`;
