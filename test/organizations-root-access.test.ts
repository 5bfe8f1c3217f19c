// Centralized root access end to end: trusted access for IAM, IAM's organization features, STS AssumeRoot from the
// management account and from the delegated administrator for IAM into a member account, the session acting as the
// member's root user within the task policy only, and AWS's refusals.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteLoginProfileCommand,
  DisableOrganizationsRootSessionsCommand,
  EnableOrganizationsRootCredentialsManagementCommand,
  EnableOrganizationsRootSessionsCommand,
  GetAccountSummaryCommand,
  GetLoginProfileCommand,
  ListAccessKeysCommand,
  ListOrganizationsFeaturesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import {
  CreateOrganizationCommand,
  DeregisterDelegatedAdministratorCommand,
  EnableAWSServiceAccessCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListDelegatedServicesForAccountCommand,
  RegisterDelegatedAdministratorCommand,
  RemoveAccountFromOrganizationCommand,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, AssumeRootCommand, GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { repositoryModelDataPath, type ModelDataPath } from './helpers/aws-data-path.js';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, iamClient, keyOf, organizationsClient, stsClient, type Key } from './helpers/clients.js';
import { accessRoleSession, ALLOW_ALL, createMember, userWith } from './helpers/organizations.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const AUDIT = 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials';
const DELETE = 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials';

