// The example S3-compatible store (examples/s3-store) against a real Gatehouse, driven by the real clients: the AWS
// CLI (/usr/bin/aws), boto3 and @aws-sdk/client-s3. Every request the store serves was decided by Gatehouse.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AttachPolicyCommand, CreateAccountCommand, CreateOrganizationCommand, CreatePolicyCommand, DetachPolicyCommand, EnablePolicyTypeCommand, ListRootsCommand } from '@aws-sdk/client-organizations';
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, UploadPartCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { Readable } from 'node:stream';
import { canonicalUserId } from 'gatehouse-iam';
import { startS3Store, type RunningS3Store } from '../examples/s3-store/server.js';
import { awsCli } from './helpers/aws-cli.js';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, iamClient, keyOf, organizationsClient, stsClient, type Key } from './helpers/clients.js';
import { policyDoc, userWith } from './helpers/organizations.js';
import { REGION, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';
import { chunkedUpload, sdkSignedRequest } from './helpers/s3-raw-requests.js';

let store: RunningS3Store;
let serviceKey: Key;
let partner = '';
let partnerAdmin: Key;
const users: Record<string, Key> = {};
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-s3-example-'));

async function setup(): Promise<void> {
  const service = await userWith(server.endpoint, 's3-store', [
    { Effect: 'Allow', Action: ['gatehouse:Authorize', 'gatehouse:GetChunkSigningKey'], Resource: 'arn:aws:gatehouse:::service/s3' },
    { Effect: 'Allow', Action: ['gatehouse:GetResourcePolicy', 'gatehouse:PutResourcePolicy', 'gatehouse:DeleteResourcePolicy'], Resource: 'arn:aws:s3:::*' },
  ]);
  users['alice'] = await userWith(server.endpoint, 'alice', [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]);
  users['mallory'] = await userWith(server.endpoint, 'mallory', [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]);
  users['nobody'] = await userWith(server.endpoint, 'nobody', []);
  users['operator'] = await userWith(server.endpoint, 'operator', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]);
  const org = organizationsClient(server.endpoint);
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  partner = (await org.send(new CreateAccountCommand({ Email: 'partner@example.com', AccountName: 'partner' }))).CreateAccountStatus?.AccountId ?? '';
  const role = `arn:aws:iam::${partner}:role/OrganizationAccountAccessRole`;
  partnerAdmin = keyOf((await stsClient(server.endpoint, users['operator']).send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'setup' }))).Credentials);
  users['carol'] = await userWith(server.endpoint, 'carol', [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: '*' }], partnerAdmin);
  users['dave'] = await userWith(server.endpoint, 'dave', [], partnerAdmin);
  serviceKey = service;
  store = await startS3Store({ gatehouse: server.endpoint, credentials: service, dataDir: join(dir, 'data') });
}

