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
