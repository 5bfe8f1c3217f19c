import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { defineOperations, type AwsManagedPolicy, type Params } from '../operation.js';
import { runner, testServices, TEST_ACCOUNT, rejects } from '../testing.js';
import { ATTACHMENT_OPERATIONS } from './attachments.js';
import { INLINE_POLICY_OPERATIONS } from './inline-policies.js';
import { INSTANCE_PROFILE_OPERATIONS } from './instance-profiles.js';
import { ROLE_OPERATIONS } from './roles.js';
import { linkedService } from './service-linked-role-names.js';
import { SERVICE_LINKED_ROLE_OPERATIONS } from './service-linked-roles.js';

const OPERATIONS = defineOperations([
  ...ROLE_OPERATIONS,
  ...SERVICE_LINKED_ROLE_OPERATIONS,
  ...ATTACHMENT_OPERATIONS,
  ...INLINE_POLICY_OPERATIONS,
  ...INSTANCE_PROFILE_OPERATIONS,
]);

const SLR_POLICY: AwsManagedPolicy = {
  arn: 'arn:aws:iam::aws:policy/aws-service-role/AWSElasticBeanstalkServiceRolePolicy',
  name: 'AWSElasticBeanstalkServiceRolePolicy',
  path: '/aws-service-role/',
  id: 'ANPAAAAAAAAAAAAAAAAAB',
  defaultVersionId: 'v1',
  createDate: new Date('2017-01-01T00:00:00Z'),
  updateDate: new Date('2017-01-01T00:00:00Z'),
  versions: [{ versionId: 'v1', document: '{"Version":"2012-10-17","Statement":[]}', createDate: new Date('2017-01-01T00:00:00Z') }],
};
const READ_ONLY: AwsManagedPolicy = { ...SLR_POLICY, arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', name: 'ReadOnlyAccess', path: '/', id: 'ANPAAAAAAAAAAAAAAAAAC' };

const EB = 'AWSServiceRoleForElasticBeanstalk';

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS, testServices([SLR_POLICY, READ_ONLY]));
});

afterEach(() => store.close());


