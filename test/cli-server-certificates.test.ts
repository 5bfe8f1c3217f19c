// Server certificates with the AWS CLI v2 (Debian's /usr/bin/aws) as the IAM User Guide shows it: files passed with
// file://, upload, get (no private key), list, rename, delete, and AWS's errors on stderr.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { awsCli } from './helpers/aws-cli.js';
import { type CertificateSet, makeCertificates } from './helpers/certificates.js';
import { startTestServer, TEST_ACCOUNT_ID, type TestServer } from './helpers/server.js';

let server: TestServer;
let certs: CertificateSet;
const aws = (args: string[]) => awsCli(server.endpoint, args);

const file = (name: string): string => `file://${join(certs.dir, name)}`;

before(async () => {
  server = await startTestServer();
  certs = makeCertificates();
});
after(async () => {
  await server?.close();
  certs?.remove();
});

test('AWS CLI v2: upload-server-certificate with file://, get, list, update, delete, errors', async () => {
  const uploaded = await aws([
    'iam', 'upload-server-certificate', '--server-certificate-name', 'ExampleCertificate',
    '--certificate-body', file('leaf.pem'), '--certificate-chain', file('chain.pem'), '--private-key', file('leaf-key.pem'),
  ]);
  assert.equal(uploaded.code, 0, uploaded.stderr);
  const meta = (JSON.parse(uploaded.stdout) as { ServerCertificateMetadata: Record<string, string> }).ServerCertificateMetadata;
  assert.equal(meta['Arn'], `arn:aws:iam::${TEST_ACCOUNT_ID}:server-certificate/ExampleCertificate`);
  assert.match(meta['ServerCertificateId'] ?? '', /^ASCA[A-Z2-7]{17}$/);
  assert.ok(meta['Expiration'] !== undefined && meta['UploadDate'] !== undefined);

  const got = await aws(['iam', 'get-server-certificate', '--server-certificate-name', 'ExampleCertificate']);
  assert.equal(got.code, 0, got.stderr);
  const certificate = (JSON.parse(got.stdout) as { ServerCertificate: Record<string, unknown> }).ServerCertificate;
  assert.equal(certificate['CertificateBody'], certs.leaf);
  assert.equal(certificate['CertificateChain'], certs.intermediate + certs.root);
  assert.ok(!got.stdout.includes('PRIVATE KEY'));

  const mismatch = await aws(['iam', 'upload-server-certificate', '--server-certificate-name', 'Other', '--certificate-body', file('cert.pem'), '--private-key', file('other-key.pem')]);
  assert.equal(mismatch.code, 254);
  assert.match(mismatch.stderr, /An error occurred \(KeyPairMismatch\) when calling the UploadServerCertificate operation: The public key certificate and the private key do not match\./);
  const duplicate = await aws(['iam', 'upload-server-certificate', '--server-certificate-name', 'examplecertificate', '--certificate-body', file('cert.pem'), '--private-key', file('key.pem')]);
  assert.match(duplicate.stderr, /\(EntityAlreadyExists\) .*The Server Certificate with name examplecertificate already exists\./);

  const renamed = await aws(['iam', 'update-server-certificate', '--server-certificate-name', 'ExampleCertificate', '--new-server-certificate-name', 'CloudFrontCertificate', '--new-path', '/cloudfront/']);
  assert.equal(renamed.code, 0, renamed.stderr);
  assert.equal(renamed.stdout, '');
  const listed = await aws(['iam', 'list-server-certificates']);
  assert.equal(listed.code, 0, listed.stderr);
  const list = (JSON.parse(listed.stdout) as { ServerCertificateMetadataList: Array<Record<string, string>> }).ServerCertificateMetadataList;
  assert.deepEqual(list.map((m) => [m['ServerCertificateName'], m['Path'], m['ServerCertificateId']]), [['CloudFrontCertificate', '/cloudfront/', meta['ServerCertificateId']]]);

  const deleted = await aws(['iam', 'delete-server-certificate', '--server-certificate-name', 'CloudFrontCertificate']);
  assert.equal(deleted.code, 0, deleted.stderr);
  const missing = await aws(['iam', 'get-server-certificate', '--server-certificate-name', 'CloudFrontCertificate']);
  assert.match(missing.stderr, /\(NoSuchEntity\) when calling the GetServerCertificate operation: The Server Certificate with name CloudFrontCertificate cannot be found\./);
  assert.deepEqual(JSON.parse((await aws(['iam', 'list-server-certificates'])).stdout), { ServerCertificateMetadataList: [] });
});
