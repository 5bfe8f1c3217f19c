// Server certificates through the AWS SDK for JavaScript v3 against a real server: lifecycle, the checks of the
// certificate, the private key at rest, quota, and authorization (resource ARNs, tag condition keys, renames).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteServerCertificateCommand,
  GetAccountSummaryCommand,
  GetServerCertificateCommand,
  ListServerCertificatesCommand,
  ListServerCertificateTagsCommand,
  PutUserPolicyCommand,
  TagServerCertificateCommand,
  UntagServerCertificateCommand,
  UpdateServerCertificateCommand,
  UploadServerCertificateCommand,
} from '@aws-sdk/client-iam';
import { type CertificateSet, makeCertificates } from './helpers/certificates.js';
import { failure, iamClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer();
let certs: CertificateSet;
before(() => {
  certs = makeCertificates();
});
after(() => certs.remove());

const arn = (pathAndName: string): string => `arn:aws:iam::${TEST_ACCOUNT_ID}:server-certificate${pathAndName}`;
const denied = (user: string, action: string, resource: string): { name: string; message: string; status: number } => ({
  name: 'AccessDenied',
  message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/${user} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
  status: 403,
});

/** A user with the given inline policy statements and an access key. */
async function userWith(name: string, statements: unknown[]): Promise<Key> {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: name }));
  if (statements.length > 0) {
    await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
  }
  const key = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  assert.ok(key?.AccessKeyId !== undefined && key.SecretAccessKey !== undefined);
  return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
}