test('CreateServiceLinkedRole names the role for its service, under the service path, trusted by the service only', async () => {
  const out = (await iam.run('CreateServiceLinkedRole', { AWSServiceName: 'elasticbeanstalk.amazonaws.com', Description: 'EB' }))['Role'] as Record<string, unknown>;
  assert.equal(out['RoleName'], EB);
  assert.equal(out['Path'], '/aws-service-role/elasticbeanstalk.amazonaws.com/');
  assert.equal(out['Arn'], `arn:aws:iam::${TEST_ACCOUNT}:role/aws-service-role/elasticbeanstalk.amazonaws.com/${EB}`);
  assert.equal(out['Description'], 'EB');
  assert.deepEqual(JSON.parse(decodeURIComponent(out['AssumeRolePolicyDocument'] as string)), {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: ['elasticbeanstalk.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
  });
  const attached = await iam.run('ListAttachedRolePolicies', { RoleName: EB });
  assert.deepEqual(attached['AttachedPolicies'], [{ PolicyName: SLR_POLICY.name, PolicyArn: SLR_POLICY.arn }]);
});

// Each service fixes its role's name; only some take a CustomSuffix, joined with "_". Sources, by row:
// autoscaling: Amazon EC2 Auto Scaling User Guide, "Service-linked roles for Amazon EC2 Auto Scaling"
//   (AWSServiceRoleForAutoScaling, or with a custom suffix AWSServiceRoleForAutoScaling_mysuffix);
// elasticloadbalancing: Elastic Load Balancing User Guide, "Elastic Load Balancing service-linked role";
// ecs: Amazon ECS Developer Guide, "Using service-linked roles for Amazon ECS";
// rds: Amazon RDS User Guide, "Using service-linked roles for Amazon RDS";
// *.application-autoscaling: Application Auto Scaling User Guide, "Service-linked roles for Application Auto Scaling"
//   and "Custom resources and Application Auto Scaling" (AWSServiceRoleForApplicationAutoScaling_CustomResource,
//   trusted by custom-resource.application-autoscaling.amazonaws.com).
const names: ReadonlyArray<[string, string | undefined, string]> = [
  ['autoscaling.amazonaws.com', undefined, 'AWSServiceRoleForAutoScaling'],
  ['autoscaling.amazonaws.com', 'blue', 'AWSServiceRoleForAutoScaling_blue'],
  ['elasticloadbalancing.amazonaws.com', undefined, 'AWSServiceRoleForElasticLoadBalancing'],
  ['ecs.amazonaws.com', undefined, 'AWSServiceRoleForECS'],
  ['rds.amazonaws.com', undefined, 'AWSServiceRoleForRDS'],
  ['custom-resource.application-autoscaling.amazonaws.com', undefined, 'AWSServiceRoleForApplicationAutoScaling_CustomResource'],
  ['rds.application-autoscaling.amazonaws.com', undefined, 'AWSServiceRoleForApplicationAutoScaling_RDSCluster'],
  ['ec2.application-autoscaling.amazonaws.com', undefined, 'AWSServiceRoleForApplicationAutoScaling_EC2SpotFleetRequest'],
  ['es.amazonaws.com', undefined, 'AWSServiceRoleForAmazonElasticsearchService'],
  ['spot.amazonaws.com', undefined, 'AWSServiceRoleForEC2Spot'],
];
for (const [service, suffix, expected] of names) {
  test(`CreateServiceLinkedRole for ${service}${suffix === undefined ? '' : ` with suffix ${suffix}`} makes ${expected}`, async () => {
    const params: Params = suffix === undefined ? { AWSServiceName: service } : { AWSServiceName: service, CustomSuffix: suffix };
    const out = (await iam.run('CreateServiceLinkedRole', params))['Role'] as Record<string, unknown>;
    assert.equal(out['RoleName'], expected);
    assert.equal(out['Path'], `/aws-service-role/${service}/`);
    assert.equal(out['Arn'], `arn:aws:iam::${TEST_ACCOUNT}:role/aws-service-role/${service}/${expected}`);
    assert.equal(linkedService(service)?.roleName, suffix === undefined ? expected : expected.slice(0, -suffix.length - 1));
  });
}

// IAM has no role template for a principal no service registered, and answers AccessDenied naming it (as recorded from
// AWS for account.amazonaws.com and bedrock-agentcore.amazonaws.com): no name is guessed for it, with or without a
// suffix; principals are case-sensitive, and a string that is no service principal at all is refused the same way.
const unknownServices: ReadonlyArray<Params> = [
  { AWSServiceName: 'newthing.amazonaws.com' },
  { AWSServiceName: 'multi-word.amazonaws.com', CustomSuffix: 'x' },
  { AWSServiceName: 'ECS.amazonaws.com' },
  { AWSServiceName: 'not-a-service' },
  // Names an object has by inheritance are no services either.
  { AWSServiceName: 'constructor' },
  { AWSServiceName: '__proto__' },
];
for (const params of unknownServices) {
  const service = String(params['AWSServiceName']);
  test(`CreateServiceLinkedRole refuses ${service}${params['CustomSuffix'] === undefined ? '' : ' with a suffix'}: no template, no role`, async () => {
    await rejects(iam.run('CreateServiceLinkedRole', params), 'AccessDenied', 403, `Cannot find Service Linked Role template for ${service}`);
    assert.deepEqual((await iam.run('ListRoles', {}))['Roles'], []);
  });
}

test('CreateServiceLinkedRole refuses a taken name and a suffix the service does not take', async () => {
  await iam.run('CreateServiceLinkedRole', { AWSServiceName: 'ecs.amazonaws.com' });
  await rejects(
    iam.run('CreateServiceLinkedRole', { AWSServiceName: 'ecs.amazonaws.com' }),
    'InvalidInput',
    400,
    'Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.',
  );
  await rejects(iam.run('CreateServiceLinkedRole', { AWSServiceName: 'es.amazonaws.com', CustomSuffix: 'two' }), 'InvalidInput', 400, 'Custom suffix is not allowed for es.amazonaws.com');
  await rejects(
    iam.run('CreateServiceLinkedRole', { AWSServiceName: 'custom-resource.application-autoscaling.amazonaws.com', CustomSuffix: 'two' }),
    'InvalidInput',
    400,
    'Custom suffix is not allowed for custom-resource.application-autoscaling.amazonaws.com',
  );
  // A suffix makes a second Auto Scaling role; the same suffix again is the taken name.
  await iam.run('CreateServiceLinkedRole', { AWSServiceName: 'autoscaling.amazonaws.com', CustomSuffix: 'blue' });
  await rejects(
    iam.run('CreateServiceLinkedRole', { AWSServiceName: 'autoscaling.amazonaws.com', CustomSuffix: 'blue' }),
    'InvalidInput',
    400,
    'Service role name AWSServiceRoleForAutoScaling_blue has been taken in this account, please try a different suffix.',
  );
});

const protectedCalls: ReadonlyArray<[string, Params]> = [
  ['UpdateAssumeRolePolicy', { PolicyDocument: '{}' }],
  ['UpdateRole', { MaxSessionDuration: 7200 }],
  ['DeleteRole', {}],
  ['PutRolePermissionsBoundary', { PermissionsBoundary: READ_ONLY.arn }],
  ['DeleteRolePermissionsBoundary', {}],
  ['PutRolePolicy', { PolicyName: 'p', PolicyDocument: '{}' }],
  ['DeleteRolePolicy', { PolicyName: 'p' }],
  ['AttachRolePolicy', { PolicyArn: READ_ONLY.arn }],
  ['DetachRolePolicy', { PolicyArn: SLR_POLICY.arn }],
  ['AddRoleToInstanceProfile', { InstanceProfileName: 'prof' }],
];
for (const [name, params] of protectedCalls) {
  test(`${name} on a service-linked role answers UnmodifiableEntity`, async () => {
    await iam.run('CreateServiceLinkedRole', { AWSServiceName: 'elasticbeanstalk.amazonaws.com' });
    await iam.run('CreateInstanceProfile', { InstanceProfileName: 'prof' });
    await rejects(
      iam.run(name, { RoleName: EB, ...params }),
      'UnmodifiableEntity',
      400,
      `Cannot perform the operation on the protected role '${EB}' - this role is only modifiable by AWS`,
    );
  });
}

test('a service-linked role can still be read, described and tagged', async () => {
  await iam.run('CreateServiceLinkedRole', { AWSServiceName: 'elasticbeanstalk.amazonaws.com' });
  await iam.run('UpdateRole', { RoleName: EB, Description: 'mine' });
  await iam.run('UpdateRoleDescription', { RoleName: EB, Description: 'mine too' });
  await iam.run('TagRole', { RoleName: EB, Tags: [{ Key: 'a', Value: 'b' }] });
  const out = (await iam.run('GetRole', { RoleName: EB }))['Role'] as Record<string, unknown>;
  assert.equal(out['Description'], 'mine too');
  assert.deepEqual(out['Tags'], [{ Key: 'a', Value: 'b' }]);
});

test('DeleteServiceLinkedRole deletes the role and its attachments; the task reports SUCCEEDED', async () => {
  await iam.run('CreateServiceLinkedRole', { AWSServiceName: 'elasticbeanstalk.amazonaws.com' });
  const { DeletionTaskId } = await iam.run('DeleteServiceLinkedRole', { RoleName: EB });
  assert.match(DeletionTaskId as string, new RegExp(`^task/aws-service-role/elasticbeanstalk\\.amazonaws\\.com/${EB}/[0-9a-f-]{36}$`));
  await rejects(iam.run('GetRole', { RoleName: EB }), 'NoSuchEntity', 404, `The role with name ${EB} cannot be found.`);
  assert.deepEqual(await iam.run('GetServiceLinkedRoleDeletionStatus', { DeletionTaskId }), { Status: 'SUCCEEDED' });
  // The same name can be created again once the old role is gone.
  await iam.run('CreateServiceLinkedRole', { AWSServiceName: 'elasticbeanstalk.amazonaws.com' });
});

test('DeleteServiceLinkedRole refuses a missing role and an ordinary one', async () => {
  await rejects(iam.run('DeleteServiceLinkedRole', { RoleName: 'ghost' }), 'NoSuchEntity', 404, 'The role with name ghost cannot be found.');
  await iam.run('CreateRole', {
    RoleName: 'plain',
    AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}',
  });
  await rejects(iam.run('DeleteServiceLinkedRole', { RoleName: 'plain' }), 'InvalidInput', 400, 'Role plain is not a service-linked role.');
});

