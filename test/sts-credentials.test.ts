// Temporary credentials as the gateway authenticates them, and GetCallerIdentity, GetSessionToken,
// GetFederationToken and GetAccessKeyInfo, through the AWS SDK for JavaScript v3 against a real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, GetUserCommand, ListRolesCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetAccessKeyInfoCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { REGION, ROOT_KEY, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const doc = (statement: object | object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });
const INVALID = { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', status: 403 };

// The server's clock runs `offset` ms ahead of real time; clients sign with the same offset.
let offset = 0;
let bob: Key;
let bobUserId: string;
const roleArn = `arn:aws:iam::${A}:role/reader`;

const server = useTestServer({}, { clock: () => new Date(Date.now() + offset) }, async () => {
  const root = iamClient(server.endpoint);
  const user = await root.send(new CreateUserCommand({ UserName: 'bob', Path: '/eng/' }));
  bobUserId = user.User?.UserId ?? '';
  await root.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'work', PolicyDocument: doc({ Effect: 'Allow', Action: ['iam:GetUser', 'iam:GetRole', 'sts:*'], Resource: '*' }) }));
  const key = await root.send(new CreateAccessKeyCommand({ UserName: 'bob' }));
  bob = { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
  await root.send(new CreateRoleCommand({
    RoleName: 'reader',
    MaxSessionDuration: 43200,
    AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/eng/bob` }, Action: 'sts:AssumeRole' }),
  }));
});

const sts = (key: Key = ROOT_KEY): STSClient =>
  new STSClient({ endpoint: server.endpoint, region: REGION, credentials: key, maxAttempts: 1, systemClockOffset: offset });

async function roleSession(durationSeconds = 900): Promise<Key> {
  return keyOf((await sts(bob).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'bob-session', DurationSeconds: durationSeconds }))).Credentials);
}

describe('GetCallerIdentity', () => {
  test('root, IAM user, assumed role, federated user and GetSessionToken sessions, in AWS forms', async () => {
    const identity = async (key: Key) => {
      const out = await sts(key).send(new GetCallerIdentityCommand({}));
      return { UserId: out.UserId, Account: out.Account, Arn: out.Arn };
    };
    assert.deepEqual(await identity(ROOT_KEY), { UserId: A, Account: A, Arn: `arn:aws:iam::${A}:root` });
    assert.deepEqual(await identity(bob), { UserId: bobUserId, Account: A, Arn: `arn:aws:iam::${A}:user/eng/bob` });
    const role = await identity(await roleSession());
    assert.match(role.UserId ?? '', /^AROA[A-Z2-7]{17}:bob-session$/);
    assert.equal(role.Arn, `arn:aws:sts::${A}:assumed-role/reader/bob-session`);
    const federated = keyOf((await sts(bob).send(new GetFederationTokenCommand({ Name: 'fed-bob' }))).Credentials);
    assert.deepEqual(await identity(federated), { UserId: `${A}:fed-bob`, Account: A, Arn: `arn:aws:sts::${A}:federated-user/fed-bob` });
    const session = keyOf((await sts(bob).send(new GetSessionTokenCommand({}))).Credentials);
    assert.deepEqual(await identity(session), { UserId: bobUserId, Account: A, Arn: `arn:aws:iam::${A}:user/eng/bob` });
    const rootSession = keyOf((await sts().send(new GetSessionTokenCommand({}))).Credentials);
    assert.deepEqual(await identity(rootSession), { UserId: A, Account: A, Arn: `arn:aws:iam::${A}:root` });
  });
});

describe('authenticating temporary credentials', () => {
  test('ASIA key without its token, with an altered token, or with another session token: InvalidClientTokenId', async () => {
    const one = await roleSession();
    const two = await roleSession();
    const withoutToken = { accessKeyId: one.accessKeyId, secretAccessKey: one.secretAccessKey };
    assert.deepEqual(await failure(sts(withoutToken).send(new GetCallerIdentityCommand({}))), INVALID);
    const token = one.sessionToken ?? '';
    const middle = Math.floor(token.length / 2);
    const altered = `${token.slice(0, middle)}${token[middle] === 'A' ? 'B' : 'A'}${token.slice(middle + 1)}`;
    assert.deepEqual(await failure(sts({ ...one, sessionToken: altered }).send(new GetCallerIdentityCommand({}))), INVALID);
    assert.deepEqual(await failure(sts({ ...one, sessionToken: 'Zm9yZ2Vk' }).send(new GetCallerIdentityCommand({}))), INVALID);
    // A genuine token, but for another access key ID (signed with this key's secret).
    assert.deepEqual(await failure(sts({ ...one, sessionToken: two.sessionToken ?? '' }).send(new GetCallerIdentityCommand({}))), INVALID);
    // A long-term key with a session token.
    assert.deepEqual(await failure(sts({ ...bob, sessionToken: token }).send(new GetCallerIdentityCommand({}))), INVALID);
  });

  test('the wrong secret with a genuine token: SignatureDoesNotMatch', async () => {
    const one = await roleSession();
    const out = await failure(sts({ ...one, secretAccessKey: 'x'.repeat(40) }).send(new GetCallerIdentityCommand({})));
    assert.equal(out.name, 'SignatureDoesNotMatch');
  });

  test('past its expiry: ExpiredToken (403), for STS and IAM alike', async () => {
    const session = await roleSession(900);
    await sts(session).send(new GetCallerIdentityCommand({}));
    offset = 901_000;
    try {
      const expected = { name: 'ExpiredToken', message: 'The security token included in the request is expired', status: 403 };
      assert.deepEqual(await failure(sts(session).send(new GetCallerIdentityCommand({}))), expected);
      const iam = iamClient(server.endpoint, session);
      iam.config.systemClockOffset = offset;
      assert.deepEqual(await failure(iam.send(new GetRoleCommand({ RoleName: 'reader' }))), expected);
    } finally {
      offset = 0;
    }
  });
});

describe('GetSessionToken', () => {
  test('acts as the user in STS; IAM needs MFA (InvalidClientTokenId); session credentials cannot call it again', async () => {
    const before = Date.now();
    const out = await sts(bob).send(new GetSessionTokenCommand({}));
    const lifetime = (out.Credentials?.Expiration?.getTime() ?? 0) - before;
    assert.ok(lifetime > 43190_000 && lifetime <= 43201_000, `12 hours by default, got ${lifetime}`);
    const session = keyOf(out.Credentials);
    assert.deepEqual(await failure(iamClient(server.endpoint, session).send(new GetUserCommand({}))), INVALID);
    assert.deepEqual(await failure(sts(session).send(new GetSessionTokenCommand({}))), {
      name: 'AccessDenied',
      message: 'Cannot call GetSessionToken with session credentials',
      status: 403,
    });
    // AssumeRole from a GetSessionToken session is not role chaining: the role's own maximum applies.
    const role = await sts(session).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'from-session', DurationSeconds: 7200 }));
    assert.equal(role.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/reader/from-session`);
  });

  test('role sessions cannot call GetSessionToken or GetFederationToken', async () => {
    const session = await roleSession();
    for (const [command, name] of [[new GetSessionTokenCommand({}), 'GetSessionToken'], [new GetFederationTokenCommand({ Name: 'x1' }), 'GetFederationToken']] as const) {
      assert.deepEqual(await failure(sts(session).send(command as GetSessionTokenCommand)), { name: 'AccessDenied', message: `Cannot call ${name} with session credentials`, status: 403 });
    }
  });

  test('the root user gets at most an hour; DurationSeconds out of range is a ValidationError; an unknown MFA device is AccessDenied', async () => {
    const before = Date.now();
    const root = await sts().send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    assert.ok((root.Credentials?.Expiration?.getTime() ?? 0) - before <= 3601_000);
    const low = await failure(sts(bob).send(new GetSessionTokenCommand({ DurationSeconds: 899 })));
    assert.equal(low.name, 'ValidationError');
    const mfa = await failure(sts(bob).send(new GetSessionTokenCommand({ SerialNumber: `arn:aws:iam::${A}:mfa/bob`, TokenCode: '123456' })));
    assert.deepEqual([mfa.name, mfa.status], ['AccessDenied', 403]);
  });
});

