// Managed policy attachments, inline policies and their enforcement through the AWS SDK for JavaScript v3 against a
// real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteGroupPolicyCommand,
  DeleteRolePolicyCommand,
  DeleteUserPermissionsBoundaryCommand,
  DeleteUserPolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListGroupPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { failure, iamClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer({}, {}, async () => {
  const iam = iamClient(server.endpoint);
  await iam.send(new CreateUserCommand({ UserName: 'alice' }));
  await iam.send(new CreateGroupCommand({ GroupName: 'devs' }));
  await iam.send(new CreateRoleCommand({ RoleName: 'builder', AssumeRolePolicyDocument: TRUST }));
  await iam.send(new CreatePolicyCommand({ PolicyName: 'Reader', PolicyDocument: doc('s3:GetObject') }));
});

const doc = (action: string | string[], resource: string | string[] = '*', effect = 'Allow'): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: effect, Action: action, Resource: resource }] });
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const READER = `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/Reader`;
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const LAMBDA_BASIC = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

/** A document of exactly `size` characters with no white space. */
function documentOfSize(size: number): string {
  const base = doc('s3:GetObject', 'arn:aws:s3:::');
  const text = doc('s3:GetObject', `arn:aws:s3:::${'x'.repeat(size - base.length)}`);
  assert.equal(text.length, size);
  return text;
}

