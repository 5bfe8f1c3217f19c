import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { defineOperations, type Params } from '../operation.js';
import { rejects, ROOT_CALLER, runner, TEST_ACCOUNT, roleSessionCaller, userCaller } from '../testing.js';
import { SSH_PUBLIC_KEY_OPERATIONS } from './ssh-public-keys.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([...SSH_PUBLIC_KEY_OPERATIONS, ...USER_OPERATIONS]);

const ALICE: Caller = userCaller('alice');
const ROLE_SESSION: Caller = roleSessionCaller('builder');

// Fixtures come from OpenSSH's own ssh-keygen, so the parser is checked against another implementation.
const SSH_KEYGEN = '/usr/bin/ssh-keygen';
const skip = existsSync(SSH_KEYGEN) ? false : 'ssh-keygen (openssh-client) is not installed';
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ssh-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface KeyFixture {
  readonly publicKey: KeyObject;
  /** SubjectPublicKeyInfo PEM. */
  readonly pem: string;
  /** The OpenSSH line ssh-keygen writes for it, with a comment. */
  readonly ssh: string;
  /** ssh-keygen's MD5 fingerprint, without the MD5: prefix. */
  readonly md5: string;
}

let counter = 0;
function rsaKey(bits = 2048): KeyFixture {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const file = join(dir, `k${counter++}.pem`);
  writeFileSync(file, pem);
  const ssh = `${execFileSync(SSH_KEYGEN, ['-i', '-m', 'PKCS8', '-f', file], { encoding: 'utf8' }).trim()} dev@laptop`;
  writeFileSync(`${file}.pub`, `${ssh}\n`);
  const md5 = /MD5:([0-9a-f:]{47})/.exec(execFileSync(SSH_KEYGEN, ['-l', '-E', 'md5', '-f', `${file}.pub`], { encoding: 'utf8' }))?.[1];
  assert.ok(md5 !== undefined);
  return { publicKey, pem, ssh, md5 };
}

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
  await iam.run('CreateUser', { UserName: 'alice' });
});

afterEach(() => store.close());

const keyOf = (out: Record<string, unknown>): Record<string, unknown> => out['SSHPublicKey'] as Record<string, unknown>;
const upload = async (body: string, user = 'alice'): Promise<Record<string, unknown>> => keyOf(await iam.run('UploadSSHPublicKey', { UserName: user, SSHPublicKeyBody: body }));
const listed = async (params: Params, caller: Caller = ROOT_CALLER): Promise<Array<Record<string, unknown>>> =>
  (await iam.run('ListSSHPublicKeys', params, caller))['SSHPublicKeys'] as Array<Record<string, unknown>>;

test('UploadSSHPublicKey takes an OpenSSH ssh-rsa line: APKA id, the MD5 fingerprint ssh-keygen shows, Active', { skip }, async () => {
  const key = rsaKey();
  const uploaded = await upload(`${key.ssh}\n`);
  assert.match(uploaded['SSHPublicKeyId'] as string, /^APKA[A-Z2-7]{16}$/);
  assert.deepEqual(uploaded, {
    UserName: 'alice',
    SSHPublicKeyId: uploaded['SSHPublicKeyId'],
    Fingerprint: key.md5,
    SSHPublicKeyBody: key.ssh,
    Status: 'Active',
    UploadDate: new Date('2026-11-25T12:00:00Z'),
  });
  assert.deepEqual(await listed({ UserName: 'alice' }), [
    { UserName: 'alice', SSHPublicKeyId: uploaded['SSHPublicKeyId'], Status: 'Active', UploadDate: new Date('2026-11-25T12:00:00Z') },
  ]);
});

