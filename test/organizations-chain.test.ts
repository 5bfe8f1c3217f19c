// A cross-account role chain A → B → C across three accounts of one organization, each hop guarded by the role's
// trust policy with sts:ExternalId and by the caller's own identity policies, as across AWS accounts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateRoleCommand, CreateUserCommand, ListRolesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateOrganizationCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, iamClient, keyOf, organizationsClient, stsClient, type Key } from './helpers/clients.js';
import { accessRoleSession, ALLOW_ALL, createMember, policyDoc, userWith } from './helpers/organizations.js';
import { ROOT_KEY, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

describe('a cross-account role chain A → B → C with ExternalId', () => {
  const server = useTestServer();
  let b = '';
  let c = '';
  let alice: Key;
  const hopArn = (): string => `arn:aws:iam::${b}:role/hop`;
  const targetArn = (): string => `arn:aws:iam::${c}:role/target`;

  test('setup: alice in A may assume B’s hop; hop may assume C’s target; each trust policy asks for its ExternalId', async () => {
    const org = organizationsClient(server.endpoint);
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    b = await createMember(org, 'account-b');
    c = await createMember(org, 'account-c');
    const admin = await userWith(server.endpoint, 'admin', [ALLOW_ALL]);
    alice = await userWith(server.endpoint, 'alice', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${b}:role/hop` }]);
    const inB = iamClient(server.endpoint, await accessRoleSession(server.endpoint, admin, b));
    await inB.send(new CreateRoleCommand({
      RoleName: 'hop',
      AssumeRolePolicyDocument: policyDoc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'ext-b' } } }),
    }));
    await inB.send(new PutRolePolicyCommand({ RoleName: 'hop', PolicyName: 'onward', PolicyDocument: policyDoc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: targetArn() }) }));
    const inC = iamClient(server.endpoint, await accessRoleSession(server.endpoint, admin, c));
    await inC.send(new CreateRoleCommand({
      RoleName: 'target',
      AssumeRolePolicyDocument: policyDoc({ Effect: 'Allow', Principal: { AWS: hopArn() }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'ext-c' } } }),
    }));
    await inC.send(new PutRolePolicyCommand({ RoleName: 'target', PolicyName: 'read', PolicyDocument: policyDoc({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }) }));
  });

  test('the chain works end to end with the right ExternalIds, and the last session acts in C with C’s role’s rights', async () => {
    const inB = keyOf((await stsClient(server.endpoint, alice).send(new AssumeRoleCommand({ RoleArn: hopArn(), RoleSessionName: 'alice', ExternalId: 'ext-b' }))).Credentials);
    assert.equal((await stsClient(server.endpoint, inB).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${b}:assumed-role/hop/alice`);
    const inC = keyOf((await stsClient(server.endpoint, inB).send(new AssumeRoleCommand({ RoleArn: targetArn(), RoleSessionName: 'alice', ExternalId: 'ext-c' }))).Credentials);
    const who = await stsClient(server.endpoint, inC).send(new GetCallerIdentityCommand({}));
    assert.deepEqual([who.Account, who.Arn], [c, `arn:aws:sts::${c}:assumed-role/target/alice`]);
    const roles = await iamClient(server.endpoint, inC).send(new ListRolesCommand({}));
    assert.deepEqual(roles.Roles?.map((r) => r.RoleName).sort(), ['OrganizationAccountAccessRole', 'target']);
    const denied = await failure(iamClient(server.endpoint, inC).send(new CreateUserCommand({ UserName: 'x' })));
    assert.deepEqual(denied, {
      name: 'AccessDenied',
      message: `User: arn:aws:sts::${c}:assumed-role/target/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${c}:user/x because no identity-based policy allows the iam:CreateUser action`,
      status: 403,
    });
  });

  test('a wrong or missing ExternalId at either hop is refused without a reason, as STS words it', async () => {
    const refusedAt = async (caller: Key, arn: string, externalId: string | undefined): Promise<unknown> =>
      failure(stsClient(server.endpoint, caller).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'probe', ...(externalId !== undefined ? { ExternalId: externalId } : {}) })));
    const aliceArn = `arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice`;
    for (const externalId of ['ext-c', 'EXT-B', undefined]) {
      assert.deepEqual(await refusedAt(alice, hopArn(), externalId), { name: 'AccessDenied', message: `User: ${aliceArn} is not authorized to perform: sts:AssumeRole on resource: ${hopArn()}`, status: 403 });
    }
    const inB = keyOf((await stsClient(server.endpoint, alice).send(new AssumeRoleCommand({ RoleArn: hopArn(), RoleSessionName: 'alice', ExternalId: 'ext-b' }))).Credentials);
    for (const externalId of ['ext-b', undefined]) {
      assert.deepEqual(await refusedAt(inB, targetArn(), externalId), {
        name: 'AccessDenied',
        message: `User: arn:aws:sts::${b}:assumed-role/hop/alice is not authorized to perform: sts:AssumeRole on resource: ${targetArn()}`,
        status: 403,
      });
    }
  });

  test('no hop can be skipped: alice cannot go to C directly, even with C’s ExternalId and an identity policy that would allow it', async () => {
    const broad = await userWith(server.endpoint, 'broad', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]);
    const direct = await failure(stsClient(server.endpoint, broad).send(new AssumeRoleCommand({ RoleArn: targetArn(), RoleSessionName: 'skip', ExternalId: 'ext-c' })));
    assert.deepEqual(direct, { name: 'AccessDenied', message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/broad is not authorized to perform: sts:AssumeRole on resource: ${targetArn()}`, status: 403 });
    // The account root of A cannot either: C's trust policy names B's role, not A.
    const asRoot = await failure(stsClient(server.endpoint, ROOT_KEY).send(new AssumeRoleCommand({ RoleArn: targetArn(), RoleSessionName: 'skip', ExternalId: 'ext-c' })));
    assert.equal(asRoot.name, 'AccessDenied');
  });

  test('a chained hop is held to an hour, as AWS holds role chaining', async () => {
    const inB = keyOf((await stsClient(server.endpoint, alice).send(new AssumeRoleCommand({ RoleArn: hopArn(), RoleSessionName: 'alice', ExternalId: 'ext-b' }))).Credentials);
    assert.deepEqual(await failure(stsClient(server.endpoint, inB).send(new AssumeRoleCommand({ RoleArn: targetArn(), RoleSessionName: 'long', ExternalId: 'ext-c', DurationSeconds: 7200 }))), {
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      status: 400,
    });
  });

  test('boto3 walks the same chain, refused with a wrong or missing ExternalId', async () => {
    const seen = await runBoto3Script<Record<string, unknown>>('boto3_role_chain.py', server.endpoint, {
      AWS_ACCESS_KEY_ID: alice.accessKeyId,
      AWS_SECRET_ACCESS_KEY: alice.secretAccessKey,
      HOP_ROLE_ARN: hopArn(),
      TARGET_ROLE_ARN: targetArn(),
    });
    assert.deepEqual(seen, {
      a: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice`,
      a_wrong_external_id: { code: 'AccessDenied', message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice is not authorized to perform: sts:AssumeRole on resource: ${hopArn()}` },
      b: `arn:aws:sts::${b}:assumed-role/hop/py-b`,
      b_without_external_id: { code: 'AccessDenied', message: `User: arn:aws:sts::${b}:assumed-role/hop/py-b is not authorized to perform: sts:AssumeRole on resource: ${targetArn()}` },
      c: `arn:aws:sts::${c}:assumed-role/target/py-c`,
      c_roles: ['OrganizationAccountAccessRole', 'target'],
    });
  });
});
