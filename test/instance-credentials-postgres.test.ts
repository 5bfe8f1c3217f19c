// Instance and container registrations on two Gatehouse nodes sharing one PostgreSQL database: what one node
// registers, the other serves or deregisters, and a deregistration through either stops the credentials at once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { keyOf, stsClient } from './helpers/clients.js';
import { createFixtures, gatehouse, type Principals } from './helpers/instances.js';
import { startPostgresCluster, type PostgresCluster } from './helpers/postgres-cluster.js';
import { TEST_ACCOUNT_ID, startTestServer, type TestServer } from './helpers/server.js';

const MASTER_KEY = randomBytes(32).toString('base64');
const SESSION_KEYS = JSON.stringify({ keys: [{ id: 'shared1', key: randomBytes(32).toString('base64'), created: new Date().toISOString() }] });

let cluster: PostgresCluster | undefined;
let nodes: TestServer[] = [];
let principals: Principals;

before(async () => {
  cluster = await startPostgresCluster();
  const url = await cluster.createDatabase('gatehouse');
  for (let i = 0; i < 2; i++) nodes.push(await startTestServer({ GATEHOUSE_DATABASE_URL: url, GATEHOUSE_MASTER_KEY: MASTER_KEY }, { env: { GATEHOUSE_SESSION_KEYS: SESSION_KEYS } }));
  principals = await createFixtures(node(0).endpoint);
});

after(async () => {
  try {
    await Promise.all(nodes.map((n) => n.close()));
  } finally {
    nodes = [];
    await cluster?.stop();
  }
});

function node(index: 0 | 1): TestServer {
  const found = nodes[index];
  if (found === undefined) throw new Error('the nodes did not start (see the before hook failure)');
  return found;
}

/** Until the other node has heard of every write: then its next request sees them. */
async function propagated(from: 0 | 1, to: 0 | 1): Promise<void> {
  const target = node(from).running.store.version();
  const start = Date.now();
  while (node(to).running.store.version() < target) {
    if (Date.now() - start > 2000) assert.fail(`node ${to} did not see version ${target} within 2 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('an instance registered through one node is deregistered through the other: its IMDS stops at once', async () => {
  const registered = await gatehouse(node(0).endpoint, 'register-instance', ['--instance-profile', 'web'], principals.deployer);
  assert.equal(registered.code, 0, registered.err);
  const endpoint = registered.exports['AWS_EC2_METADATA_SERVICE_ENDPOINT'] as string;
  const instanceId = /# Instance (i-[0-9a-f]{17}):/.exec(registered.out)?.[1] as string;
  const token = await (await fetch(`${endpoint}latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '600' } })).text();
  const document = (await (await fetch(`${endpoint}latest/meta-data/iam/security-credentials/App`, { headers: { 'x-aws-ec2-metadata-token': token } })).json()) as Record<string, string>;
  // The other node opens the session: the key ring is shared.
  const identity = await stsClient(node(1).endpoint, keyOf({ AccessKeyId: document['AccessKeyId'], SecretAccessKey: document['SecretAccessKey'], SessionToken: document['Token'] })).send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Arn, `arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/App/${instanceId}`);

  await propagated(0, 1);
  const refused = await gatehouse(node(1).endpoint, 'deregister-instance', [instanceId], principals.reader);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /AccessDenied/);
  const gone = await gatehouse(node(1).endpoint, 'deregister-instance', [instanceId], principals.deployer);
  assert.equal(gone.code, 0, gone.err);
  assert.equal((await fetch(`${endpoint}latest/meta-data/iam/security-credentials/App`, { headers: { 'x-aws-ec2-metadata-token': token } })).status, 404);
});

test("a container registered through one node gets its credentials from the other's endpoint, until deregistered there", async () => {
  const registered = await gatehouse(node(0).endpoint, 'register-container', ['--role-arn', `arn:aws:iam::${TEST_ACCOUNT_ID}:role/Task`], principals.deployer);
  assert.equal(registered.code, 0, registered.err);
  const taskId = /# Task ([0-9a-f]{32}):/.exec(registered.out)?.[1] as string;
  const token = registered.exports['AWS_CONTAINER_AUTHORIZATION_TOKEN'] as string;
  await propagated(0, 1);
  const onOther = `${node(1).endpoint}/_gatehouse/container-credentials/${taskId}`;
  const answer = await fetch(onOther, { headers: { authorization: token } });
  assert.equal(answer.status, 200);
  assert.equal(((await answer.json()) as { RoleArn: string }).RoleArn, `arn:aws:iam::${TEST_ACCOUNT_ID}:role/Task`);
  assert.equal((await gatehouse(node(1).endpoint, 'deregister-container', [taskId], principals.deployer)).code, 0);
  await propagated(1, 0);
  assert.equal((await fetch(`${node(0).endpoint}/_gatehouse/container-credentials/${taskId}`, { headers: { authorization: token } })).status, 401);
});