test('GetSSHPublicKey returns the key in the encoding asked for, whichever it was uploaded in', { skip }, async () => {
  const a = rsaKey();
  const b = rsaKey(3072);
  const fromSsh = (await upload(a.ssh))['SSHPublicKeyId'];
  const fromPem = await upload(b.pem);
  assert.equal(fromPem['Fingerprint'], b.md5, 'the fingerprint is of the key, not of the text');
  const get = async (id: unknown, Encoding: string): Promise<string> =>
    keyOf(await iam.run('GetSSHPublicKey', { UserName: 'alice', SSHPublicKeyId: id, Encoding }))['SSHPublicKeyBody'] as string;
  assert.equal(await get(fromSsh, 'SSH'), a.ssh);
  assert.equal(await get(fromSsh, 'PEM'), a.pem.trimEnd());
  assert.equal(await get(fromPem['SSHPublicKeyId'], 'PEM'), b.pem.trimEnd(), 'as uploaded, without the final line break');
  assert.equal(await get(fromPem['SSHPublicKeyId'], 'SSH'), b.ssh.replace(/ dev@laptop$/, ''));
  const got = keyOf(await iam.run('GetSSHPublicKey', { UserName: 'ALICE', SSHPublicKeyId: fromSsh, Encoding: 'PEM' }));
  assert.equal(got['Fingerprint'], a.md5);
  assert.equal(got['UserName'], 'alice', 'the user as stored, not as sent');
});

test('a PKCS#1 RSA PUBLIC KEY PEM is taken too', { skip }, async () => {
  const key = rsaKey();
  const pkcs1 = key.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  assert.equal((await upload(pkcs1))['Fingerprint'], key.md5);
});

test('DuplicateSSHPublicKey: the same key again for the same user, in either encoding or with another comment', { skip }, async () => {
  const key = rsaKey();
  await upload(key.ssh);
  const duplicate = ['DuplicateSSHPublicKey', 400, 'The SSH public key is already associated with the specified IAM user.'] as const;
  await rejects(iam.run('UploadSSHPublicKey', { UserName: 'alice', SSHPublicKeyBody: key.ssh }), ...duplicate);
  await rejects(iam.run('UploadSSHPublicKey', { UserName: 'alice', SSHPublicKeyBody: key.pem }), ...duplicate);
  await rejects(iam.run('UploadSSHPublicKey', { UserName: 'alice', SSHPublicKeyBody: key.ssh.replace('dev@laptop', 'other') }), ...duplicate);
  await iam.run('CreateUser', { UserName: 'bob' });
  assert.equal((await upload(key.ssh, 'bob'))['Fingerprint'], key.md5, 'another user may hold the same key');
});

test('UploadSSHPublicKey enforces SSHPublicKeysPerUser (5)', { skip }, async () => {
  for (let i = 0; i < 5; i++) await upload(rsaKey().ssh);
  await rejects(iam.run('UploadSSHPublicKey', { UserName: 'alice', SSHPublicKeyBody: rsaKey().ssh }), 'LimitExceeded', 409, 'Cannot exceed quota for SSHPublicKeysPerUser: 5');
});

const UNRECOGNIZED = 'The public key encoding format is unsupported or unrecognized. Use ssh-rsa or PEM format.';
const MALFORMED_SSH = 'The public key is malformed: the ssh-rsa data is not a valid RSA public key.';

