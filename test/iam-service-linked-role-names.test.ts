// Service-linked role names through the AWS SDK for JavaScript v3 against a real server: each service's fixed name
// (and, where the service takes one, the custom suffix) under /aws-service-role/<service principal>/, the refusal of a
// principal IAM has no role template for, and the refusal of a name already taken.
//
// Names: Amazon EC2 Auto Scaling User Guide, "Service-linked roles for Amazon EC2 Auto Scaling"; Elastic Load
// Balancing User Guide, "Elastic Load Balancing service-linked role"; Amazon ECS Developer Guide, "Using
// service-linked roles for Amazon ECS"; Application Auto Scaling User Guide, "Custom resources and Application Auto
// Scaling". The error texts are AWS's answers as recorded in public reports: "Cannot find Service Linked Role template
// for account.amazonaws.com" (AccessDenied), "Service role name AWSServiceRoleForECS has been taken in this account,
// please try a different suffix." (InvalidInput), "Custom suffix is not allowed for es.amazonaws.com".
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateServiceLinkedRoleCommand, GetRoleCommand, ListAttachedRolePoliciesCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { createAwsManagedPolicyCatalog } from '../src/catalog/aws-managed-policies.js';
import { LINKED_SERVICES } from '../src/core/iam/service-linked-role-names.js';
import { failure, iamClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer();

const created: ReadonlyArray<{ service: string; suffix?: string; name: string }> = [
  { service: 'elasticloadbalancing.amazonaws.com', name: 'AWSServiceRoleForElasticLoadBalancing' },
  { service: 'autoscaling.amazonaws.com', name: 'AWSServiceRoleForAutoScaling' },
  { service: 'autoscaling.amazonaws.com', suffix: 'mysuffix', name: 'AWSServiceRoleForAutoScaling_mysuffix' },
  { service: 'ecs.amazonaws.com', name: 'AWSServiceRoleForECS' },
  { service: 'custom-resource.application-autoscaling.amazonaws.com', name: 'AWSServiceRoleForApplicationAutoScaling_CustomResource' },
];

describe('service-linked role names', () => {
  for (const { service, suffix, name } of created) {
    test(`${service}${suffix === undefined ? '' : ` with suffix ${suffix}`} makes ${name} under its service path`, async () => {
      const iam = iamClient(server.endpoint);
      const role = (await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: service, CustomSuffix: suffix }))).Role;
      assert.equal(role?.RoleName, name);
      assert.equal(role?.Path, `/aws-service-role/${service}/`);
      assert.equal(role?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:role/aws-service-role/${service}/${name}`);
      assert.equal((await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.Arn, role?.Arn);
    });
  }

  test('the role comes with the policy its service attaches (Application Auto Scaling: AWSApplicationAutoScalingCustomResourcePolicy)', async () => {
    const iam = iamClient(server.endpoint);
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'AWSServiceRoleForApplicationAutoScaling_CustomResource' }));
    assert.deepEqual(attached.AttachedPolicies, [
      {
        PolicyName: 'AWSApplicationAutoScalingCustomResourcePolicy',
        PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/AWSApplicationAutoScalingCustomResourcePolicy',
      },
    ]);
  });

  test('every entry of the table is a name IAM accepts and names a service-linked role policy AWS publishes', () => {
    const catalog = createAwsManagedPolicyCatalog();
    for (const [principal, { roleName, policy }] of LINKED_SERVICES) {
      assert.match(principal, /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/, principal);
      assert.match(roleName, /^AWSServiceRoleFor[\w+=,.@-]+$/, principal);
      assert.ok(roleName.length <= 64, principal);
      if (policy !== undefined) assert.ok(catalog.get(`arn:aws:iam::aws:policy/aws-service-role/${policy}`) !== undefined, `${principal}: ${policy}`);
    }
  });

  test('a principal IAM has no role template for is refused, with or without a suffix, and no role is made', async () => {
    const iam = iamClient(server.endpoint);
    const before = (await iam.send(new ListRolesCommand({}))).Roles?.length;
    for (const input of [{ AWSServiceName: 'newthing.amazonaws.com' }, { AWSServiceName: 'newthing.amazonaws.com', CustomSuffix: 'x' }]) {
      assert.deepEqual(await failure(iam.send(new CreateServiceLinkedRoleCommand(input))), {
        name: 'AccessDenied',
        message: 'Cannot find Service Linked Role template for newthing.amazonaws.com',
        status: 403,
      });
    }
    assert.equal((await iam.send(new ListRolesCommand({}))).Roles?.length, before);
  });

  test('a second role for the same service without a new suffix is the taken name; a suffix the service refuses is refused', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'rds.amazonaws.com' }));
    assert.deepEqual(await failure(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'rds.amazonaws.com' }))), {
      name: 'InvalidInputException',
      message: 'Service role name AWSServiceRoleForRDS has been taken in this account, please try a different suffix.',
      status: 400,
    });
    assert.deepEqual(await failure(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'rds.amazonaws.com', CustomSuffix: 'two' }))), {
      name: 'InvalidInputException',
      message: 'Custom suffix is not allowed for rds.amazonaws.com',
      status: 400,
    });
  });
});
