// AssumeRole, role chaining, session policies, tags, source identity and revocation, through the AWS SDK for
// JavaScript v3 against a real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateAccessKeyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, ListRolesCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const doc = (statement: object | object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });

let alice: Key;
const roleA = `arn:aws:iam::${A}:role/team/role-a`;
const roleB = `arn:aws:iam::${A}:role/role-b`;

const server = useTestServer({}, {}, async () => {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: 'alice' }));
  await root.send(new PutUserPolicyCommand({
    UserName: 'alice',
    PolicyName: 'assume',
    PolicyDocument: doc({ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Resource: '*' }),
  }));
  const key = await root.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
  alice = { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
  // Role A trusts the account (so alice's identity policy must allow too); it may tag sessions and set source identity.
  await root.send(new CreateRoleCommand({
    RoleName: 'role-a',
    Path: '/team/',
    MaxSessionDuration: 7200,
    AssumeRolePolicyDocument: doc([
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] },
    ]),
  }));
  await root.send(new PutRolePolicyCommand({
    RoleName: 'role-a',
    PolicyName: 'work',
    PolicyDocument: doc([
      { Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListRoles'], Resource: '*' },
      { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Resource: roleB },
    ]),
  }));
  // Role B trusts role A by name (its sessions), and allows 12 hours, which chaining must still cap at one.
  await root.send(new CreateRoleCommand({
    RoleName: 'role-b',
    MaxSessionDuration: 43200,
    AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: roleA }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }),
  }));
  await root.send(new PutRolePolicyCommand({ RoleName: 'role-b', PolicyName: 'read', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }) }));
});

async function assume(key: Key, input: ConstructorParameters<typeof AssumeRoleCommand>[0]) {
  return stsClient(server.endpoint, key).send(new AssumeRoleCommand(input));
}

