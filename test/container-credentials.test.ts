// Containers registered with a task role: the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI
// with AWS_CONTAINER_AUTHORIZATION_TOKEN) as the SDK v3 default chain and boto3 read it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DeleteRoleCommand, CreateRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { fromContainerMetadata } from '@smithy/credential-provider-imds';
import { runBoto3Script } from './helpers/boto3.js';
import { iamClient } from './helpers/clients.js';
import { createFixtures, gatehouse, trustFor, withChainEnvironment, type Principals } from './helpers/instances.js';
import { REGION, TEST_ACCOUNT_ID as TEST_ACCOUNT, useTestServer } from './helpers/server.js';

let principals: Principals;
const server = useTestServer({}, {}, async () => {
  principals = await createFixtures(server.endpoint);
});

interface Task {
  readonly taskId: string;
  readonly uri: string;
  readonly token: string;
}

async function registerContainer(role = 'Task'): Promise<Task> {
  const result = await gatehouse(server.endpoint, 'register-container', ['--role-arn', `arn:aws:iam::${TEST_ACCOUNT}:role/${role}`], principals.deployer);
  assert.equal(result.code, 0, result.err);
  const uri = result.exports['AWS_CONTAINER_CREDENTIALS_FULL_URI'];
  const token = result.exports['AWS_CONTAINER_AUTHORIZATION_TOKEN'];
  const taskId = /# Task ([0-9a-f]{32}):/.exec(result.out)?.[1];
  assert.ok(uri !== undefined && token !== undefined && taskId !== undefined, result.out);
  return { taskId, uri, token };
}

const identityThroughChain = (task: Pick<Task, 'uri' | 'token'>) =>
  withChainEnvironment({ AWS_CONTAINER_CREDENTIALS_FULL_URI: task.uri, AWS_CONTAINER_AUTHORIZATION_TOKEN: task.token }, async () => {
    const sts = new STSClient({ endpoint: server.endpoint, region: REGION, credentials: defaultProvider(), maxAttempts: 1 });
    return sts.send(new GetCallerIdentityCommand({}));
  });

