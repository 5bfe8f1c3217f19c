// Switch Role into another account of the organization: a user of the management account acts as the member
// account's OrganizationAccountAccessRole in the console, sees that account's users, and its actions land there.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateLoginProfileCommand, CreateUserCommand, GetUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateOrganizationCommand } from '@aws-sdk/client-organizations';
import { heading, openConsole, scrollsSideways, seriousViolations, useBrowser } from './helpers/browser.js';
import { failure, iamClient, organizationsClient } from './helpers/clients.js';
import { accessRoleSession, ALLOW_ALL, createMember, policyDoc, userWith } from './helpers/organizations.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: 'Root-console-password-1' });
const chromium = useBrowser();

describe('Switch Role across accounts in the web console', () => {
  test('a management-account user switches into a member account, lists and creates users there, and switches back', async () => {
    const org = organizationsClient(server.endpoint);
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const member = await createMember(org, 'workloads');
    assert.notEqual(member, TEST_ACCOUNT_ID);
    // A user the member account has before the switch, created through its access role (root may not assume roles).
    const admin = await userWith(server.endpoint, 'org-admin', [ALLOW_ALL]);
    const setup = await accessRoleSession(server.endpoint, admin, member);
    await iamClient(server.endpoint, setup).send(new CreateUserCommand({ UserName: 'member-only-user' }));

    const root = iamClient(server.endpoint);
    const password = 'Quentin-long-password-1!';
    await root.send(new CreateUserCommand({ UserName: 'quentin' }));
    await root.send(new CreateLoginProfileCommand({ UserName: 'quentin', Password: password }));
    const role = `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`;
    await root.send(new PutUserPolicyCommand({ UserName: 'quentin', PolicyName: 'switch', PolicyDocument: policyDoc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role }]) }));

    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint, { width: 390, height: 844 });
    try {
      await page.getByLabel('Account ID or alias').fill(TEST_ACCOUNT_ID);
      await page.getByLabel('IAM user name').fill('quentin');
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'Users').waitFor();
      await page.getByText(/AccessDenied: .*user\/quentin is not authorized to perform: iam:ListUsers/).waitFor();

      await page.getByRole('link', { name: 'Switch role' }).click();
      await heading(page, 'Switch role').waitFor();
      await page.getByLabel('Account ID').fill(member);
      await page.getByLabel('Role name').fill('OrganizationAccountAccessRole');
      await page.getByLabel('Display name (optional)').fill('Workloads');
      await page.getByRole('radio', { name: 'blue' }).check();
      await page.getByRole('button', { name: 'Switch role' }).click();
      await heading(page, 'Users').waitFor();
      // The member account's users, not the management account's.
      await page.getByRole('link', { name: 'member-only-user' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'quentin' }).count(), 0);
      const chip = page.locator('header .role-chip');
      assert.equal(await chip.textContent(), 'Workloads');
      assert.match((await chip.getAttribute('class')) ?? '', /role-blue/);
      assert.equal(await chip.getAttribute('title'), `arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/quentin`);
      assert.equal(await scrollsSideways(page), false);
      assert.deepEqual(await seriousViolations(page), [], 'users page of the member account');

      // A user created now is created in the member account.
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.getByLabel('User name', { exact: true }).fill('made-in-member');
      await page.getByRole('button', { name: 'Create user' }).click();
      await heading(page, 'made-in-member').waitFor();
      const made = await iamClient(server.endpoint, setup).send(new GetUserCommand({ UserName: 'made-in-member' }));
      assert.equal(made.User?.Arn, `arn:aws:iam::${member}:user/made-in-member`);
      assert.equal((await failure(root.send(new GetUserCommand({ UserName: 'made-in-member' })))).name, 'NoSuchEntityException');

      await page.getByRole('button', { name: 'Switch back' }).click();
      await page.getByText(/AccessDenied: .*user\/quentin is not authorized to perform: iam:ListUsers/).waitFor();
      // The recent role names its account.
      await page.getByRole('link', { name: 'Switch role' }).click();
      await page.getByRole('button', { name: 'Workloads' }).waitFor();
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