test('GetServiceLinkedRoleDeletionStatus refuses unknown and malformed task ids', async () => {
  const unknown = 'task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/00000000-0000-0000-0000-000000000000';
  await rejects(iam.run('GetServiceLinkedRoleDeletionStatus', { DeletionTaskId: unknown }), 'NoSuchEntity', 404, `Deletion task ${unknown} cannot be found.`);
  await rejects(iam.run('GetServiceLinkedRoleDeletionStatus', { DeletionTaskId: 'garbage' }), 'InvalidInput', 400, 'Invalid deletion task id: garbage');
});

test('resources name the service-linked role', async () => {
  const ops = defineOperations(SERVICE_LINKED_ROLE_OPERATIONS);
  await iam.run('CreateServiceLinkedRole', { AWSServiceName: 'elasticbeanstalk.amazonaws.com' });
  const taskId = (await iam.run('DeleteServiceLinkedRole', { RoleName: EB }))['DeletionTaskId'] as string;
  await store.read(async (tx) => {
    const ctx = { account: TEST_ACCOUNT, tx } as Parameters<(typeof SERVICE_LINKED_ROLE_OPERATIONS)[number]['resource']>[0];
    // A task ID in another case names the role as it was stored.
    assert.equal(
      await ops.get('iam:GetServiceLinkedRoleDeletionStatus')?.resource(ctx, { DeletionTaskId: taskId.toUpperCase().replace('TASK/AWS-SERVICE-ROLE/', 'task/aws-service-role/') }),
      `arn:aws:iam::${TEST_ACCOUNT}:role/aws-service-role/elasticbeanstalk.amazonaws.com/${EB}`,
    );
    assert.equal(
      await ops.get('iam:CreateServiceLinkedRole')?.resource(ctx, { AWSServiceName: 'autoscaling.amazonaws.com', CustomSuffix: 'x' }),
      `arn:aws:iam::${TEST_ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_x`,
    );
    // A principal with no template names no role: the request is authorized against the service's path alone.
    assert.equal(
      await ops.get('iam:CreateServiceLinkedRole')?.resource(ctx, { AWSServiceName: 'newthing.amazonaws.com', CustomSuffix: 'x' }),
      `arn:aws:iam::${TEST_ACCOUNT}:role/aws-service-role/newthing.amazonaws.com/`,
    );
    assert.deepEqual(ops.get('iam:CreateServiceLinkedRole')?.conditionKeys?.(ctx, { AWSServiceName: 'autoscaling.amazonaws.com' }), {
      'iam:AWSServiceName': 'autoscaling.amazonaws.com',
    });
    assert.equal(
      await ops.get('iam:GetServiceLinkedRoleDeletionStatus')?.resource(ctx, { DeletionTaskId: 'task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/u' }),
      `arn:aws:iam::${TEST_ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    );
  });
});