test('bodies IAM refuses, each with its error', { skip }, async () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sshKeygenLine = (type: string): string => {
    const file = join(dir, `${type}-${counter++}`);
    execFileSync(SSH_KEYGEN, ['-q', '-t', type, '-N', '', '-f', file]);
    return execFileSync(SSH_KEYGEN, ['-y', '-f', file], { encoding: 'utf8' }).trim();
  };
  const edLine = sshKeygenLine('ed25519');
  const ecLine = sshKeygenLine('ecdsa');
  const good = rsaKey();
  const data = good.ssh.split(' ')[1] as string;
  const blob = Buffer.from(data, 'base64');
  const small = rsaKey(1024);
  const cases: ReadonlyArray<[string, string, string, string]> = [
    ['an ed25519 key', edLine, 'UnrecognizedPublicKeyEncoding', UNRECOGNIZED],
    ['an ECDSA key', ecLine, 'UnrecognizedPublicKeyEncoding', UNRECOGNIZED],
    ['text that is no key', 'hello world', 'UnrecognizedPublicKeyEncoding', UNRECOGNIZED],
    ['a single word', 'ssh-rsa', 'UnrecognizedPublicKeyEncoding', UNRECOGNIZED],
    ['two keys on two lines', `${good.ssh}\n${rsaKey().ssh}`, 'UnrecognizedPublicKeyEncoding', UNRECOGNIZED],
    ['a private key', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'UnrecognizedPublicKeyEncoding', UNRECOGNIZED],
    ['a PEM of another label', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'UnrecognizedPublicKeyEncoding', UNRECOGNIZED],
    ['a 1024-bit RSA key', small.ssh, 'InvalidPublicKey', 'The public key is too short: 1024 bits. The minimum bit-length of the public key is 2048 bits.'],
    ['a 1024-bit RSA PEM', small.pem, 'InvalidPublicKey', 'The public key is too short: 1024 bits. The minimum bit-length of the public key is 2048 bits.'],
    ['an EC key in PEM', ec.publicKey.export({ type: 'spki', format: 'pem' }) as string, 'InvalidPublicKey', 'The public key is not an RSA key. Only RSA public keys are accepted.'],
    ['ssh-rsa text over an ed25519 blob', `ssh-rsa ${edLine.split(' ')[1] as string}`, 'InvalidPublicKey', MALFORMED_SSH],
    ['a cut-short blob', `ssh-rsa ${blob.subarray(0, blob.length - 10).toString('base64')}`, 'InvalidPublicKey', MALFORMED_SSH],
    ['trailing bytes after the modulus', `ssh-rsa ${Buffer.concat([blob, Buffer.from([0, 0, 0, 0])]).toString('base64')}`, 'InvalidPublicKey', MALFORMED_SSH],
    ['data that is not base64', `ssh-rsa ${data.slice(0, 40)}*${data.slice(41)}`, 'InvalidPublicKey', MALFORMED_SSH],
    ['a PEM body that is not DER', '-----BEGIN PUBLIC KEY-----\nAAAAAAAA\n-----END PUBLIC KEY-----', 'InvalidPublicKey', 'The public key is malformed: the PEM data is not a valid public key.'],
  ];
  for (const [what, body, code, message] of cases) {
    await rejects(iam.run('UploadSSHPublicKey', { UserName: 'alice', SSHPublicKeyBody: body }), code, 400, message).catch((error: unknown) => {
      throw new Error(`${what}: ${String(error)}`);
    });
  }
  assert.deepEqual(await listed({ UserName: 'alice' }), []);
});

test('UpdateSSHPublicKey sets Active or Inactive only; DeleteSSHPublicKey removes the key', { skip }, async () => {
  const id = (await upload(rsaKey().ssh))['SSHPublicKeyId'];
  await iam.run('UpdateSSHPublicKey', { UserName: 'alice', SSHPublicKeyId: id, Status: 'Inactive' });
  assert.equal((await listed({ UserName: 'alice' }))[0]?.['Status'], 'Inactive');
  await rejects(iam.run('UpdateSSHPublicKey', { UserName: 'alice', SSHPublicKeyId: id, Status: 'Expired' }), 'InvalidInput', 400, 'Invalid status: Expired. The status must be Active or Inactive.');
  await iam.run('UpdateSSHPublicKey', { UserName: 'alice', SSHPublicKeyId: id, Status: 'Active' });
  assert.equal((await listed({ UserName: 'alice' }))[0]?.['Status'], 'Active');
  await iam.run('DeleteSSHPublicKey', { UserName: 'alice', SSHPublicKeyId: id });
  assert.deepEqual(await listed({ UserName: 'alice' }), []);
});

const UNKNOWN = 'APKAUNKNOWNUNKNOWN12';
const unknownKey: ReadonlyArray<[string, Params]> = [
  ['GetSSHPublicKey', { UserName: 'alice', SSHPublicKeyId: UNKNOWN, Encoding: 'SSH' }],
  ['UpdateSSHPublicKey', { UserName: 'alice', SSHPublicKeyId: UNKNOWN, Status: 'Inactive' }],
  ['DeleteSSHPublicKey', { UserName: 'alice', SSHPublicKeyId: UNKNOWN }],
];
for (const [name, params] of unknownKey) {
  test(`${name} answers NoSuchEntity for an unknown key`, async () => {
    await rejects(iam.run(name, params), 'NoSuchEntity', 404, `The Public Key with id ${UNKNOWN} cannot be found.`);
  });
}

