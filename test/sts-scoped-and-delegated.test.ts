// STS GetScopedCredentials and GetDelegatedAccessToken (with IAM temporary delegation), MinimumSessionTokenSize and
// GetWebIdentityToken's SubjectMode and Scope, through the AWS SDK for JavaScript v3 against a real server.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  AcceptDelegationRequestCommand,
  AssociateDelegationRequestCommand,
  CreateAccessKeyCommand,
  CreateDelegationRequestCommand,
  CreateRoleCommand,
  CreateUserCommand,
  EnableOutboundWebIdentityFederationCommand,
  GetAccountPasswordPolicyCommand,
  GetDelegationRequestCommand,
  GetUserCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  SendDelegationTokenCommand,
  UpdateAccountPasswordPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetDelegatedAccessTokenCommand,
  GetFederationTokenCommand,
  GetScopedCredentialsCommand,
  GetSessionTokenCommand,
  GetWebIdentityTokenCommand,
} from '@aws-sdk/client-sts';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID as TEST_ACCOUNT, useTestServer } from './helpers/server.js';

const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-delegation-'));
const OUTBOX = join(scratch, 'outbox');
const TEMPLATE_ARN = 'arn:aws:iam::aws:policy-template/ReadDirectory';
const HUGE_TEMPLATE_ARN = 'arn:aws:iam::aws:policy-template/ManyBuckets';
const TEMPLATES = join(scratch, 'templates.json');
writeFileSync(
  TEMPLATES,
  JSON.stringify({
    [TEMPLATE_ARN]: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:ListUsers', 'iam:GetUser'], Resource: `arn:aws:iam::${TEST_ACCOUNT}:user/@{userPath}*` }] },
    [HUGE_TEMPLATE_ARN]: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::@{buckets}/*' }] },
  }),
);
after(() => rmSync(scratch, { recursive: true, force: true }));

// A clock the tests move forward (within SigV4's 15 minutes of skew) to reach the end of a delegation period.
let skewMs = 0;
const server = useTestServer({ GATEHOUSE_DELEGATION_OUTBOX: OUTBOX, GATEHOUSE_DELEGATION_TEMPLATES: TEMPLATES }, { clock: () => new Date(Date.now() + skewMs) });

const doc = (action: string | string[], resource: string | string[] = '*'): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
const root = (): IAMClient => iamClient(server.endpoint);

async function userKey(name: string, policy: string): Promise<Key> {
  await root().send(new CreateUserCommand({ UserName: name }));
  await root().send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
  const key = (await root().send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  return { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' };
}

/** A session of a fresh role allowed `actions`, assumed by a fresh user. */
async function roleSession(name: string, actions: string[]): Promise<{ key: Key; arn: string; id: string; expiration: Date }> {
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: TEST_ACCOUNT }, Action: 'sts:AssumeRole' }] });
  await root().send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  await root().send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: doc(actions) }));
  const user = await userKey(`${name}-user`, doc('sts:AssumeRole'));
  const out = await stsClient(server.endpoint, user).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/${name}`, RoleSessionName: 'agent' }));
  return { key: keyOf(out.Credentials), arn: out.AssumedRoleUser?.Arn ?? '', id: out.AssumedRoleUser?.AssumedRoleId ?? '', expiration: out.Credentials?.Expiration as Date };
}

describe('GetScopedCredentials', () => {
  test('narrows a role session: same identity and expiry, only what the scope allows', async () => {
    const session = await roleSession('scoped-worker', ['iam:ListUsers', 'iam:ListRoles', 'iam:GetUser', 'sts:GetScopedCredentials', 'sts:AssumeRole']);
    const out = await stsClient(server.endpoint, session.key).send(new GetScopedCredentialsCommand({ Policy: doc('iam:ListUsers'), ScopedSessionDescription: 'read-only agent' }));
    assert.deepEqual(out.SessionInfo, { ScopedSessionId: session.id, Arn: session.arn });
    assert.equal(out.ScopedPoliciesCount, 1);
    assert.deepEqual(out.Credentials?.Expiration, session.expiration);
    assert.equal(out.SessionTokenSize, out.Credentials?.SessionToken?.length);
    assert.ok(typeof out.SessionTokenUtilization === 'number' && out.SessionTokenUtilization > 0 && out.SessionTokenUtilization <= 100);
    const scoped = keyOf(out.Credentials);
    assert.notEqual(scoped.accessKeyId, session.key.accessKeyId);
    assert.equal((await stsClient(server.endpoint, scoped).send(new GetCallerIdentityCommand({}))).Arn, session.arn);

    await iamClient(server.endpoint, scoped).send(new ListUsersCommand({}));
    await iamClient(server.endpoint, session.key).send(new ListRolesCommand({}));
    const denied = await failure(iamClient(server.endpoint, scoped).send(new ListRolesCommand({})));
    assert.deepEqual([denied.name, denied.status], ['AccessDenied', 403]);
    assert.equal(denied.message, `User: ${session.arn} is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::${TEST_ACCOUNT}:role/ because no session policy allows the iam:ListRoles action`);
    // Nothing outside the scope, STS included: no further narrowing, no role to escape into.
    const again = await failure(stsClient(server.endpoint, scoped).send(new GetScopedCredentialsCommand({ DurationSeconds: 60 })));
    assert.deepEqual([again.name, again.status], ['AccessDenied', 403]);
    const escape = await failure(stsClient(server.endpoint, scoped).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/scoped-worker`, RoleSessionName: 'escape' })));
    assert.deepEqual([escape.name, escape.status], ['AccessDenied', 403]);
  });

  test('DurationSeconds alone shortens the lifetime and keeps the permissions; layers stop at three', async () => {
    const session = await roleSession('layered-worker', ['iam:ListUsers', 'iam:GetUser', 'sts:GetScopedCredentials']);
    const short = await stsClient(server.endpoint, session.key).send(new GetScopedCredentialsCommand({ DurationSeconds: 120 }));
    assert.equal(short.ScopedPoliciesCount, 0);
    const lifetime = (short.Credentials?.Expiration?.getTime() ?? 0) - Date.now();
    assert.ok(lifetime > 100_000 && lifetime <= 121_000, String(lifetime));
    await iamClient(server.endpoint, keyOf(short.Credentials)).send(new ListUsersCommand({}));

    let key = session.key;
    for (let layer = 1; layer <= 3; layer++) {
      const out = await stsClient(server.endpoint, key).send(new GetScopedCredentialsCommand({ Policy: doc(['iam:ListUsers', 'sts:GetScopedCredentials']) }));
      assert.equal(out.ScopedPoliciesCount, layer);
      key = keyOf(out.Credentials);
    }
    const fourth = await failure(stsClient(server.endpoint, key).send(new GetScopedCredentialsCommand({ Policy: doc('iam:ListUsers') })));
    assert.deepEqual([fourth.name, fourth.status], ['AccessDenied', 403]);
    const shorter = await stsClient(server.endpoint, key).send(new GetScopedCredentialsCommand({ DurationSeconds: 60 }));
    assert.equal(shorter.ScopedPoliciesCount, 3);
  });

  test("documented errors: long-term keys, a duration past the session's, a malformed policy, a token too large", async () => {
    const user = await userKey('scoper', doc(['sts:GetScopedCredentials', 'sts:AssumeRole']));
    const longTerm = await failure(stsClient(server.endpoint, user).send(new GetScopedCredentialsCommand({ DurationSeconds: 60 })));
    assert.deepEqual([longTerm.name, longTerm.status], ['InvalidSubjectCredentialsException', 400]);

    const session = await roleSession('erring-worker', ['sts:GetScopedCredentials', 'iam:ListUsers']);
    const sts = stsClient(server.endpoint, session.key);
    const tooLong = await failure(sts.send(new GetScopedCredentialsCommand({ DurationSeconds: 3700 })));
    assert.deepEqual([tooLong.name, tooLong.status], ['InsufficientSessionLifetimeException', 400]);
    const malformed = await failure(sts.send(new GetScopedCredentialsCommand({ Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}' })));
    assert.deepEqual([malformed.name, malformed.status], ['MalformedPolicyDocumentException', 400]);
    const neither = await failure(sts.send(new GetScopedCredentialsCommand({})));
    assert.deepEqual([neither.name, neither.status], ['ValidationError', 400]);
    const outOfRange = await failure(sts.send(new GetScopedCredentialsCommand({ DurationSeconds: 0 })));
    assert.deepEqual([outOfRange.name, outOfRange.status, outOfRange.message], ['ValidationError', 400, "1 validation error detected: Value '0' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 1"]);

    // Each layer travels in the token: three of 2,048 characters, mostly two-byte ones, outgrow the largest token.
    const wide = (n: number): string => {
      const head = doc(['iam:ListUsers', 'sts:GetScopedCredentials'], ['*', `arn:aws:s3:::${n}`]);
      return doc(['iam:ListUsers', 'sts:GetScopedCredentials'], ['*', `arn:aws:s3:::${n}${'é'.repeat(2048 - head.length)}`]);
    };
    let key = session.key;
    for (const n of [1, 2]) key = keyOf((await stsClient(server.endpoint, key).send(new GetScopedCredentialsCommand({ Policy: wide(n) }))).Credentials);
    const tooLarge = await failure(stsClient(server.endpoint, key).send(new GetScopedCredentialsCommand({ Policy: wide(3) })));
    assert.deepEqual([tooLarge.name, tooLarge.status], ['PackedPolicyTooLargeException', 400]);
    assert.match(tooLarge.message, /^The session token would be \d+ bytes, over the maximum allowed size of 16384 bytes\.$/);
  });

  test('a GetSessionToken session (an IAM user) may be scoped down as the documentation suggests', async () => {
    const user = await userKey('session-scoper', doc('sts:GetScopedCredentials'));
    const session = keyOf((await stsClient(server.endpoint, user).send(new GetSessionTokenCommand({}))).Credentials);
    const out = await stsClient(server.endpoint, session).send(new GetScopedCredentialsCommand({ DurationSeconds: 300, Policy: doc('iam:GetUser') }));
    assert.equal(out.SessionInfo?.Arn, `arn:aws:iam::${TEST_ACCOUNT}:user/session-scoper`);
    assert.equal((await stsClient(server.endpoint, keyOf(out.Credentials)).send(new GetCallerIdentityCommand({}))).Arn, out.SessionInfo?.Arn);
  });
});

describe('MinimumSessionTokenSize and the token size members', () => {
  test('AssumeRole, GetSessionToken and GetFederationToken pad to the minimum and report the size; the padded token works', async () => {
    const user = await userKey('padder', doc(['sts:AssumeRole', 'sts:GetFederationToken', 'iam:ListUsers']));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: TEST_ACCOUNT }, Action: 'sts:AssumeRole' }] });
    await root().send(new CreateRoleCommand({ RoleName: 'padded', AssumeRolePolicyDocument: trust }));
    const sts = stsClient(server.endpoint, user);
    const outs = [
      await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/padded`, RoleSessionName: 'padder', MinimumSessionTokenSize: 4096 })),
      await sts.send(new GetSessionTokenCommand({ MinimumSessionTokenSize: 4096 })),
      await sts.send(new GetFederationTokenCommand({ Name: 'padded-fed', Policy: doc('iam:ListUsers'), MinimumSessionTokenSize: 4096 })),
    ];
    for (const out of outs) {
      const token = out.Credentials?.SessionToken ?? '';
      assert.ok(token.length >= 4096, String(token.length));
      assert.equal(out.SessionTokenSize, token.length);
      assert.equal(out.SessionTokenUtilization, Math.ceil((100 * token.length) / 16384));
      await stsClient(server.endpoint, keyOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    }
    const plain = await sts.send(new GetSessionTokenCommand({}));
    assert.ok((plain.Credentials?.SessionToken ?? '').length < 4096);
    assert.equal(plain.SessionTokenSize, plain.Credentials?.SessionToken?.length);
    const over = await failure(sts.send(new GetSessionTokenCommand({ MinimumSessionTokenSize: 4097 })));
    assert.deepEqual([over.name, over.status, over.message], ['ValidationError', 400, "1 validation error detected: Value '4097' at 'minimumSessionTokenSize' failed to satisfy constraint: Member must have value less than or equal to 4096"]);
  });
});

describe('GetWebIdentityToken: SubjectMode and Scope', () => {
  test('sts:SubjectMode is a condition key; OriginIdentity needs context no Gatehouse session has; Scope needs sts:SetWebIdentityTokenScope', async () => {
    await root().send(new EnableOutboundWebIdentityFederationCommand({}));
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'sts:GetWebIdentityToken', Resource: '*' },
        { Effect: 'Deny', Action: 'sts:GetWebIdentityToken', Resource: '*', Condition: { StringEquals: { 'sts:SubjectMode': 'OriginIdentity' } } },
      ],
    });
    const user = stsClient(server.endpoint, await userKey('jwt-user', policy));
    const base = { Audience: ['https://api.example'], SigningAlgorithm: 'RS256' };
    assert.ok((await user.send(new GetWebIdentityTokenCommand({ ...base, SubjectMode: 'AWSIdentity' }))).WebIdentityToken);
    const denied = await failure(user.send(new GetWebIdentityTokenCommand({ ...base, SubjectMode: 'OriginIdentity' })));
    assert.deepEqual([denied.name, denied.status], ['AccessDenied', 403]);
    const noScopePermission = await failure(user.send(new GetWebIdentityTokenCommand({ ...base, Scope: 'read' })));
    assert.deepEqual([noScopePermission.name, noScopePermission.status], ['AccessDenied', 403]);
    assert.match(noScopePermission.message, /sts:SetWebIdentityTokenScope/);

    const open = stsClient(server.endpoint, await userKey('jwt-open', doc(['sts:GetWebIdentityToken', 'sts:SetWebIdentityTokenScope'])));
    const origin = await failure(open.send(new GetWebIdentityTokenCommand({ ...base, SubjectMode: 'OriginIdentity' })));
    assert.deepEqual([origin.name, origin.status], ['ValidationError', 400]);
    const scopeWithoutOrigin = await failure(open.send(new GetWebIdentityTokenCommand({ ...base, Scope: 'read' })));
    assert.deepEqual([scopeWithoutOrigin.name, scopeWithoutOrigin.status, scopeWithoutOrigin.message], ['ValidationError', 400, 'Scope can be specified only with SubjectMode OriginIdentity and exactly one Audience.']);
    const bogus = await failure(open.send(new GetWebIdentityTokenCommand({ ...base, SubjectMode: 'Bogus' as 'AWSIdentity' })));
    assert.deepEqual([bogus.name, bogus.status, bogus.message], ['ValidationError', 400, "1 validation error detected: Value 'Bogus' at 'subjectMode' failed to satisfy constraint: Member must satisfy enum value set: [AWSIdentity, OriginIdentity]"]);

    // A role session may ask for a token too.
    const session = await roleSession('jwt-role', ['sts:GetWebIdentityToken']);
    assert.ok((await stsClient(server.endpoint, session.key).send(new GetWebIdentityTokenCommand(base))).WebIdentityToken);
  });
});

describe('IAM temporary delegation end to end: SendDelegationToken to the outbox, GetDelegatedAccessToken', () => {
  const partnerPolicy = doc(['iam:CreateDelegationRequest', 'iam:GetDelegationRequest', 'sts:GetDelegatedAccessToken']);

  async function delegate(customer: IAMClient, partner: IAMClient, permissions: { PolicyTemplateArn: string; Parameters?: Array<{ Name: string; Values: string[]; Type: 'string' | 'stringList' }> }, sessionDuration = 900): Promise<string> {
    const id = (await partner.send(new CreateDelegationRequestCommand({
      Description: 'Set up the directory integration',
      Permissions: permissions,
      RequestorWorkflowId: `workflow-${Math.random().toString(36).slice(2)}`,
      NotificationChannel: `arn:aws:sns:us-east-1:${TEST_ACCOUNT}:partner-delegation`,
      SessionDuration: sessionDuration,
    }))).DelegationRequestId ?? '';
    await customer.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id }));
    await customer.send(new AcceptDelegationRequestCommand({ DelegationRequestId: id }));
    return id;
  }

  /** The outbox file SendDelegationToken wrote for the request: mode 0600, the token and the period's end. */
  function pickUp(id: string): { TradeInToken: string; Expiration: string; DelegationRequestId: string; OwnerAccountId: string } {
    const file = join(OUTBOX, `${id}.json`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(OUTBOX).mode & 0o777, 0o700);
    return JSON.parse(readFileSync(file, 'utf8')) as { TradeInToken: string; Expiration: string; DelegationRequestId: string; OwnerAccountId: string };
  }

  test('the partner gets credentials acting as the accepting user, limited to the rendered template', async () => {
    const alice = await userKey('alice-customer', doc(['iam:*']));
    const customer = iamClient(server.endpoint, alice);
    const partnerKey = await userKey('partner-integration', partnerPolicy);
    const id = await delegate(customer, iamClient(server.endpoint, partnerKey), { PolicyTemplateArn: TEMPLATE_ARN, Parameters: [{ Name: 'userPath', Values: ['alice'], Type: 'string' }] });
    await customer.send(new SendDelegationTokenCommand({ DelegationRequestId: id }));
    assert.equal((await customer.send(new GetDelegationRequestCommand({ DelegationRequestId: id }))).DelegationRequest?.State, 'FINALIZED');
    const delivery = pickUp(id);
    assert.deepEqual([delivery.DelegationRequestId, delivery.OwnerAccountId], [id, TEST_ACCOUNT]);

    const out = await stsClient(server.endpoint, partnerKey).send(new GetDelegatedAccessTokenCommand({ TradeInToken: delivery.TradeInToken }));
    assert.equal(out.AssumedPrincipal, `arn:aws:iam::${TEST_ACCOUNT}:user/alice-customer`);
    assert.equal(out.PackedPolicySize, undefined);
    assert.deepEqual(out.Credentials?.Expiration, new Date(delivery.Expiration));
    const delegated = keyOf(out.Credentials);
    assert.equal((await stsClient(server.endpoint, delegated).send(new GetCallerIdentityCommand({}))).Arn, out.AssumedPrincipal);

    const asPartner = iamClient(server.endpoint, delegated);
    assert.equal((await asPartner.send(new GetUserCommand({ UserName: 'alice-customer' }))).User?.UserName, 'alice-customer');
    const otherUser = await failure(asPartner.send(new GetUserCommand({ UserName: 'partner-integration' })));
    assert.deepEqual([otherUser.name, otherUser.status], ['AccessDenied', 403]);
    const create = await failure(asPartner.send(new CreateUserCommand({ UserName: 'backdoor' })));
    assert.deepEqual([create.name, create.status], ['AccessDenied', 403]);
    assert.equal(create.message, `User: arn:aws:iam::${TEST_ACCOUNT}:user/alice-customer is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${TEST_ACCOUNT}:user/backdoor because no session policy allows the iam:CreateUser action`);
    // What AWS grants users without a policy (AllowUsersToChangePassword) stays outside the delegation.
    await root().send(new UpdateAccountPasswordPolicyCommand({ AllowUsersToChangePassword: true }));
    await customer.send(new GetAccountPasswordPolicyCommand({}));
    const passwordPolicy = await failure(asPartner.send(new GetAccountPasswordPolicyCommand({})));
    assert.deepEqual([passwordPolicy.name, passwordPolicy.status], ['AccessDenied', 403]);
    // Nor can the delegated session get itself other credentials beyond the template.
    const scoped = await failure(stsClient(server.endpoint, delegated).send(new GetScopedCredentialsCommand({ DurationSeconds: 60 })));
    assert.deepEqual([scoped.name, scoped.status], ['AccessDenied', 403]);
  });

  test('documented and Gatehouse refusals: unknown template, wrong token, wrong account, no permission, expired, too large', async () => {
    const bob = await userKey('bob-customer', doc(['iam:*', 's3:*']));
    const customer = iamClient(server.endpoint, bob);
    const partnerKey = await userKey('partner-two', partnerPolicy);
    const partner = iamClient(server.endpoint, partnerKey);
    const partnerSts = stsClient(server.endpoint, partnerKey);

    const unknown = await delegate(customer, partner, { PolicyTemplateArn: 'arn:aws:iam::aws:policy-template/NotRegistered' });
    const notSent = await failure(customer.send(new SendDelegationTokenCommand({ DelegationRequestId: unknown })));
    assert.deepEqual([notSent.name, notSent.status], ['InvalidInputException', 400]);
    assert.match(notSent.message, /is not registered with Gatehouse/);
    assert.equal((await customer.send(new GetDelegationRequestCommand({ DelegationRequestId: unknown }))).DelegationRequest?.State, 'ACCEPTED');

    const id = await delegate(customer, partner, { PolicyTemplateArn: TEMPLATE_ARN, Parameters: [{ Name: 'userPath', Values: ['bob'], Type: 'string' }] }, 300);
    await customer.send(new SendDelegationTokenCommand({ DelegationRequestId: id }));
    const { TradeInToken } = pickUp(id);
    const forged = await failure(partnerSts.send(new GetDelegatedAccessTokenCommand({ TradeInToken: `${TradeInToken.slice(0, -2)}xx` })));
    assert.deepEqual([forged.name, forged.status, forged.message], ['AccessDenied', 403, 'The trade-in token is not valid.']);
    const noPermission = await failure(stsClient(server.endpoint, await userKey('not-a-partner', doc('iam:ListUsers'))).send(new GetDelegatedAccessTokenCommand({ TradeInToken })));
    assert.deepEqual([noPermission.name, noPermission.status], ['AccessDenied', 403]);
    assert.match(noPermission.message, /sts:GetDelegatedAccessToken/);

    const many = Array.from({ length: 80 }, (_, i) => `partner-data-bucket-${i}`);
    const huge = await delegate(customer, partner, { PolicyTemplateArn: HUGE_TEMPLATE_ARN, Parameters: [{ Name: 'buckets', Values: many, Type: 'stringList' }] });
    await customer.send(new SendDelegationTokenCommand({ DelegationRequestId: huge }));
    const tooLarge = await failure(partnerSts.send(new GetDelegatedAccessTokenCommand({ TradeInToken: pickUp(huge).TradeInToken })));
    assert.deepEqual([tooLarge.name, tooLarge.status], ['PackedPolicyTooLargeException', 400]);

    await partnerSts.send(new GetDelegatedAccessTokenCommand({ TradeInToken }));
    skewMs = 301_000;
    try {
      const expired = await failure(partnerSts.send(new GetDelegatedAccessTokenCommand({ TradeInToken })));
      assert.deepEqual([expired.name, expired.status, expired.message], ['ExpiredTradeInTokenException', 400, 'The trade-in token has expired and can no longer be exchanged for credentials.']);
    } finally {
      skewMs = 0;
    }
  });
});

describe("boto3 (Debian's botocore 1.29, the repository's models through AWS_DATA_PATH)", () => {
  test('scoped credentials and the delegation flow', async () => {
    // botocore predates these operations: a data path laid out as botocore's own carries the repository's models.
    const data = join(scratch, 'botocore-data');
    for (const [service, version] of [['sts', '2011-06-15'], ['iam', '2010-05-08']] as const) {
      mkdirSync(join(data, service, version), { recursive: true });
      copyFileSync(new URL(`../src/protocol/models/${service}.json`, import.meta.url), join(data, service, version, 'service-2.json'));
    }
    const seen = await runBoto3Script<{
      scoped: { arn: string; sessionArn: string; count: number; tokenSize: number; tokenLength: number };
      outsideScope: { code: string; status: number } | null;
      longTerm: { code: string; status: number } | null;
      tooLong: { code: string; status: number } | null;
      delegated: { assumedPrincipal: string; identity: string; ownUser: string; otherUser: unknown; createUser: unknown; secondsLeft: number };
      forged: { code: string; status: number } | null;
    }>('boto3_scoped_and_delegated.py', server.endpoint, {
      AWS_DATA_PATH: data,
      GATEHOUSE_ACCOUNT: TEST_ACCOUNT,
      GATEHOUSE_OUTBOX: OUTBOX,
      GATEHOUSE_TEMPLATE_ARN: TEMPLATE_ARN,
    });
    assert.equal(seen.scoped.arn, seen.scoped.sessionArn);
    assert.equal(seen.scoped.count, 1);
    assert.equal(seen.scoped.tokenSize, seen.scoped.tokenLength);
    assert.ok(seen.scoped.tokenLength >= 4000);
    assert.deepEqual(seen.outsideScope, { code: 'AccessDenied', status: 403 });
    assert.deepEqual(seen.longTerm, { code: 'InvalidSubjectCredentials', status: 400 });
    assert.deepEqual(seen.tooLong, { code: 'InsufficientSessionLifetime', status: 400 });
    assert.equal(seen.delegated.assumedPrincipal, `arn:aws:iam::${TEST_ACCOUNT}:root`);
    assert.equal(seen.delegated.identity, `arn:aws:iam::${TEST_ACCOUNT}:root`);
    assert.equal(seen.delegated.ownUser, 'py-partner');
    assert.deepEqual(seen.delegated.otherUser, { code: 'AccessDenied', status: 403 });
    assert.deepEqual(seen.delegated.createUser, { code: 'AccessDenied', status: 403 });
    assert.ok(seen.delegated.secondsLeft > 800 && seen.delegated.secondsLeft <= 900, String(seen.delegated.secondsLeft));
    assert.deepEqual(seen.forged, { code: 'AccessDenied', status: 403 });
  });
});
