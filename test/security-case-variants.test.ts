// Regression: a Deny on an IAM entity must hold whatever case the request spells the entity's name in. IAM resolves
// names without regard to case, so authorization has to use the ARN as stored, not as sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  GetRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteOpenIDConnectProviderCommand,
  DeleteSAMLProviderCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  GetGroupCommand,
  GetInstanceProfileCommand,
  GetOpenIDConnectProviderCommand,
  GetSAMLProviderCommand,
  GetUserCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListVirtualMFADevicesCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { failure, iamClient, stsClient, type Key } from './helpers/clients.js';
import { idpMetadata } from './helpers/saml.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const CALLER = `arn:aws:iam::${A}:user/mallory`;
const CORP_ADMIN = `arn:aws:iam::${A}:policy/CorpAdmin`;
const PROTECTED = `arn:aws:iam::${A}:policy/team/Protected`;
const SAML = `arn:aws:iam::${A}:saml-provider/CorpIdp`;
const OIDC = `arn:aws:iam::${A}:oidc-provider/token.example.test/Org`;
const MFA = `arn:aws:iam::${A}:mfa/ops/AliceToken`;
const ADMIN_ROLE = `arn:aws:iam::${A}:role/ops/Admin`;

const document = (statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const deny = (action: string, resource: string, condition?: unknown): unknown => ({
  Effect: 'Deny',
  Action: action,
  Resource: resource,
  ...(condition !== undefined ? { Condition: condition } : {}),
});

// Everything is allowed but the named entities, each protected by a Deny written with the name as it was created.
const MALLORY_POLICY = document([
  { Effect: 'Allow', Action: ['iam:*', 'sts:AssumeRole'], Resource: '*' },
  deny('iam:AttachUserPolicy', '*', { ArnEquals: { 'iam:PolicyARN': CORP_ADMIN } }),
  deny('iam:PutUserPermissionsBoundary', '*', { ArnEquals: { 'iam:PermissionsBoundary': CORP_ADMIN } }),
  deny('iam:CreateRole', '*', { StringEquals: { 'iam:PermissionsBoundary': CORP_ADMIN } }),
  deny('iam:CreatePolicyVersion', PROTECTED),
  deny('iam:ListEntitiesForPolicy', PROTECTED),
  deny('iam:DeleteUser', `arn:aws:iam::${A}:user/Alice`),
  deny('iam:PutRolePolicy', ADMIN_ROLE),
  deny('sts:AssumeRole', ADMIN_ROLE),
  deny('iam:AddUserToGroup', `arn:aws:iam::${A}:group/Admins`),
  deny('iam:DeleteInstanceProfile', `arn:aws:iam::${A}:instance-profile/WebProfile`),
  deny('iam:DeleteSAMLProvider', SAML),
  deny('iam:DeleteOpenIDConnectProvider', OIDC),
  deny('iam:DeleteVirtualMFADevice', MFA),
]);

let mallory: Key;

const server = useTestServer({}, {}, async () => {
  const iam = iamClient(server.endpoint);
  await iam.send(new CreateUserCommand({ UserName: 'mallory' }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'mallory', PolicyName: 'scoped', PolicyDocument: MALLORY_POLICY }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'mallory' }))).AccessKey;
  mallory = { accessKeyId: key?.AccessKeyId as string, secretAccessKey: key?.SecretAccessKey as string };
  const anything = document([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]);
  await iam.send(new CreatePolicyCommand({ PolicyName: 'CorpAdmin', PolicyDocument: anything }));
  await iam.send(new CreatePolicyCommand({ PolicyName: 'Protected', Path: '/team/', PolicyDocument: anything }));
  await iam.send(new CreateUserCommand({ UserName: 'Alice' }));
  await iam.send(new CreateUserCommand({ UserName: 'bob' }));
  await iam.send(new CreateGroupCommand({ GroupName: 'Admins' }));
  const trust = document([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' }]);
  await iam.send(new CreateRoleCommand({ RoleName: 'Admin', Path: '/ops/', AssumeRolePolicyDocument: trust }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'WebProfile' }));
  await iam.send(new CreateSAMLProviderCommand({ Name: 'CorpIdp', SAMLMetadataDocument: idpMetadata() }));
  await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://token.example.test/Org', ClientIDList: ['app'], ThumbprintList: ['a'.repeat(40)] }));
  await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'AliceToken', Path: '/ops/' }));
});

const asMallory = (): IAMClient => iamClient(server.endpoint, mallory);
const asRoot = (): IAMClient => iamClient(server.endpoint);

/** The call is refused by the explicit Deny, and the refusal names the resource as stored. */
async function deniedOn(call: Promise<unknown>, action: string, resource: string): Promise<void> {
  const error = await failure(call);
  assert.equal(error.name, 'AccessDenied', error.message);
  assert.equal(error.status, 403);
  const named = resource.includes(':policy/') ? `policy ${resource}` : resource;
  assert.equal(error.message, `User: ${CALLER} is not authorized to perform: ${action} on resource: ${named} with an explicit deny in an identity-based policy`);
}

test('a Deny on iam:PolicyARN holds for a case variant of the customer policy ARN (AttachUserPolicy)', async () => {
  for (const arn of [CORP_ADMIN, `arn:aws:iam::${A}:policy/corpadmin`, `arn:aws:iam::${A}:policy/CORPADMIN`]) {
    await deniedOn(asMallory().send(new AttachUserPolicyCommand({ UserName: 'bob', PolicyArn: arn })), 'iam:AttachUserPolicy', `arn:aws:iam::${A}:user/bob`);
  }
  const attached = await asRoot().send(new ListAttachedUserPoliciesCommand({ UserName: 'bob' }));
  assert.deepEqual(attached.AttachedPolicies, []);
});

