import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { defineOperations, type Params } from '../operation.js';
import { rejects, ROOT_CALLER, runner, TEST_ACCOUNT, roleSessionCaller, userCaller } from '../testing.js';
import { ACCOUNT_OPERATIONS } from './account.js';
import { certificateId, SIGNING_CERTIFICATE_OPERATIONS } from './signing-certificates.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([...SIGNING_CERTIFICATE_OPERATIONS, ...USER_OPERATIONS, ...ACCOUNT_OPERATIONS]);

const ALICE: Caller = userCaller('alice');
const ROLE_SESSION: Caller = roleSessionCaller('builder');

// Self-signed certificates made by openssl, valid for 30 days from now.
const OPENSSL = '/usr/bin/openssl';
const skip = existsSync(OPENSSL) ? false : 'openssl is not installed';
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cert-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
function selfSigned(): string {
  const base = join(dir, `c${counter++}`);
  execFileSync(OPENSSL, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.pem`, '-days', '30', '-subj', `/CN=signer${counter}`], { stdio: 'ignore' });
  return readFileSync(`${base}.pem`, 'utf8');
}

let store: Store;
let iam: ReturnType<typeof runner>;
// An hour on, so that every certificate made during the run is already in force (openssl dates them to the second).
const NOW = new Date(Date.now() + 3_600_000);

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
  iam.setClock(NOW);
  await iam.run('CreateUser', { UserName: 'alice' });
});

afterEach(() => store.close());

const certOf = (out: Record<string, unknown>): Record<string, unknown> => out['Certificate'] as Record<string, unknown>;
const upload = async (body: string, params: Params = { UserName: 'alice' }, caller: Caller = ROOT_CALLER): Promise<Record<string, unknown>> =>
  certOf(await iam.run('UploadSigningCertificate', { ...params, CertificateBody: body }, caller));
const listed = async (params: Params, caller: Caller = ROOT_CALLER): Promise<Array<Record<string, unknown>>> =>
  (await iam.run('ListSigningCertificates', params, caller))['Certificates'] as Array<Record<string, unknown>>;

test('certificateId: 32 upper-case base32 characters of the DER digest', () => {
  const id = certificateId(Buffer.from('some DER'));
  assert.match(id, /^[A-Z2-7]{32}$/);
  assert.equal(certificateId(Buffer.from('some DER')), id);
  assert.notEqual(certificateId(Buffer.from('other DER')), id);
});

test('UploadSigningCertificate stores a PEM certificate, Active, under a 32-character ID', { skip }, async () => {
  const pem = selfSigned();
  const uploaded = await upload(`${pem}\n`);
  assert.deepEqual(uploaded, {
    UserName: 'alice',
    CertificateId: certificateId(new X509Certificate(pem).raw),
    CertificateBody: pem.trim(),
    Status: 'Active',
    UploadDate: NOW,
  });
  assert.deepEqual(await listed({ UserName: 'alice' }), [uploaded]);
});

test('without UserName: an IAM user manages its own; root its own, listed without a user name', { skip }, async () => {
  const mine = await upload(selfSigned(), {}, ALICE);
  assert.equal(mine['UserName'], 'alice');
  const rootCert = await upload(selfSigned(), {});
  assert.equal(rootCert['UserName'], undefined);
  assert.deepEqual((await listed({}, ALICE)).map((c) => c['CertificateId']), [mine['CertificateId']]);
  assert.deepEqual((await listed({})).map((c) => [c['CertificateId'], c['UserName']]), [[rootCert['CertificateId'], undefined]]);
  const summary = (await iam.run('GetAccountSummary', {}))['SummaryMap'] as Record<string, number>;
  assert.equal(summary['AccountSigningCertificatesPresent'], 1);
  await iam.run('DeleteSigningCertificate', { CertificateId: rootCert['CertificateId'] });
  assert.equal(((await iam.run('GetAccountSummary', {}))['SummaryMap'] as Record<string, number>)['AccountSigningCertificatesPresent'], 0);
});

test('a role session must name a user', async () => {
  const refused = ['ValidationError', 400, 'Must specify userName when calling with non-User credentials'] as const;
  await rejects(iam.run('UploadSigningCertificate', { CertificateBody: 'x' }, ROLE_SESSION), ...refused);
  await rejects(iam.run('ListSigningCertificates', {}, ROLE_SESSION), ...refused);
  await rejects(iam.run('UpdateSigningCertificate', { CertificateId: 'X'.repeat(32), Status: 'Active' }, ROLE_SESSION), ...refused);
  await rejects(iam.run('DeleteSigningCertificate', { CertificateId: 'X'.repeat(32) }, ROLE_SESSION), ...refused);
});

test('DuplicateCertificate: the same certificate anywhere in the account', { skip }, async () => {
  const pem = selfSigned();
  await upload(pem);
  await iam.run('CreateUser', { UserName: 'bob' });
  const duplicate = ['DuplicateCertificate', 409, 'The same certificate is already associated with an IAM user in this account.'] as const;
  await rejects(iam.run('UploadSigningCertificate', { UserName: 'alice', CertificateBody: pem }), ...duplicate);
  await rejects(iam.run('UploadSigningCertificate', { UserName: 'bob', CertificateBody: pem }), ...duplicate);
  await rejects(iam.run('UploadSigningCertificate', { CertificateBody: pem }), ...duplicate);
});

test('UploadSigningCertificate enforces SigningCertificatesPerUser (2)', { skip }, async () => {
  await upload(selfSigned());
  await upload(selfSigned());
  await rejects(iam.run('UploadSigningCertificate', { UserName: 'alice', CertificateBody: selfSigned() }), 'LimitExceeded', 409, 'Cannot exceed quota for SigningCertificatesPerUser: 2');
});

test('bodies refused: malformed, expired, not yet valid', { skip }, async () => {
  const pem = selfSigned();
  const certificate = new X509Certificate(pem);
  const unparsable = 'Unable to parse certificate. Please ensure the certificate is in PEM format.';
  const cases: ReadonlyArray<[string, string, string]> = [
    ['text', 'hello', unparsable],
    ['a PEM of another label', pem.replace(/CERTIFICATE/g, 'PUBLIC KEY'), unparsable],
    ['a damaged body', pem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA'), unparsable],
    ['two certificates', `${pem}${selfSigned()}`, unparsable],
    ['text around the certificate', `my cert:\n${pem}`, unparsable],
  ];
  for (const [what, body, message] of cases) {
    await rejects(iam.run('UploadSigningCertificate', { UserName: 'alice', CertificateBody: body }), 'MalformedCertificate', 400, message).catch((error: unknown) => {
      throw new Error(`${what}: ${String(error)}`);
    });
  }
  iam.setClock(new Date(Date.parse(certificate.validTo) + 1000));
  await rejects(iam.run('UploadSigningCertificate', { UserName: 'alice', CertificateBody: pem }), 'MalformedCertificate', 400, `The certificate expired on ${new Date(certificate.validTo).toISOString()}.`);
  iam.setClock(new Date(Date.parse(certificate.validFrom) - 60_000));
  await rejects(iam.run('UploadSigningCertificate', { UserName: 'alice', CertificateBody: pem }), 'InvalidCertificate', 400, `The certificate is not valid before ${new Date(certificate.validFrom).toISOString()}.`);
  iam.setClock(NOW);
  assert.deepEqual(await listed({ UserName: 'alice' }), []);
});

test('UpdateSigningCertificate sets Active or Inactive only; DeleteSigningCertificate removes it', { skip }, async () => {
  const id = (await upload(selfSigned()))['CertificateId'];
  await iam.run('UpdateSigningCertificate', { UserName: 'alice', CertificateId: id, Status: 'Inactive' });
  assert.equal((await listed({ UserName: 'alice' }))[0]?.['Status'], 'Inactive');
  await rejects(iam.run('UpdateSigningCertificate', { UserName: 'alice', CertificateId: id, Status: 'Expired' }), 'InvalidInput', 400, 'Invalid status: Expired. The status must be Active or Inactive.');
  await iam.run('DeleteSigningCertificate', { UserName: 'alice', CertificateId: id });
  assert.deepEqual(await listed({ UserName: 'alice' }), []);
});

test("a certificate is not found under another user's name, nor root's", { skip }, async () => {
  await iam.run('CreateUser', { UserName: 'bob' });
  const id = (await upload(selfSigned()))['CertificateId'] as string;
  const missing = ['NoSuchEntity', 404, `The Certificate with id ${id} cannot be found.`] as const;
  await rejects(iam.run('UpdateSigningCertificate', { UserName: 'bob', CertificateId: id, Status: 'Inactive' }), ...missing);
  await rejects(iam.run('DeleteSigningCertificate', { CertificateId: id }), ...missing);
  await rejects(iam.run('DeleteSigningCertificate', { UserName: 'alice', CertificateId: 'UNKNOWNUNKNOWNUNKNOWNUNKNOWN' }), 'NoSuchEntity', 404, 'The Certificate with id UNKNOWNUNKNOWNUNKNOWNUNKNOWN cannot be found.');
  assert.equal((await listed({ UserName: 'alice' }))[0]?.['Status'], 'Active');
});

const missingUser: ReadonlyArray<[string, Params]> = [
  ['UploadSigningCertificate', { UserName: 'ghost', CertificateBody: 'x' }],
  ['ListSigningCertificates', { UserName: 'ghost' }],
  ['UpdateSigningCertificate', { UserName: 'ghost', CertificateId: 'X'.repeat(32), Status: 'Active' }],
  ['DeleteSigningCertificate', { UserName: 'ghost', CertificateId: 'X'.repeat(32) }],
];
for (const [name, params] of missingUser) {
  test(`${name} answers NoSuchEntity for a missing user`, async () => {
    await rejects(iam.run(name, params), 'NoSuchEntity', 404, 'The user with name ghost cannot be found.');
  });
}

test('renaming a user keeps its certificates; DeleteUser refuses while it has one', { skip }, async () => {
  const id = (await upload(selfSigned()))['CertificateId'];
  await iam.run('UpdateUser', { UserName: 'alice', NewUserName: 'alicia' });
  assert.deepEqual((await listed({ UserName: 'alicia' })).map((c) => [c['CertificateId'], c['UserName']]), [[id, 'alicia']]);
  await rejects(iam.run('DeleteUser', { UserName: 'alicia' }), 'DeleteConflict', 409, 'Cannot delete entity, must delete signing certificates first.');
  await iam.run('DeleteSigningCertificate', { UserName: 'alicia', CertificateId: id });
  await iam.run('DeleteUser', { UserName: 'alicia' });
});

test('operations are authorized against the named user’s ARN, else the caller’s own (root’s for root)', async () => {
  await iam.run('CreateUser', { UserName: 'pathy', Path: '/dev/' });
  await store.transaction(async (tx) => {
    const ctx = (caller: Caller) => ({ caller, account: TEST_ACCOUNT, tx, now: new Date(), requestId: 'r', services: {} }) as never;
    for (const op of SIGNING_CERTIFICATE_OPERATIONS) {
      assert.equal(await op.resource(ctx(ALICE), { UserName: 'PATHY' }), `arn:aws:iam::${TEST_ACCOUNT}:user/dev/pathy`, op.name);
      assert.equal(await op.resource(ctx(ALICE), {}), ALICE.arn, op.name);
      assert.equal(await op.resource(ctx(ROOT_CALLER), {}), `arn:aws:iam::${TEST_ACCOUNT}:root`, op.name);
    }
  });
});
