// SSH public keys through the AWS SDK for JavaScript v3, the AWS CLI v2 and boto3 against a real server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  GetSSHPublicKeyCommand,
  ListSSHPublicKeysCommand,
  PutUserPolicyCommand,
  UpdateSSHPublicKeyCommand,
  UploadSSHPublicKeyCommand,
} from '@aws-sdk/client-iam';
import { awsCli } from './helpers/aws-cli.js';
import { failure, iamClient, type Key } from './helpers/clients.js';
import { REGION, ROOT_KEY, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const run = promisify(execFile);
const server = useTestServer();
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ssh-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SSH_KEYGEN = '/usr/bin/ssh-keygen';
const AWS = '/usr/bin/aws';
const PYTHON = '/usr/bin/python3';
const noKeygen = existsSync(SSH_KEYGEN) ? false : 'ssh-keygen (openssh-client) is not installed';

let counter = 0;
/** A fresh 2048-bit RSA key as PEM and as ssh-keygen's OpenSSH line, with ssh-keygen's MD5 fingerprint. */
async function rsaKey(): Promise<{ pem: string; ssh: string; md5: string; file: string }> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const file = join(dir, `key${counter++}`);
  writeFileSync(`${file}.pem`, pem);
  const ssh = (await run(SSH_KEYGEN, ['-i', '-m', 'PKCS8', '-f', `${file}.pem`])).stdout.trim();
  writeFileSync(`${file}.pub`, `${ssh}\n`);
  const md5 = /MD5:([0-9a-f:]{47})/.exec((await run(SSH_KEYGEN, ['-l', '-E', 'md5', '-f', `${file}.pub`])).stdout)?.[1] ?? '';
  return { pem, ssh, md5, file };
}

async function userWithKey(name: string, policy?: object): Promise<Key> {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: name }));
  if (policy !== undefined) await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) }));
  const key = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  return { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' };
}

describe('SSH public keys (SDK v3)', { skip: noKeygen }, () => {
  test('upload, get in both encodings, list, deactivate, delete; DeleteUser waits for the keys', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'coder' }));
    const key = await rsaKey();
    const uploaded = (await root.send(new UploadSSHPublicKeyCommand({ UserName: 'coder', SSHPublicKeyBody: key.ssh }))).SSHPublicKey;
    assert.match(uploaded?.SSHPublicKeyId ?? '', /^APKA[A-Z0-9]{16}$/);
    assert.equal(uploaded?.Fingerprint, key.md5);
    assert.equal(uploaded?.Status, 'Active');
    assert.ok(uploaded?.UploadDate instanceof Date);
    const id = uploaded?.SSHPublicKeyId;

    const pem = (await root.send(new GetSSHPublicKeyCommand({ UserName: 'coder', SSHPublicKeyId: id, Encoding: 'PEM' }))).SSHPublicKey;
    assert.equal(pem?.SSHPublicKeyBody, key.pem.trimEnd());
    const ssh = (await root.send(new GetSSHPublicKeyCommand({ UserName: 'coder', SSHPublicKeyId: id, Encoding: 'SSH' }))).SSHPublicKey;
    assert.equal(ssh?.SSHPublicKeyBody, key.ssh);

    assert.deepEqual(
      await failure(root.send(new UploadSSHPublicKeyCommand({ UserName: 'coder', SSHPublicKeyBody: key.pem }))),
      { name: 'DuplicateSSHPublicKeyException', message: 'The SSH public key is already associated with the specified IAM user.', status: 400 },
    );
    assert.deepEqual(
      await failure(root.send(new UploadSSHPublicKeyCommand({ UserName: 'coder', SSHPublicKeyBody: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKzvfE+qS09w+okgrO0gY7jryF0lSCxdEO/O0UaUhuZe' }))),
      { name: 'UnrecognizedPublicKeyEncodingException', message: 'The public key encoding format is unsupported or unrecognized. Use ssh-rsa or PEM format.', status: 400 },
    );
    assert.equal((await failure(root.send(new GetSSHPublicKeyCommand({ UserName: 'coder', SSHPublicKeyId: id, Encoding: 'DER' as never })))).status, 400);

    await root.send(new UpdateSSHPublicKeyCommand({ UserName: 'coder', SSHPublicKeyId: id, Status: 'Inactive' }));
    const listed = await root.send(new ListSSHPublicKeysCommand({ UserName: 'coder' }));
    assert.equal(listed.IsTruncated, false);
    assert.deepEqual(listed.SSHPublicKeys?.map((k) => [k.UserName, k.SSHPublicKeyId, k.Status]), [['coder', id, 'Inactive']]);

    assert.deepEqual(await failure(root.send(new DeleteUserCommand({ UserName: 'coder' }))), {
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must delete SSH public keys first.',
      status: 409,
    });
    await root.send(new DeleteSSHPublicKeyCommand({ UserName: 'coder', SSHPublicKeyId: id }));
    assert.deepEqual(await failure(root.send(new DeleteSSHPublicKeyCommand({ UserName: 'coder', SSHPublicKeyId: id }))), {
      name: 'NoSuchEntityException',
      message: `The Public Key with id ${id} cannot be found.`,
      status: 404,
    });
    await root.send(new DeleteUserCommand({ UserName: 'coder' }));
  });

  test('a user needs iam:UploadSSHPublicKey on the target user; with it, manages its own keys', async () => {
    const key = await userWithKey('selfie', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['iam:UploadSSHPublicKey', 'iam:ListSSHPublicKeys'], Resource: 'arn:aws:iam::*:user/${aws:username}' }],
    });
    const selfie = iamClient(server.endpoint, key);
    await iamClient(server.endpoint).send(new CreateUserCommand({ UserName: 'other' }));
    const body = (await rsaKey()).ssh;
    assert.deepEqual(await failure(selfie.send(new UploadSSHPublicKeyCommand({ UserName: 'other', SSHPublicKeyBody: body }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/selfie is not authorized to perform: iam:UploadSSHPublicKey on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:user/other because no identity-based policy allows the iam:UploadSSHPublicKey action`,
      status: 403,
    });
    const mine = (await selfie.send(new UploadSSHPublicKeyCommand({ UserName: 'selfie', SSHPublicKeyBody: body }))).SSHPublicKey;
    assert.deepEqual((await selfie.send(new ListSSHPublicKeysCommand({}))).SSHPublicKeys?.map((k) => k.SSHPublicKeyId), [mine?.SSHPublicKeyId]);
    assert.deepEqual(await failure(selfie.send(new GetSSHPublicKeyCommand({ UserName: 'selfie', SSHPublicKeyId: mine?.SSHPublicKeyId, Encoding: 'SSH' }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/selfie is not authorized to perform: iam:GetSSHPublicKey on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:user/selfie because no identity-based policy allows the iam:GetSSHPublicKey action`,
      status: 403,
    });
  });
});

