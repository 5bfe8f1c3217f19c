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

describe('audit trail options', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-config-audit-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const cases: ReadonlyArray<{ name: string; options?: Parameters<typeof loadConfig>[0]; env?: NodeJS.ProcessEnv; expected: { enabled: boolean; retentionDays: number; failedAuthentication: boolean } | RegExp }> = [
    { name: 'defaults: on, 90 days, failed authentications not recorded', expected: { enabled: true, retentionDays: 90, failedAuthentication: false } },
    { name: '--audit off', options: { audit: 'off' }, expected: { enabled: false, retentionDays: 90, failedAuthentication: false } },
    { name: 'GATEHOUSE_AUDIT=OFF (any case)', env: { GATEHOUSE_AUDIT: 'OFF' }, expected: { enabled: false, retentionDays: 90, failedAuthentication: false } },
    { name: '--audit wins over the variable', options: { audit: 'on' }, env: { GATEHOUSE_AUDIT: 'off' }, expected: { enabled: true, retentionDays: 90, failedAuthentication: false } },
    { name: '--audit-retention-days 7', options: { auditRetentionDays: '7' }, expected: { enabled: true, retentionDays: 7, failedAuthentication: false } },
    { name: 'GATEHOUSE_AUDIT_FAILED_AUTHENTICATION=1', env: { GATEHOUSE_AUDIT_FAILED_AUTHENTICATION: '1' }, expected: { enabled: true, retentionDays: 90, failedAuthentication: true } },
    { name: '--audit maybe is refused', options: { audit: 'maybe' }, expected: /--audit \(GATEHOUSE_AUDIT\) must be on or off/ },
    { name: 'zero days is refused', options: { auditRetentionDays: '0' }, expected: /whole number of days, 1 or more/ },
    { name: 'a fraction of a day is refused', env: { GATEHOUSE_AUDIT_RETENTION_DAYS: '1.5' }, expected: /whole number of days/ },
  ];
  for (const { name, options, env, expected } of cases) {
    test(name, () => {
      const load = () => loadConfig({ dataDir, ...options }, env ?? {});
      if (expected instanceof RegExp) assert.throws(load, expected);
      else assert.deepEqual(load().audit, expected);
    });
  }
});
