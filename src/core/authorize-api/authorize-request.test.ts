import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { presignS3, signS3, sha256Of, type TestKey } from '../../sigv4/s3-test-signer.js';
import { Authenticator } from '../authenticate.js';
import { Authorizer } from '../authorize.js';
import type { Caller } from '../caller.js';
import { ACCESS_KEY_OPERATIONS } from '../iam/access-keys.js';
import { INLINE_POLICY_OPERATIONS } from '../iam/inline-policies.js';
import { USER_OPERATIONS } from '../iam/users.js';
import { defineOperations } from '../operation.js';
import { ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { AuthorizeApi, type AuthorizeInput } from './authorize-request.js';
import { canonicalUserId } from './canonical-user-id.js';
import { putResourcePolicy } from './resource-policies.js';

const OPERATIONS = defineOperations([...USER_OPERATIONS, ...INLINE_POLICY_OPERATIONS, ...ACCESS_KEY_OPERATIONS]);
const OTHER_ACCOUNT = '444455556666';
const OTHER_ROOT: Caller = { ...ROOT_CALLER, account: OTHER_ACCOUNT, arn: `arn:aws:iam::${OTHER_ACCOUNT}:root`, userId: OTHER_ACCOUNT };
const NOW = new Date('2026-11-25T12:00:00Z');
const BUCKET = 'arn:aws:s3:::photos';
const OBJECT = 'arn:aws:s3:::photos/cat.jpg';

const allow = (action: string, resource = '*') => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
const bucketPolicy = (effect: 'Allow' | 'Deny', principal: string, action = 's3:GetObject') =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: effect, Principal: { AWS: principal }, Action: action, Resource: `${BUCKET}/*` }] });

let store: Store;
let api: AuthorizeApi;
let iam: ReturnType<typeof runner>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  const services = testServices();
  iam = runner(store, OPERATIONS, services);
  iam.setClock(NOW);
  api = new AuthorizeApi({ store, authenticator: new Authenticator(store, services.decryptSecret), authorizer: new Authorizer(store, services.awsManagedPolicies), clock: () => NOW });
});

afterEach(() => store.close());