const server = useTestServer({}, {}, setup);
after(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const s3 = (key: Key): S3Client => new S3Client({ endpoint: store.endpoint, region: REGION, credentials: key, forcePathStyle: true, maxAttempts: 1 });
const cli = (args: string[], key: Key) => awsCli(store.endpoint, args, key);
const boto3 = <T>(key: Key, env: Record<string, string>) =>
  runBoto3Script<T>('boto3_s3_store.py', server.endpoint, { S3_STORE_ENDPOINT: store.endpoint, AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey, ...(key.sessionToken !== undefined ? { AWS_SESSION_TOKEN: key.sessionToken } : {}), ...env });
const stored = (bucket: string, key: string) => store.disk.object(bucket, key);
const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

describe('the AWS CLI against the store', () => {
  test('alice, allowed by her identity policy alone: mb, cp up (12 MB in parts) and down, ls, presign, rm', async () => {
    assert.equal((await cli(['s3', 'mb', 's3://photos'], users['alice'] as Key)).code, 0);
    assert.deepEqual([store.disk.bucket('photos')?.account, store.disk.bucket('photos')?.ownership], [TEST_ACCOUNT_ID, 'BucketOwnerEnforced']);
    writeFileSync(join(dir, 'small.txt'), 'a small file\n');
    const big = randomBytes(12 * 1024 * 1024);
    writeFileSync(join(dir, 'big.bin'), big);
    for (const [from, to] of [[join(dir, 'small.txt'), 's3://photos/docs/small.txt'], [join(dir, 'big.bin'), 's3://photos/big.bin'], [join(dir, 'small.txt'), 's3://photos/cat.txt']]) {
      const up = await cli(['s3', 'cp', from as string, to as string], users['alice'] as Key);
      assert.equal(up.code, 0, up.stderr);
    }
    assert.match(stored('photos', 'big.bin')?.etag ?? '', /^"[0-9a-f]{32}-2"$/);
    assert.equal(stored('photos', 'big.bin')?.size, big.length);
    const down = await cli(['s3', 'cp', 's3://photos/big.bin', join(dir, 'big.down')], users['alice'] as Key);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(md5(readFileSync(join(dir, 'big.down'))), md5(big));
    const ls = await cli(['s3', 'ls', 's3://photos/'], users['alice'] as Key);
    assert.match(ls.stdout, /PRE docs\//);
    assert.match(ls.stdout, / 12582912 big\.bin/);
    assert.match((await cli(['s3', 'ls'], users['alice'] as Key)).stdout, / photos$/m);
    const presign = await cli(['s3', 'presign', 's3://photos/docs/small.txt', '--expires-in', '604800'], users['alice'] as Key);
    assert.equal(await (await fetch(presign.stdout.trim())).text(), 'a small file\n');
    assert.equal((await cli(['s3', 'rm', 's3://photos/docs/small.txt'], users['alice'] as Key)).code, 0);
    assert.equal(stored('photos', 'docs/small.txt'), undefined);
  });

  // This machine's CLI (1.x, botocore 1.43) sends each part UNSIGNED-PAYLOAD over TLS (signed over HTTP above), never
  // aws-chunked: those bodies come from @aws-sdk/client-s3 below.
  test('over HTTPS: the CLI copies 12 MB up in parts, as unsigned payloads, and down again', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', ...subject, '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const tls = await startS3Store({ gatehouse: server.endpoint, credentials: serviceKey, dataDir: join(dir, 'tls-data'), tls: { cert: readFileSync(cert), key: readFileSync(key) } });
    try {
      const run = (args: string[]) => awsCli(tls.endpoint, args, users['alice'] as Key, { AWS_CA_BUNDLE: cert });
      assert.equal((await run(['s3', 'mb', 's3://secure'])).code, 0);
      const up = await run(['s3', 'cp', join(dir, 'big.bin'), 's3://secure/big.bin']);
      assert.equal(up.code, 0, up.stderr);
      assert.deepEqual(tls.answers.map((a) => a.Payload?.Mode).filter((m) => m === 'UNSIGNED-PAYLOAD').length, 2);
      assert.match(tls.disk.object('secure', 'big.bin')?.etag ?? '', /-2"$/);
      assert.equal(tls.disk.object('secure', 'big.bin')?.size, 12 * 1024 * 1024);
      const down = await run(['s3', 'cp', 's3://secure/big.bin', join(dir, 'secure.down')]);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(md5(readFileSync(join(dir, 'secure.down'))), md5(readFileSync(join(dir, 'big.bin'))));
    } finally {
      await tls.close();
    }
  });

  test('a user without any policy is refused, and nothing reaches the disk', async () => {
    const refused = await cli(['s3', 'cp', join(dir, 'small.txt'), 's3://photos/nobody.txt'], users['nobody'] as Key);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /AccessDenied/);
    assert.equal(stored('photos', 'nobody.txt'), undefined);
    assert.match((await cli(['s3', 'mb', 's3://nobodys'], users['nobody'] as Key)).stderr, /AccessDenied/);
    assert.equal(store.disk.bucket('nobodys'), undefined);
  });
});

describe('a bucket policy through `aws s3api put-bucket-policy`, kept in Gatehouse', () => {
  const policy = () =>
    policyDoc([
      { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${partner}:root` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' },
      { Sid: 'NoMallory', Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/mallory` }, Action: 's3:*', Resource: ['arn:aws:s3:::photos', 'arn:aws:s3:::photos/*'] },
    ]);

  test('a cross-account user reads only once both the bucket policy and its identity policy allow', async () => {
    const before = await boto3<{ get_error?: { code: string } }>(users['carol'] as Key, { MODE: 'reader', S3_BUCKET: 'photos', S3_KEY: 'cat.txt' });
    assert.equal(before.get_error?.code, 'AccessDenied');
    const put = await cli(['s3api', 'put-bucket-policy', '--bucket', 'photos', '--policy', policy()], users['alice'] as Key);
    assert.equal(put.code, 0, put.stderr);
    const carol = await boto3<{ get?: string; put_error?: { code: string } }>(users['carol'] as Key, { MODE: 'reader', S3_BUCKET: 'photos', S3_KEY: 'cat.txt' });
    assert.deepEqual([carol.get, carol.put_error?.code], ['a small file\n', 'AccessDenied']);
    const dave = await boto3<{ get_error?: { code: string; message: string } }>(users['dave'] as Key, { MODE: 'reader', S3_BUCKET: 'photos', S3_KEY: 'cat.txt' });
    assert.equal(dave.get_error?.message, `User: arn:aws:iam::${partner}:user/dave is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::photos/cat.txt because no identity-based policy allows the s3:GetObject action`);
    const status = await cli(['s3api', 'get-bucket-policy-status', '--bucket', 'photos'], users['alice'] as Key);
    assert.equal(JSON.parse(status.stdout).PolicyStatus.IsPublic, false);
  });

  test('an explicit deny in the bucket policy wins over an identity policy allowing s3:*', async () => {
    const refused = await failure(s3(users['mallory'] as Key).send(new GetObjectCommand({ Bucket: 'photos', Key: 'cat.txt' })));
    assert.deepEqual([refused.name, refused.status], ['AccessDenied', 403]);
    assert.match(refused.message, /with an explicit deny in a resource-based policy$/);
  });

  test('a malformed policy is refused with MalformedPolicy in S3 words and the policy in force stays', async () => {
    const bad = policyDoc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' });
    const refused = await cli(['s3api', 'put-bucket-policy', '--bucket', 'photos', '--policy', bad], users['alice'] as Key);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /\(MalformedPolicy\).*Missing required field Principal/);
    const kept = await cli(['s3api', 'get-bucket-policy', '--bucket', 'photos'], users['alice'] as Key);
    assert.equal(JSON.parse(kept.stdout).Policy, policy());
  });
});

