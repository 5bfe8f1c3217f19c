// The authorize API end to end: @aws-sdk/client-s3 and its presigner sign real S3 requests against a tiny store
// (test/helpers/s3-forwarding-store.ts) that forwards each one to Gatehouse's POST /_gatehouse/authorize, with the
// bucket's policy registered through the resource-policy registry.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Readable } from 'node:stream';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { request as httpRequest } from 'node:http';
import { AttachPolicyCommand, CreateAccountCommand, CreateOrganizationCommand, CreatePolicyCommand, DetachPolicyCommand, EnablePolicyTypeCommand, ListRootsCommand } from '@aws-sdk/client-organizations';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { canonicalUserId } from '../src/core/authorize-api/canonical-user-id.js';
import { sha256Hex } from '../src/sigv4/payload-hash.js';
import { signRequest } from '../src/sigv4/sign-request.js';
import { chunkStringToSign } from '../src/sigv4/s3-chunks.js';
import { signS3, sha256Of } from '../src/sigv4/s3-test-signer.js';
import { deriveSigningKey } from '../src/sigv4/signing-key.js';
import { createHmac } from 'node:crypto';
import { awsCli } from './helpers/aws-cli.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failure, iamClient, keyOf, organizationsClient, stsClient, type Key } from './helpers/clients.js';
import { policyDoc, userWith } from './helpers/organizations.js';
import { startForwardingStore, type ForwardingStore } from './helpers/s3-forwarding-store.js';
import { REGION, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

/** A signed call to one of Gatehouse's own routes, as a service makes it. */
async function gatehouseCall(endpoint: string, key: Key, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = `${endpoint}${path}`;
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = signRequest({ method, url, headers: { 'content-type': 'application/json', 'x-amz-content-sha256': sha256Hex(text) }, body: text }, { credentials: key, region: REGION, service: 'iam', now: new Date() });
  delete headers['host'];
  const response = await fetch(url, { method, headers, ...(text !== '' ? { body: text } : {}) });
  const raw = await response.text();
  return { status: response.status, json: raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>) };
}

const BUCKET = 'photos';
/** A bucket of the member account, whose resources its organization's RCPs bind. */
const MEMBER_BUCKET = 'partner-data';
let store: ForwardingStore;
let service: Key;
let member = '';
/** A session in the member account acting as its administrator (OrganizationAccountAccessRole). */
let memberAdmin: Key;
const users: Record<string, Key> = {};

const s3 = (key: Key): S3Client => new S3Client({ endpoint: store.endpoint, region: REGION, credentials: key, forcePathStyle: true, maxAttempts: 1 });

