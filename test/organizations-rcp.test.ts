// Resource control policies in force, end to end: an RCP attached at the root keeps principals outside the
// organization (a Gatehouse account that left it) from assuming a member account's role, in AWS's words, while the
// organization's own principals pass; the SDK v3 and the AWS CLI v2 see the same.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DetachPolicyCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  RemoveAccountFromOrganizationCommand,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { awsCli } from './helpers/aws-cli.js';
import { failure, iamClient, organizationsClient, stsClient, type Key } from './helpers/clients.js';
import { accessRoleSession, ALLOW_ALL, createMember, policyDoc, userWith } from './helpers/organizations.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

describe('resource control policies in force', () => {
  const server = useTestServer();
  let orgId = '';
  let rootId = '';
  let member = '';
  let partner = '';
  let admin: Key;
  let partnerAdmin: Key;
  let rcpId = '';
  const sharedArn = (): string => `arn:aws:iam::${member}:role/shared`;

  test('setup: a member account with a role trusting the management account and a partner that left the organization', async () => {
    const org = organizationsClient(server.endpoint);
    orgId = (await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization?.Id ?? '';
    rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' }));
    member = await createMember(org, 'workload');
    partner = await createMember(org, 'partner');
    admin = await userWith(server.endpoint, 'admin', [ALLOW_ALL]);
    partnerAdmin = await userWith(server.endpoint, 'partner-admin', [ALLOW_ALL], await accessRoleSession(server.endpoint, admin, partner));
    await org.send(new RemoveAccountFromOrganizationCommand({ AccountId: partner }));
    const inMember = iamClient(server.endpoint, await accessRoleSession(server.endpoint, admin, member));
    await inMember.send(new CreateRoleCommand({
      RoleName: 'shared',
      AssumeRolePolicyDocument: policyDoc({ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${TEST_ACCOUNT_ID}:root`, `arn:aws:iam::${partner}:root`] }, Action: 'sts:AssumeRole' }),
    }));
    // Before any RCP of our own (RCPFullAWSAccess alone) the partner gets in: its policies and the trust policy allow.
    const before = await stsClient(server.endpoint, partnerAdmin).send(new AssumeRoleCommand({ RoleArn: sharedArn(), RoleSessionName: 'pp' }));
    assert.equal(before.AssumedRoleUser?.Arn, `arn:aws:sts::${member}:assumed-role/shared/pp`);
  });

  test('an RCP denying sts:AssumeRole from outside the organization: the partner refused in AWS’s words, insiders pass', async () => {
    const org = organizationsClient(server.endpoint);
    rcpId = (await org.send(new CreatePolicyCommand({
      Name: 'identity-perimeter',
      Description: 'only principals of the organization assume its roles',
      Type: 'RESOURCE_CONTROL_POLICY',
      Content: policyDoc({
        Sid: 'EnforceOrgIdentities',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sts:AssumeRole',
        Resource: '*',
        Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': orgId }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
      }),
    }))).Policy?.PolicySummary?.Id ?? '';
    await org.send(new AttachPolicyCommand({ PolicyId: rcpId, TargetId: rootId }));
    assert.deepEqual(await failure(stsClient(server.endpoint, partnerAdmin).send(new AssumeRoleCommand({ RoleArn: sharedArn(), RoleSessionName: 'pp' }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${partner}:user/partner-admin is not authorized to perform: sts:AssumeRole on resource: ${sharedArn()} with an explicit deny in a resource control policy`,
      status: 403,
    });
    const inside = await stsClient(server.endpoint, admin).send(new AssumeRoleCommand({ RoleArn: sharedArn(), RoleSessionName: 'aa' }));
    assert.equal(inside.AssumedRoleUser?.Arn, `arn:aws:sts::${member}:assumed-role/shared/aa`);
    // RCPs do not bind IAM: the partner still manages its own account.
    await iamClient(server.endpoint, partnerAdmin).send(new CreateRoleCommand({ RoleName: 'own', AssumeRolePolicyDocument: policyDoc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${partner}:root` }, Action: 'sts:AssumeRole' }) }));
  });

  test('the AWS CLI v2 sees the same refusal and the same pass', async () => {
    const refused = await awsCli(server.endpoint, ['sts', 'assume-role', '--role-arn', sharedArn(), '--role-session-name', 'cli'], partnerAdmin);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      new RegExp(`An error occurred \\(AccessDenied\\) when calling the AssumeRole operation: User: arn:aws:iam::${partner}:user/partner-admin is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${member}:role/shared with an explicit deny in a resource control policy`),
    );
    const passed = await awsCli(server.endpoint, ['sts', 'assume-role', '--role-arn', sharedArn(), '--role-session-name', 'cli'], admin);
    assert.equal(passed.code, 0, passed.stderr);
    assert.equal((JSON.parse(passed.stdout) as { AssumedRoleUser: { Arn: string } }).AssumedRoleUser.Arn, `arn:aws:sts::${member}:assumed-role/shared/cli`);
  });

  test('detached, the RCP is gone for the very next request', async () => {
    await organizationsClient(server.endpoint).send(new DetachPolicyCommand({ PolicyId: rcpId, TargetId: rootId }));
    const after = await stsClient(server.endpoint, partnerAdmin).send(new AssumeRoleCommand({ RoleArn: sharedArn(), RoleSessionName: 'p2' }));
    assert.equal(after.AssumedRoleUser?.Arn, `arn:aws:sts::${member}:assumed-role/shared/p2`);
  });
});
