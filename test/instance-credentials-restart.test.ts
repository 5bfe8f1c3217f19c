// Registrations live in the store: a restarted server serves each instance's IMDS again on the port it had, and a
// base port (--imds-port) hands out ports from there.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startServer, type RunningServer } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { keyOf, stsClient } from './helpers/clients.js';
import { createFixtures, gatehouse } from './helpers/instances.js';
import { ROOT_KEY, TEST_ACCOUNT_ID } from './helpers/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-imds-restart-'));
const running: RunningServer[] = [];
after(async () => {
  for (const server of running) await server.close().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(imdsPort: number): Promise<{ server: RunningServer; endpoint: string }> {
  const config = loadConfig(
    { port: 0, dataDir, host: '127.0.0.1', imdsPort },
    { GATEHOUSE_LOG_LEVEL: 'warn', GATEHOUSE_ACCOUNT_ID: TEST_ACCOUNT_ID, GATEHOUSE_ROOT_ACCESS_KEY_ID: ROOT_KEY.accessKeyId, GATEHOUSE_ROOT_SECRET_ACCESS_KEY: ROOT_KEY.secretAccessKey },
  );
  const server = await startServer(config);
  running.push(server);
  return { server, endpoint: `http://127.0.0.1:${server.port}` };
}

/** A port free a moment ago, as a base for the instances' ports. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function credentials(endpoint: string, token: string): Promise<Record<string, string>> {
  const response = await fetch(`${endpoint}latest/meta-data/iam/security-credentials/App`, { headers: { 'x-aws-ec2-metadata-token': token } });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, string>;
}

const newToken = async (endpoint: string): Promise<string> =>
  (await fetch(`${endpoint}latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '600' } })).text();

test('ports from the base port up; after a restart each instance is served on its port again, its old tokens void', async () => {
  const base = await freePort();
  const first = await start(base);
  const principals = await createFixtures(first.endpoint);
  const register = async (endpoint: string) => {
    const result = await gatehouse(endpoint, 'register-instance', ['--instance-profile', 'web'], principals.deployer);
    assert.equal(result.code, 0, result.err);
    return { instanceId: /# Instance (i-[0-9a-f]{17}):/.exec(result.out)?.[1] as string, endpoint: result.exports['AWS_EC2_METADATA_SERVICE_ENDPOINT'] as string };
  };
  const a = await register(first.endpoint);
  const b = await register(first.endpoint);
  assert.equal(a.endpoint, `http://127.0.0.1:${base}/`);
  assert.ok(Number(new URL(b.endpoint).port) > base);
  const oldToken = await newToken(a.endpoint);
  await credentials(a.endpoint, oldToken);

  await first.server.close();
  await assert.rejects(fetch(`${a.endpoint}latest/meta-data/instance-id`));

  const second = await start(base);
  const served = second.server.imds.served();
  assert.deepEqual([served.size, served.get(a.instanceId), served.get(b.instanceId)], [2, Number(new URL(a.endpoint).port), Number(new URL(b.endpoint).port)]);
  assert.equal((await fetch(`${a.endpoint}latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': oldToken } })).status, 401);
  const document = await credentials(a.endpoint, await newToken(a.endpoint));
  const identity = await stsClient(second.endpoint, keyOf({ AccessKeyId: document['AccessKeyId'], SecretAccessKey: document['SecretAccessKey'], SessionToken: document['Token'] })).send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Arn, `arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/App/${a.instanceId}`);

  // Deregistered, it stays gone across the next restart.
  assert.equal((await gatehouse(second.endpoint, 'deregister-instance', [a.instanceId], principals.deployer)).code, 0);
  await second.server.close();
  const third = await start(base);
  assert.deepEqual([...third.server.imds.served().keys()], [b.instanceId]);
  await third.server.close();
});
