import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from './config-error.js';
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

describe('role templates file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const arn = 'arn:aws:iam::aws:role-template/lambda.amazonaws.com/App:1';
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  test('none without the option or variable', () => {
    assert.equal(loadConfig({ dataDir: dir }, {}).roleTemplates, undefined);
  });

  test('a list, or one GetRoleTemplateVersion answer, from --role-templates or GATEHOUSE_ROLE_TEMPLATES', () => {
    const version = { TemplateArn: arn, MinorVersion: 0, RoleNamePattern: 'App', AssumeRolePolicyDocumentTemplate: trust };
    const list = file('list.json', JSON.stringify([version]));
    assert.deepEqual(loadConfig({ dataDir: dir, roleTemplates: list }, {}).roleTemplates, [version]);
    const one = file('one.json', JSON.stringify({ RoleTemplateVersion: version }));
    assert.deepEqual(loadConfig({ dataDir: dir }, { GATEHOUSE_ROLE_TEMPLATES: one }).roleTemplates, [{ RoleTemplateVersion: version }]);
  });

  test('an unreadable file, or a template that cannot be served, stops the start with the reason', () => {
    const refused = (message: RegExp) => (error: unknown) => error instanceof ConfigError && message.test(error.message);
    assert.throws(() => loadConfig({ dataDir: dir, roleTemplates: join(dir, 'missing.json') }, {}), refused(/^cannot read the role templates .*missing\.json: ENOENT/));
    const broken = file('broken.json', '[{');
    assert.throws(() => loadConfig({ dataDir: dir, roleTemplates: broken }, {}), refused(/^cannot read the role templates .*broken\.json/));
    const typo = file('typo.json', JSON.stringify([{ TemplateArn: arn, MinorVersion: 0, RoleNamePattern: 'App-@{Tem}', AssumeRolePolicyDocumentTemplate: trust }]));
    assert.throws(() => loadConfig({ dataDir: dir, roleTemplates: typo }, {}), (error: unknown) =>
      error instanceof ConfigError && error.message === `${typo}: role template ${arn} minor version 0: RoleNamePattern uses @{Tem}, which is no parameter of the template`,
    );
  });
});

describe('where instances get their IMDS', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const table: Array<{ name: string; options?: Record<string, unknown>; env?: Record<string, string>; expected: { host: string; port: number } | RegExp }> = [
    { name: 'by default loopback, ports the system picks', expected: { host: '127.0.0.1', port: 0 } },
    { name: '--imds-port sets the base port', options: { imdsPort: '45000' }, expected: { host: '127.0.0.1', port: 45000 } },
    { name: 'GATEHOUSE_IMDS_HOST another loopback address', env: { GATEHOUSE_IMDS_HOST: '127.0.0.2' }, expected: { host: '127.0.0.2', port: 0 } },
    { name: 'IPv6 loopback', options: { imdsHost: '::1' }, expected: { host: '::1', port: 0 } },
    { name: 'an address off this machine is refused', options: { imdsHost: '0.0.0.0' }, expected: /the IMDS host 0\.0\.0\.0 is not a loopback address/ },
    { name: 'an IPv4-mapped address off this machine is refused', options: { imdsHost: '::ffff:10.0.0.1' }, expected: /not a loopback address/ },
    { name: '… unless allowed explicitly', options: { imdsHost: '0.0.0.0', imdsAllowNonLoopback: true }, expected: { host: '0.0.0.0', port: 0 } },
    { name: '… by the variable too', env: { GATEHOUSE_IMDS_HOST: '10.1.2.3', GATEHOUSE_IMDS_ALLOW_NON_LOOPBACK: '1' }, expected: { host: '10.1.2.3', port: 0 } },
    { name: 'a port that is no port', options: { imdsPort: '70000' }, expected: /invalid IMDS port "70000"/ },
  ];
  for (const { name, options = {}, env = {}, expected } of table) {
    test(name, () => {
      const load = () => loadConfig({ dataDir, ...options }, env);
      if (expected instanceof RegExp) assert.throws(load, expected);
      else assert.deepEqual(load().imds, expected);
    });
  }
});

