// Deleting a group and a customer managed policy from the web console, as AWS's console does: what IAM's DeleteGroup
// and DeletePolicy refuse to leave behind goes first, under the signed-in identity's own permissions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetGroupCommand,
  GetPolicyCommand,
  GetUserCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  PutGroupPolicyCommand,
} from '@aws-sdk/client-iam';
import { heading, openConsole, scrollsSideways, seriousViolations, signInAsRoot, useBrowser } from './helpers/browser.js';
import { failure, iamClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const ROOT_PASSWORD = 'Root-console-password-1';
const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD });
const chromium = useBrowser();
const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

describe('deleting from the web console', () => {
  test('a group with members, an inline and an attached policy: all removed, the group gone, its member kept', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateGroupCommand({ GroupName: 'old-team' }));
    for (const name of ['ann', 'ben']) {
      await root.send(new CreateUserCommand({ UserName: name }));
      await root.send(new AddUserToGroupCommand({ GroupName: 'old-team', UserName: name }));
    }
    await root.send(new PutGroupPolicyCommand({ GroupName: 'old-team', PolicyName: 'inline', PolicyDocument: doc('iam:GetUser') }));
    await root.send(new AttachGroupPolicyCommand({ GroupName: 'old-team', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint, { width: 390, height: 844 });
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.goto(`${server.endpoint}/_gatehouse/console/#/groups/old-team`);
      await heading(page, 'old-team').waitFor();
      const button = page.getByRole('button', { name: 'Delete group' });
      assert.equal(await button.isDisabled(), true, 'not before the name is typed');
      await page.getByLabel('Type the group name to confirm').fill('old-tea');
      assert.equal(await button.isDisabled(), true, 'not with another name');
      await page.getByLabel('Type the group name to confirm').fill('old-team');
      assert.equal(await scrollsSideways(page), false);
      assert.deepEqual(await seriousViolations(page), [], 'group page with its delete panel');
      await button.click();
      await heading(page, 'Groups').waitFor();
      assert.equal((await failure(root.send(new GetGroupCommand({ GroupName: 'old-team' })))).name, 'NoSuchEntityException');
      assert.equal((await root.send(new GetUserCommand({ UserName: 'ann' }))).User?.UserName, 'ann');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('a customer managed policy attached to a user, a group and a role, with two versions: detached everywhere, deleted', async () => {
    const root = iamClient(server.endpoint);
    const arn = (await root.send(new CreatePolicyCommand({ PolicyName: 'retired', PolicyDocument: doc('s3:GetObject') }))).Policy?.Arn as string;
    await root.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc('s3:ListBucket'), SetAsDefault: true }));
    await root.send(new CreateUserCommand({ UserName: 'carl' }));
    await root.send(new AttachUserPolicyCommand({ UserName: 'carl', PolicyArn: arn }));
    await root.send(new CreateGroupCommand({ GroupName: 'readers' }));
    await root.send(new AttachGroupPolicyCommand({ GroupName: 'readers', PolicyArn: arn }));
    await root.send(new CreateRoleCommand({ RoleName: 'web', AssumeRolePolicyDocument: TRUST }));
    await root.send(new AttachRolePolicyCommand({ RoleName: 'web', PolicyArn: arn }));
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint);
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.goto(`${server.endpoint}/_gatehouse/console/#/policies/${encodeURIComponent(arn)}`);
      await heading(page, 'retired').waitFor();
      await page.getByLabel('Type the policy name to confirm').fill('retired');
      assert.deepEqual(await seriousViolations(page), [], 'policy page with its delete panel');
      await page.getByRole('button', { name: 'Delete policy' }).click();
      await heading(page, 'Policies').waitFor();
      assert.equal((await failure(root.send(new GetPolicyCommand({ PolicyArn: arn })))).name, 'NoSuchEntityException');
      assert.deepEqual((await root.send(new ListAttachedUserPoliciesCommand({ UserName: 'carl' }))).AttachedPolicies, []);
      assert.deepEqual((await root.send(new ListAttachedGroupPoliciesCommand({ GroupName: 'readers' }))).AttachedPolicies, []);
      assert.deepEqual((await root.send(new ListAttachedRolePoliciesCommand({ RoleName: 'web' }))).AttachedPolicies, []);
      // An AWS managed policy offers no delete.
      await page.goto(`${server.endpoint}/_gatehouse/console/#/policies/${encodeURIComponent('arn:aws:iam::aws:policy/IAMReadOnlyAccess')}`);
      await heading(page, 'IAMReadOnlyAccess').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Delete policy' }).count(), 0);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('a user allowed to read but not to change the group is told which step was denied, and nothing is removed', async () => {
    const root = iamClient(server.endpoint);
    const password = 'Reader-long-password-1!';
    await root.send(new CreateGroupCommand({ GroupName: 'kept' }));
    await root.send(new CreateUserCommand({ UserName: 'reader' }));
    await root.send(new AddUserToGroupCommand({ GroupName: 'kept', UserName: 'reader' }));
    await root.send(new CreateLoginProfileCommand({ UserName: 'reader', Password: password }));
    await root.send(new AttachUserPolicyCommand({ UserName: 'reader', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    const { page, context } = await openConsole(chromium.browser, server.endpoint);
    try {
      await page.getByLabel('Account ID or alias').fill(TEST_ACCOUNT_ID);
      await page.getByLabel('IAM user name').fill('reader');
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'Users').waitFor();
      await page.goto(`${server.endpoint}/_gatehouse/console/#/groups/kept`);
      await heading(page, 'kept').waitFor();
      await page.getByLabel('Type the group name to confirm').fill('kept');
      await page.getByRole('button', { name: 'Delete group' }).click();
      await page.getByText(/^Deleting members failed: AccessDenied: .*user\/reader is not authorized to perform: iam:RemoveUserFromGroup/).waitFor();
      assert.equal((await root.send(new GetGroupCommand({ GroupName: 'kept' }))).Users?.length, 1);
    } finally {
      await context.close();
    }
  });
});
