import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { type CertificateSet, makeCertificates } from '../../../test/helpers/certificates.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { defineOperations, type OperationContext, type Params } from '../operation.js';
import { resourceKeys } from '../request-context.js';
import { rejects, ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { ACCOUNT_OPERATIONS } from './account.js';
import { KIND } from './kinds.js';
import { SERVER_CERTIFICATE_OPERATIONS } from './server-certificates.js';

const OPERATIONS = defineOperations([...SERVER_CERTIFICATE_OPERATIONS, ...ACCOUNT_OPERATIONS]);
const arn = (pathAndName: string): string => `arn:aws:iam::${TEST_ACCOUNT}:server-certificate${pathAndName}`;

let certs: CertificateSet;
let store: Store;
let iam: ReturnType<typeof runner>;
let now: Date;

before(() => {
  certs = makeCertificates();
});
after(() => certs.remove());

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
  // The test certificates are valid from the moment they were made.
  now = new Date(Date.now() + 1000);
  iam.setClock(now);
});

afterEach(() => store.close());

const upload = (name: string, extra: Params = {}): Promise<Record<string, unknown>> =>
  iam.run('UploadServerCertificate', { ServerCertificateName: name, CertificateBody: certs.cert, PrivateKey: certs.key, ...extra });

test('UploadServerCertificate returns the metadata: ASCA ID, ARN with the path, expiration from the certificate', async () => {
  const out = await upload('web', { Path: '/cloudfront/test/', Tags: [{ Key: 'team', Value: 'edge' }] });
  const meta = out['ServerCertificateMetadata'] as Record<string, unknown>;
  assert.match(meta['ServerCertificateId'] as string, /^ASCA[A-Z2-7]{17}$/);
  assert.deepEqual({ ...meta, ServerCertificateId: undefined }, {
    Path: '/cloudfront/test/',
    ServerCertificateName: 'web',
    ServerCertificateId: undefined,
    Arn: arn('/cloudfront/test/web'),
    UploadDate: now,
    Expiration: new Date(new X509Certificate(certs.cert).validTo),
  });
  assert.deepEqual(out['Tags'], [{ Key: 'team', Value: 'edge' }]);
});

test('the private key is sealed at rest and never returned; GetServerCertificate gives body, chain, metadata, tags', async () => {
  await iam.run('UploadServerCertificate', {
    ServerCertificateName: 'leaf',
    CertificateBody: certs.leaf,
    PrivateKey: certs.leafKey,
    CertificateChain: certs.intermediate + certs.root,
    Tags: [{ Key: 'env', Value: 'prod' }],
  });
  const stored = await store.read((tx) => tx.get(KIND.serverCertificate, TEST_ACCOUNT, 'leaf'));
  assert.equal(stored?.data['privateKey'], `sealed:${certs.leafKey}`);
  assert.deepEqual(Object.entries(stored?.data ?? {}).filter(([k, v]) => k !== 'privateKey' && JSON.stringify(v).includes('PRIVATE KEY')), []);
  const got = (await iam.run('GetServerCertificate', { ServerCertificateName: 'LEAF' }))['ServerCertificate'] as Record<string, unknown>;
  assert.deepEqual(Object.keys(got).sort(), ['CertificateBody', 'CertificateChain', 'ServerCertificateMetadata', 'Tags']);
  assert.equal(got['CertificateBody'], certs.leaf);
  assert.equal(got['CertificateChain'], certs.intermediate + certs.root);
  assert.deepEqual(got['Tags'], [{ Key: 'env', Value: 'prod' }]);
  const everything = JSON.stringify([got, await iam.run('ListServerCertificates', {})]);
  assert.ok(!everything.includes('PRIVATE KEY'));
});

const encryptedKey = (): string =>
  createPrivateKey(certs.key).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
const chainText = (index: number): string =>
  `Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: ${index}`;
const UNPARSEABLE = 'Unable to parse certificate. Please ensure the certificate is in PEM format.';

