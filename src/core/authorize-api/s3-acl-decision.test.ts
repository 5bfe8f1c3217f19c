import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { signS3, type TestKey } from '../../sigv4/s3-test-signer.js';
import type { ForwardedRequest } from '../../sigv4/s3-verify.js';
import { Authenticator } from '../authenticate.js';
import { Authorizer } from '../authorize.js';
import type { Caller } from '../caller.js';
import { ACCESS_KEY_OPERATIONS } from '../iam/access-keys.js';
import { INLINE_POLICY_OPERATIONS } from '../iam/inline-policies.js';
import { USER_OPERATIONS } from '../iam/users.js';
import { defineOperations } from '../operation.js';
import { ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { recordAccountCreation } from '../iam/account-creation.js';
import { AuthorizeApi, type AuthorizeAction } from './authorize-request.js';
import { canonicalUserId } from './canonical-user-id.js';
import { cannedAcl, S3_GROUPS, type S3Acl, type S3Permission } from './s3-acl.js';
import { permissionCovers } from './s3-acl-decision.js';
import type { S3ObjectOwnership } from './s3-ownership.js';

const OPERATIONS = defineOperations([...USER_OPERATIONS, ...INLINE_POLICY_OPERATIONS, ...ACCESS_KEY_OPERATIONS]);
const OTHER_ACCOUNT = '444455556666';
const OTHER_ROOT: Caller = { ...ROOT_CALLER, account: OTHER_ACCOUNT, arn: `arn:aws:iam::${OTHER_ACCOUNT}:root`, userId: OTHER_ACCOUNT };
const NOW = new Date('2026-11-25T12:00:00Z');
const BUCKET = 'arn:aws:s3:::photos';
const OBJECT = 'arn:aws:s3:::photos/cat.jpg';
const OWNER_ID = canonicalUserId(TEST_ACCOUNT);
const OTHER_ID = canonicalUserId(OTHER_ACCOUNT);

const allow = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const denyAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `${BUCKET}/*` }] });
const grantTo = (grantee: S3Acl['grants'][number]['grantee'], permission: S3Permission): S3Acl => ({ owner: { id: OWNER_ID }, grants: [{ grantee: { type: 'CanonicalUser', id: OWNER_ID }, permission: 'FULL_CONTROL' }, { grantee, permission }] });
const toOther = (permission: S3Permission = 'READ') => grantTo({ type: 'CanonicalUser', id: OTHER_ID }, permission);
const toOwnAccount = (permission: S3Permission = 'READ') => grantTo({ type: 'CanonicalUser', id: OWNER_ID }, permission);

let store: Store;
let api: AuthorizeApi;
let iam: ReturnType<typeof runner>;
const keys: Record<string, TestKey> = {};

async function user(name: string, policy: string | undefined, root: Caller = ROOT_CALLER): Promise<TestKey> {
  await iam.run('CreateUser', { UserName: name }, root);
  if (policy !== undefined) await iam.run('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: policy }, root);
  const key = (await iam.run('CreateAccessKey', { UserName: name }, root))['AccessKey'] as Record<string, string>;
  return { accessKeyId: key['AccessKeyId'] as string, secretAccessKey: key['SecretAccessKey'] as string };
}

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  const services = testServices();
  iam = runner(store, OPERATIONS, services);
  iam.setClock(NOW);
  api = new AuthorizeApi({ store, authenticator: new Authenticator(store, services.decryptSecret), authorizer: new Authorizer(store, services.awsManagedPolicies), clock: () => NOW });
  keys['sameWithPolicy'] = await user('same-with', allow('s3:*'));
  keys['sameWithout'] = await user('same-without', undefined);
  keys['otherWithPolicy'] = await user('other-with', allow('s3:*'), OTHER_ROOT);
  keys['otherWithout'] = await user('other-without', undefined, OTHER_ROOT);
});

afterEach(() => store.close());

const ANONYMOUS: ForwardedRequest = { method: 'GET', path: '/photos/cat.jpg', query: '', headers: [['host', 'photos.s3.example']] };

async function decide(who: string, item: Partial<AuthorizeAction> & { acl?: S3Acl; objectOwnership?: S3ObjectOwnership }, explain = false) {
  const request = who === 'anonymous' ? ANONYMOUS : await signS3(keys[who] as TestKey, 'GET', '/photos/cat.jpg', '', NOW);
  const answer = await api.authorize({ request, resourceAccount: TEST_ACCOUNT, explain, actions: [{ action: 's3:GetObject', resource: OBJECT, ...item }] });
  return answer.results[0] as NonNullable<(typeof answer.results)[number]>;
}