describe('GetFederationToken', () => {
  test('AWS forms of the federated user; its credentials reach neither IAM nor STS beyond GetCallerIdentity', async () => {
    const bare = keyOf((await sts(bob).send(new GetFederationTokenCommand({ Name: 'no-policy' }))).Credentials);
    const denied = await failure(sts(bare).send(new GetAccessKeyInfoCommand({ AccessKeyId: bob.accessKeyId })));
    assert.equal(denied.name, 'AccessDenied');
    const out = await sts(bob).send(new GetFederationTokenCommand({
      Name: 'with-policy',
      DurationSeconds: 900,
      Policy: doc({ Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListRoles'], Resource: '*' }),
    }));
    assert.deepEqual(out.FederatedUser, { FederatedUserId: `${A}:with-policy`, Arn: `arn:aws:sts::${A}:federated-user/with-policy` });
    assert.ok((out.PackedPolicySize ?? 0) > 0);
    const federated = keyOf(out.Credentials);
    const iam = await failure(iamClient(server.endpoint, federated).send(new GetRoleCommand({ RoleName: 'reader' })));
    assert.equal(iam.name, 'AccessDenied');
    assert.equal((await failure(sts(federated).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'fed' })))).name, 'AccessDenied');
  });

  test('a user without sts:GetFederationToken is denied on the federated-user ARN', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'carol' }));
    const key = await root.send(new CreateAccessKeyCommand({ UserName: 'carol' }));
    const carol = { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
    assert.deepEqual(await failure(sts(carol).send(new GetFederationTokenCommand({ Name: 'fed-carol' }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${A}:user/carol is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::${A}:federated-user/fed-carol because no identity-based policy allows the sts:GetFederationToken action`,
      status: 403,
    });
  });
});

describe('GetAccessKeyInfo', () => {
  test('the account of long-term and temporary keys', async () => {
    assert.equal((await sts(bob).send(new GetAccessKeyInfoCommand({ AccessKeyId: bob.accessKeyId }))).Account, A);
    const session = await roleSession();
    assert.equal((await sts(bob).send(new GetAccessKeyInfoCommand({ AccessKeyId: session.accessKeyId }))).Account, A);
    // A role session may call it too (its role has no policy for it: root answers here).
    assert.equal((await stsClient(server.endpoint).send(new GetAccessKeyInfoCommand({ AccessKeyId: session.accessKeyId }))).Account, A);
  });
});

describe('IAM calls with role credentials', () => {
  test('the role has no policy: AccessDenied naming the assumed-role session', async () => {
    const session = await roleSession();
    const out = await failure(iamClient(server.endpoint, session).send(new ListRolesCommand({})));
    assert.equal(out.name, 'AccessDenied');
    assert.match(out.message, /^User: arn:aws:sts::111122223333:assumed-role\/reader\/bob-session is not authorized to perform: iam:ListRoles/);
  });
});
