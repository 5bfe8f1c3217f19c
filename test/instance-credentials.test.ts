// Instances registered with an instance profile: their IMDS, as the SDK v3 default chain and boto3 read it, the
// iam:PassRole a registration takes, and what stops the credentials.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { GetSessionTokenCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { IAMClient, ListRolesCommand, RemoveRoleFromInstanceProfileCommand, UpdateAssumeRolePolicyCommand, AddRoleToInstanceProfileCommand } from '@aws-sdk/client-iam';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { KIND } from '../src/core/iam/kinds.js';
import { capturedLogger } from '../src/server/testing.js';
import { signRequest } from '../src/sigv4/sign-request.js';
import { runBoto3Script } from './helpers/boto3.js';
import { iamClient, keyOf, stsClient } from './helpers/clients.js';
import { createFixtures, gatehouse, trustFor, withChainEnvironment, type Principals } from './helpers/instances.js';
import { REGION, ROOT_KEY, TEST_ACCOUNT_ID as TEST_ACCOUNT, useTestServer } from './helpers/server.js';

const captured = capturedLogger();
let principals: Principals;
const server = useTestServer({ GATEHOUSE_LOG_LEVEL: 'info' }, { logger: captured.logger }, async () => {
  principals = await createFixtures(server.endpoint);
});

interface Registered {
  readonly instanceId: string;
  readonly endpoint: string;
}

async function registerInstance(profile = 'web', extra: string[] = []): Promise<Registered> {
  const result = await gatehouse(server.endpoint, 'register-instance', ['--instance-profile', profile, ...extra], principals.deployer);
  assert.equal(result.code, 0, result.err);
  const instanceId = /# Instance (i-[0-9a-f]{17}):/.exec(result.out)?.[1];
  const endpoint = result.exports['AWS_EC2_METADATA_SERVICE_ENDPOINT'];
  assert.ok(instanceId !== undefined && endpoint !== undefined, result.out);
  return { instanceId, endpoint };
}

