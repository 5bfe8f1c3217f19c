// Roles and service-linked roles through the AWS SDK for JavaScript v3 against a real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DeleteServiceLinkedRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetServiceLinkedRoleDeletionStatusCommand,
  ListAttachedRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
} from '@aws-sdk/client-iam';
import { failure, iamClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer();

const trust = (principal: Record<string, unknown>, action: unknown = 'sts:AssumeRole'): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: action }] });
const EC2_TRUST = trust({ Service: 'ec2.amazonaws.com' });
const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

/** IAM returns trust policies URL-encoded. */
const decoded = (document: string | undefined): unknown => JSON.parse(decodeURIComponent(document ?? ''));

describe('roles', () => {
  test('create with a trust policy, path, description and tags; get returns the URL-encoded document', async () => {
    const iam = iamClient(server.endpoint);
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: 'web',
        Path: '/app/',
        AssumeRolePolicyDocument: EC2_TRUST,
        Description: 'web servers',
        Tags: [{ Key: 'env', Value: 'prod' }],
      }),
    );
    assert.equal(created.Role?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:role/app/web`);
    assert.match(created.Role?.RoleId ?? '', /^AROA[A-Z2-7]{17}$/);
    // AWS's CreateRole answers no MaxSessionDuration; GetRole does.
    assert.equal(created.Role?.MaxSessionDuration, undefined);
    const role = (await iam.send(new GetRoleCommand({ RoleName: 'WEB' }))).Role;
    assert.equal(role?.RoleName, 'web');
    assert.equal(role?.Path, '/app/');
    assert.equal(role?.Description, 'web servers');
    assert.equal(role?.MaxSessionDuration, 3600);
    assert.deepEqual(role?.Tags, [{ Key: 'env', Value: 'prod' }]);
    assert.ok(role?.CreateDate instanceof Date);
    assert.notEqual(role?.AssumeRolePolicyDocument, EC2_TRUST, 'the document is URL-encoded on the wire');
    assert.deepEqual(decoded(role?.AssumeRolePolicyDocument), JSON.parse(EC2_TRUST));
    await iam.send(new DeleteRoleCommand({ RoleName: 'web' }));
  });

  test('MaxSessionDuration: a value in range is kept, 43201 and 3599 are ValidationError', async () => {
    const iam = iamClient(server.endpoint);
    const long = await iam.send(new CreateRoleCommand({ RoleName: 'long', AssumeRolePolicyDocument: EC2_TRUST, MaxSessionDuration: 43200 }));
    assert.equal(long.Role?.MaxSessionDuration, undefined);
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'long' }))).Role?.MaxSessionDuration, 43200);
    assert.deepEqual(await failure(iam.send(new CreateRoleCommand({ RoleName: 'toolong', AssumeRolePolicyDocument: EC2_TRUST, MaxSessionDuration: 43201 }))), {
      name: 'ValidationError',
      message: "1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200",
      status: 400,
    });
    assert.deepEqual(await failure(iam.send(new UpdateRoleCommand({ RoleName: 'long', MaxSessionDuration: 3599 }))), {
      name: 'ValidationError',
      message: "1 validation error detected: Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
      status: 400,
    });
    assert.deepEqual(await failure(iam.send(new GetRoleCommand({ RoleName: 'toolong' }))), {
      name: 'NoSuchEntityException',
      message: 'The role with name toolong cannot be found.',
      status: 404,
    });
    await iam.send(new DeleteRoleCommand({ RoleName: 'long' }));
  });

  test('UpdateRole, UpdateRoleDescription and UpdateAssumeRolePolicy', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateRoleCommand({ RoleName: 'svc', AssumeRolePolicyDocument: EC2_TRUST }));
    await iam.send(new UpdateRoleCommand({ RoleName: 'svc', Description: 'first', MaxSessionDuration: 7200 }));
    let role = (await iam.send(new GetRoleCommand({ RoleName: 'svc' }))).Role;
    assert.equal(role?.Description, 'first');
    assert.equal(role?.MaxSessionDuration, 7200);
    const described = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'svc', Description: 'second' }));
    assert.equal(described.Role?.Description, 'second');
    assert.equal(described.Role?.MaxSessionDuration, 7200);

    const accountTrust = trust({ AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:root` }, ['sts:AssumeRole', 'sts:TagSession']);
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'svc', PolicyDocument: accountTrust }));
    role = (await iam.send(new GetRoleCommand({ RoleName: 'svc' }))).Role;
    assert.deepEqual(decoded(role?.AssumeRolePolicyDocument), JSON.parse(accountTrust));

    assert.deepEqual(await failure(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'svc', PolicyDocument: trust({ Service: 'ec2.amazonaws.com' }, 's3:GetObject') }))), {
      name: 'MalformedPolicyDocumentException',
      message: 'AssumeRole policy may only specify STS AssumeRole actions.',
      status: 400,
    });
    const noPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] });
    assert.deepEqual(await failure(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'svc', PolicyDocument: noPrincipal }))), {
      name: 'MalformedPolicyDocumentException',
      message: 'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!',
      status: 400,
    });
    assert.deepEqual(await failure(iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: '{not json' }))), {
      name: 'MalformedPolicyDocumentException',
      message: 'This policy contains invalid Json',
      status: 400,
    });
    // The refused documents left the stored one unchanged.
    role = (await iam.send(new GetRoleCommand({ RoleName: 'svc' }))).Role;
    assert.deepEqual(decoded(role?.AssumeRolePolicyDocument), JSON.parse(accountTrust));
    assert.deepEqual(await failure(iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'nobody', Description: 'x' }))), {
      name: 'NoSuchEntityException',
      message: 'The role with name nobody cannot be found.',
      status: 404,
    });
    await iam.send(new DeleteRoleCommand({ RoleName: 'svc' }));
  });

  test('EntityAlreadyExists without regard to case; /aws-service-role/ is reserved', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateRoleCommand({ RoleName: 'Twin', AssumeRolePolicyDocument: EC2_TRUST }));
    assert.deepEqual(await failure(iam.send(new CreateRoleCommand({ RoleName: 'twin', AssumeRolePolicyDocument: EC2_TRUST }))), {
      name: 'EntityAlreadyExistsException',
      message: 'Role with name twin already exists.',
      status: 409,
    });
    const reserved = await failure(
      iam.send(new CreateRoleCommand({ RoleName: 'sneaky', Path: '/aws-service-role/ec2.amazonaws.com/', AssumeRolePolicyDocument: EC2_TRUST })),
    );
    assert.equal(reserved.name, 'InvalidInputException');
    assert.equal(reserved.status, 400);
    await iam.send(new DeleteRoleCommand({ RoleName: 'Twin' }));
  });

  test('ListRoles with a path prefix and pagination', async () => {
    const iam = iamClient(server.endpoint);
    for (const name of ['r1', 'r2', 'r3']) {
      await iam.send(new CreateRoleCommand({ RoleName: name, Path: '/paged/', AssumeRolePolicyDocument: EC2_TRUST, Tags: [{ Key: 'k', Value: name }] }));
    }
    await iam.send(new CreateRoleCommand({ RoleName: 'outside', AssumeRolePolicyDocument: EC2_TRUST }));
    const all = await iam.send(new ListRolesCommand({ PathPrefix: '/paged/' }));
    assert.deepEqual(all.Roles?.map((r) => r.RoleName), ['r1', 'r2', 'r3']);
    assert.equal(all.IsTruncated, false);
    assert.deepEqual(decoded(all.Roles?.[0]?.AssumeRolePolicyDocument), JSON.parse(EC2_TRUST));
    // IAM documents that ListRoles leaves out tags, the permissions boundary and the last use.
    assert.equal(all.Roles?.[0]?.Tags, undefined);
    assert.equal(all.Roles?.[0]?.RoleLastUsed, undefined);
    const first = await iam.send(new ListRolesCommand({ PathPrefix: '/paged/', MaxItems: 2 }));
    assert.equal(first.IsTruncated, true);
    assert.deepEqual(first.Roles?.map((r) => r.RoleName), ['r1', 'r2']);
    const second = await iam.send(new ListRolesCommand({ PathPrefix: '/paged/', MaxItems: 2, Marker: first.Marker }));
    assert.equal(second.IsTruncated, false);
    assert.deepEqual(second.Roles?.map((r) => r.RoleName), ['r3']);
    assert.ok((await iam.send(new ListRolesCommand({}))).Roles?.some((r) => r.RoleName === 'outside'));
    for (const name of ['r1', 'r2', 'r3', 'outside']) await iam.send(new DeleteRoleCommand({ RoleName: name }));
  });

  test('permissions boundary, tags', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateRoleCommand({ RoleName: 'bounded', AssumeRolePolicyDocument: EC2_TRUST }));
    const boundary = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded', PermissionsBoundary: boundary }));
    assert.deepEqual((await iam.send(new GetRoleCommand({ RoleName: 'bounded' }))).Role?.PermissionsBoundary, {
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: boundary,
    });
    const missing = `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/Nope`;
    assert.deepEqual(await failure(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded', PermissionsBoundary: missing }))), {
      name: 'NoSuchEntityException',
      message: `Policy ${missing} does not exist or is not attachable.`,
      status: 404,
    });
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'bounded' }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'bounded' }))).Role?.PermissionsBoundary, undefined);

    await iam.send(new TagRoleCommand({ RoleName: 'bounded', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await iam.send(new TagRoleCommand({ RoleName: 'bounded', Tags: [{ Key: 'B', Value: '3' }] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'bounded' }))).Tags, [
      { Key: 'a', Value: '1' },
      { Key: 'B', Value: '3' },
    ]);
    await iam.send(new UntagRoleCommand({ RoleName: 'bounded', TagKeys: ['A'] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'bounded' }))).Tags, [{ Key: 'B', Value: '3' }]);
    assert.deepEqual((await iam.send(new GetRoleCommand({ RoleName: 'bounded' }))).Role?.Tags, [{ Key: 'B', Value: '3' }]);
    const duplicate = await failure(iam.send(new TagRoleCommand({ RoleName: 'bounded', Tags: [{ Key: 'x', Value: '1' }, { Key: 'X', Value: '2' }] })));
    assert.deepEqual(duplicate, {
      name: 'InvalidInputException',
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      status: 400,
    });
    await iam.send(new DeleteRoleCommand({ RoleName: 'bounded' }));
  });

  test('DeleteRole answers DeleteConflict while an instance profile, inline policy or attached policy remains', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateRoleCommand({ RoleName: 'busy', AssumeRolePolicyDocument: EC2_TRUST }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'busy-profile' }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'busy-profile', RoleName: 'busy' }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'busy', PolicyName: 'inline', PolicyDocument: ALLOW_ALL }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'busy', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));

    const conflict = (message: string) => ({ name: 'DeleteConflictException', message, status: 409 });
    assert.deepEqual(await failure(iam.send(new DeleteRoleCommand({ RoleName: 'busy' }))), conflict('Cannot delete entity, must remove roles from instance profile first.'));
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'busy-profile', RoleName: 'busy' }));
    assert.deepEqual(await failure(iam.send(new DeleteRoleCommand({ RoleName: 'busy' }))), conflict('Cannot delete entity, must delete policies first.'));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'busy', PolicyName: 'inline' }));
    assert.deepEqual(await failure(iam.send(new DeleteRoleCommand({ RoleName: 'busy' }))), conflict('Cannot delete entity, must detach all policies first.'));
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'busy', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'busy' }));
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'busy-profile' }));
    assert.equal((await failure(iam.send(new GetRoleCommand({ RoleName: 'busy' })))).name, 'NoSuchEntityException');
  });
});