describe('managed policy attachments', () => {
  test('attach, list and detach for users, groups and roles, customer and AWS managed', async () => {
    const iam = iamClient(server.endpoint);
    for (const arn of [READER, READ_ONLY]) {
      await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: 'devs', PolicyArn: arn }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'builder', PolicyArn: arn }));
    }
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'builder', PolicyArn: LAMBDA_BASIC }));
    // Attaching again changes nothing.
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: READER }));
    // IAM documents no order for these lists: compare them sorted.
    const sorted = (list: { PolicyName?: string; PolicyArn?: string }[] | undefined) => [...(list ?? [])].sort((a, b) => (a.PolicyArn ?? '').localeCompare(b.PolicyArn ?? ''));
    const expected = [
      { PolicyName: 'Reader', PolicyArn: READER },
      { PolicyName: 'ReadOnlyAccess', PolicyArn: READ_ONLY },
    ];
    assert.deepEqual(sorted((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'alice' }))).AttachedPolicies), expected);
    assert.deepEqual(sorted((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: 'devs' }))).AttachedPolicies), expected);
    assert.deepEqual(sorted((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'builder' }))).AttachedPolicies), [
      ...expected,
      { PolicyName: 'AWSLambdaBasicExecutionRole', PolicyArn: LAMBDA_BASIC },
    ]);
    assert.deepEqual((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'builder', PathPrefix: '/service-role/' }))).AttachedPolicies, [
      { PolicyName: 'AWSLambdaBasicExecutionRole', PolicyArn: LAMBDA_BASIC },
    ]);
    const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'builder', MaxItems: 2 }));
    assert.equal(page.IsTruncated, true);
    assert.equal((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'builder', MaxItems: 2, Marker: page.Marker }))).AttachedPolicies?.length, 1);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: READER }))).Policy?.AttachmentCount, 3);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }))).Policy?.AttachmentCount, 3);

    for (const arn of [READER, READ_ONLY]) {
      await iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn }));
      await iam.send(new DetachGroupPolicyCommand({ GroupName: 'devs', PolicyArn: arn }));
      await iam.send(new DetachRolePolicyCommand({ RoleName: 'builder', PolicyArn: arn }));
    }
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'builder', PolicyArn: LAMBDA_BASIC }));
    assert.deepEqual((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'alice' }))).AttachedPolicies, []);
    assert.deepEqual((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: 'devs' }))).AttachedPolicies, []);
    assert.deepEqual((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'builder' }))).AttachedPolicies, []);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: READER }))).Policy?.AttachmentCount, 0);
  });

  test('errors: detaching a policy not attached, attaching a policy or to an entity that does not exist', async () => {
    const iam = iamClient(server.endpoint);
    assert.deepEqual(await failure(iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: READER }))), {
      name: 'NoSuchEntityException',
      message: `Policy ${READER} was not found.`,
      status: 404,
    });
    assert.deepEqual(await failure(iam.send(new DetachRolePolicyCommand({ RoleName: 'builder', PolicyArn: READ_ONLY }))), {
      name: 'NoSuchEntityException',
      message: `Policy ${READ_ONLY} was not found.`,
      status: 404,
    });
    const missing = `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/Missing`;
    assert.deepEqual(await failure(iam.send(new AttachGroupPolicyCommand({ GroupName: 'devs', PolicyArn: missing }))), {
      name: 'NoSuchEntityException',
      message: `Policy ${missing} does not exist or is not attachable.`,
      status: 404,
    });
    assert.deepEqual(await failure(iam.send(new AttachUserPolicyCommand({ UserName: 'ghost', PolicyArn: READER }))), {
      name: 'NoSuchEntityException',
      message: 'The user with name ghost cannot be found.',
      status: 404,
    });
    assert.deepEqual(await failure(iam.send(new AttachRolePolicyCommand({ RoleName: 'ghost', PolicyArn: READER }))), {
      name: 'NoSuchEntityException',
      message: 'The role with name ghost cannot be found.',
      status: 404,
    });
  });

  test('the eleventh attachment is LimitExceeded', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateUserCommand({ UserName: 'collector' }));
    const arns: string[] = [];
    for (let i = 1; i <= 11; i++) {
      const name = `Quota${String(i).padStart(2, '0')}`;
      await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc('s3:GetObject') }));
      arns.push(`arn:aws:iam::${TEST_ACCOUNT_ID}:policy/${name}`);
    }
    for (const arn of arns.slice(0, 10)) await iam.send(new AttachUserPolicyCommand({ UserName: 'collector', PolicyArn: arn }));
    assert.deepEqual(await failure(iam.send(new AttachUserPolicyCommand({ UserName: 'collector', PolicyArn: arns[10] }))), {
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for PoliciesPerUser: 10',
      status: 409,
    });
    await iam.send(new CreateRoleCommand({ RoleName: 'collector-role', AssumeRolePolicyDocument: TRUST }));
    for (const arn of arns.slice(0, 10)) await iam.send(new AttachRolePolicyCommand({ RoleName: 'collector-role', PolicyArn: arn }));
    assert.deepEqual(await failure(iam.send(new AttachRolePolicyCommand({ RoleName: 'collector-role', PolicyArn: READ_ONLY }))), {
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for PoliciesPerRole: 10',
      status: 409,
    });
    assert.equal((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'collector' }))).AttachedPolicies?.length, 10);
    for (const arn of arns.slice(0, 10)) {
      await iam.send(new DetachUserPolicyCommand({ UserName: 'collector', PolicyArn: arn }));
      await iam.send(new DetachRolePolicyCommand({ RoleName: 'collector-role', PolicyArn: arn }));
    }
  });

  test('ListEntitiesForPolicy with EntityFilter and PolicyUsageFilter', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateUserCommand({ UserName: 'bounded' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: READER }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'devs', PolicyArn: READER }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'builder', PolicyArn: READER }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: READER }));

    const all = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: READER }));
    assert.deepEqual(all.PolicyGroups?.map((g) => g.GroupName), ['devs']);
    assert.deepEqual(all.PolicyUsers?.map((u) => u.UserName).sort(), ['alice', 'bounded']);
    assert.deepEqual(all.PolicyRoles?.map((r) => r.RoleName), ['builder']);
    assert.match(all.PolicyUsers?.[0]?.UserId ?? '', /^AIDA/);
    assert.match(all.PolicyRoles?.[0]?.RoleId ?? '', /^AROA/);

    const users = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: READER, EntityFilter: 'User' }));
    assert.deepEqual(users.PolicyUsers?.map((u) => u.UserName).sort(), ['alice', 'bounded']);
    assert.deepEqual(users.PolicyGroups, []);
    assert.deepEqual(users.PolicyRoles, []);
    const roles = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: READER, EntityFilter: 'Role' }));
    assert.deepEqual(roles.PolicyRoles?.map((r) => r.RoleName), ['builder']);
    assert.deepEqual(roles.PolicyUsers, []);

    const boundaries = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: READER, PolicyUsageFilter: 'PermissionsBoundary' }));
    assert.deepEqual(boundaries.PolicyUsers?.map((u) => u.UserName), ['bounded']);
    assert.deepEqual(boundaries.PolicyGroups, []);
    assert.deepEqual(boundaries.PolicyRoles, []);
    const permissions = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: READER, PolicyUsageFilter: 'PermissionsPolicy' }));
    assert.deepEqual(permissions.PolicyUsers?.map((u) => u.UserName), ['alice']);
    assert.deepEqual(permissions.PolicyGroups?.map((g) => g.GroupName), ['devs']);
    assert.deepEqual(permissions.PolicyRoles?.map((r) => r.RoleName), ['builder']);

    assert.deepEqual((await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: READ_ONLY }))).PolicyUsers, []);
    const missing = `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/Missing`;
    assert.deepEqual(await failure(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: missing }))), {
      name: 'NoSuchEntityException',
      message: `Policy ${missing} was not found.`,
      status: 404,
    });

    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'bounded' }));
    await iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: READER }));
    await iam.send(new DetachGroupPolicyCommand({ GroupName: 'devs', PolicyArn: READER }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'builder', PolicyArn: READER }));
  });
});