async function token(endpoint: string, ttl = '21600'): Promise<string> {
  const response = await fetch(`${endpoint}latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': ttl } });
  assert.equal(response.status, 200);
  return response.text();
}

/** GetCallerIdentity through the SDK v3 default chain, with only the IMDS endpoint variable set. */
const identityThroughChain = (endpoint: string) =>
  withChainEnvironment({ AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint }, async () => {
    const sts = new STSClient({ endpoint: server.endpoint, region: REGION, credentials: defaultProvider(), maxAttempts: 1 });
    return sts.send(new GetCallerIdentityCommand({}));
  });

const sessionArn = (role: string, instanceId: string): string => `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/${role}/${instanceId}`;

describe('an instance registered with an instance profile', () => {
  test('the SDK v3 default chain finds its IMDS and gets the role session assumed-role/App/i-…', async () => {
    const { instanceId, endpoint } = await registerInstance();
    assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const identity = await identityThroughChain(endpoint);
    assert.equal(identity.Arn, sessionArn('App', instanceId));
    assert.equal(identity.Account, TEST_ACCOUNT);
    assert.match(identity.UserId ?? '', new RegExp(`^AROA[A-Z2-7]{17}:${instanceId}$`));
  });

  test("fromInstanceMetadata gets six-hour credentials carrying the role's permissions", async () => {
    const { endpoint } = await registerInstance();
    const credentials = await withChainEnvironment({ AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint }, () => fromInstanceMetadata()());
    assert.match(credentials.accessKeyId, /^ASIA/);
    const left = (credentials.expiration?.getTime() ?? 0) - Date.now();
    assert.ok(left > 5.9 * 3600_000 && left <= 6 * 3600_000, String(left));
    const iam = new IAMClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
    assert.ok(((await iam.send(new ListRolesCommand({}))).Roles ?? []).some((r) => r.RoleName === 'App'));
    // Served from the cache until it nears expiry: the same keys again.
    const again = await withChainEnvironment({ AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint }, () => fromInstanceMetadata()());
    assert.equal(again.accessKeyId, credentials.accessKeyId);
  });

  test("boto3's default chain, pointed by AWS_EC2_METADATA_SERVICE_ENDPOINT, gets them as iam-role", async () => {
    const { instanceId, endpoint } = await registerInstance();
    const out = await runBoto3Script<{ method: string; arn: string; account: string }>('boto3_instance_credentials.py', server.endpoint, { AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint });
    assert.deepEqual({ method: out.method, arn: out.arn, account: out.account }, { method: 'iam-role', arn: sessionArn('App', instanceId), account: TEST_ACCOUNT });
  });

  test('IMDSv2 only by default: a GET without a token is 401; --http-tokens optional serves IMDSv1 too', async () => {
    const required = await registerInstance();
    for (const path of ['/latest/meta-data/iam/security-credentials/', '/latest/meta-data/iam/security-credentials/App', '/latest/meta-data/instance-id']) {
      assert.equal((await fetch(new URL(path, required.endpoint))).status, 401, path);
    }
    const optional = await registerInstance('web', ['--http-tokens', 'optional']);
    const v1 = await fetch(`${optional.endpoint}latest/meta-data/iam/security-credentials/App`);
    assert.equal(v1.status, 200);
    const document = (await v1.json()) as Record<string, string>;
    assert.equal(document['Code'], 'Success');
    assert.equal(document['Type'], 'AWS-HMAC');
    const identity = await stsClient(server.endpoint, keyOf({ AccessKeyId: document['AccessKeyId'], SecretAccessKey: document['SecretAccessKey'], SessionToken: document['Token'] })).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, sessionArn('App', optional.instanceId));
  });

  test("one instance's token opens nothing on another's IMDS", async () => {
    const a = await registerInstance();
    const b = await registerInstance();
    assert.notEqual(a.endpoint, b.endpoint);
    const tokenA = await token(a.endpoint);
    assert.equal((await fetch(`${a.endpoint}latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': tokenA } })).status, 200);
    const onB = await fetch(`${b.endpoint}latest/meta-data/iam/security-credentials/App`, { headers: { 'x-aws-ec2-metadata-token': tokenA } });
    assert.equal(onB.status, 401);
    assert.equal(await (await fetch(`${b.endpoint}latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': await token(b.endpoint) } })).text(), b.instanceId);
  });

  test('token requests: a TTL outside 1-21600 is 400, one through a proxy (X-Forwarded-For) 403, a short one expires', async () => {
    const { endpoint } = await registerInstance();
    for (const ttl of ['0', '21601', 'six hours']) {
      assert.equal((await fetch(`${endpoint}latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': ttl } })).status, 400, ttl);
    }
    assert.equal((await fetch(`${endpoint}latest/api/token`, { method: 'PUT' })).status, 400);
    assert.equal((await fetch(`${endpoint}latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60', 'x-forwarded-for': '203.0.113.9' } })).status, 403);
    const short = await token(endpoint, '1');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await fetch(`${endpoint}latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': short } })).status, 401);
  });

  test('a request whose Host is a name (a DNS rebinding page) is refused', async () => {
    const { endpoint } = await registerInstance('web', ['--http-tokens', 'optional']);
    const port = Number(new URL(endpoint).port);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/latest/meta-data/iam/security-credentials/App', headers: { host: `attacker.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 403);
  });
});

describe('registering takes iam:PassRole on the role, passed to EC2', () => {
  const denied = (user: string, role: string) => `AccessDenied: User: arn:aws:iam::${TEST_ACCOUNT}:user/${user} is not authorized to perform: iam:PassRole on resource: arn:aws:iam::${TEST_ACCOUNT}:role/${role}`;

  test('a caller without PassRole cannot register, and nothing is registered or listening', async () => {
    const before = { served: server.running.imds.served().size, stored: await server.running.store.read((tx) => tx.count(KIND.ec2Instance, TEST_ACCOUNT)) };
    const result = await gatehouse(server.endpoint, 'register-instance', ['--instance-profile', 'web'], principals.reader);
    assert.equal(result.code, 1);
    assert.match(result.err, new RegExp(`^gatehouse register-instance: ${denied('reader', 'App')}`));
    assert.equal(result.out, '');
    assert.equal(server.running.imds.served().size, before.served);
    assert.equal(await server.running.store.read((tx) => tx.count(KIND.ec2Instance, TEST_ACCOUNT)), before.stored);
  });

  test('PassRole only to another service (iam:PassedToService) is not enough', async () => {
    const result = await gatehouse(server.endpoint, 'register-instance', ['--instance-profile', 'web'], principals.lambdaOnly);
    assert.equal(result.code, 1);
    assert.match(result.err, new RegExp(denied('lambda-only', 'App')));
  });

  test('temporary credentials of a caller who may pass the role sign a registration too', async () => {
    const session = keyOf((await stsClient(server.endpoint, principals.deployer).send(new GetSessionTokenCommand({}))).Credentials);
    const result = await gatehouse(server.endpoint, 'register-instance', ['--instance-profile', 'web'], session);
    assert.equal(result.code, 0, result.err);
  });

  test('unsigned, wrongly signed or signed for another service: refused as AWS refuses them', async () => {
    const url = `${server.endpoint}/_gatehouse/instances`;
    const body = JSON.stringify({ InstanceProfileName: 'web' });
    const unsigned = await fetch(url, { method: 'POST', body });
    assert.equal(unsigned.status, 403);
    assert.equal(((await unsigned.json()) as { Code: string }).Code, 'MissingAuthenticationToken');
    const send = async (secret: string, service: string): Promise<{ Code: string }> => {
      const headers = signRequest({ method: 'POST', url, body }, { credentials: { accessKeyId: ROOT_KEY.accessKeyId, secretAccessKey: secret }, region: REGION, service, now: new Date() });
      delete headers['host'];
      return (await fetch(url, { method: 'POST', headers, body })).json() as Promise<{ Code: string }>;
    };
    assert.equal((await send('not the secret', 'iam')).Code, 'SignatureDoesNotMatch');
    assert.equal((await send(ROOT_KEY.secretAccessKey, 'sts')).Code, 'SignatureDoesNotMatch');
  });

  test('the same signed request sent again (a replay) is refused, and registers nothing more', async () => {
    const url = `${server.endpoint}/_gatehouse/containers`;
    const body = JSON.stringify({ RoleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/Task` });
    const headers = signRequest({ method: 'POST', url, body }, { credentials: principals.deployer, region: REGION, service: 'iam', now: new Date() });
    delete headers['host'];
    const first = await fetch(url, { method: 'POST', headers, body });
    assert.equal(first.status, 200);
    const stored = await server.running.store.read((tx) => tx.count(KIND.containerTask, TEST_ACCOUNT));
    const replay = await fetch(url, { method: 'POST', headers, body });
    assert.equal(replay.status, 403);
    const answer = (await replay.json()) as Record<string, string>;
    assert.deepEqual([answer['Code'], answer['AuthorizationToken']], ['AccessDenied', undefined]);
    assert.equal(await server.running.store.read((tx) => tx.count(KIND.containerTask, TEST_ACCOUNT)), stored);
  });

  test('a profile without a role, or a missing one, cannot be registered', async () => {
    const missing = await gatehouse(server.endpoint, 'register-instance', ['--instance-profile', 'nothing-here'], principals.deployer);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /NoSuchEntity: Instance Profile nothing-here cannot be found\./);
  });

  test('each registration, allowed or denied, is an audit line; no line carries a secret', async () => {
    const { instanceId } = await registerInstance();
    await gatehouse(server.endpoint, 'register-instance', ['--instance-profile', 'web'], principals.reader);
    const lines = await waitForLines((line) => (line['audit'] as Record<string, unknown> | undefined)?.['principal'] === `arn:aws:iam::${TEST_ACCOUNT}:user/reader`);
    const audits = lines.map((line) => line['audit'] as Record<string, unknown>);
    const allowed = audits.find((a) => a['instanceId'] === instanceId);
    assert.deepEqual(
      { action: allowed?.['action'], outcome: allowed?.['outcome'], principal: allowed?.['principal'], roleArn: allowed?.['roleArn'], httpTokens: allowed?.['httpTokens'] },
      { action: 'RegisterInstance', outcome: 'Allowed', principal: `arn:aws:iam::${TEST_ACCOUNT}:user/deployer`, roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/App`, httpTokens: 'required' },
    );
    const refused = audits.find((a) => a['principal'] === `arn:aws:iam::${TEST_ACCOUNT}:user/reader`);
    assert.deepEqual({ action: refused?.['action'], outcome: refused?.['outcome'], code: refused?.['code'] }, { action: 'RegisterInstance', outcome: 'Denied', code: 'AccessDenied' });
    const text = JSON.stringify(captured.lines);
    for (const secret of [principals.deployer.secretAccessKey, principals.reader.secretAccessKey]) assert.ok(!text.includes(secret));
  });
});

async function waitForLines(done: (line: Record<string, unknown>) => boolean): Promise<Array<Record<string, unknown>>> {
  const started = Date.now();
  while (Date.now() - started < 3000) {
    const lines = captured.lines.filter((line) => line['msg'] === 'instance credentials registration');
    if (lines.some(done)) return lines;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no such audit line');
}

describe('what stops the credentials', () => {
  test('deregister-instance closes its IMDS: the SDK chain finds no credentials', async () => {
    const { instanceId, endpoint } = await registerInstance();
    await identityThroughChain(endpoint);
    const result = await gatehouse(server.endpoint, 'deregister-instance', [instanceId], principals.deployer);
    assert.equal(result.code, 0, result.err);
    assert.equal(result.out, `Deregistered instance ${instanceId}.\n`);
    await assert.rejects(fetch(`${endpoint}latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } }));
    await assert.rejects(identityThroughChain(endpoint));
    const again = await gatehouse(server.endpoint, 'deregister-instance', [instanceId], principals.deployer);
    assert.match(again.err, new RegExp(`InvalidInstanceID.NotFound: The instance ID '${instanceId}' does not exist`));
  });

  test('a caller without PassRole cannot deregister', async () => {
    const { instanceId, endpoint } = await registerInstance();
    const result = await gatehouse(server.endpoint, 'deregister-instance', [instanceId], principals.reader);
    assert.equal(result.code, 1);
    assert.match(result.err, /AccessDenied/);
    assert.equal((await identityThroughChain(endpoint)).Arn, sessionArn('App', instanceId));
  });

  test('deregistered by another node (the record gone from the shared store): 404, and the listener closes', async () => {
    const { instanceId, endpoint } = await registerInstance();
    const t = await token(endpoint);
    await server.running.store.transaction(async (tx) => {
      await tx.delete(KIND.ec2Instance, TEST_ACCOUNT, instanceId);
      await tx.delete(KIND.instanceIndex, '', instanceId);
    });
    assert.equal((await fetch(`${endpoint}latest/meta-data/iam/security-credentials/App`, { headers: { 'x-aws-ec2-metadata-token': t } })).status, 404);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(!server.running.imds.served().has(instanceId));
    await assert.rejects(fetch(`${endpoint}latest/meta-data/instance-id`));
  });

  test("a role EC2 may not assume: IMDS answers Code AssumeRoleUnauthorizedAccess, and the chain gets nothing", async () => {
    const { endpoint } = await registerInstance('lambda-web');
    const t = await token(endpoint);
    const document = (await (await fetch(`${endpoint}latest/meta-data/iam/security-credentials/Untrusted`, { headers: { 'x-aws-ec2-metadata-token': t } })).json()) as Record<string, string>;
    assert.equal(document['Code'], 'AssumeRoleUnauthorizedAccess');
    assert.equal(document['AccessKeyId'], undefined);
    await assert.rejects(identityThroughChain(endpoint));
    // Trusting EC2 again brings them back.
    await iamClient(server.endpoint).send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Untrusted', PolicyDocument: trustFor('ec2.amazonaws.com') }));
    assert.match((await identityThroughChain(endpoint)).Arn ?? '', /assumed-role\/Untrusted\/i-/);
    await iamClient(server.endpoint).send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Untrusted', PolicyDocument: trustFor('lambda.amazonaws.com') }));
  });

  test('the role taken out of the profile: no role listed, no credentials; put back: served again', async () => {
    const { endpoint } = await registerInstance();
    const iam = iamClient(server.endpoint);
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'App' }));
    try {
      const t = await token(endpoint);
      assert.equal((await fetch(`${endpoint}latest/meta-data/iam/security-credentials/`, { headers: { 'x-aws-ec2-metadata-token': t } })).status, 404);
      assert.equal((await fetch(`${endpoint}latest/meta-data/iam/security-credentials/App`, { headers: { 'x-aws-ec2-metadata-token': t } })).status, 404);
      await assert.rejects(identityThroughChain(endpoint));
    } finally {
      await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'App' }));
    }
    assert.match((await identityThroughChain(endpoint)).Arn ?? '', /assumed-role\/App\/i-/);
  });
});