describe('server certificates', () => {
  test('upload, get (no private key), list, tag, rename, delete; the key is sealed in the data directory', async () => {
    const root = iamClient(server.endpoint);
    const uploaded = await root.send(
      new UploadServerCertificateCommand({
        ServerCertificateName: 'leaf',
        Path: '/cloudfront/',
        CertificateBody: certs.leaf,
        PrivateKey: certs.leafKey,
        CertificateChain: certs.intermediate + certs.root,
        Tags: [{ Key: 'team', Value: 'edge' }],
      }),
    );
    const meta = uploaded.ServerCertificateMetadata;
    assert.match(meta?.ServerCertificateId ?? '', /^ASCA[A-Z2-7]{17}$/);
    assert.equal(meta?.Arn, arn('/cloudfront/leaf'));
    assert.ok(meta?.Expiration instanceof Date && meta.Expiration.getTime() > Date.now());
    assert.deepEqual(uploaded.Tags, [{ Key: 'team', Value: 'edge' }]);

    const got = (await root.send(new GetServerCertificateCommand({ ServerCertificateName: 'LEAF' }))).ServerCertificate;
    assert.equal(got?.CertificateBody, certs.leaf);
    assert.equal(got?.CertificateChain, certs.intermediate + certs.root);
    assert.deepEqual(got?.ServerCertificateMetadata, meta);
    assert.ok(!JSON.stringify(got).includes('PRIVATE KEY'));

    // The key's base64 text appears nowhere in the data directory: it is stored sealed.
    const keyLine = certs.leafKey.split('\n')[1] ?? '';
    assert.ok(keyLine.length > 40);
    for (const file of readdirSync(server.dataDir, { recursive: true, withFileTypes: true })) {
      if (file.isFile()) assert.ok(!readFileSync(join(file.parentPath ?? file.path, file.name)).includes(keyLine), file.name);
    }

    await root.send(new TagServerCertificateCommand({ ServerCertificateName: 'leaf', Tags: [{ Key: 'env', Value: 'prod' }] }));
    await root.send(new UntagServerCertificateCommand({ ServerCertificateName: 'leaf', TagKeys: ['team'] }));
    assert.deepEqual((await root.send(new ListServerCertificateTagsCommand({ ServerCertificateName: 'leaf' }))).Tags, [{ Key: 'env', Value: 'prod' }]);

    await root.send(new UpdateServerCertificateCommand({ ServerCertificateName: 'leaf', NewServerCertificateName: 'edge', NewPath: '/cloudfront/prod/' }));
    const listed = await root.send(new ListServerCertificatesCommand({ PathPrefix: '/cloudfront/' }));
    assert.deepEqual(listed.ServerCertificateMetadataList, [{ ...meta, ServerCertificateName: 'edge', Path: '/cloudfront/prod/', Arn: arn('/cloudfront/prod/edge') }]);
    assert.equal(listed.IsTruncated, false);

    await root.send(new DeleteServerCertificateCommand({ ServerCertificateName: 'edge' }));
    assert.deepEqual(await failure(root.send(new GetServerCertificateCommand({ ServerCertificateName: 'edge' }))), {
      name: 'NoSuchEntityException',
      message: 'The Server Certificate with name edge cannot be found.',
      status: 404,
    });
  });

  test('malformed, expired, mismatched and duplicate uploads get AWS errors; the quota is 20', async () => {
    const root = iamClient(server.endpoint);
    const send = (name: string, body: string, key: string, chain?: string): Promise<unknown> =>
      root.send(new UploadServerCertificateCommand({ ServerCertificateName: name, CertificateBody: body, PrivateKey: key, ...(chain !== undefined ? { CertificateChain: chain } : {}) }));
    assert.deepEqual(await failure(send('bad', 'garbage', certs.key)), {
      name: 'MalformedCertificateException',
      message: 'Unable to parse certificate. Please ensure the certificate is in PEM format.',
      status: 400,
    });
    assert.deepEqual(await failure(send('old', certs.expired, certs.expiredKey)), {
      name: 'MalformedCertificateException',
      message: "Certificate is no longer valid. The 'Not After' date restriction on the certificate has passed.",
      status: 400,
    });
    assert.deepEqual(await failure(send('pair', certs.cert, certs.otherKey)), {
      name: 'KeyPairMismatchException',
      message: 'The public key certificate and the private key do not match.',
      status: 400,
    });
    assert.deepEqual(await failure(send('order', certs.leaf, certs.leafKey, certs.root + certs.intermediate)), {
      name: 'MalformedCertificateException',
      message:
        'Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: -1',
      status: 400,
    });

    const before = (await root.send(new GetAccountSummaryCommand({}))).SummaryMap ?? {};
    assert.equal(before['ServerCertificatesQuota'], 20);
    const existing = before['ServerCertificates'] ?? 0;
    await send('Quota0', certs.cert, certs.key);
    assert.deepEqual(await failure(send('QUOTA0', certs.cert, certs.key)), {
      name: 'EntityAlreadyExistsException',
      message: 'The Server Certificate with name QUOTA0 already exists.',
      status: 409,
    });
    for (let i = existing + 1; i < 20; i++) await send(`Quota${i}`, certs.cert, certs.key);
    assert.equal((await root.send(new GetAccountSummaryCommand({}))).SummaryMap?.['ServerCertificates'], 20);
    assert.deepEqual(await failure(send('one-too-many', certs.cert, certs.key)), {
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for ServerCertificatesPerAccount: 20',
      status: 409,
    });
    const all = await root.send(new ListServerCertificatesCommand({ MaxItems: 15 }));
    assert.equal(all.IsTruncated, true);
    const rest = await root.send(new ListServerCertificatesCommand({ Marker: all.Marker }));
    assert.equal((all.ServerCertificateMetadataList?.length ?? 0) + (rest.ServerCertificateMetadataList?.length ?? 0), 20);
    for (const m of [...(all.ServerCertificateMetadataList ?? []), ...(rest.ServerCertificateMetadataList ?? [])]) {
      await root.send(new DeleteServerCertificateCommand({ ServerCertificateName: m.ServerCertificateName }));
    }
  });

  test('authorization: the certificate ARN, aws:RequestTag on upload, aws:ResourceTag on get, both names on rename', async () => {
    const root = iamClient(server.endpoint);
    const upload = (client: ReturnType<typeof iamClient>, name: string, path: string, tags: Array<{ Key: string; Value: string }> = []): Promise<unknown> =>
      client.send(new UploadServerCertificateCommand({ ServerCertificateName: name, Path: path, CertificateBody: certs.cert, PrivateKey: certs.key, Tags: tags }));

    const nobody = iamClient(server.endpoint, await userWith('nobody', []));
    assert.deepEqual(await failure(upload(nobody, 'n', '/team/')), denied('nobody', 'iam:UploadServerCertificate', arn('/team/n')));
    assert.deepEqual(await failure(nobody.send(new ListServerCertificatesCommand({}))), denied('nobody', 'iam:ListServerCertificates', '*'));

    const tagger = iamClient(
      server.endpoint,
      await userWith('tagger', [
        { Effect: 'Allow', Action: 'iam:UploadServerCertificate', Resource: arn('/team/*'), Condition: { StringEquals: { 'aws:RequestTag/team': 'edge' } } },
        { Effect: 'Allow', Action: ['iam:GetServerCertificate', 'iam:UpdateServerCertificate'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'edge' } } },
      ]),
    );
    assert.deepEqual(await failure(upload(tagger, 'untagged', '/team/')), denied('tagger', 'iam:UploadServerCertificate', arn('/team/untagged')));
    await upload(tagger, 'tagged', '/team/', [{ Key: 'team', Value: 'edge' }]);
    await upload(root, 'other', '/team/', [{ Key: 'team', Value: 'core' }]);
    assert.equal((await tagger.send(new GetServerCertificateCommand({ ServerCertificateName: 'TAGGED' }))).ServerCertificate?.ServerCertificateMetadata?.Arn, arn('/team/tagged'));
    assert.deepEqual(await failure(tagger.send(new GetServerCertificateCommand({ ServerCertificateName: 'other' }))), denied('tagger', 'iam:GetServerCertificate', arn('/team/other')));

    // Allowed on the tagged certificate, but the new name is a resource without that tag: AWS wants both allowed.
    assert.deepEqual(
      await failure(tagger.send(new UpdateServerCertificateCommand({ ServerCertificateName: 'tagged', NewServerCertificateName: 'renamed' }))),
      denied('tagger', 'iam:UpdateServerCertificate', arn('/team/renamed')),
    );
    assert.equal((await root.send(new GetServerCertificateCommand({ ServerCertificateName: 'tagged' }))).ServerCertificate?.ServerCertificateMetadata?.ServerCertificateName, 'tagged');

    const mover = iamClient(server.endpoint, await userWith('mover', [{ Effect: 'Allow', Action: 'iam:UpdateServerCertificate', Resource: [arn('/team/tagged'), arn('/team/renamed')] }]));
    await mover.send(new UpdateServerCertificateCommand({ ServerCertificateName: 'tagged', NewServerCertificateName: 'renamed' }));
    assert.equal((await root.send(new GetServerCertificateCommand({ ServerCertificateName: 'renamed' }))).ServerCertificate?.ServerCertificateMetadata?.Arn, arn('/team/renamed'));
    for (const name of ['renamed', 'other']) await root.send(new DeleteServerCertificateCommand({ ServerCertificateName: name }));
  });
});
