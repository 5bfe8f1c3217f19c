// Server certificates driven by Debian's boto3 (/usr/bin/python3): the shapes botocore parses and its paginator.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type CertificateSet, makeCertificates } from './helpers/certificates.js';
import { REGION, ROOT_KEY, startTestServer, TEST_ACCOUNT_ID, type TestServer } from './helpers/server.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python/boto3_server_certificates.py', import.meta.url));

async function hasBoto3(): Promise<boolean> {
  if (!existsSync(PYTHON)) return false;
  try {
    await run(PYTHON, ['-c', 'import boto3']);
    return true;
  } catch {
    return false;
  }
}

const skip = (await hasBoto3()) ? false : "Debian's python3-boto3 is not installed (.ci/run installs it)";
let server: TestServer;
let certs: CertificateSet;
before(async () => {
  if (skip !== false) return;
  server = await startTestServer();
  certs = makeCertificates();
});
after(async () => {
  await server?.close();
  certs?.remove();
});

test('boto3: upload, get without the key, paginate, KeyPairMismatch, expired, rename, delete', { skip }, async () => {
  const { stdout } = await run(PYTHON, [SCRIPT], {
    env: {
      PATH: '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/tmp',
      GATEHOUSE_ENDPOINT: server.endpoint,
      CERT_DIR: certs.dir,
      AWS_ACCESS_KEY_ID: ROOT_KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ROOT_KEY.secretAccessKey,
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  });
  const seen = JSON.parse(stdout) as Record<string, unknown>;
  assert.equal(seen['arn'], `arn:aws:iam::${TEST_ACCOUNT_ID}:server-certificate/py/py-leaf`);
  assert.match(seen['id'] as string, /^ASCA[A-Z2-7]{17}$/);
  assert.equal(seen['expiration_type'], 'datetime');
  assert.deepEqual(seen['get_members'], ['CertificateBody', 'CertificateChain', 'ServerCertificateMetadata', 'Tags']);
  assert.equal(seen['body_matches'], true);
  assert.equal(seen['chain_matches'], true);
  assert.deepEqual(seen['paged'], ['py-leaf', 'py-page0', 'py-page1']);
  assert.deepEqual(seen['mismatch'], { code: 'KeyPairMismatch', message: 'The public key certificate and the private key do not match.', status: 400 });
  assert.deepEqual(seen['expired'], {
    code: 'MalformedCertificate',
    message: "Certificate is no longer valid. The 'Not After' date restriction on the certificate has passed.",
    status: 400,
  });
  assert.deepEqual(seen['missing'], { code: 'NoSuchEntity', message: 'The Server Certificate with name py-renamed cannot be found.', status: 404 });
});