describe('AssumeRole', () => {
  test('user → role A: AWS forms of the IDs and ARNs; the credentials sign IAM calls as the session', async () => {
    const before = Date.now();
    const out = await assume(alice, { RoleArn: roleA, RoleSessionName: 'alice-a' });
    assert.match(out.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z2-7]{17}:alice-a$/);
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/role-a/alice-a`);
    assert.match(out.Credentials?.AccessKeyId ?? '', /^ASIA[A-Z2-7]{16}$/);
    assert.equal(out.Credentials?.SecretAccessKey?.length, 40);
    const expiresIn = (out.Credentials?.Expiration?.getTime() ?? 0) - before;
    assert.ok(expiresIn > 3590_000 && expiresIn <= 3601_000, `default one hour, got ${expiresIn} ms`);
    assert.equal(out.PackedPolicySize, undefined);
    const session = keyOf(out.Credentials);
    const who = await stsClient(server.endpoint, session).send(new GetCallerIdentityCommand({}));
    assert.deepEqual({ UserId: who.UserId, Account: who.Account, Arn: who.Arn }, { UserId: out.AssumedRoleUser?.AssumedRoleId, Account: A, Arn: out.AssumedRoleUser?.Arn });
    const role = await iamClient(server.endpoint, session).send(new GetRoleCommand({ RoleName: 'role-b' }));
    assert.equal(role.Role?.Arn, roleB);
  });

  test('role chaining: user → A → B; the second hop is capped at one hour with AWS text', async () => {
    const a = keyOf((await assume(alice, { RoleArn: roleA, RoleSessionName: 'hop1', DurationSeconds: 7200 })).Credentials);
    const tooLong = await failure(assume(a, { RoleArn: roleB, RoleSessionName: 'hop2', DurationSeconds: 7200 }));
    assert.deepEqual(tooLong, { name: 'ValidationError', message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.', status: 400 });
    const b = await assume(a, { RoleArn: roleB, RoleSessionName: 'hop2', DurationSeconds: 3600 });
    assert.equal(b.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/role-b/hop2`);
    const bKey = keyOf(b.Credentials);
    assert.equal((await iamClient(server.endpoint, bKey).send(new GetRoleCommand({ RoleName: 'role-a' }))).Role?.Arn, roleA);
    // Role B's policy has no iam:ListRoles: the role's own permissions bind the chained session.
    const denied = await failure(iamClient(server.endpoint, bKey).send(new ListRolesCommand({})));
    assert.equal(denied.name, 'AccessDenied');
    assert.match(denied.message, /^User: arn:aws:sts::111122223333:assumed-role\/role-b\/hop2 is not authorized to perform: iam:ListRoles on resource: .* because no identity-based policy allows the iam:ListRoles action$/);
  });

  test('DurationSeconds above the role maximum: AWS ValidationError', async () => {
    const out = await failure(assume(alice, { RoleArn: roleA, RoleSessionName: 'ss', DurationSeconds: 7201 }));
    assert.deepEqual(out, { name: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', status: 400 });
  });

  test('session policy (Policy): allowed by the role but not by the session policy → AccessDenied naming it', async () => {
    const out = await assume(alice, {
      RoleArn: roleA,
      RoleSessionName: 'narrow',
      Policy: doc({ Effect: 'Allow', Action: ['iam:GetRole', 'sts:AssumeRole'], Resource: '*' }),
    });
    assert.ok((out.PackedPolicySize ?? 0) > 0);
    const session = iamClient(server.endpoint, keyOf(out.Credentials));
    await session.send(new GetRoleCommand({ RoleName: 'role-a' }));
    const denied = await failure(session.send(new ListRolesCommand({})));
    assert.equal(denied.name, 'AccessDenied');
    assert.equal(denied.status, 403);
    assert.match(denied.message, / because no session policy allows the iam:ListRoles action$/);
    // Each hop of a chain is bound by its own session policy.
    const hop = await assume(keyOf(out.Credentials), { RoleArn: roleB, RoleSessionName: 'hop', Policy: doc({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }) });
    const b = iamClient(server.endpoint, keyOf(hop.Credentials));
    assert.match((await failure(b.send(new GetRoleCommand({ RoleName: 'role-a' })))).message, /because no session policy allows the iam:GetRole action$/);
  });

  test('managed session policies (PolicyArns) join the inline one: an Allow in either counts', async () => {
    const root = iamClient(server.endpoint);
    const created = await root.send(new CreatePolicyCommand({ PolicyName: 'list-roles', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }) }));
    const out = await assume(alice, {
      RoleArn: roleA,
      RoleSessionName: 'both',
      Policy: doc({ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }),
      PolicyArns: [{ arn: created.Policy?.Arn }],
    });
    const session = iamClient(server.endpoint, keyOf(out.Credentials));
    await session.send(new GetRoleCommand({ RoleName: 'role-a' }));
    await session.send(new ListRolesCommand({}));
    const onlyManaged = await assume(alice, { RoleArn: roleA, RoleSessionName: 'managed', PolicyArns: [{ arn: created.Policy?.Arn }] });
    const managed = iamClient(server.endpoint, keyOf(onlyManaged.Credentials));
    await managed.send(new ListRolesCommand({}));
    assert.match((await failure(managed.send(new GetRoleCommand({ RoleName: 'role-a' })))).message, /no session policy allows/);
  });

  test('a Policy over 2,048 characters: PackedPolicyTooLarge', async () => {
    const big = doc(Array.from({ length: 40 }, (_, i) => ({ Effect: 'Allow', Action: 'iam:GetRole', Resource: `arn:aws:iam::${A}:role/some-rather-long-role-name-${i}` })));
    const out = await failure(assume(alice, { RoleArn: roleA, RoleSessionName: 'big', Policy: big }));
    assert.equal(out.name, 'PackedPolicyTooLargeException');
    assert.equal(out.status, 400);
    assert.match(out.message, /^Packed size of session policies consumes \d+% of allotted space\.$/);
  });

  test('a malformed Policy: MalformedPolicyDocument', async () => {
    const out = await failure(assume(alice, { RoleArn: roleA, RoleSessionName: 'bad', Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' }));
    assert.equal(out.name, 'MalformedPolicyDocumentException');
  });

  const denials: ReadonlyArray<[string, () => Promise<unknown>, string]> = [
    ['a role that does not exist', () => assume(alice, { RoleArn: `arn:aws:iam::${A}:role/nope`, RoleSessionName: 'ss' }), `arn:aws:iam::${A}:role/nope`],
    ['the right name under the wrong path', () => assume(alice, { RoleArn: `arn:aws:iam::${A}:role/role-a`, RoleSessionName: 'ss' }), `arn:aws:iam::${A}:role/role-a`],
    ['a trust policy that does not name the caller', () => assume(alice, { RoleArn: roleB, RoleSessionName: 'ss' }), roleB],
  ];
  for (const [name, call, arn] of denials) {
    test(`AccessDenied with AWS text: ${name}`, async () => {
      assert.deepEqual(await failure(call()), {
        name: 'AccessDenied',
        message: `User: arn:aws:iam::${A}:user/alice is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
        status: 403,
      });
    });
  }

  test('an invalid RoleArn: ValidationError', async () => {
    assert.deepEqual(await failure(assume(alice, { RoleArn: 'arn:aws:iam::role/not-an-arn', RoleSessionName: 'ss' })), { name: 'ValidationError', message: 'Request ARN is invalid', status: 400 });
  });

  test('the root user cannot assume roles', async () => {
    assert.deepEqual(await failure(stsClient(server.endpoint).send(new AssumeRoleCommand({ RoleArn: roleA, RoleSessionName: 'ss' }))), {
      name: 'AccessDenied',
      message: 'Roles may not be assumed by root accounts.',
      status: 403,
    });
  });

  test('a trust policy that names the account still needs the identity policy', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'nobody' }));
    const key = await root.send(new CreateAccessKeyCommand({ UserName: 'nobody' }));
    const nobody = { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
    const out = await failure(assume(nobody, { RoleArn: roleA, RoleSessionName: 'ss' }));
    assert.equal(out.name, 'AccessDenied');
    assert.match(out.message, /^User: arn:aws:iam::111122223333:user\/nobody is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role\/team\/role-a/);
  });

  test('ExternalId and MFA conditions in the trust policy; a SerialNumber that is not the caller\'s device is AccessDenied', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateRoleCommand({
      RoleName: 'vendor',
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/alice` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'abc-123' } } }),
    }));
    const vendor = `arn:aws:iam::${A}:role/vendor`;
    assert.equal((await failure(assume(alice, { RoleArn: vendor, RoleSessionName: 'ss' }))).name, 'AccessDenied');
    assert.equal((await failure(assume(alice, { RoleArn: vendor, RoleSessionName: 'ss', ExternalId: 'wrong' }))).name, 'AccessDenied');
    // The trust policy names alice herself: that grants without any identity policy.
    assert.ok((await assume(alice, { RoleArn: vendor, RoleSessionName: 'ss', ExternalId: 'abc-123' })).Credentials);

    await root.send(new CreateRoleCommand({
      RoleName: 'mfa-only',
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/alice` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
    }));
    const mfaOnly = `arn:aws:iam::${A}:role/mfa-only`;
    assert.deepEqual(await failure(assume(alice, { RoleArn: mfaOnly, RoleSessionName: 'ss' })), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${A}:user/alice is not authorized to perform: sts:AssumeRole on resource: ${mfaOnly}`,
      status: 403,
    });
    const mfa = await failure(assume(alice, { RoleArn: mfaOnly, RoleSessionName: 'ss', SerialNumber: `arn:aws:iam::${A}:mfa/alice`, TokenCode: '123456' }));
    // Alice has no such device (test/iam-mfa.test.ts covers real devices and codes).
    assert.deepEqual(mfa, {
      name: 'AccessDenied',
      message: 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
      status: 403,
    });
  });

  test('session tags: sts:TagSession is required; tags become aws:PrincipalTag; transitive ones pass down the chain', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateRoleCommand({
      RoleName: 'no-tags',
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/alice` }, Action: 'sts:AssumeRole' }),
    }));
    const noTags = `arn:aws:iam::${A}:role/no-tags`;
    assert.deepEqual(await failure(assume(alice, { RoleArn: noTags, RoleSessionName: 'ss', Tags: [{ Key: 'team', Value: 'blue' }] })), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${A}:user/alice is not authorized to perform: sts:TagSession on resource: ${noTags}`,
      status: 403,
    });
    // Role B lets a session read roles only while it carries team=blue.
    await root.send(new PutRolePolicyCommand({
      RoleName: 'role-b',
      PolicyName: 'abac',
      PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }),
    }));
    const a = keyOf((await assume(alice, { RoleArn: roleA, RoleSessionName: 'tagged', Tags: [{ Key: 'team', Value: 'blue' }, { Key: 'desk', Value: '7' }], TransitiveTagKeys: ['team'] })).Credentials);
    const b = keyOf((await assume(a, { RoleArn: roleB, RoleSessionName: 'inherits' })).Credentials);
    await iamClient(server.endpoint, b).send(new ListRolesCommand({}));
    const untagged = keyOf((await assume(keyOf((await assume(alice, { RoleArn: roleA, RoleSessionName: 'plain' })).Credentials), { RoleArn: roleB, RoleSessionName: 'plain' })).Credentials);
    assert.equal((await failure(iamClient(server.endpoint, untagged).send(new ListRolesCommand({})))).name, 'AccessDenied');
  });

  test('source identity: needs sts:SetSourceIdentity, is returned, sticks through chaining and cannot change', async () => {
    const noTags = `arn:aws:iam::${A}:role/no-tags`;
    assert.match((await failure(assume(alice, { RoleArn: noTags, RoleSessionName: 'ss', SourceIdentity: 'alice-src' }))).message, /sts:SetSourceIdentity on resource/);
    const a = await assume(alice, { RoleArn: roleA, RoleSessionName: 'src', SourceIdentity: 'alice-src' });
    assert.equal(a.SourceIdentity, 'alice-src');
    const b = await assume(keyOf(a.Credentials), { RoleArn: roleB, RoleSessionName: 'src2' });
    assert.equal(b.SourceIdentity, 'alice-src');
    const changed = await failure(assume(keyOf(a.Credentials), { RoleArn: roleB, RoleSessionName: 'src3', SourceIdentity: 'mallory' }));
    assert.equal(changed.status, 400);
  });

  test('provided contexts: sts:SetContext is required as well (Service Authorization Reference)', async () => {
    const noTags = `arn:aws:iam::${A}:role/no-tags`;
    const contexts = [{ ProviderArn: 'arn:aws:iam::aws:contextProvider/IdentityCenter', ContextAssertion: 'x'.repeat(8) }];
    assert.match((await failure(assume(alice, { RoleArn: noTags, RoleSessionName: 'ctx', ProvidedContexts: contexts }))).message, /sts:SetContext on resource/);
    await assume(alice, { RoleArn: noTags, RoleSessionName: 'ctx' });
  });

  test('revocation: a Deny on aws:TokenIssueTime stops older sessions at once, newer ones still work', async () => {
    const old = iamClient(server.endpoint, keyOf((await assume(alice, { RoleArn: roleA, RoleSessionName: 'old' })).Credentials));
    await old.send(new GetRoleCommand({ RoleName: 'role-a' }));
    // Token issue times are whole seconds: wait for the next second so "older than now" cuts exactly.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const cutoff = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await iamClient(server.endpoint).send(new PutRolePolicyCommand({
      RoleName: 'role-a',
      PolicyName: 'AWSRevokeOlderSessions',
      PolicyDocument: doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } } }),
    }));
    const denied = await failure(old.send(new GetRoleCommand({ RoleName: 'role-a' })));
    assert.equal(denied.name, 'AccessDenied');
    assert.match(denied.message, /with an explicit deny in an identity-based policy$/);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = iamClient(server.endpoint, keyOf((await assume(alice, { RoleArn: roleA, RoleSessionName: 'new' })).Credentials));
    await fresh.send(new GetRoleCommand({ RoleName: 'role-a' }));
  });
});