describe('boto3 and @aws-sdk/client-s3', () => {
  test('boto3: put with its default checksum, get, list, an upload in parts, a range, the policy status, delete', async () => {
    const seen = await boto3<Record<string, unknown>>(users['alice'] as Key, { MODE: 'owner', S3_BUCKET: 'photos' });
    assert.equal(seen['get'], 'hello from boto3');
    assert.deepEqual(seen['listed'], ['boto3/hello.txt']);
    assert.deepEqual([seen['big_size'], seen['big_round_trip'], seen['ranged']], [11 * 1024 * 1024, true, 'from']);
    assert.match(String(seen['big_etag']), /-3"$/);
    assert.equal(seen['policy_status'], false);
    assert.deepEqual(seen['missing_after_delete'], { code: '404', status: 404 });
  });

  test('@aws-sdk/client-s3: a streamed body goes aws-chunked with a trailing CRC32, checked and kept by the store', async () => {
    const data = randomBytes(300_000);
    const client = s3(users['alice'] as Key);
    await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'sdk/stream.bin', Body: Readable.from([data.subarray(0, 150_000), data.subarray(150_000)]), ContentLength: data.length }));
    assert.match(store.answers.at(-1)?.Payload?.Mode ?? '', /^STREAMING-.*-TRAILER$/);
    assert.equal(stored('photos', 'sdk/stream.bin')?.checksum?.algorithm, 'crc32');
    const got = await client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'sdk/stream.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(md5(Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())), md5(data));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'photos', Delimiter: '/', MaxKeys: 2 }));
    // A common prefix counts as one of the page's keys.
    assert.deepEqual([listed.Contents?.map((c) => c.Key), listed.CommonPrefixes?.map((p) => p.Prefix), listed.IsTruncated], [['big.bin'], ['boto3/'], true]);
    const rest = await client.send(new ListObjectsV2Command({ Bucket: 'photos', Delimiter: '/', ContinuationToken: listed.NextContinuationToken }));
    assert.deepEqual([rest.Contents?.map((c) => c.Key), rest.CommonPrefixes?.map((p) => p.Prefix), rest.IsTruncated], [['cat.txt'], ['sdk/'], false]);
    // Parts streamed aws-chunked with a trailing CRC32 each, listed with their checksums when completed.
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1024 * 1024)];
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: 'photos', Key: 'sdk/parts.bin', ChecksumAlgorithm: 'CRC32' }));
    const sent = [];
    for (const [i, part] of parts.entries()) {
      const body = Readable.from([part.subarray(0, 1024 * 1024), part.subarray(1024 * 1024)]);
      const answer = await client.send(new UploadPartCommand({ Bucket: 'photos', Key: 'sdk/parts.bin', UploadId: created.UploadId, PartNumber: i + 1, Body: body, ContentLength: part.length, ChecksumAlgorithm: 'CRC32' }));
      assert.match(store.answers.at(-1)?.Payload?.Mode ?? '', /^STREAMING-.*-TRAILER$/);
      sent.push({ PartNumber: i + 1, ETag: answer.ETag, ChecksumCRC32: answer.ChecksumCRC32 });
    }
    await client.send(new CompleteMultipartUploadCommand({ Bucket: 'photos', Key: 'sdk/parts.bin', UploadId: created.UploadId, MultipartUpload: { Parts: sent } }));
    assert.equal(md5(readFileSync(join(dir, 'data', 'buckets', 'photos', 'data', stored('photos', 'sdk/parts.bin')?.file ?? ''))), md5(Buffer.concat(parts)));
    const upload = await client.send(new CreateMultipartUploadCommand({ Bucket: 'photos', Key: 'sdk/aborted.bin' }));
    assert.notEqual(store.disk.upload(upload.UploadId ?? ''), undefined);
    await client.send(new AbortMultipartUploadCommand({ Bucket: 'photos', Key: 'sdk/aborted.bin', UploadId: upload.UploadId }));
    assert.equal(store.disk.upload(upload.UploadId ?? ''), undefined);
  });

  test('CompleteMultipartUpload refuses a wrong ETag (InvalidPart) and a small part but the last (EntityTooSmall)', async () => {
    const client = s3(users['alice'] as Key);
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: 'photos', Key: 'sdk/small-parts.bin' }));
    const etags = [];
    for (const n of [1, 2]) etags.push((await client.send(new UploadPartCommand({ Bucket: 'photos', Key: 'sdk/small-parts.bin', UploadId: created.UploadId, PartNumber: n, Body: Buffer.alloc(1024, n) }))).ETag);
    const complete = (parts: Array<{ PartNumber: number; ETag: string | undefined }>) =>
      failure(client.send(new CompleteMultipartUploadCommand({ Bucket: 'photos', Key: 'sdk/small-parts.bin', UploadId: created.UploadId, MultipartUpload: { Parts: parts } })));
    assert.equal((await complete([{ PartNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' }])).name, 'InvalidPart');
    assert.equal((await complete([{ PartNumber: 1, ETag: etags[0] }, { PartNumber: 2, ETag: etags[1] }])).name, 'EntityTooSmall');
    assert.equal(stored('photos', 'sdk/small-parts.bin'), undefined);
    assert.equal(store.disk.upload(created.UploadId ?? '')?.parts.size, 2);
  });

  test('an assumed role is decided with its session policy', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: policyDoc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:root` }, Action: 'sts:AssumeRole' }) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'reader', PolicyName: 'p', PolicyDocument: policyDoc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' }) }));
    const sessionPolicy = policyDoc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/cat.txt' });
    const assumed = await stsClient(server.endpoint, users['operator']).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/reader`, RoleSessionName: 'one', Policy: sessionPolicy }));
    const session = s3(keyOf(assumed.Credentials));
    assert.equal(await (await session.send(new GetObjectCommand({ Bucket: 'photos', Key: 'cat.txt' }))).Body?.transformToString(), 'a small file\n');
    assert.equal(store.answers.at(-1)?.Principal?.Arn, `arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/reader/one`);
    const refused = await failure(session.send(new GetObjectCommand({ Bucket: 'photos', Key: 'big.bin' })));
    assert.equal(refused.message, `User: arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/reader/one is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::photos/big.bin because no session policy allows the s3:GetObject action`);
  });
});