async function user(name: string, policy: string | undefined, root: Caller = ROOT_CALLER): Promise<TestKey> {
  await iam.run('CreateUser', { UserName: name }, root);
  if (policy !== undefined) await iam.run('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: policy }, root);
  const key = (await iam.run('CreateAccessKey', { UserName: name }, root))['AccessKey'] as Record<string, string>;
  return { accessKeyId: key['AccessKeyId'] as string, secretAccessKey: key['SecretAccessKey'] as string };
}

async function get(key: TestKey, extra: Partial<AuthorizeInput> = {}) {
  const request = await signS3(key, 'GET', '/photos/cat.jpg', '', NOW);
  return api.authorize({ request, actions: [{ action: 's3:GetObject', resource: OBJECT }], resourceAccount: TEST_ACCOUNT, ...extra });
}

describe('AuthorizeApi', () => {
  it('allows a user by identity policy alone, and names the principal with its canonical user ID', async () => {
    const key = await user('alice', allow('s3:GetObject', `${BUCKET}/*`));
    const answer = await get(key);
    assert.equal(answer.authenticated, true);
    assert.equal(answer.allowed, true);
    assert.equal(answer.principal?.arn, `arn:aws:iam::${TEST_ACCOUNT}:user/alice`);
    assert.equal(answer.principal?.type, 'IAMUser');
    assert.match(answer.principal?.canonicalUserId ?? '', /^[0-9a-f]{64}$/);
    assert.equal(answer.principal?.canonicalUserId, canonicalUserId(TEST_ACCOUNT));
    assert.notEqual(canonicalUserId(TEST_ACCOUNT), canonicalUserId(OTHER_ACCOUNT));
    assert.equal(answer.payload?.mode, 'sha256');
  });

  it("denies with AWS's text, and explains on request", async () => {
    const key = await user('bob', allow('s3:PutObject'));
    const answer = await get(key, { explain: true });
    assert.equal(answer.allowed, false);
    assert.equal(answer.results[0]?.decision, 'ImplicitlyDenied');
    assert.equal(answer.results[0]?.message, `User: arn:aws:iam::${TEST_ACCOUNT}:user/bob is not authorized to perform: s3:GetObject on resource: ${OBJECT} because no identity-based policy allows the s3:GetObject action`);
    assert.ok(answer.results[0]?.explanation !== undefined);
  });

  it('lets a cross-account user in only when both the bucket policy and its identity policy allow', async () => {
    const withPolicy = await user('carol', allow('s3:GetObject'), OTHER_ROOT);
    const withoutPolicy = await user('dave', undefined, OTHER_ROOT);
    const grant = bucketPolicy('Allow', OTHER_ACCOUNT);
    assert.equal((await get(withPolicy, { resourcePolicy: grant })).allowed, true);
    assert.equal((await get(withPolicy)).allowed, false, 'identity policy alone does not reach another account');
    assert.equal((await get(withoutPolicy, { resourcePolicy: grant })).allowed, false, 'bucket policy alone does not either');
  });

  it('refuses on an explicit deny in the bucket policy, whatever the identity policy allows', async () => {
    const key = await user('erin', allow('s3:*'));
    const answer = await get(key, { resourcePolicy: bucketPolicy('Deny', `arn:aws:iam::${TEST_ACCOUNT}:user/erin`) });
    assert.equal(answer.results[0]?.decision, 'ExplicitlyDenied');
    assert.match(answer.results[0]?.message ?? '', /with an explicit deny in a resource-based policy$/);
  });

  it('uses a registered resource policy referenced by ARN', async () => {
    const key = await user('frank', allow('s3:*'));
    await store.transaction((tx) => putResourcePolicy(tx, { arn: BUCKET, account: TEST_ACCOUNT, policy: bucketPolicy('Deny', '*') }, NOW));
    const answer = await api.authorize({ request: await signS3(key, 'GET', '/photos/cat.jpg', '', NOW), actions: [{ action: 's3:GetObject', resource: OBJECT, resourcePolicyArn: BUCKET }] });
    assert.equal(answer.results[0]?.decision, 'ExplicitlyDenied');
  });

  it("refuses a ResourceAccount that contradicts the registry's account or the ARN's, deciding nothing", async () => {
    // Taken as given, another account would make the bucket policy's grant a same-account one.
    const key = await user('fred', undefined, OTHER_ROOT);
    await store.transaction((tx) => putResourcePolicy(tx, { arn: BUCKET, account: TEST_ACCOUNT, policy: bucketPolicy('Allow', `arn:aws:iam::${OTHER_ACCOUNT}:root`) }, NOW));
    const request = await signS3(key, 'GET', '/photos/cat.jpg', '', NOW);
    const honest = await api.authorize({ request, actions: [{ action: 's3:GetObject', resource: OBJECT, resourcePolicyArn: BUCKET }] });
    assert.equal(honest.results[0]?.decision, 'ImplicitlyDenied', 'cross-account: the identity side grants nothing');
    for (const resourceAccount of [OTHER_ACCOUNT, '44445555666', '*']) {
      await assert.rejects(
        api.authorize({ request, resourceAccount, actions: [{ action: 's3:GetObject', resource: OBJECT, resourcePolicyArn: BUCKET }] }),
        (error: Error & { code?: string }) => error.code === 'ValidationError' && /ResourceAccount/.test(error.message),
        resourceAccount,
      );
    }
    const queue = `arn:aws:sqs:us-east-1:${TEST_ACCOUNT}:jobs`;
    await assert.rejects(
      api.authorize({ request, actions: [{ action: 'sqs:SendMessage', resource: queue, resourceAccount: OTHER_ACCOUNT }] }),
      (error: Error) => error.message.includes(`belongs to account ${TEST_ACCOUNT}`),
    );
  });

  it('answers MalformedPolicyDocument (400) for a malformed inline resource policy, not a failure of its own', async () => {
    const key = await user('hank', allow('s3:GetObject'));
    const cases: Array<[string, RegExp]> = [
      ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}', /must contain actions/],
      ['nope', /invalid Json/],
    ];
    for (const [resourcePolicy, message] of cases) {
      await assert.rejects(get(key, { resourcePolicy }), (error: Error & { code?: string; status?: number }) => error.code === 'MalformedPolicyDocument' && error.status === 400 && message.test(error.message));
    }
  });

  it("answers authentication failures in S3's words, deciding nothing", async () => {
    const key = await user('gina', allow('s3:*'));
    const request = await signS3(key, 'PUT', '/photos/cat.jpg', 'meow', NOW);
    const mismatch = await api.authorize({ request: { ...request, bodySha256: sha256Of('woof') }, actions: [{ action: 's3:PutObject', resource: OBJECT }] });
    assert.deepEqual(mismatch.error, { code: 'XAmzContentSHA256Mismatch', message: "The provided 'x-amz-content-sha256' header does not match what was computed.", status: 400 });
    assert.equal(mismatch.results.length, 0);
    const forged = await signS3({ ...key, secretAccessKey: 'wrong' }, 'GET', '/photos/cat.jpg', '', NOW);
    assert.equal((await api.authorize({ request: forged, actions: [{ action: 's3:GetObject', resource: OBJECT }] })).error?.code, 'SignatureDoesNotMatch');
    const unknown = await signS3({ accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' }, 'GET', '/photos/cat.jpg', '', NOW);
    assert.equal((await api.authorize({ request: unknown, actions: [{ action: 's3:GetObject', resource: OBJECT }] })).error?.code, 'InvalidAccessKeyId');
    const presigned = await presignS3(key, '/photos/cat.jpg', 60, new Date(NOW.getTime() - 120_000));
    assert.deepEqual((await api.authorize({ request: presigned, actions: [{ action: 's3:GetObject', resource: OBJECT }] })).error, { code: 'AccessDenied', message: 'Request has expired', status: 403 });
  });

  it('grants the anonymous principal only what the bucket policy grants "*"', async () => {
    const anonymous = { method: 'GET', path: '/photos/cat.jpg', query: '', headers: [['host', 'bucket.s3.example']] as Array<[string, string]> };
    const open = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${BUCKET}/*` }] });
    const allowed = await api.authorize({ request: anonymous, resourceAccount: TEST_ACCOUNT, resourcePolicy: open, actions: [{ action: 's3:GetObject', resource: OBJECT }] });
    assert.equal(allowed.allowed, true);
    assert.equal(allowed.principal?.type, 'Anonymous');
    const refused = await api.authorize({ request: anonymous, resourceAccount: TEST_ACCOUNT, resourcePolicy: open, actions: [{ action: 's3:PutObject', resource: OBJECT }] });
    assert.deepEqual([refused.allowed, refused.results[0]?.message], [false, 'Access Denied']);
  });

  it('takes a trusted principal ARN instead of a signed request', async () => {
    await user('hank', allow('s3:GetObject'));
    const answer = await api.authorize({ principalArn: `arn:aws:iam::${TEST_ACCOUNT}:user/hank`, actions: [{ action: 's3:GetObject', resource: OBJECT }, { action: 's3:DeleteObject', resource: OBJECT }], resourceAccount: TEST_ACCOUNT });
    assert.deepEqual(answer.results.map((r) => r.allowed), [true, false]);
    assert.equal(answer.allowed, false);
    await assert.rejects(api.authorize({ principalArn: `arn:aws:iam::${TEST_ACCOUNT}:user/nobody`, actions: [{ action: 's3:GetObject', resource: OBJECT }] }), { code: 'NoSuchEntity' });
  });

  it('refuses context keys Gatehouse derives itself: a service cannot name another principal, tags or MFA', async () => {
    await user('kate', allow('s3:GetObject'));
    for (const key of ['aws:PrincipalArn', 'aws:principaltag/team', 'aws:MultiFactorAuthPresent', 'aws:userid', 'aws:CurrentTime', 's3:authType', 'aws:PrincipalOrgID']) {
      await assert.rejects(
        api.authorize({ principalArn: `arn:aws:iam::${TEST_ACCOUNT}:user/kate`, context: { [key]: 'x' }, actions: [{ action: 's3:GetObject', resource: OBJECT }] }),
        { code: 'ValidationError' },
        key,
      );
    }
    const allowed = await api.authorize({ principalArn: `arn:aws:iam::${TEST_ACCOUNT}:user/kate`, context: { 'aws:SourceIp': '10.0.0.1', 's3:prefix': 'a/' }, actions: [{ action: 's3:GetObject', resource: OBJECT }] });
    assert.equal(allowed.allowed, true);
  });

  it('needs the resource account when the ARN names none and a resource policy applies', async () => {
    const key = await user('ivan', allow('s3:*'));
    await assert.rejects(api.authorize({ request: await signS3(key, 'GET', '/photos/cat.jpg', '', NOW), resourcePolicy: bucketPolicy('Allow', '*'), actions: [{ action: 's3:GetObject', resource: OBJECT }] }), { code: 'ValidationError' });
  });

  it('gives s3:signatureAge as the milliseconds since the request was signed', async () => {
    // At most 10 minutes old: a URL presigned 9 minutes 59 seconds before is allowed, one presigned 10 minutes 1 second
    // before is not (S3's documented use of the key: refusing presigned URLs older than a limit).
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/*`, Condition: { NumericLessThanEquals: { 's3:signatureAge': '600000' } } }],
    });
    const key = await user('kim', policy);
    const signedAgo = async (ms: number) => {
      const request = await presignS3(key, '/photos/cat.jpg', 3600, new Date(NOW.getTime() - ms));
      return api.authorize({ request, actions: [{ action: 's3:GetObject', resource: OBJECT }], resourceAccount: TEST_ACCOUNT });
    };
    assert.equal((await signedAgo(599_000)).allowed, true);
    assert.equal((await signedAgo(600_000)).allowed, true);
    assert.equal((await signedAgo(601_000)).allowed, false);
  });

  it('hands the chunk chain of a streaming upload to the library caller', async () => {
    const key = await user('judy', allow('s3:PutObject'));
    const request = await signS3(key, 'PUT', '/photos/big.bin', '', NOW, { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked' });
    const answer = await api.authorize({ request: { ...request, bodySha256: undefined } as never, resourceAccount: TEST_ACCOUNT, actions: [{ action: 's3:PutObject', resource: `${BUCKET}/big.bin` }] });
    assert.equal(answer.allowed, true);
    assert.equal(answer.streaming?.signingKey.length, 32);
    assert.match(answer.streaming?.seedSignature ?? '', /^[0-9a-f]{64}$/);
  });
});