const noCli = existsSync(AWS) && existsSync(SSH_KEYGEN) ? false : 'AWS CLI v2 or ssh-keygen is not installed';

test('AWS CLI v2: upload-ssh-public-key from a file, get-ssh-public-key --encoding PEM, list, delete', { skip: noCli }, async () => {
  await iamClient(server.endpoint).send(new CreateUserCommand({ UserName: 'cli-coder' }));
  const key = await rsaKey();
  const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
    const result = await awsCli(server.endpoint, ['iam', ...args], ROOT_KEY, { HOME: dir });
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as Record<string, unknown>);
  };

  const uploaded = (await aws('upload-ssh-public-key', '--user-name', 'cli-coder', '--ssh-public-key-body', `file://${key.file}.pub`))['SSHPublicKey'] as Record<string, string>;
  assert.equal(uploaded['Fingerprint'], key.md5);
  assert.equal(uploaded['SSHPublicKeyBody'], key.ssh);
  const id = uploaded['SSHPublicKeyId'] as string;
  const pem = (await aws('get-ssh-public-key', '--user-name', 'cli-coder', '--ssh-public-key-id', id, '--encoding', 'PEM'))['SSHPublicKey'] as Record<string, string>;
  assert.equal(pem['SSHPublicKeyBody'], key.pem.trimEnd());
  const listed = (await aws('list-ssh-public-keys', '--user-name', 'cli-coder'))['SSHPublicKeys'] as Array<Record<string, string>>;
  assert.deepEqual(listed.map((k) => k['SSHPublicKeyId']), [id]);
  await aws('update-ssh-public-key', '--user-name', 'cli-coder', '--ssh-public-key-id', id, '--status', 'Inactive');
  await aws('delete-ssh-public-key', '--user-name', 'cli-coder', '--ssh-public-key-id', id);
  const error = (await awsCli(server.endpoint, ['iam', 'delete-ssh-public-key', '--user-name', 'cli-coder', '--ssh-public-key-id', id], ROOT_KEY, { HOME: dir })).stderr;
  assert.match(error, new RegExp(`\\(NoSuchEntity\\) when calling the DeleteSSHPublicKey operation: The Public Key with id ${id} cannot be found\\.`));
});

const BOTO3 = `
import json, os, sys, boto3, botocore
iam = boto3.client('iam', endpoint_url=os.environ['GATEHOUSE_ENDPOINT'])
body = open(sys.argv[1]).read()
up = iam.upload_ssh_public_key(UserName='py-coder', SSHPublicKeyBody=body)['SSHPublicKey']
pem = iam.get_ssh_public_key(UserName='py-coder', SSHPublicKeyId=up['SSHPublicKeyId'], Encoding='PEM')['SSHPublicKey']
listed = iam.list_ssh_public_keys(UserName='py-coder')['SSHPublicKeys']
try:
    iam.upload_ssh_public_key(UserName='py-coder', SSHPublicKeyBody='ssh-rsa AAAA')
    bad = None
except botocore.exceptions.ClientError as e:
    bad = [e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode']]
print(json.dumps({'fingerprint': up['Fingerprint'], 'date': type(up['UploadDate']).__name__, 'pem': pem['SSHPublicKeyBody'], 'listed': [k['SSHPublicKeyId'] for k in listed], 'id': up['SSHPublicKeyId'], 'bad': bad}))
`;

const noBoto3 = existsSync(PYTHON) && existsSync(SSH_KEYGEN) ? false : 'python3 or ssh-keygen is not installed';

test('boto3: upload, get as PEM, list, and an invalid key refused', { skip: noBoto3 }, async () => {
  await iamClient(server.endpoint).send(new CreateUserCommand({ UserName: 'py-coder' }));
  const key = await rsaKey();
  const { stdout } = await run(PYTHON, ['-c', BOTO3, `${key.file}.pub`], {
    env: {
      PATH: '/usr/bin:/bin',
      HOME: dir,
      GATEHOUSE_ENDPOINT: server.endpoint,
      AWS_ACCESS_KEY_ID: ROOT_KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ROOT_KEY.secretAccessKey,
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  });
  const seen = JSON.parse(stdout) as Record<string, unknown>;
  assert.equal(seen['fingerprint'], key.md5);
  assert.equal(seen['date'], 'datetime');
  assert.equal(seen['pem'], key.pem.trimEnd());
  assert.deepEqual(seen['listed'], [seen['id']]);
  assert.deepEqual(seen['bad'], ['InvalidPublicKey', 400]);
});