describe('ACLs: Object Ownership through `aws s3api`', () => {
  test('ACLs are refused while BucketOwnerEnforced (the default); once ObjectWriter, a grant to the partner account lets its user read', async () => {
    const alice = users['alice'] as Key;
    assert.equal((await cli(['s3api', 'create-bucket', '--bucket', 'shared'], alice)).code, 0);
    writeFileSync(join(dir, 'report.txt'), 'for the partner\n');
    assert.equal((await cli(['s3', 'cp', join(dir, 'report.txt'), 's3://shared/report.txt'], alice)).code, 0);
    const grant = ['--grant-read', `id=${canonicalUserId(partner)}`, '--grant-full-control', `id=${canonicalUserId(TEST_ACCOUNT_ID)}`];
    const refused = await cli(['s3api', 'put-object-acl', '--bucket', 'shared', '--key', 'report.txt', ...grant], alice);
    assert.match(refused.stderr, /\(AccessControlListNotSupported\).*The bucket does not allow ACLs/);
    const ownership = await cli(['s3api', 'put-bucket-ownership-controls', '--bucket', 'shared', '--ownership-controls', 'Rules=[{ObjectOwnership=ObjectWriter}]'], alice);
    assert.equal(ownership.code, 0, ownership.stderr);
    assert.equal(store.disk.bucket('shared')?.ownership, 'ObjectWriter');
    const before = await boto3<{ get_error?: { code: string } }>(users['carol'] as Key, { MODE: 'reader', S3_BUCKET: 'shared', S3_KEY: 'report.txt' });
    assert.equal(before.get_error?.code, 'AccessDenied');
    const put = await cli(['s3api', 'put-object-acl', '--bucket', 'shared', '--key', 'report.txt', ...grant], alice);
    assert.equal(put.code, 0, put.stderr);
    const carol = await boto3<{ get?: string }>(users['carol'] as Key, { MODE: 'reader', S3_BUCKET: 'shared', S3_KEY: 'report.txt' });
    assert.equal(carol.get, 'for the partner\n');
    // The grant reaches the account; its user without an identity policy stays out.
    const dave = await boto3<{ get_error?: { code: string } }>(users['dave'] as Key, { MODE: 'reader', S3_BUCKET: 'shared', S3_KEY: 'report.txt' });
    assert.equal(dave.get_error?.code, 'AccessDenied');
    const acl = JSON.parse((await cli(['s3api', 'get-object-acl', '--bucket', 'shared', '--key', 'report.txt'], alice)).stdout);
    assert.deepEqual(acl.Grants.map((g: { Grantee: { ID: string }; Permission: string }) => [g.Grantee.ID, g.Permission]), [[canonicalUserId(TEST_ACCOUNT_ID), 'FULL_CONTROL'], [canonicalUserId(partner), 'READ']]);
  });

  test('a malformed ACL is refused with MalformedACLError, an unknown grantee with InvalidArgument; the ACL stays', async () => {
    const before = JSON.stringify(stored('shared', 'report.txt')?.acl);
    const malformed = await sdkSignedRequest(store.endpoint, users['alice'] as Key, 'PUT', '/shared/report.txt', 'acl=', '<AccessControlPolicy><Owner><ID>x</ID></Owner><Bogus/></AccessControlPolicy>');
    assert.equal(malformed.status, 400);
    assert.match(malformed.body, /<Code>MalformedACLError<\/Code>/);
    const unknown = await cli(['s3api', 'put-object-acl', '--bucket', 'shared', '--key', 'report.txt', '--grant-read', 'uri=http://acs.amazonaws.com/groups/global/Everyone'], users['alice'] as Key);
    assert.match(unknown.stderr, /\(InvalidArgument\)/);
    assert.equal(JSON.stringify(stored('shared', 'report.txt')?.acl), before);
  });
});

