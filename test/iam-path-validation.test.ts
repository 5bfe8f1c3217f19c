// An invalid Path gets IAM's own ValidationError text through an unmodified SDK client, not the model's pattern.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  GetUserCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { failure, iamClient } from './helpers/clients.js';
import { useTestServer } from './helpers/server.js';

const server = useTestServer();

const PATH_TEXT =
  'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.';
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });

test('CreateUser, CreateRole, CreateGroup, CreatePolicy, CreateInstanceProfile and UpdateUser: ValidationError with IAM\'s path text', async () => {
  const iam = iamClient(server.endpoint);
  const expected = { name: 'ValidationError', message: PATH_TEXT, status: 400 };
  assert.deepEqual(await failure(iam.send(new CreateUserCommand({ UserName: 'u', Path: 'test/' }))), expected);
  assert.deepEqual(await failure(iam.send(new CreateRoleCommand({ RoleName: 'r', Path: '/test', AssumeRolePolicyDocument: TRUST }))), expected);
  assert.deepEqual(await failure(iam.send(new CreateGroupCommand({ GroupName: 'g', Path: 'x' }))), expected);
  assert.deepEqual(await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'p', Path: '/a b/', PolicyDocument: POLICY }))), expected);
  assert.deepEqual(await failure(iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'p', Path: 'p/' }))), expected);
  await iam.send(new CreateUserCommand({ UserName: 'kept', Path: '/ok/' }));
  assert.deepEqual(await failure(iam.send(new UpdateUserCommand({ UserName: 'kept', NewPath: 'ok/' }))), expected);
  assert.equal((await iam.send(new GetUserCommand({ UserName: 'kept' }))).User?.Path, '/ok/');
  assert.equal((await failure(iam.send(new GetUserCommand({ UserName: 'u' })))).name, 'NoSuchEntityException');
});

// /aws-service-role/ is refused with IAM's text (quoted from an IAM answer in tilfin/aws-iam-policy-tool#9); AWS
// documents no answer for /aws-reserved/ (IAM Identity Center's roles), refused in the same form with our wording.
test('CreateRole refuses the paths AWS keeps for its own roles (InvalidInput), and creates nothing', async () => {
  const iam = iamClient(server.endpoint);
  assert.deepEqual(await failure(iam.send(new CreateRoleCommand({ RoleName: 'slr', Path: '/aws-service-role/ec2.amazonaws.com/', AssumeRolePolicyDocument: TRUST }))), {
    name: 'InvalidInputException',
    message: "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles",
    status: 400,
  });
  assert.deepEqual(await failure(iam.send(new CreateRoleCommand({ RoleName: 'sso', Path: '/aws-reserved/sso.amazonaws.com/', AssumeRolePolicyDocument: TRUST }))), {
    name: 'InvalidInputException',
    message: "Path prefix '/aws-reserved/' can only be used for AWS reserved Roles",
    status: 400,
  });
  assert.equal((await failure(iam.send(new GetRoleCommand({ RoleName: 'sso' })))).name, 'NoSuchEntityException');
  // Only the prefix itself is reserved.
  const out = await iam.send(new CreateRoleCommand({ RoleName: 'near', Path: '/team/aws-reserved/', AssumeRolePolicyDocument: TRUST }));
  assert.equal(out.Role?.Path, '/team/aws-reserved/');
});