describe('a container registered with a task role', () => {
  test('register-container prints the full URI on this server and a token', async () => {
    const task = await registerContainer();
    assert.equal(task.uri, `${server.endpoint}/_gatehouse/container-credentials/${task.taskId}`);
    assert.match(task.token, /^[A-Za-z0-9_-]{43}$/);
  });

  test('the SDK v3 default chain gets the role session assumed-role/Task/TASKID', async () => {
    const task = await registerContainer();
    const identity = await identityThroughChain(task);
    assert.equal(identity.Arn, `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/Task/${task.taskId}`);
    assert.match(identity.UserId ?? '', new RegExp(`^AROA[A-Z2-7]{17}:${task.taskId}$`));
  });

  test('fromHttp and fromContainerMetadata read the same credentials, with the ECS fields', async () => {
    const task = await registerContainer();
    const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: task.uri, AWS_CONTAINER_AUTHORIZATION_TOKEN: task.token };
    const viaHttp = await withChainEnvironment(env, () => fromHttp({})());
    const viaMetadata = await withChainEnvironment(env, () => fromContainerMetadata()());
    assert.equal(viaHttp.accessKeyId, viaMetadata.accessKeyId);
    assert.match(viaHttp.accessKeyId, /^ASIA/);
    const raw = (await (await fetch(task.uri, { headers: { authorization: task.token } })).json()) as Record<string, string>;
    assert.deepEqual(Object.keys(raw), ['AccessKeyId', 'Expiration', 'RoleArn', 'SecretAccessKey', 'Token']);
    assert.equal(raw['RoleArn'], `arn:aws:iam::${TEST_ACCOUNT}:role/Task`);
    assert.match(raw['Expiration'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test("boto3's default chain gets them as container-role", async () => {
    const task = await registerContainer();
    const out = await runBoto3Script<{ method: string; arn: string }>('boto3_instance_credentials.py', server.endpoint, {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: task.uri,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: task.token,
    });
    assert.deepEqual(out, { ...out, method: 'container-role', arn: `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/Task/${task.taskId}` });
  });

  test("a wrong token, another task's token or none at all: 401, and the chain gets nothing", async () => {
    const task = await registerContainer();
    const other = await registerContainer();
    for (const headers of [{ authorization: other.token }, { authorization: `${task.token}A` }, { authorization: task.token.slice(0, -1) }, {}] as Array<Record<string, string>>) {
      const response = await fetch(task.uri, { headers });
      assert.equal(response.status, 401);
      const body = (await response.json()) as Record<string, string>;
      assert.equal(body['Code'], 'AccessDenied');
      assert.equal(body['AccessKeyId'], undefined);
    }
    // A task ID that does not exist answers exactly as a wrong token does.
    const unknown = await fetch(`${server.endpoint}/_gatehouse/container-credentials/${'0'.repeat(32)}`, { headers: { authorization: task.token } });
    assert.equal(unknown.status, 401);
    await assert.rejects(identityThroughChain({ uri: task.uri, token: other.token }));
  });

  test('only GET', async () => {
    const task = await registerContainer();
    assert.equal((await fetch(task.uri, { method: 'POST', headers: { authorization: task.token } })).status, 405);
  });
});

describe('registering a container takes iam:PassRole on the role, passed to ECS tasks', () => {
  const denied = (user: string, role: string) => `AccessDenied: User: arn:aws:iam::${TEST_ACCOUNT}:user/${user} is not authorized to perform: iam:PassRole on resource: arn:aws:iam::${TEST_ACCOUNT}:role/${role}`;
  const cases: Array<[string, keyof Principals, string]> = [
    ['a caller without PassRole', 'reader', 'Task'],
    ['PassRole only to Lambda', 'lambdaOnly', 'Task'],
    // The deployer may pass App, but only to EC2.
    ['PassRole on the role only to EC2', 'deployer', 'App'],
  ];
  for (const [name, who, role] of cases) {
    test(`${name}: refused`, async () => {
      const result = await gatehouse(server.endpoint, 'register-container', ['--role-arn', `arn:aws:iam::${TEST_ACCOUNT}:role/${role}`], principals[who]);
      assert.equal(result.code, 1);
      assert.ok(result.err.includes(denied(who === 'lambdaOnly' ? 'lambda-only' : who, role)), result.err);
      assert.deepEqual(result.exports, {});
    });
  }

  test('deregister-container stops the credentials; without PassRole it is refused', async () => {
    const task = await registerContainer();
    const refused = await gatehouse(server.endpoint, 'deregister-container', [task.taskId], principals.reader);
    assert.equal(refused.code, 1);
    assert.equal((await fetch(task.uri, { headers: { authorization: task.token } })).status, 200);
    const result = await gatehouse(server.endpoint, 'deregister-container', [task.taskId], principals.deployer);
    assert.equal(result.code, 0, result.err);
    assert.equal((await fetch(task.uri, { headers: { authorization: task.token } })).status, 401);
    await assert.rejects(identityThroughChain(task));
  });
});

describe('what else stops container credentials', () => {
  test('a trust policy without ecs-tasks.amazonaws.com: 403 AssumeRoleUnauthorizedAccess', async () => {
    const iam = iamClient(server.endpoint);
    const task = await registerContainer();
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Task', PolicyDocument: trustFor('ec2.amazonaws.com') }));
    try {
      const response = await fetch(task.uri, { headers: { authorization: task.token } });
      assert.equal(response.status, 403);
      assert.equal(((await response.json()) as { Code: string }).Code, 'AssumeRoleUnauthorizedAccess');
    } finally {
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Task', PolicyDocument: trustFor('ecs-tasks.amazonaws.com') }));
    }
    assert.equal((await fetch(task.uri, { headers: { authorization: task.token } })).status, 200);
  });

  test('the role deleted, even if created again under its name: no more credentials', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateRoleCommand({ RoleName: 'Ephemeral', AssumeRolePolicyDocument: trustFor('ecs-tasks.amazonaws.com') }));
    const root = await gatehouse(server.endpoint, 'register-container', ['--role-arn', `arn:aws:iam::${TEST_ACCOUNT}:role/Ephemeral`]);
    assert.equal(root.code, 0, root.err);
    const task = { uri: root.exports['AWS_CONTAINER_CREDENTIALS_FULL_URI'] as string, token: root.exports['AWS_CONTAINER_AUTHORIZATION_TOKEN'] as string };
    assert.equal((await fetch(task.uri, { headers: { authorization: task.token } })).status, 200);
    await iam.send(new DeleteRoleCommand({ RoleName: 'Ephemeral' }));
    assert.equal((await fetch(task.uri, { headers: { authorization: task.token } })).status, 403);
    await iam.send(new CreateRoleCommand({ RoleName: 'Ephemeral', AssumeRolePolicyDocument: trustFor('ecs-tasks.amazonaws.com') }));
    const response = await fetch(task.uri, { headers: { authorization: task.token } });
    assert.equal(response.status, 403);
    assert.match(((await response.json()) as { Message: string }).Message, /no longer exists/);
  });
});