describe('inline policies', () => {
  const decoded = (document: string | undefined): unknown => JSON.parse(decodeURIComponent(document ?? ''));

  test('put, get (URL-encoded), list, replace and delete for users, groups and roles', async () => {
    const iam = iamClient(server.endpoint);
    const first = doc(['s3:GetObject', 's3:PutObject'], 'arn:aws:s3:::bucket/*');
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'objects', PolicyDocument: first }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'another', PolicyDocument: doc('sqs:SendMessage') }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'devs', PolicyName: 'objects', PolicyDocument: first }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'builder', PolicyName: 'objects', PolicyDocument: first }));

    const user = await iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'objects' }));
    assert.equal(user.UserName, 'alice');
    assert.equal(user.PolicyName, 'objects');
    assert.notEqual(user.PolicyDocument, first, 'the document is URL-encoded on the wire');
    assert.deepEqual(decoded(user.PolicyDocument), JSON.parse(first));
    const group = await iam.send(new GetGroupPolicyCommand({ GroupName: 'devs', PolicyName: 'objects' }));
    assert.equal(group.GroupName, 'devs');
    assert.deepEqual(decoded(group.PolicyDocument), JSON.parse(first));
    const role = await iam.send(new GetRolePolicyCommand({ RoleName: 'builder', PolicyName: 'objects' }));
    assert.equal(role.RoleName, 'builder');
    assert.deepEqual(decoded(role.PolicyDocument), JSON.parse(first));

    assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'alice' }))).PolicyNames?.sort(), ['another', 'objects']);
    assert.deepEqual((await iam.send(new ListGroupPoliciesCommand({ GroupName: 'devs' }))).PolicyNames, ['objects']);
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'builder' }))).PolicyNames, ['objects']);

    // Putting a policy under the same name replaces it.
    await iam.send(new PutRolePolicyCommand({ RoleName: 'builder', PolicyName: 'objects', PolicyDocument: doc('s3:ListBucket') }));
    assert.deepEqual(decoded((await iam.send(new GetRolePolicyCommand({ RoleName: 'builder', PolicyName: 'objects' }))).PolicyDocument), JSON.parse(doc('s3:ListBucket')));
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'builder' }))).PolicyNames, ['objects']);

    assert.deepEqual(await failure(iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'bad', PolicyDocument: doc('s3:GetObject', 'bucket') }))), {
      name: 'MalformedPolicyDocumentException',
      message: 'Resource bucket must be in ARN format or "*".',
      status: 400,
    });

    await iam.send(new DeleteUserPolicyCommand({ UserName: 'alice', PolicyName: 'objects' }));
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'alice', PolicyName: 'another' }));
    await iam.send(new DeleteGroupPolicyCommand({ GroupName: 'devs', PolicyName: 'objects' }));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'builder', PolicyName: 'objects' }));
    assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'alice' }))).PolicyNames, []);
    assert.deepEqual(await failure(iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'objects' }))), {
      name: 'NoSuchEntityException',
      message: 'The user policy with name objects cannot be found.',
      status: 404,
    });
    assert.deepEqual(await failure(iam.send(new DeleteRolePolicyCommand({ RoleName: 'builder', PolicyName: 'objects' }))), {
      name: 'NoSuchEntityException',
      message: 'The role policy with name objects cannot be found.',
      status: 404,
    });
  });

  test("a user's inline policies together may not exceed 2048 characters without white space", async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateUserCommand({ UserName: 'sized' }));
    // White space does not count: this document is far longer than 2048 characters as sent.
    const atQuota = documentOfSize(2048);
    await iam.send(new PutUserPolicyCommand({ UserName: 'sized', PolicyName: 'full', PolicyDocument: JSON.stringify(JSON.parse(atQuota), null, 12) }));
    const overflow = {
      name: 'LimitExceededException',
      message: 'Maximum policy size of 2048 bytes exceeded for user sized',
      status: 409,
    };
    // The quota counts all of the user's inline policies together.
    assert.deepEqual(await failure(iam.send(new PutUserPolicyCommand({ UserName: 'sized', PolicyName: 'more', PolicyDocument: doc('s3:GetObject') }))), overflow);
    // Replacing the one policy is measured without its old text.
    await iam.send(new PutUserPolicyCommand({ UserName: 'sized', PolicyName: 'full', PolicyDocument: documentOfSize(2000) }));
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'sized', PolicyName: 'full' }));
    assert.deepEqual(await failure(iam.send(new PutUserPolicyCommand({ UserName: 'sized', PolicyName: 'huge', PolicyDocument: documentOfSize(2049) }))), overflow);
    assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'sized' }))).PolicyNames, []);
    // A role's inline quota is larger.
    await iam.send(new PutRolePolicyCommand({ RoleName: 'builder', PolicyName: 'large', PolicyDocument: documentOfSize(2049) }));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'builder', PolicyName: 'large' }));
  });
});

