// Signing certificates through the AWS SDK for JavaScript v3, the AWS CLI v2 and boto3 against a real server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteSigningCertificateCommand,
  DeleteUserCommand,
  GetAccountSummaryCommand,
  ListSigningCertificatesCommand,
  PutUserPolicyCommand,
  UpdateSigningCertificateCommand,
  UploadSigningCertificateCommand,
} from '@aws-sdk/client-iam';
import { awsCli } from './helpers/aws-cli.js';
import { failure, iamClient, type Key } from './helpers/clients.js';
import { REGION, ROOT_KEY, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const run = promisify(execFile);
const server = useTestServer();
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cert-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const OPENSSL = '/usr/bin/openssl';
const AWS = '/usr/bin/aws';
const PYTHON = '/usr/bin/python3';
const noOpenssl = existsSync(OPENSSL) ? false : 'openssl is not installed';

let counter = 0;
/** A self-signed certificate from openssl; returns its PEM file. */
async function selfSigned(): Promise<string> {
  const base = join(dir, `c${counter++}`);
  await run(OPENSSL, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.pem`, '-days', '30', '-subj', `/CN=signer${counter}`]);
  return `${base}.pem`;
}

async function userWithKey(name: string, policy: object): Promise<Key> {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: name }));
  await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) }));
  const key = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  return { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' };
}

describe('signing certificates (SDK v3)', { skip: noOpenssl }, () => {
  test('upload, list, deactivate, delete; duplicates, quota, DeleteUser waits for them', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'signer' }));
    const pem = readFileSync(await selfSigned(), 'utf8');
    const uploaded = (await root.send(new UploadSigningCertificateCommand({ UserName: 'signer', CertificateBody: pem }))).Certificate;
    assert.match(uploaded?.CertificateId ?? '', /^[A-Z2-7]{32}$/);
    assert.equal(uploaded?.CertificateBody, pem.trim());
    assert.equal(uploaded?.Status, 'Active');
    assert.ok(uploaded?.UploadDate instanceof Date);
    const id = uploaded?.CertificateId;

    assert.deepEqual(await failure(root.send(new UploadSigningCertificateCommand({ CertificateBody: pem }))), {
      name: 'DuplicateCertificateException',
      message: 'The same certificate is already associated with an IAM user in this account.',
      status: 409,
    });
    assert.deepEqual(await failure(root.send(new UploadSigningCertificateCommand({ UserName: 'signer', CertificateBody: 'not a certificate' }))), {
      name: 'MalformedCertificateException',
      message: 'Unable to parse certificate. Please ensure the certificate is in PEM format.',
      status: 400,
    });
    await root.send(new UploadSigningCertificateCommand({ UserName: 'signer', CertificateBody: readFileSync(await selfSigned(), 'utf8') }));
    assert.deepEqual(await failure(root.send(new UploadSigningCertificateCommand({ UserName: 'signer', CertificateBody: readFileSync(await selfSigned(), 'utf8') }))), {
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for SigningCertificatesPerUser: 2',
      status: 409,
    });

    await root.send(new UpdateSigningCertificateCommand({ UserName: 'signer', CertificateId: id, Status: 'Inactive' }));
    const listed = await root.send(new ListSigningCertificatesCommand({ UserName: 'signer' }));
    assert.equal(listed.IsTruncated, false);
    assert.deepEqual(listed.Certificates?.find((c) => c.CertificateId === id)?.Status, 'Inactive');
    assert.deepEqual(await failure(root.send(new DeleteUserCommand({ UserName: 'signer' }))), {
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must delete signing certificates first.',
      status: 409,
    });
    for (const c of listed.Certificates ?? []) await root.send(new DeleteSigningCertificateCommand({ UserName: 'signer', CertificateId: c.CertificateId }));
    assert.deepEqual(await failure(root.send(new DeleteSigningCertificateCommand({ UserName: 'signer', CertificateId: id }))), {
      name: 'NoSuchEntityException',
      message: `The Certificate with id ${id} cannot be found.`,
      status: 404,
    });
    await root.send(new DeleteUserCommand({ UserName: 'signer' }));
  });

  test("root's own certificate: no UserName, counted in AccountSigningCertificatesPresent", async () => {
    const root = iamClient(server.endpoint);
    const uploaded = (await root.send(new UploadSigningCertificateCommand({ CertificateBody: readFileSync(await selfSigned(), 'utf8') }))).Certificate;
    assert.equal(uploaded?.UserName, undefined);
    assert.equal((await root.send(new GetAccountSummaryCommand({}))).SummaryMap?.['AccountSigningCertificatesPresent'], 1);
    await root.send(new DeleteSigningCertificateCommand({ CertificateId: uploaded?.CertificateId }));
    assert.equal((await root.send(new GetAccountSummaryCommand({}))).SummaryMap?.['AccountSigningCertificatesPresent'], 0);
  });

  test('a user needs the action on the target user; without UserName it acts on itself', async () => {
    const key = await userWithKey('certy', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['iam:UploadSigningCertificate', 'iam:ListSigningCertificates'], Resource: 'arn:aws:iam::*:user/${aws:username}' }],
    });
    const certy = iamClient(server.endpoint, key);
    await iamClient(server.endpoint).send(new CreateUserCommand({ UserName: 'victim' }));
    const pem = readFileSync(await selfSigned(), 'utf8');
    assert.deepEqual(await failure(certy.send(new UploadSigningCertificateCommand({ UserName: 'victim', CertificateBody: pem }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/certy is not authorized to perform: iam:UploadSigningCertificate on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:user/victim because no identity-based policy allows the iam:UploadSigningCertificate action`,
      status: 403,
    });
    const mine = (await certy.send(new UploadSigningCertificateCommand({ CertificateBody: pem }))).Certificate;
    assert.equal(mine?.UserName, 'certy');
    assert.deepEqual((await certy.send(new ListSigningCertificatesCommand({}))).Certificates?.map((c) => c.CertificateId), [mine?.CertificateId]);
    assert.deepEqual(await failure(certy.send(new DeleteSigningCertificateCommand({ CertificateId: mine?.CertificateId }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/certy is not authorized to perform: iam:DeleteSigningCertificate on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:user/certy because no identity-based policy allows the iam:DeleteSigningCertificate action`,
      status: 403,
    });
  });
});

const env = (): NodeJS.ProcessEnv => ({
  PATH: '/usr/bin:/bin',
  HOME: dir,
  GATEHOUSE_ENDPOINT: server.endpoint,
  AWS_ACCESS_KEY_ID: ROOT_KEY.accessKeyId,
  AWS_SECRET_ACCESS_KEY: ROOT_KEY.secretAccessKey,
  AWS_DEFAULT_REGION: REGION,
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_PAGER: '',
});

test('AWS CLI v2: upload-signing-certificate from a file, list, update, delete', { skip: existsSync(AWS) && existsSync(OPENSSL) ? false : 'AWS CLI v2 or openssl is not installed' }, async () => {
  await iamClient(server.endpoint).send(new CreateUserCommand({ UserName: 'cli-signer' }));
  const file = await selfSigned();
  const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
    const result = await awsCli(server.endpoint, ['iam', ...args], ROOT_KEY, { HOME: dir });
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as Record<string, unknown>);
  };
  const uploaded = (await aws('upload-signing-certificate', '--user-name', 'cli-signer', '--certificate-body', `file://${file}`))['Certificate'] as Record<string, string>;
  assert.equal(uploaded['CertificateBody'], readFileSync(file, 'utf8').trim());
  const id = uploaded['CertificateId'] as string;
  const listed = (await aws('list-signing-certificates', '--user-name', 'cli-signer'))['Certificates'] as Array<Record<string, string>>;
  assert.deepEqual(listed.map((c) => [c['CertificateId'], c['Status']]), [[id, 'Active']]);
  await aws('update-signing-certificate', '--user-name', 'cli-signer', '--certificate-id', id, '--status', 'Inactive');
  await aws('delete-signing-certificate', '--user-name', 'cli-signer', '--certificate-id', id);
  const { stderr } = await awsCli(server.endpoint, ['iam', 'upload-signing-certificate', '--user-name', 'cli-signer', '--certificate-body', 'junk'], ROOT_KEY, { HOME: dir });
  assert.match(stderr, /\(MalformedCertificate\) when calling the UploadSigningCertificate operation: Unable to parse certificate\. Please ensure the certificate is in PEM format\./);
});

const BOTO3 = `
import json, os, sys, boto3, botocore
iam = boto3.client('iam', endpoint_url=os.environ['GATEHOUSE_ENDPOINT'])
body = open(sys.argv[1]).read()
up = iam.upload_signing_certificate(UserName='py-signer', CertificateBody=body)['Certificate']
listed = iam.list_signing_certificates(UserName='py-signer')['Certificates']
try:
    iam.upload_signing_certificate(UserName='py-signer', CertificateBody=body)
    dup = None
except botocore.exceptions.ClientError as e:
    dup = [e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode']]
iam.delete_signing_certificate(UserName='py-signer', CertificateId=up['CertificateId'])
print(json.dumps({'id': up['CertificateId'], 'date': type(up['UploadDate']).__name__, 'listed': [c['CertificateId'] for c in listed], 'dup': dup, 'after': iam.list_signing_certificates(UserName='py-signer')['Certificates']}))
`;

test('boto3: upload, list, duplicate refused, delete', { skip: existsSync(PYTHON) && existsSync(OPENSSL) ? false : 'python3 or openssl is not installed' }, async () => {
  await iamClient(server.endpoint).send(new CreateUserCommand({ UserName: 'py-signer' }));
  const { stdout } = await run(PYTHON, ['-c', BOTO3, await selfSigned()], { env: env() });
  const seen = JSON.parse(stdout) as Record<string, unknown>;
  assert.equal(seen['date'], 'datetime');
  assert.deepEqual(seen['listed'], [seen['id']]);
  assert.deepEqual(seen['dup'], ['DuplicateCertificate', 409]);
  assert.deepEqual(seen['after'], []);
});
