// An organization driven end to end with the AWS SDK for JavaScript v3 (client-organizations, client-iam,
// client-sts): the hierarchy, accounts reached through OrganizationAccountAccessRole across accounts, policies and
// their attachments, authorization of organizations:* actions, and AWS's errors on the wire.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, ListRolesCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  EnablePolicyTypeCommand,
  ListAccountsCommand,
  ListChildrenCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  MoveAccountCommand,
  TagResourceCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { awsCli } from './helpers/aws-cli.js';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, iamClient, keyOf, organizationsClient, stsClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const doc = (statement: object | object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });

async function userWith(endpoint: string, name: string, statements: object[], admin: Key | undefined = undefined): Promise<Key> {
  const iam = iamClient(endpoint, admin);
  await iam.send(new CreateUserCommand({ UserName: name }));
  if (statements.length > 0) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: doc(statements) }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
}

/** The modelled error an SDK call rejects with: name, message, HTTP status and Organizations' Reason. */
async function reasoned(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined; reason: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; Reason?: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, reason: e.Reason };
  }
  throw new Error('expected the call to fail');
}

describe('an organization through the SDK', () => {
  const server = useTestServer();
  let org: OrganizationsClient;
  let rootId = '';
  let member = '';
  let admin: Key;

  test('the management account creates the organization, an OU tree and an account', async () => {
    org = organizationsClient(server.endpoint);
    const created = await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    assert.equal(created.Organization?.MasterAccountId, TEST_ACCOUNT_ID);
    assert.match(created.Organization?.Id ?? '', /^o-[a-z0-9]{10}$/);
    rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    assert.match(rootId, /^r-[0-9a-z]{4}$/);
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    const engineering = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'engineering' }))).OrganizationalUnit?.Id ?? '';
    const backend = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: engineering, Name: 'backend' }))).OrganizationalUnit?.Id ?? '';
    const status = (await org.send(new CreateAccountCommand({ Email: 'backend@example.com', AccountName: 'backend', Tags: [{ Key: 'team', Value: 'be' }] }))).CreateAccountStatus;
    assert.equal(status?.State, 'SUCCEEDED');
    assert.ok(status?.RequestedTimestamp instanceof Date);
    member = status?.AccountId ?? '';
    assert.match(member, /^\d{12}$/);
    const described = await org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: status?.Id }));
    assert.equal(described.CreateAccountStatus?.AccountId, member);
    await org.send(new MoveAccountCommand({ AccountId: member, SourceParentId: rootId, DestinationParentId: backend }));
    const children = await org.send(new ListChildrenCommand({ ParentId: backend, ChildType: 'ACCOUNT' }));
    assert.deepEqual(children.Children, [{ Id: member, Type: 'ACCOUNT' }]);
    const accounts = await org.send(new ListAccountsCommand({}));
    assert.deepEqual(accounts.Accounts?.map((a) => a.Id).sort(), [TEST_ACCOUNT_ID, member].sort());
    assert.ok(accounts.Accounts?.every((a) => a.JoinedTimestamp instanceof Date));
    assert.deepEqual((await org.send(new ListTagsForResourceCommand({ ResourceId: member }))).Tags, [{ Key: 'team', Value: 'be' }]);
  });

  test('the management account’s administrator reaches the new account through OrganizationAccountAccessRole', async () => {
    admin = await userWith(server.endpoint, 'admin', [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    const sts = stsClient(server.endpoint, admin);
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'admin' }));
    const session = keyOf(assumed.Credentials);
    const who = await stsClient(server.endpoint, session).send(new GetCallerIdentityCommand({}));
    assert.deepEqual([who.Account, who.Arn], [member, `arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/admin`]);
    // Administrator in the member account: its IAM is its own namespace.
    const roles = await iamClient(server.endpoint, session).send(new ListRolesCommand({}));
    assert.deepEqual(roles.Roles?.map((r) => r.Arn), [`arn:aws:iam::${member}:role/OrganizationAccountAccessRole`]);
    await iamClient(server.endpoint, session).send(new CreateUserCommand({ UserName: 'admin' }));
    // The member account sees its organization, but cannot manage it.
    const seen = await organizationsClient(server.endpoint, session).send(new DescribeOrganizationCommand({}));
    assert.equal(seen.Organization?.MasterAccountId, TEST_ACCOUNT_ID);
    assert.deepEqual(await failure(organizationsClient(server.endpoint, session).send(new ListAccountsCommand({}))), {
      name: 'AccessDeniedException',
      message: "You don't have permissions to access this resource.",
      status: 403,
    });
  });

  test('cross-account AssumeRole needs both the trust policy and the caller’s identity policy; ExternalId holds', async () => {
    const session = keyOf((await stsClient(server.endpoint, admin).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'setup' }))).Credentials);
    await iamClient(server.endpoint, session).send(new CreateRoleCommand({
      RoleName: 'vendor',
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } } }),
    }));
    await iamClient(server.endpoint, session).send(new PutRolePolicyCommand({ RoleName: 'vendor', PolicyName: 'read', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }) }));
    const vendorArn = `arn:aws:iam::${member}:role/vendor`;
    const allowed = await stsClient(server.endpoint, admin).send(new AssumeRoleCommand({ RoleArn: vendorArn, RoleSessionName: 'vv', ExternalId: 'ext-1' }));
    assert.equal(allowed.AssumedRoleUser?.Arn, `arn:aws:sts::${member}:assumed-role/vendor/vv`);
    const wrongId = await failure(stsClient(server.endpoint, admin).send(new AssumeRoleCommand({ RoleArn: vendorArn, RoleSessionName: 'vv', ExternalId: 'ext-2' })));
    assert.deepEqual(wrongId, { name: 'AccessDenied', message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/admin is not authorized to perform: sts:AssumeRole on resource: ${vendorArn}`, status: 403 });
    // A user of the management account whose own policies grant nothing is refused, though the trust policy names the account.
    const nobody = await userWith(server.endpoint, 'nobody', []);
    const refused = await failure(stsClient(server.endpoint, nobody).send(new AssumeRoleCommand({ RoleArn: vendorArn, RoleSessionName: 'vv', ExternalId: 'ext-1' })));
    assert.equal(refused.name, 'AccessDenied');
    assert.match(refused.message, /because no identity-based policy allows the sts:AssumeRole action$/);
  });

  test('policies: an SCP created, attached to the account, listed; detaching the last SCP is refused', async () => {
    const content = doc({ Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' });
    const policy = (await org.send(new CreatePolicyCommand({ Name: 'no-users', Description: 'no new users', Type: 'SERVICE_CONTROL_POLICY', Content: content }))).Policy;
    const policyId = policy?.PolicySummary?.Id ?? '';
    assert.equal(policy?.PolicySummary?.AwsManaged, false);
    await org.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: member }));
    const attached = await org.send(new ListPoliciesForTargetCommand({ TargetId: member, Filter: 'SERVICE_CONTROL_POLICY' }));
    assert.deepEqual(attached.Policies?.map((p) => p.Id).sort(), ['p-FullAWSAccess', policyId].sort());
    assert.deepEqual(await failure(org.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: member }))), {
      name: 'DuplicatePolicyAttachmentException',
      message: 'The selected policy is already attached to the specified target.',
      status: 409,
    });
    await org.send(new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: member }));
    assert.deepEqual(await reasoned(org.send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: member }))), {
      name: 'ConstraintViolationException',
      message: 'You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.',
      status: 409,
      reason: 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
    });
    const described = await org.send(new DescribePolicyCommand({ PolicyId: policyId }));
    assert.equal(described.Policy?.Content, content);
  });

  test('invalid input is InvalidInputException with its Reason; an SCP the grammar refuses is MalformedPolicyDocumentException', async () => {
    assert.deepEqual(await reasoned(org.send(new DescribePolicyCommand({ PolicyId: 'not-a-policy' }))), {
      name: 'InvalidInputException',
      message: 'You provided a value that does not match the required pattern.',
      status: 400,
      reason: 'INVALID_PATTERN',
    });
    const malformed = await failure(org.send(new CreatePolicyCommand({ Name: 'x', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: doc({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }) })));
    assert.deepEqual(malformed, { name: 'MalformedPolicyDocumentException', message: 'The provided policy document does not meet the requirements of the specified policy type.', status: 400 });
  });

  test('organizations:* actions are authorized like any other, resource-level and tag conditions included', async () => {
    const reader = await userWith(server.endpoint, 'reader', [
      { Effect: 'Allow', Action: ['organizations:Describe*', 'organizations:List*'], Resource: '*' },
      { Effect: 'Allow', Action: 'organizations:TagResource', Resource: `arn:aws:organizations::${TEST_ACCOUNT_ID}:account/o-*/*`, Condition: { StringEquals: { 'aws:ResourceTag/team': 'be' } } },
    ]);
    const client = organizationsClient(server.endpoint, reader);
    assert.equal((await client.send(new ListAccountsCommand({}))).Accounts?.length, 2);
    await client.send(new TagResourceCommand({ ResourceId: member, Tags: [{ Key: 'owner', Value: 'reader' }] }));
    const denied = await failure(client.send(new TagResourceCommand({ ResourceId: rootId, Tags: [{ Key: 'owner', Value: 'reader' }] })));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.match(denied.message, new RegExp(`^User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/reader is not authorized to perform: organizations:TagResource on resource: arn:aws:organizations::${TEST_ACCOUNT_ID}:root/o-[a-z0-9]{10}/${rootId} because no identity-based policy allows the organizations:TagResource action$`));
    const create = await failure(client.send(new CreateAccountCommand({ Email: 'r@example.com', AccountName: 'r' })));
    assert.equal(create.name, 'AccessDeniedException');
    assert.equal(create.status, 403);
  });
});

describe('an organization through boto3 and the AWS CLI v2', () => {
  const server = useTestServer();

  test('boto3 (Debian’s botocore model): create, hierarchy, paginated accounts, policies, modelled errors', async () => {
    const seen = await runBoto3Script<Record<string, unknown>>('boto3_organizations.py', server.endpoint);
    assert.deepEqual(seen, {
      organization: TEST_ACCOUNT_ID,
      state: 'SUCCEEDED',
      requested_type: 'datetime',
      accounts: [TEST_ACCOUNT_ID, 'python'].sort(),
      targets: ['ORGANIZATIONAL_UNIT'],
      duplicate: { code: 'DuplicateOrganizationalUnitException', message: 'An OU with the same name already exists.', status: 409 },
      invalid: { code: 'InvalidInputException', message: 'You provided a value that does not match the required pattern.', reason: 'INVALID_PATTERN' },
    });
  });

  test('aws organizations …: describe, list roots, create an OU, an error printed as AWS’s', async () => {
    const described = await awsCli(server.endpoint, ['organizations', 'describe-organization']);
    assert.equal(described.code, 0, described.stderr);
    const organization = (JSON.parse(described.stdout) as { Organization: { MasterAccountId: string } }).Organization;
    assert.equal(organization.MasterAccountId, TEST_ACCOUNT_ID);
    const roots = JSON.parse((await awsCli(server.endpoint, ['organizations', 'list-roots'])).stdout) as { Roots: Array<{ Id: string }> };
    const rootId = roots.Roots[0]?.Id ?? '';
    const created = await awsCli(server.endpoint, ['organizations', 'create-organizational-unit', '--parent-id', rootId, '--name', 'cli']);
    assert.equal(created.code, 0, created.stderr);
    const again = await awsCli(server.endpoint, ['organizations', 'create-organizational-unit', '--parent-id', rootId, '--name', 'cli']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /An error occurred \(DuplicateOrganizationalUnitException\) when calling the CreateOrganizationalUnit operation: An OU with the same name already exists\./);
    const children = JSON.parse((await awsCli(server.endpoint, ['organizations', 'list-children', '--parent-id', rootId, '--child-type', 'ORGANIZATIONAL_UNIT'])).stdout) as {
      Children: Array<{ Type: string }>;
    };
    assert.deepEqual(children.Children.map((c) => c.Type), ['ORGANIZATIONAL_UNIT', 'ORGANIZATIONAL_UNIT']);
  });
});

describe('service control policies in force', () => {
  const server = useTestServer();

  test('a three-level hierarchy whose SCP denies an action: member principals denied in AWS’s words, the management account not', async () => {
    const org = organizationsClient(server.endpoint);
    await org.send(new CreateOrganizationCommand({}));
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    let parent = rootId;
    const ous: string[] = [];
    for (const name of ['workloads', 'prod', 'web']) {
      parent = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: name }))).OrganizationalUnit?.Id ?? '';
      ous.push(parent);
    }
    const member = (await org.send(new CreateAccountCommand({ Email: 'web@example.com', AccountName: 'web' }))).CreateAccountStatus?.AccountId ?? '';
    await org.send(new MoveAccountCommand({ AccountId: member, SourceParentId: rootId, DestinationParentId: parent }));
    const scp = (await org.send(new CreatePolicyCommand({
      Name: 'no-iam-users',
      Description: '',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: doc({ Effect: 'Deny', Action: ['iam:CreateUser', 'iam:CreateAccessKey'], Resource: '*' }),
    }))).Policy?.PolicySummary?.Id ?? '';
    await org.send(new AttachPolicyCommand({ PolicyId: scp, TargetId: ous[0] }));

    const admin = await userWith(server.endpoint, 'admin', [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    const session = keyOf((await stsClient(server.endpoint, admin).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'ops' }))).Credentials);
    const inMember = iamClient(server.endpoint, session);
    assert.deepEqual(await failure(inMember.send(new CreateUserCommand({ UserName: 'intruder' }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/ops is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${member}:user/intruder with an explicit deny in a service control policy`,
      status: 403,
    });
    // What the SCP does not deny, FullAWSAccess still allows; the management account's own principals are exempt.
    assert.deepEqual((await inMember.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName), ['OrganizationAccountAccessRole']);
    await iamClient(server.endpoint, admin).send(new CreateUserCommand({ UserName: 'still-allowed' }));
    // Detached, it is gone for the very next request.
    await org.send(new DetachPolicyCommand({ PolicyId: scp, TargetId: ous[0] }));
    assert.equal((await inMember.send(new CreateUserCommand({ UserName: 'now-allowed' }))).User?.Arn, `arn:aws:iam::${member}:user/now-allowed`);
  });
});