describe('enforcement of attached, boundary and inline policies', () => {
  async function userWithKey(root: IAMClient, name: string): Promise<IAMClient> {
    await root.send(new CreateUserCommand({ UserName: name }));
    const key = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
    assert.ok(key?.AccessKeyId !== undefined && key.SecretAccessKey !== undefined);
    return iamClient(server.endpoint, { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
  }
  const denied = (user: string, role: string, reason: string) => ({
    name: 'AccessDenied',
    message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/${user} is not authorized to perform: iam:GetRole on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:role/${role} ${reason}`,
    status: 403,
  });

  test('an attached customer managed policy grants GetRole on app-* only; after DetachUserPolicy the next request is denied', async () => {
    const root = iamClient(server.endpoint);
    for (const name of ['app-x', 'other']) await root.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
    const getAppRoles = `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/GetAppRoles`;
    await root.send(new CreatePolicyCommand({ PolicyName: 'GetAppRoles', PolicyDocument: doc('iam:GetRole', `arn:aws:iam::${TEST_ACCOUNT_ID}:role/app-*`) }));
    const frank = await userWithKey(root, 'frank');
    await root.send(new AttachUserPolicyCommand({ UserName: 'frank', PolicyArn: getAppRoles }));

    assert.equal((await frank.send(new GetRoleCommand({ RoleName: 'app-x' }))).Role?.RoleName, 'app-x');
    assert.deepEqual(await failure(frank.send(new GetRoleCommand({ RoleName: 'other' }))), denied('frank', 'other', 'because no identity-based policy allows the iam:GetRole action'));

    await root.send(new DetachUserPolicyCommand({ UserName: 'frank', PolicyArn: getAppRoles }));
    assert.deepEqual(await failure(frank.send(new GetRoleCommand({ RoleName: 'app-x' }))), denied('frank', 'app-x', 'because no identity-based policy allows the iam:GetRole action'));

    // Through a group it applies again.
    await root.send(new CreateGroupCommand({ GroupName: 'app-readers' }));
    await root.send(new AttachGroupPolicyCommand({ GroupName: 'app-readers', PolicyArn: getAppRoles }));
    await root.send(new AddUserToGroupCommand({ GroupName: 'app-readers', UserName: 'frank' }));
    assert.equal((await frank.send(new GetRoleCommand({ RoleName: 'app-x' }))).Role?.RoleName, 'app-x');
  });

  test('a permissions boundary that does not allow iam:GetRole denies it', async () => {
    const root = iamClient(server.endpoint);
    const grace = await userWithKey(root, 'grace');
    await root.send(new AttachUserPolicyCommand({ UserName: 'grace', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    assert.equal((await grace.send(new GetRoleCommand({ RoleName: 'app-x' }))).Role?.RoleName, 'app-x');
    const boundary = `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/OnlyS3`;
    await root.send(new CreatePolicyCommand({ PolicyName: 'OnlyS3', PolicyDocument: doc('s3:*') }));
    await root.send(new PutUserPermissionsBoundaryCommand({ UserName: 'grace', PermissionsBoundary: boundary }));
    assert.deepEqual(await failure(grace.send(new GetRoleCommand({ RoleName: 'app-x' }))), denied('grace', 'app-x', 'because no permissions boundary allows the iam:GetRole action'));
    await root.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'grace' }));
    assert.equal((await grace.send(new GetRoleCommand({ RoleName: 'app-x' }))).Role?.RoleName, 'app-x');
  });

  test('an inline Deny overrides an attached Allow', async () => {
    const root = iamClient(server.endpoint);
    const heidi = await userWithKey(root, 'heidi');
    await root.send(new AttachUserPolicyCommand({ UserName: 'heidi', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    await root.send(new PutUserPolicyCommand({ UserName: 'heidi', PolicyName: 'no-roles', PolicyDocument: doc('iam:GetRole', `arn:aws:iam::${TEST_ACCOUNT_ID}:role/other`, 'Deny') }));
    assert.equal((await heidi.send(new GetRoleCommand({ RoleName: 'app-x' }))).Role?.RoleName, 'app-x');
    assert.deepEqual(await failure(heidi.send(new GetRoleCommand({ RoleName: 'other' }))), denied('heidi', 'other', 'with an explicit deny in an identity-based policy'));
    await root.send(new DeleteUserPolicyCommand({ UserName: 'heidi', PolicyName: 'no-roles' }));
    assert.equal((await heidi.send(new GetRoleCommand({ RoleName: 'other' }))).Role?.RoleName, 'other');
  });
});