describe('service-linked roles', () => {
  test('created by the service name, listed, protected, deleted through a deletion task', async () => {
    const iam = iamClient(server.endpoint);
    const created = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'elasticbeanstalk.amazonaws.com', Description: 'for beanstalk' }));
    const name = 'AWSServiceRoleForElasticBeanstalk';
    assert.equal(created.Role?.RoleName, name);
    assert.equal(created.Role?.Path, '/aws-service-role/elasticbeanstalk.amazonaws.com/');
    assert.equal(created.Role?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:role/aws-service-role/elasticbeanstalk.amazonaws.com/${name}`);
    // Only the service may assume it (IAM documents the meaning, not whether the values are strings or lists).
    const slrTrust = decoded(created.Role?.AssumeRolePolicyDocument) as { Statement: { Effect: string; Principal: { Service: unknown }; Action: unknown }[] };
    assert.equal(slrTrust.Statement.length, 1);
    assert.equal(slrTrust.Statement[0]?.Effect, 'Allow');
    assert.deepEqual([slrTrust.Statement[0]?.Principal.Service].flat(), ['elasticbeanstalk.amazonaws.com']);
    assert.deepEqual([slrTrust.Statement[0]?.Action].flat(), ['sts:AssumeRole']);

    const listed = await iam.send(new ListRolesCommand({ PathPrefix: '/aws-service-role/' }));
    assert.deepEqual(listed.Roles?.map((r) => r.RoleName), [name]);
    assert.ok((await iam.send(new ListRolesCommand({}))).Roles?.some((r) => r.RoleName === name));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.Description, 'for beanstalk');

    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
    assert.deepEqual(attached.AttachedPolicies, [
      { PolicyName: 'AWSElasticBeanstalkServiceRolePolicy', PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/AWSElasticBeanstalkServiceRolePolicy' },
    ]);

    const protectedRole = {
      name: 'UnmodifiableEntityException',
      message: `Cannot perform the operation on the protected role '${name}' - this role is only modifiable by AWS`,
      status: 400,
    };
    assert.deepEqual(await failure(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: EC2_TRUST }))), protectedRole);
    assert.deepEqual(await failure(iam.send(new DeleteRoleCommand({ RoleName: name }))), protectedRole);
    assert.deepEqual(await failure(iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'extra', PolicyDocument: ALLOW_ALL }))), protectedRole);
    // The description is the one thing the account may still edit.
    await iam.send(new UpdateRoleDescriptionCommand({ RoleName: name, Description: 'edited' }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.Description, 'edited');

    const again = await failure(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'elasticbeanstalk.amazonaws.com' })));
    assert.equal(again.name, 'InvalidInputException');
    assert.equal(again.message, `Service role name ${name} has been taken in this account, please try a different suffix.`);

    const deletion = await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: name }));
    assert.match(deletion.DeletionTaskId ?? '', new RegExp(`^task/aws-service-role/elasticbeanstalk\\.amazonaws\\.com/${name}/[0-9a-f-]{36}$`));
    const status = await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId: deletion.DeletionTaskId }));
    assert.equal(status.Status, 'SUCCEEDED');
    assert.deepEqual(await failure(iam.send(new GetRoleCommand({ RoleName: name }))), {
      name: 'NoSuchEntityException',
      message: `The role with name ${name} cannot be found.`,
      status: 404,
    });
    assert.deepEqual((await iam.send(new ListRolesCommand({ PathPrefix: '/aws-service-role/' }))).Roles, []);
  });

  test('DeleteServiceLinkedRole refuses an ordinary role', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateRoleCommand({ RoleName: 'plain', AssumeRolePolicyDocument: EC2_TRUST }));
    const refused = await failure(iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: 'plain' })));
    assert.equal(refused.name, 'InvalidInputException');
    assert.equal(refused.status, 400);
    await iam.send(new DeleteRoleCommand({ RoleName: 'plain' }));
  });
});