test("a key is not found under another user's name", { skip }, async () => {
  await iam.run('CreateUser', { UserName: 'bob' });
  const id = (await upload(rsaKey().ssh))['SSHPublicKeyId'] as string;
  for (const [name, params] of [
    ['GetSSHPublicKey', { UserName: 'bob', SSHPublicKeyId: id, Encoding: 'PEM' }],
    ['UpdateSSHPublicKey', { UserName: 'bob', SSHPublicKeyId: id, Status: 'Inactive' }],
    ['DeleteSSHPublicKey', { UserName: 'bob', SSHPublicKeyId: id }],
  ] as const) {
    await rejects(iam.run(name, params), 'NoSuchEntity', 404, `The Public Key with id ${id} cannot be found.`);
  }
  assert.equal((await listed({ UserName: 'alice' }))[0]?.['Status'], 'Active');
});

const missingUser: ReadonlyArray<[string, Params]> = [
  ['UploadSSHPublicKey', { UserName: 'ghost', SSHPublicKeyBody: 'ssh-rsa AAAA' }],
  ['GetSSHPublicKey', { UserName: 'ghost', SSHPublicKeyId: UNKNOWN, Encoding: 'SSH' }],
  ['ListSSHPublicKeys', { UserName: 'ghost' }],
  ['UpdateSSHPublicKey', { UserName: 'ghost', SSHPublicKeyId: UNKNOWN, Status: 'Active' }],
  ['DeleteSSHPublicKey', { UserName: 'ghost', SSHPublicKeyId: UNKNOWN }],
];
for (const [name, params] of missingUser) {
  test(`${name} answers NoSuchEntity for a missing user`, async () => {
    await rejects(iam.run(name, params), 'NoSuchEntity', 404, 'The user with name ghost cannot be found.');
  });
}

test('ListSSHPublicKeys without UserName: the calling user’s keys; none for root; a role session must name a user', { skip }, async () => {
  const id = (await upload(rsaKey().ssh))['SSHPublicKeyId'];
  assert.deepEqual((await listed({}, ALICE)).map((k) => k['SSHPublicKeyId']), [id]);
  assert.deepEqual(await listed({}, ROOT_CALLER), []);
  await rejects(iam.run('ListSSHPublicKeys', {}, ROLE_SESSION), 'ValidationError', 400, 'Must specify userName when calling with non-User credentials');
});

test('ListSSHPublicKeys pages with MaxItems and Marker', { skip }, async () => {
  for (let i = 0; i < 3; i++) await upload(rsaKey().ssh);
  const first = await iam.run('ListSSHPublicKeys', { UserName: 'alice', MaxItems: 2 });
  assert.equal((first['SSHPublicKeys'] as unknown[]).length, 2);
  assert.equal(first['IsTruncated'], true);
  const second = await iam.run('ListSSHPublicKeys', { UserName: 'alice', Marker: first['Marker'] });
  assert.equal((second['SSHPublicKeys'] as unknown[]).length, 1);
  assert.equal(second['IsTruncated'], false);
});

test('renaming a user keeps its SSH keys; DeleteUser refuses while it has one', { skip }, async () => {
  const id = (await upload(rsaKey().ssh))['SSHPublicKeyId'];
  await iam.run('UpdateUser', { UserName: 'alice', NewUserName: 'alicia' });
  assert.deepEqual((await listed({ UserName: 'alicia' })).map((k) => [k['SSHPublicKeyId'], k['UserName']]), [[id, 'alicia']]);
  await rejects(iam.run('DeleteUser', { UserName: 'alicia' }), 'DeleteConflict', 409, 'Cannot delete entity, must delete SSH public keys first.');
  await iam.run('DeleteSSHPublicKey', { UserName: 'alicia', SSHPublicKeyId: id });
  await iam.run('DeleteUser', { UserName: 'alicia' });
});

test('every operation is authorized against the named user’s ARN, with its path', async () => {
  await iam.run('CreateUser', { UserName: 'pathy', Path: '/dev/' });
  await store.transaction(async (tx) => {
    const ctx = { caller: ALICE, account: TEST_ACCOUNT, tx, now: new Date(), requestId: 'r', services: {} } as never;
    for (const op of SSH_PUBLIC_KEY_OPERATIONS) {
      assert.equal(await op.resource(ctx, { UserName: 'PATHY' }), `arn:aws:iam::${TEST_ACCOUNT}:user/dev/pathy`, op.name);
    }
    const list = SSH_PUBLIC_KEY_OPERATIONS.find((o) => o.name === 'ListSSHPublicKeys');
    assert.equal(await list?.resource(ctx, {}), ALICE.arn);
  });
});