describe("the organization's SCPs and RCPs", () => {
  test("an RCP of the partner account denies reading its bucket; an SCP denies its user what alice's bucket policy allows", async () => {
    const admin = s3(partnerAdmin);
    await admin.send(new CreateBucketCommand({ Bucket: 'partner-data' }));
    await admin.send(new PutObjectCommand({ Bucket: 'partner-data', Key: 'x.txt', Body: 'partner data' }));
    const carol = s3(users['carol'] as Key);
    assert.equal(await (await carol.send(new GetObjectCommand({ Bucket: 'partner-data', Key: 'x.txt' }))).Body?.transformToString(), 'partner data');
    const org = organizationsClient(server.endpoint);
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' }));
    const rcp = await org.send(new CreatePolicyCommand({ Name: 'no-reads', Description: 'd', Type: 'RESOURCE_CONTROL_POLICY', Content: policyDoc({ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: '*' }) }));
    await org.send(new AttachPolicyCommand({ PolicyId: rcp.Policy?.PolicySummary?.Id, TargetId: partner }));
    assert.match((await failure(carol.send(new GetObjectCommand({ Bucket: 'partner-data', Key: 'x.txt' })))).message, /with an explicit deny in a resource control policy$/);
    await org.send(new DetachPolicyCommand({ PolicyId: rcp.Policy?.PolicySummary?.Id, TargetId: partner }));
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    const scp = await org.send(
      new CreatePolicyCommand({ Name: 'no-s3-reads', Description: 'd', Type: 'SERVICE_CONTROL_POLICY', Content: policyDoc([{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }]) }),
    );
    assert.equal(await (await carol.send(new GetObjectCommand({ Bucket: 'photos', Key: 'cat.txt' }))).Body?.transformToString(), 'a small file\n');
    await org.send(new AttachPolicyCommand({ PolicyId: scp.Policy?.PolicySummary?.Id, TargetId: partner }));
    const refused = await failure(carol.send(new GetObjectCommand({ Bucket: 'photos', Key: 'cat.txt' })));
    assert.equal(refused.message, `User: arn:aws:iam::${partner}:user/carol is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::photos/cat.txt with an explicit deny in a service control policy`);
    await org.send(new DetachPolicyCommand({ PolicyId: scp.Policy?.PolicySummary?.Id, TargetId: partner }));
  });
});

