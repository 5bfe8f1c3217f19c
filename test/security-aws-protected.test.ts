// AWS's own resources through the server and the AWS SDK: an IAM user whose policies allow everything still cannot
// change a service-linked role (UnmodifiableEntity, as IAM answers) or an AWS managed policy (AccessDenied naming the
// policy); a user without the permission gets the usual policy denial. IAM User Guide: "You cannot change the
// permissions defined in AWS managed policies"; service-linked roles can be edited (description) and deleted
// (DeleteServiceLinkedRole) only as the service allows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  PutUserPolicyCommand,
  SetDefaultPolicyVersionCommand,
  UpdateRoleDescriptionCommand,
} from '@aws-sdk/client-iam';
import { failure, iamClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer();
const SLR = 'AWSServiceRoleForElasticBeanstalk';
const SLR_ARN = `arn:aws:iam::${TEST_ACCOUNT_ID}:role/aws-service-role/elasticbeanstalk.amazonaws.com/${SLR}`;
const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';
const policy = (action: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

test('an administrator cannot change what AWS protects; a reader is denied as usual', async () => {
  const root = iamClient(server.endpoint);
  await root.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'elasticbeanstalk.amazonaws.com' }));
  const clientFor = async (name: string, action: string) => {
    await root.send(new CreateUserCommand({ UserName: name }));
    await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy(action) }));
    const key = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
    return iamClient(server.endpoint, { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' });
  };
  const admin = await clientFor('admin', '*');
  const reader = await clientFor('reader', 'iam:Get*');
  const adminArn = `arn:aws:iam::${TEST_ACCOUNT_ID}:user/admin`;

  const unmodifiable = { name: 'UnmodifiableEntityException', message: `Cannot perform the operation on the protected role '${SLR}' - this role is only modifiable by AWS`, status: 400 };
  assert.deepEqual(await failure(admin.send(new DeleteRoleCommand({ RoleName: SLR }))), unmodifiable);
  assert.deepEqual(await failure(admin.send(new AttachRolePolicyCommand({ RoleName: SLR, PolicyArn: ADMIN_POLICY }))), unmodifiable);
  assert.deepEqual(await failure(admin.send(new DeletePolicyCommand({ PolicyArn: ADMIN_POLICY }))), {
    name: 'AccessDenied',
    message: `User: ${adminArn} is not authorized to perform: iam:DeletePolicy on resource: policy ${ADMIN_POLICY}`,
    status: 403,
  });
  assert.deepEqual(await failure(admin.send(new SetDefaultPolicyVersionCommand({ PolicyArn: ADMIN_POLICY, VersionId: 'v1' }))), {
    name: 'AccessDenied',
    message: `User: ${adminArn} is not authorized to perform: iam:SetDefaultPolicyVersion on resource: policy ${ADMIN_POLICY}`,
    status: 403,
  });
  await admin.send(new UpdateRoleDescriptionCommand({ RoleName: SLR, Description: 'still editable' }));

  const denied = await failure(reader.send(new DeleteRoleCommand({ RoleName: SLR })));
  assert.equal(denied.name, 'AccessDenied');
  assert.equal(denied.message, `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/reader is not authorized to perform: iam:DeleteRole on resource: ${SLR_ARN} because no identity-based policy allows the iam:DeleteRole action`);
});