test('a Deny on iam:PermissionsBoundary holds for a case variant of the policy ARN', async () => {
  const trust = document([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
  for (const arn of [CORP_ADMIN, `arn:aws:iam::${A}:policy/corpadmin`, `arn:aws:iam::${A}:policy/CorpADMIN`]) {
    await deniedOn(asMallory().send(new PutUserPermissionsBoundaryCommand({ UserName: 'bob', PermissionsBoundary: arn })), 'iam:PutUserPermissionsBoundary', `arn:aws:iam::${A}:user/bob`);
    await deniedOn(asMallory().send(new CreateRoleCommand({ RoleName: 'bounded', AssumeRolePolicyDocument: trust, PermissionsBoundary: arn })), 'iam:CreateRole', `arn:aws:iam::${A}:role/bounded`);
  }
  assert.equal((await asRoot().send(new GetUserCommand({ UserName: 'bob' }))).User?.PermissionsBoundary, undefined);
  assert.equal((await failure(asRoot().send(new GetRoleCommand({ RoleName: 'bounded' })))).name, 'NoSuchEntityException');
});

test('a Deny on a customer policy ARN holds for a case variant of its name (CreatePolicyVersion, ListEntitiesForPolicy)', async () => {
  for (const arn of [PROTECTED, `arn:aws:iam::${A}:policy/team/PROTECTED`, `arn:aws:iam::${A}:policy/team/protected`]) {
    await deniedOn(asMallory().send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: document([{ Effect: 'Allow', Action: '*', Resource: '*' }]), SetAsDefault: true })), 'iam:CreatePolicyVersion', PROTECTED);
    await deniedOn(asMallory().send(new ListEntitiesForPolicyCommand({ PolicyArn: arn })), 'iam:ListEntitiesForPolicy', PROTECTED);
  }
  const versions = await asRoot().send(new ListPolicyVersionsCommand({ PolicyArn: PROTECTED }));
  assert.deepEqual(versions.Versions?.map((v) => v.VersionId), ['v1']);
});

test('a Deny on a user, role, group or instance profile holds for case variants of its name', async () => {
  const user = `arn:aws:iam::${A}:user/Alice`;
  for (const name of ['Alice', 'alice', 'ALICE']) await deniedOn(asMallory().send(new DeleteUserCommand({ UserName: name })), 'iam:DeleteUser', user);
  for (const name of ['Admin', 'admin', 'ADMIN']) {
    await deniedOn(asMallory().send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: document([{ Effect: 'Allow', Action: '*', Resource: '*' }]) })), 'iam:PutRolePolicy', ADMIN_ROLE);
  }
  for (const name of ['Admins', 'admins']) {
    await deniedOn(asMallory().send(new AddUserToGroupCommand({ GroupName: name, UserName: 'mallory' })), 'iam:AddUserToGroup', `arn:aws:iam::${A}:group/Admins`);
  }
  for (const name of ['WebProfile', 'webprofile']) {
    await deniedOn(asMallory().send(new DeleteInstanceProfileCommand({ InstanceProfileName: name })), 'iam:DeleteInstanceProfile', `arn:aws:iam::${A}:instance-profile/WebProfile`);
  }
  await asRoot().send(new GetUserCommand({ UserName: 'Alice' }));
  assert.deepEqual((await asRoot().send(new ListRolePoliciesCommand({ RoleName: 'Admin' }))).PolicyNames, []);
  assert.deepEqual((await asRoot().send(new GetGroupCommand({ GroupName: 'Admins' }))).Users, []);
  await asRoot().send(new GetInstanceProfileCommand({ InstanceProfileName: 'WebProfile' }));
});

test('a Deny on sts:AssumeRole holds for a case variant of the role ARN', async () => {
  const sts = stsClient(server.endpoint, mallory);
  for (const arn of [ADMIN_ROLE, `arn:aws:iam::${A}:role/ops/admin`, `arn:aws:iam::${A}:role/ops/ADMIN`]) {
    await deniedOn(sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'sess' })), 'sts:AssumeRole', ADMIN_ROLE);
  }
});

test('a Deny on a SAML provider ARN holds for a case variant of its name', async () => {
  for (const arn of [SAML, `arn:aws:iam::${A}:saml-provider/corpidp`, `arn:aws:iam::${A}:saml-provider/CORPIDP`]) {
    await deniedOn(asMallory().send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arn })), 'iam:DeleteSAMLProvider', SAML);
  }
  await asRoot().send(new GetSAMLProviderCommand({ SAMLProviderArn: SAML }));
});

test('a case variant of an OIDC provider ARN names no provider: the Deny is not needed to keep it', async () => {
  await deniedOn(asMallory().send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: OIDC })), 'iam:DeleteOpenIDConnectProvider', OIDC);
  // The provider's path is part of its URL, which is case-sensitive: another case is another (absent) provider.
  await asMallory().send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: `arn:aws:iam::${A}:oidc-provider/token.example.test/org` }));
  await asRoot().send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: OIDC }));
});

test('a Deny on a virtual MFA device holds for a case variant of its serial number', async () => {
  for (const serial of [MFA, `arn:aws:iam::${A}:mfa/ops/alicetoken`, `arn:aws:iam::${A}:mfa/ops/ALICETOKEN`]) {
    await deniedOn(asMallory().send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })), 'iam:DeleteVirtualMFADevice', MFA);
  }
  const devices = await asRoot().send(new ListVirtualMFADevicesCommand({}));
  assert.deepEqual(devices.VirtualMFADevices?.map((d) => d.SerialNumber), [MFA]);
});