describe('what a request cannot do: S3 errors, nothing changed on disk', () => {
  test('a bucket that does not exist: NoSuchBucket once the signature holds; another owner than expected: AccessDenied', async () => {
    const missing = await failure(s3(users['alice'] as Key).send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' })));
    assert.deepEqual([missing.name, missing.status], ['NoSuchBucket', 404]);
    const forged = await failure(s3({ ...(users['alice'] as Key), secretAccessKey: 'wrong' }).send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' })));
    assert.equal(forged.name, 'SignatureDoesNotMatch');
    const other = await failure(s3(users['alice'] as Key).send(new PutObjectCommand({ Bucket: 'photos', Key: 'confused.txt', Body: 'x', ExpectedBucketOwner: partner })));
    assert.deepEqual([other.name, other.status], ['AccessDenied', 403]);
    assert.equal(stored('photos', 'confused.txt'), undefined);
  });

  test('a wrong signature: SignatureDoesNotMatch', async () => {
    const wrong = await failure(s3({ ...(users['alice'] as Key), secretAccessKey: 'not-the-secret' }).send(new PutObjectCommand({ Bucket: 'photos', Key: 'forged.txt', Body: 'x' })));
    assert.deepEqual([wrong.name, wrong.status], ['SignatureDoesNotMatch', 403]);
    assert.equal(stored('photos', 'forged.txt'), undefined);
  });

  test('an expired presigned URL: AccessDenied, Request has expired; a presigned PUT in time is stored', async () => {
    const client = s3(users['alice'] as Key);
    const stale = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'photos', Key: 'late.txt' }), { expiresIn: 60, signingDate: new Date(Date.now() - 5 * 60_000) });
    const expired = await fetch(stale, { method: 'PUT', body: 'late' });
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    assert.equal(stored('photos', 'late.txt'), undefined);
    const fresh = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'photos', Key: 'late.txt' }), { expiresIn: 60 });
    assert.equal((await fetch(fresh, { method: 'PUT', body: 'in time' })).status, 200);
    assert.equal(stored('photos', 'late.txt')?.size, 'in time'.length);
  });

  test('a body whose hash differs from the signed one: XAmzContentSHA256Mismatch', async () => {
    const answer = await sdkSignedRequest(store.endpoint, users['alice'] as Key, 'PUT', '/photos/tampered.txt', '', 'original', 'tampered');
    assert.equal(answer.status, 400);
    assert.match(answer.body, /<Code>XAmzContentSHA256Mismatch<\/Code>/);
    assert.equal(stored('photos', 'tampered.txt'), undefined);
  });

  test('a chunk signature that differs: SignatureDoesNotMatch; a trailing checksum that differs: BadDigest', async () => {
    const good = await chunkedUpload(store.endpoint, users['alice'] as Key, '/photos/chunked.bin', { corruptChunk: false });
    assert.equal(good.status, 200, good.body);
    assert.equal(stored('photos', 'chunked.bin')?.size, 66_560);
    const corrupt = await chunkedUpload(store.endpoint, users['alice'] as Key, '/photos/corrupt.bin', { corruptChunk: true });
    assert.deepEqual([corrupt.status, /<Code>SignatureDoesNotMatch<\/Code>/.test(corrupt.body)], [403, true]);
    const badSum = await chunkedUpload(store.endpoint, users['alice'] as Key, '/photos/badsum.bin', { corruptChunk: false, wrongChecksum: true });
    assert.equal(badSum.status, 400);
    assert.match(badSum.body, /<Code>BadDigest<\/Code><Message>The CRC32 you specified did not match the calculated checksum.<\/Message>/);
    assert.deepEqual([stored('photos', 'corrupt.bin'), stored('photos', 'badsum.bin')], [undefined, undefined]);
  });
});