describe('centralized root access and AssumeRoot', () => {
  const server = useTestServer();
  let orgId = '';
  let member = '';
  let delegate = '';
  let admin: Key;
  const assumeRoot = (caller: Key, target: string, arn = AUDIT, DurationSeconds?: number) =>
    stsClient(server.endpoint, caller).send(new AssumeRootCommand({ TargetPrincipal: target, TaskPolicyArn: { arn }, ...(DurationSeconds !== undefined ? { DurationSeconds } : {}) }));

  test('setup: an organization with two member accounts and an administrator in the management account', async () => {
    const org = organizationsClient(server.endpoint);
    orgId = (await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization?.Id ?? '';
    member = await createMember(org, 'workload');
    delegate = await createMember(org, 'security');
    admin = await userWith(server.endpoint, 'admin', [ALLOW_ALL]);
  });

  test('without trusted access for IAM the features are refused; a member account is not the management account', async () => {
    assert.deepEqual(await failure(iamClient(server.endpoint, admin).send(new ListOrganizationsFeaturesCommand({}))), {
      name: 'ServiceAccessNotEnabledException',
      message: 'The request was rejected because trusted access is not enabled for IAM in AWS Organizations. For details, see IAM and AWS Organizations in the AWS Organizations User Guide.',
      status: 400,
    });
    const inMember = await accessRoleSession(server.endpoint, admin, member);
    assert.deepEqual(await failure(iamClient(server.endpoint, inMember).send(new EnableOrganizationsRootSessionsCommand({}))), {
      name: 'AccountNotManagementOrDelegatedAdministratorException',
      message: 'The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.',
      status: 400,
    });
  });

  test('trusted access, then both features enabled; AssumeRoot waits for RootSessions', async () => {
    const org = organizationsClient(server.endpoint, admin);
    await org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'iam.amazonaws.com' }));
    const access = await org.send(new ListAWSServiceAccessForOrganizationCommand({}));
    assert.deepEqual(access.EnabledServicePrincipals?.map((p) => p.ServicePrincipal), ['iam.amazonaws.com']);
    assert.ok(access.EnabledServicePrincipals?.[0]?.DateEnabled instanceof Date);
    const iam = iamClient(server.endpoint, admin);
    assert.deepEqual(await iam.send(new ListOrganizationsFeaturesCommand({})).then((r) => [r.OrganizationId, r.EnabledFeatures]), [orgId, []]);
    const credentials = await iam.send(new EnableOrganizationsRootCredentialsManagementCommand({}));
    assert.deepEqual([credentials.OrganizationId, credentials.EnabledFeatures], [orgId, ['RootCredentialsManagement']]);
    assert.deepEqual(await failure(assumeRoot(admin, member)), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/admin is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::${member}:root`,
      status: 403,
    });
    const sessions = await iam.send(new EnableOrganizationsRootSessionsCommand({}));
    assert.deepEqual(sessions.EnabledFeatures, ['RootCredentialsManagement', 'RootSessions']);
  });

  test('AssumeRoot: the member’s root user, 900 seconds at most, within the task policy only', async () => {
    const before = Date.now();
    const out = await assumeRoot(admin, member, AUDIT, 900);
    const expiration = out.Credentials?.Expiration?.getTime() ?? 0;
    assert.ok(expiration <= before + 901_000 && expiration >= before + 890_000, String(out.Credentials?.Expiration));
    const session = keyOf(out.Credentials);
    const who = await stsClient(server.endpoint, session).send(new GetCallerIdentityCommand({}));
    assert.deepEqual([who.Account, who.Arn, who.UserId], [member, `arn:aws:iam::${member}:root`, member]);
    const iam = iamClient(server.endpoint, session);
    // What the audit task allows: the root user's own credentials and the account summary.
    assert.deepEqual((await iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata, []);
    assert.equal(typeof (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap, 'object');
    // Anything else is denied, root or not.
    assert.deepEqual(await failure(iam.send(new ListUsersCommand({}))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${member}:root is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${member}:user/ with an explicit deny in a session policy`,
      status: 403,
    });
    assert.equal((await failure(iam.send(new CreateUserCommand({ UserName: 'backdoor' })))).name, 'AccessDenied');
    assert.equal((await failure(iam.send(new CreateAccessKeyCommand({})))).name, 'AccessDenied');
    assert.equal((await failure(iam.send(new ListAccessKeysCommand({ UserName: 'someone' })))).name, 'AccessDenied');
    // No way out of the task: no other sessions, no roles.
    assert.equal((await failure(stsClient(server.endpoint, session).send(new GetSessionTokenCommand({})))).name, 'AccessDenied');
    assert.equal((await failure(stsClient(server.endpoint, session).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'escape' })))).name, 'AccessDenied');
    assert.equal((await failure(organizationsClient(server.endpoint, session).send(new ListAWSServiceAccessForOrganizationCommand({})))).name, 'AccessDeniedException');
    // The target as the root user's ARN works the same.
    const byArn = await assumeRoot(admin, `arn:aws:iam::${member}:root`, DELETE);
    assert.ok(byArn.Credentials?.SessionToken);
  });

  test('AWS’s refusals: duration over 900, a policy that is no task policy, the management account, outsiders, root credentials', async () => {
    const tooLong = await failure(assumeRoot(admin, member, AUDIT, 901));
    assert.equal(tooLong.name, 'ValidationError');
    assert.match(tooLong.message, /durationSeconds/);
    const notTask = await failure(assumeRoot(admin, member, 'arn:aws:iam::aws:policy/AdministratorAccess'));
    assert.equal(notTask.name, 'ValidationError');
    const denied = (target: string) => ({ name: 'AccessDenied', message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/admin is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::${target}:root`, status: 403 });
    assert.deepEqual(await failure(assumeRoot(admin, TEST_ACCOUNT_ID)), denied(TEST_ACCOUNT_ID));
    assert.deepEqual(await failure(assumeRoot(admin, '444455556666')), denied('444455556666'));
    const rootRefused = await failure(stsClient(server.endpoint).send(new AssumeRootCommand({ TargetPrincipal: member, TaskPolicyArn: { arn: AUDIT } })));
    assert.deepEqual([rootRefused.name, rootRefused.status], ['AccessDenied', 403]);
    // A member account's administrator is no centralized root administrator.
    const inMember = await accessRoleSession(server.endpoint, admin, member);
    assert.equal((await failure(assumeRoot(inMember, delegate))).name, 'AccessDenied');
    // sts:AssumeRoot is authorized like any action, sts:TaskPolicyArn included.
    const auditor = await userWith(server.endpoint, 'auditor', [{ Effect: 'Allow', Action: 'sts:AssumeRoot', Resource: '*', Condition: { StringEquals: { 'sts:TaskPolicyArn': AUDIT } } }]);
    assert.ok((await assumeRoot(auditor, member, AUDIT)).Credentials);
    assert.deepEqual(await failure(assumeRoot(auditor, member, DELETE)), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/auditor is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::${member}:root because no identity-based policy allows the sts:AssumeRoot action`,
      status: 403,
    });
  });

  test('the root user’s password: created by an IAMCreateRootUserPassword session (no Password), deleted by IAMDeleteRootUserCredentials', async () => {
    const PASSWORD = 'arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword';
    const creating = iamClient(server.endpoint, keyOf((await assumeRoot(admin, member, PASSWORD)).Credentials));
    assert.deepEqual(await failure(creating.send(new GetLoginProfileCommand({}))), { name: 'NoSuchEntityException', message: 'Login Profile for the root user cannot be found.', status: 404 });
    assert.equal((await failure(creating.send(new CreateLoginProfileCommand({ Password: 'Str0ng!Passw0rd' })))).name, 'ValidationError');
    const created = await creating.send(new CreateLoginProfileCommand({}));
    assert.equal(created.LoginProfile?.UserName, '<root_account>');
    assert.ok(created.LoginProfile?.CreateDate instanceof Date);
    assert.equal((await failure(creating.send(new CreateLoginProfileCommand({})))).name, 'EntityAlreadyExistsException');
    // Within the task only: no password for an IAM user, no deletion.
    assert.equal((await failure(creating.send(new CreateLoginProfileCommand({ UserName: 'someone', Password: 'Str0ng!Passw0rd' })))).name, 'AccessDenied');
    assert.equal((await failure(creating.send(new DeleteLoginProfileCommand({})))).name, 'AccessDenied');
    // The audit task reads it; the deletion task removes it.
    assert.equal((await iamClient(server.endpoint, keyOf((await assumeRoot(admin, member, AUDIT)).Credentials)).send(new GetLoginProfileCommand({}))).LoginProfile?.UserName, '<root_account>');
    const deleting = iamClient(server.endpoint, keyOf((await assumeRoot(admin, member, DELETE)).Credentials));
    await deleting.send(new DeleteLoginProfileCommand({}));
    assert.equal((await failure(deleting.send(new GetLoginProfileCommand({})))).name, 'NoSuchEntityException');
    // Long-term root credentials still name a user, as before.
    assert.equal((await failure(iamClient(server.endpoint).send(new GetLoginProfileCommand({})))).name, 'ValidationError');
  });

  test('the delegated administrator for IAM may list, disable and AssumeRoot, not enable; it cannot leave while registered', async () => {
    const org = organizationsClient(server.endpoint, admin);
    await org.send(new RegisterDelegatedAdministratorCommand({ AccountId: delegate, ServicePrincipal: 'iam.amazonaws.com' }));
    const listed = await org.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'iam.amazonaws.com' }));
    assert.deepEqual(listed.DelegatedAdministrators?.map((d) => d.Id), [delegate]);
    assert.deepEqual((await org.send(new ListDelegatedServicesForAccountCommand({ AccountId: delegate }))).DelegatedServices?.map((s) => s.ServicePrincipal), ['iam.amazonaws.com']);
    const again = await failure(org.send(new RegisterDelegatedAdministratorCommand({ AccountId: member, ServicePrincipal: 'iam.amazonaws.com' })));
    assert.equal(again.name, 'ConstraintViolationException');
    const leaving = await failure(org.send(new RemoveAccountFromOrganizationCommand({ AccountId: delegate })));
    assert.equal(leaving.name, 'ConstraintViolationException');

    const security = await userWith(server.endpoint, 'sec', [ALLOW_ALL], await accessRoleSession(server.endpoint, admin, delegate));
    const iam = iamClient(server.endpoint, security);
    assert.deepEqual((await iam.send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures, ['RootCredentialsManagement', 'RootSessions']);
    assert.deepEqual(await failure(iam.send(new EnableOrganizationsRootSessionsCommand({}))), {
      name: 'CallerIsNotManagementAccountException',
      message: 'The request was rejected because the account making the request is not the management account for the organization.',
      status: 400,
    });
    const session = keyOf((await assumeRoot(security, member)).Credentials);
    assert.equal((await stsClient(server.endpoint, session).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${member}:root`);
    // Deregistered: the very next AssumeRoot is refused.
    await org.send(new DeregisterDelegatedAdministratorCommand({ AccountId: delegate, ServicePrincipal: 'iam.amazonaws.com' }));
    assert.equal((await failure(assumeRoot(security, member))).name, 'AccessDenied');
  });

  test('RootSessions disabled: AssumeRoot is refused on the next request', async () => {
    const disabled = await iamClient(server.endpoint, admin).send(new DisableOrganizationsRootSessionsCommand({}));
    assert.deepEqual(disabled.EnabledFeatures, ['RootCredentialsManagement']);
    assert.equal((await failure(assumeRoot(admin, member))).name, 'AccessDenied');
  });
});

describe('AssumeRoot through boto3 (Debian’s, the repository’s IAM and STS models via AWS_DATA_PATH)', () => {
  let models: ModelDataPath | undefined;
  before(() => {
    models = repositoryModelDataPath({ sts: true });
  });
  after(() => models?.remove());
  const server = useTestServer();

  test('enable trusted access and root sessions, AssumeRoot for an audit task, act as the member’s root user', async () => {
    const org = organizationsClient(server.endpoint);
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const member = await createMember(org, 'py-member');
    const seen = await runBoto3Script<Record<string, unknown>>('boto3_assume_root.py', server.endpoint, { AWS_DATA_PATH: models?.path ?? '', MEMBER_ACCOUNT: member });
    assert.deepEqual(seen, {
      features: ['RootSessions'],
      caller: `arn:aws:iam::${member}:root`,
      root_keys: [],
      create_user: 'AccessDenied',
      too_long: 'ValidationError',
    });
  });
});
