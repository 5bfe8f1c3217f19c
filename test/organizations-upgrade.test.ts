// Upgrade in place: a data directory written before Organizations existed (test/fixtures/pre-organizations, see its
// README) is opened by the current server. Every IAM entity is still there and usable (alice's key signs requests),
// the schema is at the current migrations (schema_migrations), and an organization can then be created, used, and survives a
// restart on the same directory.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { GetGroupCommand, GetRoleCommand, GetUserCommand, ListAccountAliasesCommand, ListAttachedRolePoliciesCommand, ListAttachedUserPoliciesCommand, ListUserPoliciesCommand } from '@aws-sdk/client-iam';
import { CreateOrganizationCommand, DescribeOrganizationCommand, EnablePolicyTypeCommand, ListAccountsCommand, ListRootsCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startServer, type RunningServer } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { iamClient, organizationsClient, stsClient, type Key } from './helpers/clients.js';
import { accessRoleSession, createMember } from './helpers/organizations.js';
import { ROOT_KEY, TEST_ACCOUNT_ID } from './helpers/server.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/pre-organizations/', import.meta.url));
const ALICE = JSON.parse(readFileSync(join(FIXTURE, 'alice-key.json'), 'utf8')) as Key;

async function start(dataDir: string): Promise<{ running: RunningServer; endpoint: string }> {
  const config = loadConfig(
    { port: 0, dataDir, host: '127.0.0.1' },
    { GATEHOUSE_LOG_LEVEL: 'error', GATEHOUSE_ACCOUNT_ID: TEST_ACCOUNT_ID, GATEHOUSE_ROOT_ACCESS_KEY_ID: ROOT_KEY.accessKeyId, GATEHOUSE_ROOT_SECRET_ACCESS_KEY: ROOT_KEY.secretAccessKey },
  );
  const running = await startServer(config);
  return { running, endpoint: `http://127.0.0.1:${running.port}` };
}

async function iamEntitiesIntact(endpoint: string): Promise<void> {
  const iam = iamClient(endpoint);
  assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, ['legacy-account']);
  const alice = (await iam.send(new GetUserCommand({ UserName: 'alice' }))).User;
  assert.equal(alice?.Path, '/staff/');
  assert.equal(alice?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:user/staff/alice`);
  assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'alice' }))).PolicyNames, ['all']);
  assert.deepEqual((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'alice' }))).AttachedPolicies?.map((p) => p.PolicyName), ['read-s3']);
  assert.deepEqual((await iam.send(new GetGroupCommand({ GroupName: 'readers' }))).Users?.map((u) => u.UserName), ['alice']);
  const role = (await iam.send(new GetRoleCommand({ RoleName: 'deployer' }))).Role;
  assert.deepEqual(role?.Tags, [{ Key: 'team', Value: 'platform' }]);
  assert.deepEqual((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'deployer' }))).AttachedPolicies?.map((p) => p.PolicyName), ['read-s3']);
  // alice's key, whose secret the old server stored, still signs requests.
  assert.equal((await stsClient(endpoint, ALICE).send(new GetCallerIdentityCommand({}))).Arn, alice?.Arn);
}

describe('upgrading a pre-Organizations data directory', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'gatehouse-upgrade-')), 'data');
  cpSync(join(FIXTURE, 'data'), dataDir, { recursive: true });
  let server: { running: RunningServer; endpoint: string } | undefined;
  after(async () => {
    await server?.running.close();
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  });

  test('the current server starts on it: every IAM entity intact', async () => {
    server = await start(dataDir);
    await iamEntitiesIntact(server.endpoint);
  });

  test('Organizations works on the upgraded data: alice (allowed everything) creates an organization and an account', async () => {
    const endpoint = server?.endpoint as string;
    const org = organizationsClient(endpoint, ALICE);
    const created = (await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization;
    assert.equal(created?.MasterAccountId, TEST_ACCOUNT_ID);
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id;
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    const member = await createMember(org, 'fresh');
    const session = await accessRoleSession(endpoint, ALICE, member);
    assert.equal((await stsClient(endpoint, session).send(new GetCallerIdentityCommand({}))).Account, member);
    await iamEntitiesIntact(endpoint);
  });

  test('after a restart on the same directory, the organization and the IAM entities are still there', async () => {
    await server?.running.close();
    server = undefined;
    // The server holds the database exclusively while it runs: the schema is read between the two starts.
    const db = new Database(join(dataDir, 'gatehouse.db'), { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT id FROM schema_migrations ORDER BY id').pluck().all(), MIGRATIONS.map((m) => m.id));
    } finally {
      db.close();
    }
    server = await start(dataDir);
    const org = organizationsClient(server.endpoint);
    assert.equal((await org.send(new DescribeOrganizationCommand({}))).Organization?.MasterAccountId, TEST_ACCOUNT_ID);
    assert.deepEqual((await org.send(new ListAccountsCommand({}))).Accounts?.map((a) => a.Name).sort(), ['fresh', 'legacy-account']);
    await iamEntitiesIntact(server.endpoint);
  });
});