describe('public access and deleting a bucket', () => {
  test('a bucket policy granting "*" reads is public and lets the anonymous principal read; nothing else is anonymous', async () => {
    const alice = users['alice'] as Key;
    assert.equal((await cli(['s3', 'mb', 's3://site'], alice)).code, 0);
    writeFileSync(join(dir, 'index.html'), '<h1>hello</h1>');
    assert.equal((await cli(['s3', 'cp', join(dir, 'index.html'), 's3://site/index.html'], alice)).code, 0);
    assert.equal((await fetch(`${store.endpoint}/site/index.html`)).status, 403);
    const open = policyDoc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::site/*' });
    assert.equal((await cli(['s3api', 'put-bucket-policy', '--bucket', 'site', '--policy', open], alice)).code, 0);
    assert.equal(JSON.parse((await cli(['s3api', 'get-bucket-policy-status', '--bucket', 'site'], alice)).stdout).PolicyStatus.IsPublic, true);
    const read = await fetch(`${store.endpoint}/site/index.html`);
    assert.deepEqual([read.status, await read.text()], [200, '<h1>hello</h1>']);
    const write = await fetch(`${store.endpoint}/site/index.html`, { method: 'PUT', body: 'defaced' });
    assert.equal(write.status, 403);
    assert.equal(stored('site', 'index.html')?.size, '<h1>hello</h1>'.length);
    assert.equal((await fetch(`${store.endpoint}/`)).status, 403);
  });

  test('rb: BucketNotEmpty while objects remain; then the bucket and its policy are gone', async () => {
    const alice = users['alice'] as Key;
    const refused = await cli(['s3', 'rb', 's3://site'], alice);
    assert.match(refused.stderr, /BucketNotEmpty/);
    assert.notEqual(store.disk.bucket('site'), undefined);
    const removed = await cli(['s3', 'rb', 's3://site', '--force'], alice);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(store.disk.bucket('site'), undefined);
    // A bucket of the same name made afresh starts without the old policy.
    assert.equal((await cli(['s3', 'mb', 's3://site'], alice)).code, 0);
    assert.match((await cli(['s3api', 'get-bucket-policy', '--bucket', 'site'], alice)).stderr, /NoSuchBucketPolicy/);
  });

  test('a restarted store reads its buckets, objects and ACLs back from disk', async () => {
    await store.close();
    store = await startS3Store({ gatehouse: server.endpoint, credentials: serviceKey, dataDir: join(dir, 'data') });
    assert.equal(await (await s3(users['alice'] as Key).send(new GetObjectCommand({ Bucket: 'photos', Key: 'cat.txt' }))).Body?.transformToString(), 'a small file\n');
    const carol = await boto3<{ get?: string }>(users['carol'] as Key, { MODE: 'reader', S3_BUCKET: 'shared', S3_KEY: 'report.txt' });
    assert.equal(carol.get, 'for the partner\n');
  });
});
