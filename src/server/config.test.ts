import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from './config.js';

describe('choosing the store', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const pgUrl = 'postgresql://gatehouse@127.0.0.1:5432/iam';
  for (const { name, option, env, expected } of [
    { name: 'nothing set: the embedded SQLite store', option: undefined, env: undefined, expected: undefined },
    { name: 'an empty variable: SQLite', option: undefined, env: ' ', expected: undefined },
    { name: 'GATEHOUSE_DATABASE_URL postgresql://', option: undefined, env: pgUrl, expected: pgUrl },
    { name: 'GATEHOUSE_DATABASE_URL postgres://', option: undefined, env: 'postgres://h/db', expected: 'postgres://h/db' },
    { name: '--database-url wins over the variable', option: 'postgres://option/db', env: pgUrl, expected: 'postgres://option/db' },
    { name: 'anything else is refused, not taken for SQLite', option: undefined, env: 'sqlite:///tmp/x.db', expected: Error },
    { name: 'a bare host is refused', option: 'db.internal:5432', env: undefined, expected: Error },
  ]) {
    test(name, () => {
      const load = () =>
        loadConfig({ dataDir, ...(option !== undefined ? { databaseUrl: option } : {}) }, env !== undefined ? { GATEHOUSE_DATABASE_URL: env } : {});
      if (expected === Error) assert.throws(load, /must be a postgres:\/\/ or postgresql:\/\/ URL/);
      else assert.equal(load().databaseUrl, expected);
    });
  }
});