describe('ACLs in the decision', () => {
  const OWNERSHIP: S3ObjectOwnership = 'ObjectWriter';
  const rows: Array<[string, string, Partial<AuthorizeAction>, string]> = [
    // An ACL grant to an account reaches the account, never one of its users on its own: users need their identity policy.
    ['same-account user with an identity policy, owner-only ACL', 'sameWithPolicy', { acl: cannedAcl('private', OWNER_ID) }, 'Allowed'],
    ['same-account user without identity policy, grant to its own account', 'sameWithout', { acl: toOwnAccount() }, 'ImplicitlyDenied'],
    ['same-account user without identity policy, public-read', 'sameWithout', { acl: cannedAcl('public-read', OWNER_ID) }, 'Allowed'],
    ['same-account user without identity policy, authenticated-read', 'sameWithout', { acl: cannedAcl('authenticated-read', OWNER_ID) }, 'Allowed'],
    ['cross-account user with identity policy, READ to its account', 'otherWithPolicy', { acl: toOther() }, 'Allowed'],
    ['cross-account user with identity policy, FULL_CONTROL to its account', 'otherWithPolicy', { acl: toOther('FULL_CONTROL') }, 'Allowed'],
    ['cross-account user with identity policy, no grant to its account', 'otherWithPolicy', { acl: cannedAcl('private', OWNER_ID) }, 'ImplicitlyDenied'],
    ['cross-account user with identity policy, READ_ACP only', 'otherWithPolicy', { acl: toOther('READ_ACP') }, 'ImplicitlyDenied'],
    ['cross-account user with identity policy, WRITE (a bucket permission)', 'otherWithPolicy', { acl: toOther('WRITE') }, 'ImplicitlyDenied'],
    ['cross-account user without identity policy, READ to its account', 'otherWithout', { acl: toOther() }, 'ImplicitlyDenied'],
    ['cross-account user without identity policy, public-read', 'otherWithout', { acl: cannedAcl('public-read', OWNER_ID) }, 'ImplicitlyDenied'],
    ['cross-account user with identity policy, public-read', 'otherWithPolicy', { acl: cannedAcl('public-read', OWNER_ID) }, 'Allowed'],
    ['anonymous, public-read', 'anonymous', { acl: cannedAcl('public-read', OWNER_ID) }, 'Allowed'],
    ['anonymous, authenticated-read', 'anonymous', { acl: cannedAcl('authenticated-read', OWNER_ID) }, 'ImplicitlyDenied'],
    ['anonymous, LogDelivery write', 'anonymous', { acl: cannedAcl('log-delivery-write', OWNER_ID) }, 'ImplicitlyDenied'],
    ['explicit deny in the bucket policy beats a public-read grant', 'sameWithout', { acl: cannedAcl('public-read', OWNER_ID), resourcePolicy: denyAll }, 'ExplicitlyDenied'],
    ['explicit deny in the bucket policy beats a grant to the account', 'otherWithPolicy', { acl: toOther(), resourcePolicy: denyAll }, 'ExplicitlyDenied'],
    ['explicit deny in the bucket policy beats public-read for anonymous', 'anonymous', { acl: cannedAcl('public-read', OWNER_ID), resourcePolicy: denyAll }, 'ExplicitlyDenied'],
  ];
  for (const [what, who, item, expected] of rows) {
    it(`${what}: ${expected}`, async () => {
      assert.equal((await decide(who, { objectOwnership: OWNERSHIP, ...item })).decision, expected);
      if (expected === 'Allowed') assert.equal((await decide(who, { objectOwnership: 'BucketOwnerPreferred', ...item })).decision, expected);
    });
  }

  it('BucketOwnerEnforced, given or by default, ignores the ACL', async () => {
    for (const who of ['sameWithout', 'otherWithPolicy', 'anonymous']) {
      const acl = cannedAcl('public-read', OWNER_ID);
      assert.equal((await decide(who, { acl, objectOwnership: 'BucketOwnerEnforced' })).allowed, false, who);
      assert.equal((await decide(who, { acl })).allowed, false, who);
      assert.equal((await decide(who, { acl, objectOwnership: 'ObjectWriter' })).allowed, true, who);
    }
  });

  it('takes the ACL and the ownership from the input when the action sets none, and the action’s own first', async () => {
    const request = await signS3(keys['sameWithout'] as TestKey, 'GET', '/photos/cat.jpg', '', NOW);
    const answer = await api.authorize({
      request,
      resourceAccount: TEST_ACCOUNT,
      acl: cannedAcl('public-read', OWNER_ID),
      objectOwnership: 'ObjectWriter',
      actions: [
        { action: 's3:GetObject', resource: OBJECT },
        { action: 's3:GetObject', resource: OBJECT, objectOwnership: 'BucketOwnerEnforced' },
        { action: 's3:GetObject', resource: OBJECT, acl: cannedAcl('private', OWNER_ID) },
      ],
    });
    assert.deepEqual(answer.results.map((r) => r.allowed), [true, false, false]);
  });

  it('a bucket ACL grants by the bucket actions: READ lists, WRITE puts and deletes objects', async () => {
    const request = await signS3(keys['otherWithPolicy'] as TestKey, 'GET', '/photos', '', NOW);
    const acl: S3Acl = { owner: { id: OWNER_ID }, grants: [{ grantee: { type: 'CanonicalUser', id: OTHER_ID }, permission: 'READ' }, { grantee: { type: 'CanonicalUser', id: OTHER_ID }, permission: 'WRITE' }] };
    const answer = await api.authorize({
      request,
      resourceAccount: TEST_ACCOUNT,
      acl,
      objectOwnership: 'ObjectWriter',
      actions: [
        { action: 's3:ListBucket', resource: BUCKET },
        { action: 's3:PutObject', resource: OBJECT },
        { action: 's3:DeleteObject', resource: OBJECT },
        { action: 's3:GetBucketAcl', resource: BUCKET },
        { action: 's3:PutBucketPolicy', resource: BUCKET },
        { action: 's3:DeleteObjectVersion', resource: OBJECT },
      ],
    });
    assert.deepEqual(answer.results.map((r) => r.allowed), [true, true, true, false, false, false]);
  });

  it("explains an ACL allow by the grant's position, permission and grantee", async () => {
    const result = await decide('sameWithout', { acl: cannedAcl('public-read', OWNER_ID), objectOwnership: 'ObjectWriter' }, true);
    assert.equal(result.allowed, true);
    // The owner's grant matches too, but names the account: it would need the user's identity policy.
    const matched = result.explanation?.statements.filter((s) => s.matched && s.effect === 'Allow').map((s) => s.sid);
    assert.deepEqual(matched, [`S3 ACL grant 1: FULL_CONTROL to canonical user ${OWNER_ID}`, 'S3 ACL grant 2: READ to group AllUsers']);
    assert.equal(result.explanation?.summary, 'Allowed by a resource-based policy.');
  });

  it('adds the ACL to the bucket policy: a policy allow still counts', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:user/same-without` }, Action: 's3:GetObject', Resource: `${BUCKET}/*` } });
    assert.equal((await decide('sameWithout', { acl: cannedAcl('private', OWNER_ID), objectOwnership: 'ObjectWriter', resourcePolicy: policy })).decision, 'Allowed');
  });

  it('refuses a badly shaped ACL or ownership with ValidationError', async () => {
    const bad: Array<Record<string, unknown>> = [
      { acl: { owner: { id: OWNER_ID } } },
      { acl: { owner: { id: OWNER_ID }, grants: [{ grantee: { type: 'Group', uri: S3_GROUPS.allUsers }, permission: 'EVERYTHING' }] } },
      { acl: 'public-read' },
      { objectOwnership: 'BucketOwner' },
    ];
    for (const item of bad) await assert.rejects(decide('sameWithPolicy', item as Partial<AuthorizeAction>), { code: 'ValidationError' }, JSON.stringify(item));
  });

  it('needs the resource account for an ACL on an ARN that names none', async () => {
    const request = await signS3(keys['sameWithPolicy'] as TestKey, 'GET', '/photos/cat.jpg', '', NOW);
    await assert.rejects(api.authorize({ request, acl: cannedAcl('public-read', OWNER_ID), objectOwnership: 'ObjectWriter', actions: [{ action: 's3:GetObject', resource: OBJECT }] }), { code: 'ValidationError' });
  });
});

describe('permissionCovers', () => {
  const rows: Array<[S3Permission, string, string, boolean, boolean]> = [
    ['READ', 's3:listbucket', BUCKET, false, true],
    ['READ', 's3:getobject', BUCKET, false, false],
    ['READ', 's3:getobject', OBJECT, false, true],
    ['READ', 's3:listbucket', OBJECT, false, false],
    ['READ_ACP', 's3:getbucketacl', BUCKET, false, true],
    ['READ_ACP', 's3:getobjectacl', OBJECT, false, true],
    ['WRITE_ACP', 's3:putbucketacl', BUCKET, false, true],
    ['WRITE_ACP', 's3:putobjectversionacl', OBJECT, false, true],
    ['WRITE', 's3:putobject', OBJECT, false, true],
    ['WRITE', 's3:deleteobjectversion', OBJECT, false, false],
    ['WRITE', 's3:deleteobjectversion', OBJECT, true, true],
    ['FULL_CONTROL', 's3:putbucketacl', BUCKET, false, true],
    ['FULL_CONTROL', 's3:putbucketpolicy', BUCKET, false, false],
    ['FULL_CONTROL', 's3:getobject', OBJECT, false, true],
  ];
  for (const [permission, action, resource, owner, expected] of rows) {
    it(`${permission} ${expected ? 'covers' : 'does not cover'} ${action} on ${resource}${owner ? ' for the bucket owner' : ''}`, () => assert.equal(permissionCovers(permission, action, resource, owner), expected));
  }
});

describe('ACLs and the root user', () => {
  it("another account's root user is let in by a grant to its account alone; without one it is refused", async () => {
    await store.transaction((tx) => recordAccountCreation(tx, OTHER_ACCOUNT, NOW));
    const ask = (acl: S3Acl) =>
      api.authorize({ principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:root`, resourceAccount: TEST_ACCOUNT, acl, objectOwnership: 'ObjectWriter', actions: [{ action: 's3:GetObject', resource: OBJECT }] });
    assert.equal((await ask(toOther())).allowed, true);
    assert.equal((await ask(cannedAcl('private', OWNER_ID))).allowed, false);
  });
});