const BAD_UPLOADS: ReadonlyArray<{ name: string; input: () => Params; code: string; message: string }> = [
  { name: 'garbage body', input: () => ({ CertificateBody: 'not a certificate' }), code: 'MalformedCertificate', message: UNPARSEABLE },
  {
    name: 'a PEM block that is no certificate',
    input: () => ({ CertificateBody: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }),
    code: 'MalformedCertificate',
    message: UNPARSEABLE,
  },
  { name: 'two certificates as the body', input: () => ({ CertificateBody: certs.cert + certs.root }), code: 'MalformedCertificate', message: UNPARSEABLE },
  {
    name: 'an expired certificate',
    input: () => ({ CertificateBody: certs.expired, PrivateKey: certs.expiredKey }),
    code: 'MalformedCertificate',
    message: "Certificate is no longer valid. The 'Not After' date restriction on the certificate has passed.",
  },
  {
    name: 'a certificate not yet valid',
    input: () => ({ CertificateBody: certs.future, PrivateKey: certs.futureKey }),
    code: 'MalformedCertificate',
    message: "Certificate is not yet valid. The 'Not Before' date restriction on the certificate has not passed.",
  },
  {
    name: 'garbage private key',
    input: () => ({ PrivateKey: 'not a key' }),
    code: 'MalformedCertificate',
    message: 'Unable to parse private key. Please ensure the private key is in PEM format and not encrypted.',
  },
  {
    name: 'an encrypted private key',
    input: () => ({ PrivateKey: encryptedKey() }),
    code: 'MalformedCertificate',
    message: 'Unable to parse private key. Please ensure the private key is in PEM format and not encrypted.',
  },
  { name: 'a key of another pair', input: () => ({ PrivateKey: certs.otherKey }), code: 'KeyPairMismatch', message: 'The public key certificate and the private key do not match.' },
  {
    name: 'a chain not starting with the issuer',
    input: () => ({ CertificateBody: certs.leaf, PrivateKey: certs.leafKey, CertificateChain: certs.root + certs.intermediate }),
    code: 'MalformedCertificate',
    message: chainText(-1),
  },
  {
    name: 'a chain whose second certificate did not issue the first',
    input: () => ({ CertificateBody: certs.leaf, PrivateKey: certs.leafKey, CertificateChain: certs.intermediate + certs.cert }),
    code: 'MalformedCertificate',
    message: chainText(0),
  },
  {
    name: 'a chain that holds no certificate',
    input: () => ({ CertificateBody: certs.leaf, PrivateKey: certs.leafKey, CertificateChain: 'garbage' }),
    code: 'MalformedCertificate',
    message: chainText(0),
  },
];

for (const bad of BAD_UPLOADS) {
  test(`UploadServerCertificate refuses ${bad.name}`, async () => {
    await rejects(upload('bad', bad.input()), bad.code, 400, bad.message);
    assert.equal(await store.read((tx) => tx.count(KIND.serverCertificate, TEST_ACCOUNT)), 0);
  });
}

test('a chain in order (intermediate, then root) and one of the issuer alone are accepted', async () => {
  await upload('full', { CertificateBody: certs.leaf, PrivateKey: certs.leafKey, CertificateChain: certs.intermediate + certs.root });
  await upload('short', { CertificateBody: certs.leaf, PrivateKey: certs.leafKey, CertificateChain: certs.intermediate });
});

test('names are unique without regard to case; the account holds 20', async () => {
  await upload('Web');
  await rejects(upload('WEB'), 'EntityAlreadyExists', 409, 'The Server Certificate with name WEB already exists.');
  for (let i = 1; i < 20; i++) await upload(`c${i}`);
  await rejects(upload('c20'), 'LimitExceeded', 409, 'Cannot exceed quota for ServerCertificatesPerAccount: 20');
  const summary = (await iam.run('GetAccountSummary', {}))['SummaryMap'] as Record<string, number>;
  assert.deepEqual([summary['ServerCertificates'], summary['ServerCertificatesQuota']], [20, 20]);
});

test('ListServerCertificates filters by PathPrefix and pages', async () => {
  await upload('a', { Path: '/cloudfront/' });
  await upload('b', { Path: '/cloudfront/x/' });
  await upload('c');
  const names = (out: Record<string, unknown>): string[] => (out['ServerCertificateMetadataList'] as Array<{ ServerCertificateName: string }>).map((m) => m.ServerCertificateName);
  assert.deepEqual(names(await iam.run('ListServerCertificates', {})), ['a', 'b', 'c']);
  assert.deepEqual(names(await iam.run('ListServerCertificates', { PathPrefix: '/cloudfront/' })), ['a', 'b']);
  const first = await iam.run('ListServerCertificates', { MaxItems: 2 });
  assert.deepEqual([names(first), first['IsTruncated']], [['a', 'b'], true]);
  const second = await iam.run('ListServerCertificates', { MaxItems: 2, Marker: first['Marker'] });
  assert.deepEqual([names(second), second['IsTruncated']], [['c'], false]);
});

test('UpdateServerCertificate renames and moves, keeping ID, dates and key; refuses a taken name', async () => {
  const before = (await upload('old'))['ServerCertificateMetadata'] as Record<string, unknown>;
  await upload('taken');
  await rejects(iam.run('UpdateServerCertificate', { ServerCertificateName: 'old', NewServerCertificateName: 'TAKEN' }), 'EntityAlreadyExists', 409, 'The Server Certificate with name TAKEN already exists.');
  await iam.run('UpdateServerCertificate', { ServerCertificateName: 'old', NewServerCertificateName: 'new', NewPath: '/cloudfront/' });
  await rejects(iam.run('GetServerCertificate', { ServerCertificateName: 'old' }), 'NoSuchEntity', 404, 'The Server Certificate with name old cannot be found.');
  const meta = ((await iam.run('GetServerCertificate', { ServerCertificateName: 'new' }))['ServerCertificate'] as Record<string, unknown>)['ServerCertificateMetadata'];
  assert.deepEqual(meta, { ...before, ServerCertificateName: 'new', Path: '/cloudfront/', Arn: arn('/cloudfront/new') });
  const stored = await store.read((tx) => tx.get(KIND.serverCertificate, TEST_ACCOUNT, 'new'));
  assert.equal(stored?.data['privateKey'], `sealed:${certs.key}`);
  // A change of case alone is a rename too.
  await iam.run('UpdateServerCertificate', { ServerCertificateName: 'new', NewServerCertificateName: 'NEW' });
  assert.equal((await store.read((tx) => tx.get(KIND.serverCertificate, TEST_ACCOUNT, 'new')))?.key, 'NEW');
});