async function setup(): Promise<void> {
  service = await userWith(server.endpoint, 's3-store', [
    { Effect: 'Allow', Action: ['gatehouse:Authorize', 'gatehouse:GetChunkSigningKey'], Resource: 'arn:aws:gatehouse:::service/s3' },
    { Effect: 'Allow', Action: ['gatehouse:GetResourcePolicy', 'gatehouse:PutResourcePolicy', 'gatehouse:DeleteResourcePolicy', 'gatehouse:TagResource'], Resource: 'arn:aws:s3:::*' },
  ]);
  users['alice'] = await userWith(server.endpoint, 'alice', [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::${BUCKET}/*` }]);
  users['mallory'] = await userWith(server.endpoint, 'mallory', [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]);
  users['nobody'] = await userWith(server.endpoint, 'nobody', []);
  const org = organizationsClient(server.endpoint);
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  member = (await org.send(new CreateAccountCommand({ Email: 'partner@example.com', AccountName: 'partner' }))).CreateAccountStatus?.AccountId ?? '';
  const operator = await userWith(server.endpoint, 'operator', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]);
  const admin = keyOf((await stsClient(server.endpoint, operator).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'setup' }))).Credentials);
  users['carol'] = await userWith(server.endpoint, 'carol', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }], admin);
  users['dave'] = await userWith(server.endpoint, 'dave', [], admin);
  users['operator'] = operator;
  memberAdmin = admin;
  store = await startForwardingStore(server.endpoint, service, { [BUCKET]: TEST_ACCOUNT_ID, [MEMBER_BUCKET]: member });
}

const server = useTestServer({}, {}, setup);

after(() => store?.close());

describe('resource-policy registry', () => {
  test('refuses a bucket policy without Principal in S3 words, and keeps nothing', async () => {
    const put = await gatehouseCall(server.endpoint, service, 'PUT', `/_gatehouse/resource-policies?arn=arn:aws:s3:::${BUCKET}`, {
      Account: TEST_ACCOUNT_ID,
      Policy: policyDoc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }),
    });
    assert.deepEqual([put.status, put.json['Code'], put.json['Message']], [400, 'MalformedPolicy', 'Missing required field Principal']);
    const get = await gatehouseCall(server.endpoint, service, 'GET', `/_gatehouse/resource-policies?arn=arn:aws:s3:::${BUCKET}`);
    assert.equal(get.status, 404);
  });

  test('stores the bucket policy: the partner account may read, mallory is denied outright', async () => {
    const policy = policyDoc([
      { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${member}:root` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` },
      { Sid: 'NoMallory', Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/mallory` }, Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/*` },
    ]);
    const put = await gatehouseCall(server.endpoint, service, 'PUT', `/_gatehouse/resource-policies?arn=arn:aws:s3:::${BUCKET}`, { Account: TEST_ACCOUNT_ID, Policy: policy });
    assert.equal(put.status, 200, JSON.stringify(put.json));
    const get = await gatehouseCall(server.endpoint, service, 'GET', `/_gatehouse/resource-policies?arn=arn:aws:s3:::${BUCKET}`);
    assert.deepEqual([get.json['Account'], get.json['Policy']], [TEST_ACCOUNT_ID, policy]);
  });

  test('tags and a policy of another bucket: put, read back, delete; a second delete answers NoSuchBucketPolicy', async () => {
    const arn = 'arn:aws:s3:::archive';
    const policy = policyDoc({ Effect: 'Allow', Principal: { AWS: TEST_ACCOUNT_ID }, Action: 's3:ListBucket', Resource: arn });
    assert.equal((await gatehouseCall(server.endpoint, service, 'PUT', `/_gatehouse/resource-policies?arn=${arn}`, { Account: TEST_ACCOUNT_ID, Policy: policy })).status, 200);
    const tagged = await gatehouseCall(server.endpoint, service, 'PUT', `/_gatehouse/resource-tags?arn=${arn}`, { Account: TEST_ACCOUNT_ID, Tags: [{ Key: 'team', Value: 'archive' }] });
    assert.deepEqual(tagged.json['Tags'], [{ Key: 'team', Value: 'archive' }]);
    const read = await gatehouseCall(server.endpoint, service, 'GET', `/_gatehouse/resource-policies?arn=${arn}`);
    assert.deepEqual([read.json['Policy'], read.json['Tags']], [policy, [{ Key: 'team', Value: 'archive' }]]);
    assert.equal((await gatehouseCall(server.endpoint, service, 'DELETE', `/_gatehouse/resource-policies?arn=${arn}`)).status, 204);
    // A body of its own: the same signed DELETE again within the second would be refused as a replay.
    const again = await gatehouseCall(server.endpoint, service, 'DELETE', `/_gatehouse/resource-policies?arn=${arn}`, {});
    assert.deepEqual([again.status, again.json['Code'], again.json['Message']], [404, 'NoSuchBucketPolicy', 'The bucket policy does not exist']);
    assert.deepEqual((await gatehouseCall(server.endpoint, service, 'GET', `/_gatehouse/resource-policies?arn=${arn}`)).json['Tags'], [{ Key: 'team', Value: 'archive' }]);
  });

  test('a principal without the gatehouse permissions cannot call the registry or the authorize API', async () => {
    const get = await gatehouseCall(server.endpoint, users['alice'] as Key, 'GET', `/_gatehouse/resource-policies?arn=arn:aws:s3:::${BUCKET}`);
    assert.deepEqual([get.status, get.json['Code']], [403, 'AccessDenied']);
    const decide = await gatehouseCall(server.endpoint, users['alice'] as Key, 'POST', '/_gatehouse/authorize', { PrincipalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice`, Actions: [{ Action: 's3:GetObject', Resource: '*' }] });
    assert.deepEqual([decide.status, decide.json['Code']], [403, 'AccessDenied']);
    // The store itself may authorize signed requests, but not vouch for a principal: that takes gatehouse:AuthorizeAsPrincipal.
    const trusted = await gatehouseCall(server.endpoint, service, 'POST', '/_gatehouse/authorize', { PrincipalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice`, Actions: [{ Action: 's3:GetObject', Resource: '*' }] });
    assert.deepEqual([trusted.status, trusted.json['Code']], [403, 'AccessDenied']);
  });
});

describe('only the operating account runs services', () => {
  test("another account's user granted gatehouse:* by its own administrator can call none of the service routes", async () => {
    // Any account's administrator can allow its users any action: gatehouse:* from another account must not let a
    // service there squat bucket names, take other users' signing keys or act as their principals.
    const rogue = await userWith(server.endpoint, 'rogue-service', [{ Effect: 'Allow', Action: 'gatehouse:*', Resource: '*' }], memberAdmin);
    const rogueArn = `arn:aws:iam::${member}:user/rogue-service`;
    const squat = await gatehouseCall(server.endpoint, rogue, 'PUT', '/_gatehouse/resource-policies?arn=arn:aws:s3:::not-yet-created', {
      Account: member,
      Policy: policyDoc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${member}:root` }, Action: 's3:*', Resource: 'arn:aws:s3:::not-yet-created/*' }),
    });
    assert.deepEqual([squat.status, squat.json['Code'], squat.json['Message']], [
      403,
      'AccessDenied',
      `User: ${rogueArn} is not authorized to perform: gatehouse:PutResourcePolicy on resource: arn:aws:s3:::not-yet-created because only principals of account ${TEST_ACCOUNT_ID}, which operates this Gatehouse, may call it`,
    ]);
    assert.equal((await gatehouseCall(server.endpoint, service, 'GET', '/_gatehouse/resource-policies?arn=arn:aws:s3:::not-yet-created')).status, 404, 'nothing was registered');
    for (const [method, path] of [['GET', `/_gatehouse/resource-policies?arn=arn:aws:s3:::${BUCKET}`], ['DELETE', `/_gatehouse/resource-policies?arn=arn:aws:s3:::${BUCKET}`], ['PUT', `/_gatehouse/resource-tags?arn=arn:aws:s3:::${BUCKET}`]] as const) {
      const answer = await gatehouseCall(server.endpoint, rogue, method, path, method === 'PUT' ? { Account: TEST_ACCOUNT_ID, Tags: [] } : undefined);
      assert.deepEqual([answer.status, answer.json['Code']], [403, 'AccessDenied'], `${method} ${path}`);
    }
    const forwarded = await signS3(users['alice'] as Key, 'GET', `/${BUCKET}/cat.jpg`, '', new Date());
    const decide = await gatehouseCall(server.endpoint, rogue, 'POST', '/_gatehouse/authorize', {
      Request: { Method: forwarded.method, Path: forwarded.path, Query: forwarded.query, Headers: forwarded.headers, BodySha256: forwarded.bodySha256 },
      ResourceAccount: TEST_ACCOUNT_ID,
      IncludeChunkSigningKey: true,
      Actions: [{ Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/cat.jpg` }],
    });
    assert.deepEqual([decide.status, decide.json['Code'], decide.json['Streaming']], [403, 'AccessDenied', undefined]);
    const vouch = await gatehouseCall(server.endpoint, rogue, 'POST', '/_gatehouse/authorize', { PrincipalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice`, Actions: [{ Action: 's3:GetObject', Resource: '*' }] });
    assert.deepEqual([vouch.status, vouch.json['Code']], [403, 'AccessDenied']);
    // The same signed request from the operating account's store is decided.
    const honest = await gatehouseCall(server.endpoint, service, 'POST', '/_gatehouse/authorize', {
      Request: { Method: forwarded.method, Path: forwarded.path, Query: forwarded.query, Headers: forwarded.headers, BodySha256: forwarded.bodySha256 },
      ResourceAccount: TEST_ACCOUNT_ID,
      Actions: [{ Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/cat.jpg` }],
    });
    assert.deepEqual([honest.status, honest.json['Allowed']], [200, true], JSON.stringify(honest.json));
  });
});

describe('S3 requests signed by @aws-sdk/client-s3, decided by Gatehouse', () => {
  test('a user allowed by its identity policy alone puts, gets and deletes an object', async () => {
    const client = s3(users['alice'] as Key);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg', Body: 'meow' }));
    assert.equal(store.objects.get(`${BUCKET}/cat.jpg`)?.toString(), 'meow');
    const last = store.answers.at(-1);
    assert.equal(last?.Principal?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice`);
    assert.equal(last?.Principal?.CanonicalUserId, canonicalUserId(TEST_ACCOUNT_ID));
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg' }));
    assert.equal(await got.Body?.transformToString(), 'meow');
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dir//a b/../ü.txt', Body: Buffer.alloc(70_000, 1) }));
    assert.equal(store.objects.get(`${BUCKET}/dir//a b/../ü.txt`)?.length, 70_000);
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'dir//a b/../ü.txt' }));
  });

  test('a streamed body goes as aws-chunked with a trailing checksum (the SDK default), decoded by the store', async () => {
    const data = Buffer.alloc(200_000, 7);
    await s3(users['alice'] as Key).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'stream.bin', Body: Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]), ContentLength: data.length }));
    const mode = store.answers.at(-1)?.Payload?.Mode;
    assert.ok(mode === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' || mode === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', String(mode));
    assert.ok(store.objects.get(`${BUCKET}/stream.bin`)?.equals(data));
  });

  test('a cross-account user gets in only when both the bucket policy and its identity policy allow', async () => {
    const got = await s3(users['carol'] as Key).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg' }));
    assert.equal(await got.Body?.transformToString(), 'meow');
    assert.equal(store.answers.at(-1)?.Principal?.CanonicalUserId, canonicalUserId(member));
    const refused = await failure(s3(users['dave'] as Key).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg' })));
    assert.deepEqual([refused.name, refused.status], ['AccessDenied', 403]);
    assert.equal(refused.message, `User: arn:aws:iam::${member}:user/dave is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::${BUCKET}/cat.jpg because no identity-based policy allows the s3:GetObject action`);
    // The bucket policy grants reads only: carol's identity policy has nothing for writes either.
    const write = await failure(s3(users['carol'] as Key).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'x', Body: 'x' })));
    assert.equal(write.name, 'AccessDenied');
  });

  test('an explicit deny in the bucket policy wins over an identity policy allowing s3:*', async () => {
    const refused = await failure(s3(users['mallory'] as Key).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg' })));
    assert.deepEqual([refused.name, refused.status], ['AccessDenied', 403]);
    assert.match(refused.message, /with an explicit deny in a resource-based policy$/);
    assert.equal((await failure(s3(users['nobody'] as Key).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg' })))).name, 'AccessDenied');
  });

  test('a wrong secret is refused with SignatureDoesNotMatch, an unknown key with InvalidAccessKeyId', async () => {
    const wrong = await failure(s3({ ...(users['alice'] as Key), secretAccessKey: 'not-the-secret' }).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg' })));
    assert.deepEqual([wrong.name, wrong.status], ['SignatureDoesNotMatch', 403]);
    const unknown = await failure(s3({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' }).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg' })));
    assert.deepEqual([unknown.name, unknown.status], ['InvalidAccessKeyId', 403]);
  });

  test('a body changed after signing is refused with XAmzContentSHA256Mismatch and not stored', async () => {
    const client = s3(users['alice'] as Key);
    client.middlewareStack.addRelativeTo(
      ((next: (args: { request: unknown }) => Promise<unknown>) => async (args: { request: unknown }) => {
        const request = args.request as { body?: unknown; headers: Record<string, string> };
        request.body = 'tampered';
        request.headers['content-length'] = String('tampered'.length);
        return next(args);
      }) as never,
      { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamper' } as never,
    );
    const refused = await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tampered.txt', Body: 'original', ChecksumAlgorithm: undefined })));
    assert.deepEqual([refused.name, refused.status], ['XAmzContentSHA256Mismatch', 400]);
    assert.equal(store.objects.has(`${BUCKET}/tampered.txt`), false);
  });

  test("the SDK's presigned URL works until it expires, then AccessDenied: Request has expired", async () => {
    const url = await getSignedUrl(s3(users['alice'] as Key), new GetObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg' }), { expiresIn: 7 * 24 * 3600 });
    const ok = await fetch(url);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'meow');
    const stale = await getSignedUrl(s3(users['alice'] as Key), new GetObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg' }), { expiresIn: 60, signingDate: new Date(Date.now() - 5 * 60_000) });
    const expired = await fetch(stale);
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
  });
});

describe('sessions, organizations and trusted callers', () => {
  test('a role session is decided with its session policy, and named with its issuer', async () => {
    const iam = iamClient(server.endpoint);
    const trust = policyDoc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:root` }, Action: 'sts:AssumeRole' });
    await iam.send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: trust }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'reader', PolicyName: 'p', PolicyDocument: policyDoc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }) }));
    const session = keyOf(
      (
        await stsClient(server.endpoint, users['operator'] as Key).send(
          new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/reader`, RoleSessionName: 'one', Policy: policyDoc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/cat.jpg` }) }),
        )
      ).Credentials,
    );
    const got = await s3(session).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg' }));
    assert.equal(await got.Body?.transformToString(), 'meow');
    const principal = store.answers.at(-1)?.Principal as { Type: string; Arn: string; SessionContext?: { sessionIssuer?: { arn: string } } };
    assert.deepEqual([principal.Type, principal.Arn, principal.SessionContext?.sessionIssuer?.arn], ['AssumedRole', `arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/reader/one`, `arn:aws:iam::${TEST_ACCOUNT_ID}:role/reader`]);
    const refused = await failure(s3(session).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'stream.bin' })));
    assert.equal(refused.message, `User: arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/reader/one is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::${BUCKET}/stream.bin because no session policy allows the s3:GetObject action`);
    const forged = await failure(s3({ ...session, sessionToken: `${session.sessionToken ?? ''}x` }).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg' })));
    assert.deepEqual([forged.name, forged.status], ['InvalidToken', 400]);
  });

  test("an RCP of the bucket owner's organization denies what the owner's own identity policy allows", async () => {
    const org = organizationsClient(server.endpoint);
    const carol = s3(users['carol'] as Key);
    // Allowed before: the object is missing, so the store answers NoSuchKey after Gatehouse said yes.
    assert.equal((await failure(carol.send(new GetObjectCommand({ Bucket: MEMBER_BUCKET, Key: 'x' })))).name, 'NoSuchKey');
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' }));
    const rcp = await org.send(
      new CreatePolicyCommand({ Name: 'no-partner-reads', Description: 'd', Type: 'RESOURCE_CONTROL_POLICY', Content: policyDoc([{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: '*' }]) }),
    );
    const policyId = rcp.Policy?.PolicySummary?.Id;
    await org.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: member }));
    const refused = await failure(carol.send(new GetObjectCommand({ Bucket: MEMBER_BUCKET, Key: 'x' })));
    assert.equal(refused.name, 'AccessDenied');
    assert.match(refused.message, /with an explicit deny in a resource control policy$/);
    // The management account's bucket is not bound by the member's RCP.
    assert.equal((await failure(s3(users['alice'] as Key).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'absent' })))).name, 'NoSuchKey');
    await org.send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: member }));
    assert.equal((await failure(carol.send(new GetObjectCommand({ Bucket: MEMBER_BUCKET, Key: 'x' })))).name, 'NoSuchKey');
  });

  test("an SCP of the partner's organization denies what the bucket policy and the identity policy allow", async () => {
    const org = organizationsClient(server.endpoint);
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    const scp = await org.send(
      new CreatePolicyCommand({ Name: 'no-s3-reads', Description: 'd', Type: 'SERVICE_CONTROL_POLICY', Content: policyDoc([{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }]) }),
    );
    await org.send(new AttachPolicyCommand({ PolicyId: scp.Policy?.PolicySummary?.Id, TargetId: member }));
    const refused = await failure(s3(users['carol'] as Key).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg' })));
    assert.equal(refused.message, `User: arn:aws:iam::${member}:user/carol is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::${BUCKET}/cat.jpg with an explicit deny in a service control policy`);
  });

  test('a trusted caller allowed gatehouse:AuthorizeAsPrincipal decides for a principal it names', async () => {
    const gateway = await userWith(server.endpoint, 'gateway', [
      { Effect: 'Allow', Action: 'gatehouse:Authorize', Resource: 'arn:aws:gatehouse:::service/s3' },
      { Effect: 'Allow', Action: 'gatehouse:AuthorizeAsPrincipal', Resource: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/*` },
    ]);
    const ask = (principal: string) =>
      gatehouseCall(server.endpoint, gateway, 'POST', '/_gatehouse/authorize', {
        PrincipalArn: principal,
        ResourceAccount: TEST_ACCOUNT_ID,
        ResourcePolicyArn: `arn:aws:s3:::${BUCKET}`,
        Actions: [{ Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/cat.jpg` }, { Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/cat.jpg` }],
      });
    const alice = await ask(`arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice`);
    assert.equal(alice.status, 200, JSON.stringify(alice.json));
    assert.deepEqual((alice.json['Results'] as Array<{ Allowed: boolean }>).map((r) => r.Allowed), [true, true]);
    const mallory = await ask(`arn:aws:iam::${TEST_ACCOUNT_ID}:user/mallory`);
    assert.deepEqual((mallory.json['Results'] as Array<{ Decision: string }>).map((r) => r.Decision), ['ExplicitlyDenied', 'ExplicitlyDenied']);
    const outside = await ask(`arn:aws:iam::${member}:user/carol`);
    assert.deepEqual([outside.status, outside.json['Code']], [403, 'AccessDenied']);
  });
});

describe('signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), verified by the store with the key Gatehouse hands it', () => {
  /** Sends an aws-chunked upload signed chunk by chunk as the S3 API Reference describes; `corrupt` breaks chunk 2. */
  async function upload(key: string, corrupt: boolean): Promise<{ status: number; body: string }> {
    const alice = users['alice'] as Key;
    const now = new Date();
    const chunks = [Buffer.alloc(65_536, 'a'), Buffer.alloc(1_024, 'b'), Buffer.alloc(0)];
    const signed = await signS3(alice, 'PUT', `/${BUCKET}/${key}`, '', now, {
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(65_536 + 1_024),
    });
    const authorization = signed.headers.find(([n]) => n === 'authorization')?.[1] ?? '';
    const date = signed.headers.find(([n]) => n === 'x-amz-date')?.[1] ?? '';
    const scope = `${date.slice(0, 8)}/${REGION}/s3/aws4_request`;
    const signingKey = deriveSigningKey(alice.secretAccessKey, date.slice(0, 8), REGION, 's3');
    let previous = /Signature=([0-9a-f]{64})/.exec(authorization)?.[1] ?? '';
    const parts: Buffer[] = [];
    chunks.forEach((chunk, i) => {
      previous = createHmac('sha256', signingKey).update(chunkStringToSign({ timestamp: date, scope }, previous, sha256Of(chunk))).digest('hex');
      const signature = corrupt && i === 1 ? previous.replace(/^./, (c) => (c === '0' ? '1' : '0')) : previous;
      parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`), chunk, Buffer.from('\r\n'));
    });
    const body = Buffer.concat(parts);
    const url = new URL(store.endpoint);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, method: 'PUT', path: `/${BUCKET}/${key}`, headers: { ...Object.fromEntries(signed.headers), 'content-length': body.length } }, (res) => {
        const received: Buffer[] = [];
        res.on('data', (c: Buffer) => received.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(received).toString() }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  test('a correctly chained upload is stored', async () => {
    const answer = await upload('chunked.bin', false);
    assert.equal(answer.status, 200, answer.body);
    assert.equal(store.objects.get(`${BUCKET}/chunked.bin`)?.length, 66_560);
    assert.equal(store.answers.at(-1)?.Payload?.Mode, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
  });

  test('a chunk whose signature differs is refused with SignatureDoesNotMatch and nothing is stored', async () => {
    const answer = await upload('corrupt.bin', true);
    assert.equal(answer.status, 403);
    assert.match(answer.body, /<Code>SignatureDoesNotMatch<\/Code>/);
    assert.equal(store.objects.has(`${BUCKET}/corrupt.bin`), false);
  });
});

describe('AWS CLI v2 (aws s3 cp, aws s3 presign) against the forwarding store', () => {
  test('alice copies a file up and down; a presigned URL reads it; dave is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-s3-cli-'));
    const file = join(dir, 'up.txt');
    writeFileSync(file, 'from the cli\n');
    const up = await awsCli(store.endpoint, ['s3', 'cp', file, `s3://${BUCKET}/cli/up.txt`], users['alice'] as Key);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(store.objects.get(`${BUCKET}/cli/up.txt`)?.toString(), 'from the cli\n');
    const down = await awsCli(store.endpoint, ['s3', 'cp', `s3://${BUCKET}/cli/up.txt`, join(dir, 'down.txt')], users['alice'] as Key);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(readFileSync(join(dir, 'down.txt'), 'utf8'), 'from the cli\n');
    const presign = await awsCli(store.endpoint, ['s3', 'presign', `s3://${BUCKET}/cli/up.txt`, '--expires-in', '604800'], users['alice'] as Key);
    assert.equal(presign.code, 0, presign.stderr);
    const fetched = await fetch(presign.stdout.trim());
    assert.equal(await fetched.text(), 'from the cli\n');
    const refused = await awsCli(store.endpoint, ['s3', 'cp', file, `s3://${BUCKET}/cli/dave.txt`], users['dave'] as Key);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /AccessDenied/);
  });
});