describe('audit trail options', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-config-audit-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const cases: ReadonlyArray<{ name: string; options?: Parameters<typeof loadConfig>[0]; env?: NodeJS.ProcessEnv; expected: { enabled: boolean; retentionDays: number; failedAuthentication: boolean } | RegExp }> = [
    { name: 'defaults: off, 90 days, failed authentications not recorded', expected: { enabled: false, retentionDays: 90, failedAuthentication: false } },
    { name: '--audit on', options: { audit: 'on' }, expected: { enabled: true, retentionDays: 90, failedAuthentication: false } },
    { name: '--audit off', options: { audit: 'off' }, expected: { enabled: false, retentionDays: 90, failedAuthentication: false } },
    { name: 'GATEHOUSE_AUDIT=OFF (any case)', env: { GATEHOUSE_AUDIT: 'OFF' }, expected: { enabled: false, retentionDays: 90, failedAuthentication: false } },
    { name: '--audit wins over the variable', options: { audit: 'on' }, env: { GATEHOUSE_AUDIT: 'off' }, expected: { enabled: true, retentionDays: 90, failedAuthentication: false } },
    { name: '--audit-retention-days 7', options: { audit: 'on', auditRetentionDays: '7' }, expected: { enabled: true, retentionDays: 7, failedAuthentication: false } },
    { name: 'GATEHOUSE_AUDIT_FAILED_AUTHENTICATION=1', env: { GATEHOUSE_AUDIT: 'on', GATEHOUSE_AUDIT_FAILED_AUTHENTICATION: '1' }, expected: { enabled: true, retentionDays: 90, failedAuthentication: true } },
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

describe('the IAM users quota', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  for (const { name, option, env, expected } of [
    { name: 'unset: AWS default (absent here)', option: undefined, env: undefined, expected: undefined },
    { name: '--max-users 10000', option: '10000', env: undefined, expected: 10000 },
    { name: 'GATEHOUSE_MAX_USERS', option: undefined, env: '20000', expected: 20000 },
    { name: 'the option wins over the variable', option: '100', env: '20000', expected: 100 },
    { name: 'zero is refused', option: '0', env: undefined, expected: Error },
    { name: 'a fraction is refused', option: '5000.5', env: undefined, expected: Error },
    { name: 'text is refused', option: 'lots', env: undefined, expected: Error },
    { name: 'past 1000000 is refused', option: '1000001', env: undefined, expected: Error },
  ]) {
    test(name, () => {
      const load = () => loadConfig({ dataDir, ...(option !== undefined ? { maxUsers: option } : {}) }, env !== undefined ? { GATEHOUSE_MAX_USERS: env } : {});
      if (expected === Error) assert.throws(load, (error: unknown) => error instanceof ConfigError && /--max-users must be a whole number from 1 to 1000000/.test(error.message));
      else assert.equal(load().maxUsersPerAccount, expected);
    });
  }
});

describe('the organization account quota', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  for (const { name, option, env, expected } of [
    { name: 'unset: AWS default (absent here)', option: undefined, env: undefined, expected: undefined },
    { name: '--max-org-accounts 1000', option: '1000', env: undefined, expected: 1000 },
    { name: 'GATEHOUSE_MAX_ORG_ACCOUNTS', option: undefined, env: '50', expected: 50 },
    { name: 'the option wins over the variable', option: '20', env: '50', expected: 20 },
    { name: 'zero is refused', option: '0', env: undefined, expected: Error },
    { name: 'a fraction is refused', option: '1.5', env: undefined, expected: Error },
    { name: 'text is refused', option: 'many', env: undefined, expected: Error },
    { name: 'past 100000 is refused', option: '100001', env: undefined, expected: Error },
  ]) {
    test(name, () => {
      const load = () => loadConfig({ dataDir, ...(option !== undefined ? { maxOrgAccounts: option } : {}) }, env !== undefined ? { GATEHOUSE_MAX_ORG_ACCOUNTS: env } : {});
      if (expected === Error) assert.throws(load, (error: unknown) => error instanceof ConfigError && /--max-org-accounts must be a whole number from 1 to 100000/.test(error.message));
      else assert.equal(load().maxOrganizationAccounts, expected);
    });
  }
});
