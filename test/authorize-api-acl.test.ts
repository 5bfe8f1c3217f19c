// S3 ACLs and Object Ownership through the authorize API end to end: @aws-sdk/client-s3 signs real requests to a small
// ACL-keeping store (below) that parses and checks ACLs with the package's functions and forwards every request to
// POST /_gatehouse/authorize with the bucket's ownership and the ACL S3 would consult.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { AttachPolicyCommand, CreateAccountCommand, CreateOrganizationCommand, CreatePolicyCommand, EnablePolicyTypeCommand, ListRootsCommand } from '@aws-sdk/client-organizations';
import { GetObjectAclCommand, GetObjectCommand, PutObjectAclCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import {
  aclFromGrantHeaders,
  aclJson,
  cannedAcl,
  canonicalUserId,
  checkAclAllowed,
  AuthorizeCallError,
  createAuthorizeClient,
  formatAccessControlPolicy,
  forwardedRequestOf,
  parseAccessControlPolicy,
  ServiceError,
  type AuthorizeResponseBody,
  type S3Acl,
  type S3ObjectOwnership,
} from '../src/index.js';
import { failure, keyOf, organizationsClient, stsClient, type Key } from './helpers/clients.js';
import { policyDoc, userWith } from './helpers/organizations.js';
import { REGION, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

interface Bucket {
  owner: string;
  ownership: S3ObjectOwnership;
  policy?: string;
}

/** A store of empty-ish objects that keeps an ACL per object (PutObject with x-amz-acl / x-amz-grant-*, Put/GetObjectAcl). */
class AclStore {
  readonly buckets = new Map<string, Bucket>();
  readonly objects = new Map<string, { body: Buffer; acl: S3Acl }>();
  readonly answers: AuthorizeResponseBody[] = [];
  private server: Server | undefined;
  endpoint = '';

  constructor(private readonly gatehouse: ReturnType<typeof createAuthorizeClient>) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (error instanceof ServiceError) return this.error(res, error.status, error.code, error.message);
        this.error(res, 500, 'InternalError', String(error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Message></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const [path = '', query = ''] = (req.url ?? '/').split('?');
    const [, name = '', ...rest] = path.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const bucket = this.buckets.get(name);
    if (bucket === undefined || key === '') return this.error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    const bucketOwnerId = canonicalUserId(bucket.owner);
    const subresource = new URLSearchParams(query).has('acl') ? 'acl' : '';
    const id = `${name}/${key}`;
    const stored = this.objects.get(id);
    const action = req.method === 'PUT' ? (subresource === 'acl' ? 's3:PutObjectAcl' : 's3:PutObject') : subresource === 'acl' ? 's3:GetObjectAcl' : 's3:GetObject';
    // S3 consults the bucket's ACL to write an object, the object's to read it or its ACL (none: the bucket owner's).
    const consulted = action === 's3:PutObject' ? cannedAcl('private', bucketOwnerId) : (stored?.acl ?? cannedAcl('private', bucketOwnerId));
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
    const answer = await this.gatehouse.authorize({
      Request: forwardedRequestOf(req),
      Actions: [{ Action: action, Resource: `arn:aws:s3:::${id}` }],
      ResourceAccount: bucket.owner,
      ...(bucket.policy !== undefined ? { ResourcePolicy: bucket.policy } : {}),
      Acl: aclJson(consulted),
      ObjectOwnership: bucket.ownership,
    });
    this.answers.push(answer);
    if (answer.Error !== undefined) return this.error(res, answer.Error.Status, answer.Error.Code, answer.Error.Message);
    if (!answer.Allowed) return this.error(res, 403, 'AccessDenied', answer.Results[0]?.Message ?? 'Access Denied');
    const writer = answer.Principal?.CanonicalUserId ?? bucketOwnerId;
    const objectOwner = bucket.ownership === 'BucketOwnerEnforced' ? bucketOwnerId : writer;
    if (action === 's3:PutObject') {
      const canned = headers['x-amz-acl'];
      const granted = aclFromGrantHeaders(headers, objectOwner);
      checkAclAllowed(bucket.ownership, granted ?? canned, bucketOwnerId);
      const acl = bucket.ownership === 'BucketOwnerEnforced' ? cannedAcl('private', bucketOwnerId) : (granted ?? cannedAcl(canned ?? 'private', objectOwner, bucketOwnerId));
      this.objects.set(id, { body: raw, acl });
      res.writeHead(200, { etag: '"x"' }).end();
      return;
    }
    if (stored === undefined) return this.error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
    if (action === 's3:PutObjectAcl') {
      const acl = raw.length > 0 ? parseAccessControlPolicy(raw.toString('utf8')) : (aclFromGrantHeaders(headers, stored.acl.owner.id) ?? cannedAcl(headers['x-amz-acl'] ?? 'private', stored.acl.owner.id, bucketOwnerId));
      checkAclAllowed(bucket.ownership, acl, bucketOwnerId);
      stored.acl = acl;
      res.writeHead(200).end();
      return;
    }
    if (action === 's3:GetObjectAcl') {
      const body = formatAccessControlPolicy(bucket.ownership === 'BucketOwnerEnforced' ? cannedAcl('private', bucketOwnerId) : stored.acl);
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(body);
      return;
    }
    res.writeHead(200, { 'content-length': stored.body.length, etag: '"x"' }).end(stored.body);
  }
}

let store: AclStore;
let serviceKey: Key;
let partner = '';
const users: Record<string, Key> = {};

async function setup(): Promise<void> {
  const service = await userWith(server.endpoint, 's3-store', [{ Effect: 'Allow', Action: 'gatehouse:Authorize', Resource: 'arn:aws:gatehouse:::service/s3' }]);
  serviceKey = service;
  users['alice'] = await userWith(server.endpoint, 'alice', [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:GetObjectAcl', 's3:PutObjectAcl'], Resource: '*' }]);
  users['nobody'] = await userWith(server.endpoint, 'nobody', []);
  const org = organizationsClient(server.endpoint);
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  partner = (await org.send(new CreateAccountCommand({ Email: 'partner@example.com', AccountName: 'partner' }))).CreateAccountStatus?.AccountId ?? '';
  const operator = await userWith(server.endpoint, 'operator', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]);
  const admin = keyOf((await stsClient(server.endpoint, operator).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${partner}:role/OrganizationAccountAccessRole`, RoleSessionName: 'setup' }))).Credentials);
  users['carol'] = await userWith(server.endpoint, 'carol', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }], admin);
  users['dave'] = await userWith(server.endpoint, 'dave', [], admin);
  store = new AclStore(createAuthorizeClient({ endpoint: server.endpoint, credentials: service }));
  await store.start();
  store.buckets.set('enforced', { owner: TEST_ACCOUNT_ID, ownership: 'BucketOwnerEnforced' });
  store.buckets.set('writer', { owner: TEST_ACCOUNT_ID, ownership: 'ObjectWriter' });
}

const server = useTestServer({}, {}, setup);
after(() => store?.close());

const s3 = (key: Key): S3Client => new S3Client({ endpoint: store.endpoint, region: REGION, credentials: key, forcePathStyle: true, maxAttempts: 1 });
const anonymousGet = async (path: string): Promise<number> => (await fetch(`${store.endpoint}${path}`)).status;

describe('Object Ownership: BucketOwnerEnforced (the default) disables ACLs', () => {
  test('PutObject with public-read answers AccessControlListNotSupported; with bucket-owner-full-control it is stored', async () => {
    const alice = s3(users['alice'] as Key);
    const refused = await failure(alice.send(new PutObjectCommand({ Bucket: 'enforced', Key: 'public.txt', Body: 'x', ACL: 'public-read' })));
    assert.deepEqual([refused.name, refused.status, refused.message], ['AccessControlListNotSupported', 400, 'The bucket does not allow ACLs']);
    assert.equal(store.objects.has('enforced/public.txt'), false);
    await alice.send(new PutObjectCommand({ Bucket: 'enforced', Key: 'owned.txt', Body: 'mine', ACL: 'bucket-owner-full-control' }));
    assert.equal(store.objects.get('enforced/owned.txt')?.body.toString(), 'mine');
  });

  test('an ACL granting everyone is ignored in the decision: anonymous and unpermitted users stay out', async () => {
    // Even an ACL that reached the store some other way decides nothing while ownership is BucketOwnerEnforced.
    store.objects.set('enforced/open.txt', { body: Buffer.from('open'), acl: cannedAcl('public-read', canonicalUserId(TEST_ACCOUNT_ID)) });
    assert.equal(await anonymousGet('/enforced/open.txt'), 403);
    assert.equal((await failure(s3(users['nobody'] as Key).send(new GetObjectCommand({ Bucket: 'enforced', Key: 'open.txt' })))).name, 'AccessDenied');
    const acl = await s3(users['alice'] as Key).send(new GetObjectAclCommand({ Bucket: 'enforced', Key: 'open.txt' }));
    assert.deepEqual(acl.Grants?.map((g) => [g.Grantee?.Type, g.Grantee?.ID, g.Permission]), [['CanonicalUser', canonicalUserId(TEST_ACCOUNT_ID), 'FULL_CONTROL']]);
  });
});

describe('Object Ownership: ObjectWriter keeps ACLs in force', () => {
  test('public-read lets the anonymous principal and a same-account user without any policy read; private does not', async () => {
    const alice = s3(users['alice'] as Key);
    await alice.send(new PutObjectCommand({ Bucket: 'writer', Key: 'public.txt', Body: 'hello', ACL: 'public-read' }));
    await alice.send(new PutObjectCommand({ Bucket: 'writer', Key: 'private.txt', Body: 'secret' }));
    assert.equal(await anonymousGet('/writer/public.txt'), 200);
    assert.equal(await anonymousGet('/writer/private.txt'), 403);
    const nobody = s3(users['nobody'] as Key);
    assert.equal(await (await nobody.send(new GetObjectCommand({ Bucket: 'writer', Key: 'public.txt' }))).Body?.transformToString(), 'hello');
    const refused = await failure(nobody.send(new GetObjectCommand({ Bucket: 'writer', Key: 'private.txt' })));
    assert.equal(refused.message, `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/nobody is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::writer/private.txt because no identity-based policy allows the s3:GetObject action`);
  });

  test("a grant to the partner account (x-amz-grant-read id=…) lets its user with an identity policy in, not one without", async () => {
    const alice = s3(users['alice'] as Key);
    await alice.send(new PutObjectCommand({ Bucket: 'writer', Key: 'shared.txt', Body: 'for partner', GrantRead: `id="${canonicalUserId(partner)}"`, GrantFullControl: `id="${canonicalUserId(TEST_ACCOUNT_ID)}"` }));
    const got = await s3(users['carol'] as Key).send(new GetObjectCommand({ Bucket: 'writer', Key: 'shared.txt' }));
    assert.equal(await got.Body?.transformToString(), 'for partner');
    assert.equal(store.answers.at(-1)?.Principal?.CanonicalUserId, canonicalUserId(partner));
    const dave = await failure(s3(users['dave'] as Key).send(new GetObjectCommand({ Bucket: 'writer', Key: 'shared.txt' })));
    assert.equal(dave.message, `User: arn:aws:iam::${partner}:user/dave is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::writer/shared.txt because no identity-based policy allows the s3:GetObject action`);
    // Without the grant, carol's identity policy alone does not reach another account's object.
    assert.equal((await failure(s3(users['carol'] as Key).send(new GetObjectCommand({ Bucket: 'writer', Key: 'private.txt' })))).name, 'AccessDenied');
  });

  test('PutObjectAcl with an AccessControlPolicy body sets the ACL GetObjectAcl reads back, and decides the next read', async () => {
    const alice = s3(users['alice'] as Key);
    await alice.send(new PutObjectCommand({ Bucket: 'writer', Key: 'later.txt', Body: 'later' }));
    assert.equal((await failure(s3(users['carol'] as Key).send(new GetObjectCommand({ Bucket: 'writer', Key: 'later.txt' })))).name, 'AccessDenied');
    const ownerId = canonicalUserId(TEST_ACCOUNT_ID);
    await alice.send(
      new PutObjectAclCommand({
        Bucket: 'writer',
        Key: 'later.txt',
        AccessControlPolicy: {
          Owner: { ID: ownerId },
          Grants: [
            { Grantee: { Type: 'CanonicalUser', ID: ownerId }, Permission: 'FULL_CONTROL' },
            { Grantee: { Type: 'CanonicalUser', ID: canonicalUserId(partner) }, Permission: 'READ' },
            { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' }, Permission: 'READ_ACP' },
          ],
        },
      }),
    );
    const acl = await alice.send(new GetObjectAclCommand({ Bucket: 'writer', Key: 'later.txt' }));
    assert.equal(acl.Owner?.ID, ownerId);
    assert.deepEqual(acl.Grants?.map((g) => [g.Grantee?.Type, g.Grantee?.ID ?? g.Grantee?.URI, g.Permission]), [
      ['CanonicalUser', ownerId, 'FULL_CONTROL'],
      ['CanonicalUser', canonicalUserId(partner), 'READ'],
      ['Group', 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers', 'READ_ACP'],
    ]);
    assert.equal(await (await s3(users['carol'] as Key).send(new GetObjectCommand({ Bucket: 'writer', Key: 'later.txt' }))).Body?.transformToString(), 'later');
  });

  test('an email grantee answers 405 as S3 does now, and the ACL is unchanged', async () => {
    const alice = s3(users['alice'] as Key);
    const before = store.objects.get('writer/later.txt')?.acl;
    const refused = await failure(
      alice.send(new PutObjectAclCommand({ Bucket: 'writer', Key: 'later.txt', AccessControlPolicy: { Owner: { ID: canonicalUserId(TEST_ACCOUNT_ID) }, Grants: [{ Grantee: { Type: 'AmazonCustomerByEmail', EmailAddress: 'a@example.com' }, Permission: 'READ' }] } })),
    );
    assert.deepEqual([refused.name, refused.status], ['MethodNotAllowed', 405]);
    assert.deepEqual(store.objects.get('writer/later.txt')?.acl, before);
  });

  test('an explicit deny in the bucket policy beats the ACL grant', async () => {
    store.buckets.set('denying', { owner: TEST_ACCOUNT_ID, ownership: 'ObjectWriter', policy: policyDoc({ Effect: 'Deny', Principal: { AWS: partner }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::denying/*' }) });
    await s3(users['alice'] as Key).send(new PutObjectCommand({ Bucket: 'denying', Key: 'x.txt', Body: 'x', ACL: 'authenticated-read' }));
    const refused = await failure(s3(users['carol'] as Key).send(new GetObjectCommand({ Bucket: 'denying', Key: 'x.txt' })));
    assert.equal(refused.message, `User: arn:aws:iam::${partner}:user/carol is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::denying/x.txt with an explicit deny in a resource-based policy`);
    assert.equal(await (await s3(users['nobody'] as Key).send(new GetObjectCommand({ Bucket: 'denying', Key: 'x.txt' }))).Body?.transformToString(), 'x');
  });
});

describe('the route validates the new members', () => {
  const bad: Array<[string, Record<string, unknown>]> = [
    ['an ACL that is a string', { Acl: 'public-read' }],
    ['an ACL without Owner', { Acl: { Grants: [] } }],
    ['a grantee of an unknown type', { Acl: { Owner: { ID: 'a'.repeat(64) }, Grants: [{ Grantee: { Type: 'Account', ID: '1' }, Permission: 'READ' }] } }],
    ['a grantee missing its ID', { Acl: { Owner: { ID: 'a'.repeat(64) }, Grants: [{ Grantee: { Type: 'CanonicalUser', URI: 'x' }, Permission: 'READ' }] } }],
    ['an unknown permission', { Acl: { Owner: { ID: 'a'.repeat(64) }, Grants: [{ Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'ALL' }] } }],
    ['an unknown ObjectOwnership', { ObjectOwnership: 'BucketOwner' }],
    ['an ObjectOwnership on an action that is not a string', { Actions: [{ Action: 's3:GetObject', Resource: 'arn:aws:s3:::writer/x', ObjectOwnership: 1 }] }],
  ];
  for (const [what, extra] of bad) {
    test(`${what}: ValidationError (400)`, async () => {
      const client = createAuthorizeClient({ endpoint: server.endpoint, credentials: serviceKey });
      const body = { PrincipalArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice`, ResourceAccount: TEST_ACCOUNT_ID, Actions: [{ Action: 's3:GetObject', Resource: 'arn:aws:s3:::writer/x' }], ...extra };
      await assert.rejects(client.authorize(body as never), (error: unknown) => error instanceof AuthorizeCallError && error.code === 'ValidationError' && error.status === 400);
    });
  }
});

describe("the organization's policies still bind what an ACL grants", () => {
  test("an RCP of the bucket owner's account denies what public-read grants its own user", async () => {
    store.buckets.set('partner-bucket', { owner: partner, ownership: 'ObjectWriter' });
    store.objects.set('partner-bucket/open.txt', { body: Buffer.from('open'), acl: cannedAcl('public-read', canonicalUserId(partner)) });
    const dave = s3(users['dave'] as Key);
    assert.equal(await (await dave.send(new GetObjectCommand({ Bucket: 'partner-bucket', Key: 'open.txt' }))).Body?.transformToString(), 'open');
    const org = organizationsClient(server.endpoint);
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' }));
    const rcp = await org.send(new CreatePolicyCommand({ Name: 'no-reads', Description: 'd', Type: 'RESOURCE_CONTROL_POLICY', Content: policyDoc([{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: '*' }]) }));
    await org.send(new AttachPolicyCommand({ PolicyId: rcp.Policy?.PolicySummary?.Id, TargetId: partner }));
    const refused = await failure(dave.send(new GetObjectCommand({ Bucket: 'partner-bucket', Key: 'open.txt' })));
    assert.match(refused.message, /with an explicit deny in a resource control policy$/);
  });

  test("an SCP of the caller's account denies what a grant to its account allows", async () => {
    const carol = s3(users['carol'] as Key);
    assert.equal(await (await carol.send(new GetObjectCommand({ Bucket: 'writer', Key: 'shared.txt' }))).Body?.transformToString(), 'for partner');
    const org = organizationsClient(server.endpoint);
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    const scp = await org.send(
      new CreatePolicyCommand({ Name: 'no-s3-reads', Description: 'd', Type: 'SERVICE_CONTROL_POLICY', Content: policyDoc([{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }]) }),
    );
    await org.send(new AttachPolicyCommand({ PolicyId: scp.Policy?.PolicySummary?.Id, TargetId: partner }));
    const refused = await failure(carol.send(new GetObjectCommand({ Bucket: 'writer', Key: 'shared.txt' })));
    assert.equal(refused.message, `User: arn:aws:iam::${partner}:user/carol is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::writer/shared.txt with an explicit deny in a service control policy`);
  });
});
