// Two Gatehouse nodes on one PostgreSQL database: an SCP attached (or detached) through one node holds on the other
// for its next request once that node has heard of the write.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, ListRolesCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AttachPolicyCommand, CreateAccountCommand, CreateOrganizationCommand, CreatePolicyCommand, DetachPolicyCommand, EnablePolicyTypeCommand, ListRootsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { failure, iamClient, keyOf, organizationsClient, stsClient } from './helpers/clients.js';
import { startPostgresCluster, type PostgresCluster } from './helpers/postgres-cluster.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const MASTER_KEY = randomBytes(32).toString('base64');
const SESSION_KEYS = JSON.stringify({ keys: [{ id: 'shared1', key: randomBytes(32).toString('base64'), created: new Date().toISOString() }] });

let cluster: PostgresCluster | undefined;
let nodes: TestServer[] = [];

before(async () => {
  cluster = await startPostgresCluster();
  const url = await cluster.createDatabase('gatehouse');
  nodes = await Promise.all([0, 1].map(() => startTestServer({ GATEHOUSE_DATABASE_URL: url, GATEHOUSE_MASTER_KEY: MASTER_KEY }, { env: { GATEHOUSE_SESSION_KEYS: SESSION_KEYS } })));
});

after(async () => {
  try {
    await Promise.all(nodes.map((n) => n.close()));
  } finally {
    await cluster?.stop();
  }
});

function node(index: 0 | 1): TestServer {
  const found = nodes[index];
  if (found === undefined) throw new Error('the nodes did not start (see the before hook failure)');
  return found;
}

/** Waits (bounded) until node `to` has heard of every write node `from` has committed. */
async function propagated(from: 0 | 1, to: 0 | 1): Promise<void> {
  const target = node(from).running.store.version();
  const start = performance.now();
  while (node(to).running.store.version() < target) {
    if (performance.now() - start > 2_000) assert.fail(`node ${to} did not see version ${target} within 2 s`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('an SCP attached through node A binds a member session on node B at its next request; detached through B, A lets it through', async () => {
  const org = organizationsClient(node(0).endpoint);
  await org.send(new CreateOrganizationCommand({}));
  const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
  await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
  const member = (await org.send(new CreateAccountCommand({ Email: 'm@example.com', AccountName: 'm' }))).CreateAccountStatus?.AccountId ?? '';
  const root = iamClient(node(0).endpoint);
  await root.send(new CreateUserCommand({ UserName: 'admin' }));
  await root.send(new PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'all', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }));
  const created = await root.send(new CreateAccessKeyCommand({ UserName: 'admin' }));
  const admin = { accessKeyId: created.AccessKey?.AccessKeyId ?? '', secretAccessKey: created.AccessKey?.SecretAccessKey ?? '' };
  await propagated(0, 1);
  const session = keyOf((await stsClient(node(1).endpoint, admin).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'ops' }))).Credentials);
  const onB = iamClient(node(1).endpoint, session);
  const onA = iamClient(node(0).endpoint, session);
  // Compiled on B before the SCP exists: the cached decision must not outlive the attachment.
  await onB.send(new ListRolesCommand({}));

  const scp = (await org.send(new CreatePolicyCommand({
    Name: 'no-roles-list',
    Description: '',
    Type: 'SERVICE_CONTROL_POLICY',
    Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:ListRoles', Resource: '*' }] }),
  }))).Policy?.PolicySummary?.Id ?? '';
  await org.send(new AttachPolicyCommand({ PolicyId: scp, TargetId: member }));
  await propagated(0, 1);
  const denied = await failure(onB.send(new ListRolesCommand({})));
  assert.equal(denied.name, 'AccessDenied');
  assert.match(denied.message, / with an explicit deny in a service control policy$/);

  await onA.send(new ListRolesCommand({})).then(
    () => assert.fail('node A must deny too'),
    (error: Error) => assert.equal(error.name, 'AccessDenied'),
  );
  await organizationsClient(node(1).endpoint).send(new DetachPolicyCommand({ PolicyId: scp, TargetId: member }));
  await propagated(1, 0);
  assert.deepEqual((await onA.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName), ['OrganizationAccountAccessRole']);
});
