// HTTPS with `--tls-cert`/`--tls-key` (here the environment's equivalents), checked with the AWS CLI v2 and the SDK
// against a self-signed certificate the test makes: aws:SecureTransport is true there and false on plain HTTP.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, ListUsersCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { failure, iamClient } from './helpers/clients.js';
import { REGION, ROOT_KEY, startTestServer, TEST_ACCOUNT_ID, type TestServer } from './helpers/server.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-'));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');
let https: TestServer;
let http: TestServer;
let alice: { accessKeyId: string; secretAccessKey: string };

// Allowed only over TLS, as a bucket or account policy commonly demands.
const secureOnly = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
});

function httpsClient(credentials = ROOT_KEY): IAMClient {
  const ca = readFileSync(cert);
  return new IAMClient({ endpoint: https.endpoint, region: REGION, credentials, maxAttempts: 1, requestHandler: { httpsAgent: new Agent({ ca }) } });
}

before(async () => {
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
  const started = await startTestServer({ GATEHOUSE_TLS_CERT: cert, GATEHOUSE_TLS_KEY: key });
  https = { ...started, endpoint: started.endpoint.replace(/^http:/, 'https:') };
  const iam = httpsClient();
  await iam.send(new CreateUserCommand({ UserName: 'alice' }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'secure-only', PolicyDocument: secureOnly }));
  const created = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey;
  alice = { accessKeyId: created?.AccessKeyId ?? '', secretAccessKey: created?.SecretAccessKey ?? '' };
  // The same user on a plain HTTP server: same key, same policy, other transport.
  http = await startTestServer();
  const plain = iamClient(http.endpoint);
  await plain.send(new CreateUserCommand({ UserName: 'alice' }));
  await plain.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'secure-only', PolicyDocument: secureOnly }));
});

after(async () => {
  await https?.close();
  await http?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the SDK over HTTPS: aws:SecureTransport is true, so the TLS-only policy allows', async () => {
  const users = await httpsClient(alice).send(new ListUsersCommand({}));
  assert.ok(users.Users?.some((u) => u.UserName === 'alice'));
});

test('the AWS CLI v2 with --ca-bundle over HTTPS', async () => {
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: dir,
    AWS_ACCESS_KEY_ID: alice.accessKeyId,
    AWS_SECRET_ACCESS_KEY: alice.secretAccessKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
  const { stdout } = await run('/usr/bin/aws', ['iam', 'list-users', '--endpoint-url', https.endpoint, '--ca-bundle', cert, '--output', 'json'], { env });
  assert.ok((JSON.parse(stdout) as { Users: Array<{ UserName: string }> }).Users.some((u) => u.UserName === 'alice'));
});

test('without the CA the client refuses the certificate (it is really TLS)', async () => {
  const client = new IAMClient({ endpoint: https.endpoint, region: REGION, credentials: ROOT_KEY, maxAttempts: 1 });
  await assert.rejects(client.send(new ListUsersCommand({})), /self[- ]signed|certificate/i);
});

test('over plain HTTP aws:SecureTransport is false: the same policy denies', async () => {
  const iam = iamClient(http.endpoint);
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey;
  const asAlice = iamClient(http.endpoint, { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' });
  const error = await failure(asAlice.send(new ListUsersCommand({})));
  assert.equal(error.name, 'AccessDenied');
  assert.match(error.message, new RegExp(`User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice is not authorized to perform: iam:ListUsers`));
});

test('the health endpoint answers over HTTPS too', async () => {
  const body = await new Promise<string>((resolve, reject) => {
    import('node:https').then(({ get }) => {
      get(`${https.endpoint}/_gatehouse/health`, { ca: readFileSync(cert) }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    }, reject);
  });
  assert.equal((JSON.parse(body) as { status: string }).status, 'ok');
});