test('DeleteServerCertificate removes it; every operation on a missing certificate answers NoSuchEntity', async () => {
  await upload('gone');
  await iam.run('DeleteServerCertificate', { ServerCertificateName: 'GONE' });
  const missing = 'The Server Certificate with name gone cannot be found.';
  for (const [name, extra] of [
    ['GetServerCertificate', {}],
    ['DeleteServerCertificate', {}],
    ['UpdateServerCertificate', { NewPath: '/x/' }],
    ['TagServerCertificate', { Tags: [{ Key: 'k', Value: 'v' }] }],
    ['UntagServerCertificate', { TagKeys: ['k'] }],
    ['ListServerCertificateTags', {}],
  ] as const) {
    await rejects(iam.run(name, { ServerCertificateName: 'gone', ...extra }), 'NoSuchEntity', 404, missing);
  }
});

test('TagServerCertificate, UntagServerCertificate, ListServerCertificateTags', async () => {
  await upload('t', { Tags: [{ Key: 'a', Value: '1' }] });
  await iam.run('TagServerCertificate', { ServerCertificateName: 't', Tags: [{ Key: 'A', Value: '2' }, { Key: 'b', Value: '3' }] });
  assert.deepEqual((await iam.run('ListServerCertificateTags', { ServerCertificateName: 't' }))['Tags'], [{ Key: 'A', Value: '2' }, { Key: 'b', Value: '3' }]);
  await iam.run('UntagServerCertificate', { ServerCertificateName: 't', TagKeys: ['a'] });
  assert.deepEqual((await iam.run('ListServerCertificateTags', { ServerCertificateName: 't' }))['Tags'], [{ Key: 'b', Value: '3' }]);
  await rejects(upload('dup', { Tags: [{ Key: 'k', Value: '1' }, { Key: 'K', Value: '2' }] }), 'InvalidInput', 400, 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
});

test('authorization: resources as stored, aws:ResourceTag from the certificate, the new name needs UpdateServerCertificate too', async () => {
  await upload('Web', { Path: '/p/', Tags: [{ Key: 'team', Value: 'edge' }] });
  await store.read(async (tx) => {
    const ctx: OperationContext = { caller: ROOT_CALLER, account: TEST_ACCOUNT, tx, now, requestId: 't', services: testServices() };
    const get = OPERATIONS.get('iam:GetServerCertificate');
    assert.equal(await get?.resource(ctx, { ServerCertificateName: 'web' }), arn('/p/Web'));
    assert.equal(await get?.resource(ctx, { ServerCertificateName: 'nothing' }), arn('/nothing'));
    const fresh: OperationContext = { ...ctx };
    assert.deepEqual(await resourceKeys(fresh, 'iam:GetServerCertificate', arn('/p/Web')), { 'aws:ResourceTag/team': 'edge' });
    assert.deepEqual(await resourceKeys(fresh, 'iam:GetServerCertificate', arn('/other/Web')), {});
    const uploadOp = OPERATIONS.get('iam:UploadServerCertificate');
    assert.equal(await uploadOp?.resource(ctx, { ServerCertificateName: 'n', Path: '/q/' }), arn('/q/n'));
    assert.deepEqual(uploadOp?.conditionKeys?.(ctx, { Tags: [{ Key: 'team', Value: 'x' }] }), { 'aws:RequestTag/team': 'x', 'aws:TagKeys': ['team'] });
    const update = OPERATIONS.get('iam:UpdateServerCertificate');
    assert.deepEqual(await update?.alsoRequires?.(ctx, { ServerCertificateName: 'web', NewServerCertificateName: 'prod' }), [
      { action: 'iam:UpdateServerCertificate', resource: arn('/p/prod') },
    ]);
    assert.deepEqual(await update?.alsoRequires?.(ctx, { ServerCertificateName: 'web', NewPath: '/cloudfront/' }), [
      { action: 'iam:UpdateServerCertificate', resource: arn('/cloudfront/Web') },
    ]);
    assert.deepEqual(await update?.alsoRequires?.(ctx, { ServerCertificateName: 'web', NewPath: '/p/' }), []);
    assert.equal(await OPERATIONS.get('iam:ListServerCertificates')?.resource(ctx, {}), '*');
  });
});
