// Account settings in the web console: the account alias (then used to sign in) and the password policy (then
// enforced on a new password), at desktop size and at 390×844.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetGroupCommand,
  GetUserCommand,
  PutUserPolicyCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetAccountPasswordPolicyCommand,
  ListAccountAliasesCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { heading, openConsole, scrollsSideways, seriousViolations, signInAsRoot, useBrowser } from './helpers/browser.js';
import { codeAt, timeStep } from '../src/core/sts/totp.js';
import { failure, iamClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const ROOT_PASSWORD = 'Root-console-password-1';
const PASSWORD = 'Account-page-password-1';
const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD }, {}, async () => {
  const iam = iamClient(server.endpoint);
  await iam.send(new CreateUserCommand({ UserName: 'olga' }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'olga', Password: PASSWORD, PasswordResetRequired: true }));
});
const chromium = useBrowser();


describe('account settings in the web console', () => {
  test('set the alias and the password policy; a user signs in by the alias and the policy judges the new password', async () => {
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint);
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.getByRole('link', { name: 'Account settings' }).click();
      await heading(page, 'Account settings').waitFor();
      await page.getByText('No policy is set').waitFor();
      assert.deepEqual(await seriousViolations(page), [], 'account settings');

      await page.getByLabel('New alias').fill('console-corp');
      await page.getByRole('button', { name: 'Save alias' }).click();
      await page.getByRole('button', { name: 'Delete alias' }).waitFor();
      assert.deepEqual((await iamClient(server.endpoint).send(new ListAccountAliasesCommand({}))).AccountAliases, ['console-corp']);

      await page.getByLabel('Minimum password length (6 to 128)').fill('20');
      await page.getByLabel('Require at least one symbol').check();
      await page.getByLabel('Allow users to change their own password').check();
      await page.getByLabel('Passwords expire after (days, 1 to 1095; empty: never)').fill('90');
      await page.getByRole('button', { name: 'Save password policy' }).click();
      await page.getByText('The password policy was saved.').waitFor();
      const policy = (await iamClient(server.endpoint).send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy;
      assert.deepEqual(
        [policy?.MinimumPasswordLength, policy?.RequireSymbols, policy?.AllowUsersToChangePassword, policy?.MaxPasswordAge, policy?.ExpirePasswords],
        [20, true, true, 90, true],
      );
      await page.getByRole('button', { name: 'Sign out' }).click();

      // Olga signs in by the alias; her new password must meet the policy, which the page lists.
      await page.getByRole('radio', { name: 'IAM user' }).check();
      await page.getByLabel('Account ID or alias').fill('console-corp');
      await page.getByLabel('IAM user name').fill('olga');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'Set a new password').waitFor();
      await page.getByText('At least 20 characters').waitFor();
      await page.getByLabel('Current password').fill(PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill('Short-1!');
      await page.getByLabel('Confirm new password').fill('Short-1!');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('PasswordPolicyViolation: Password does not conform to the account password policy.').waitFor();
      const long = 'A-much-longer-password-1!';
      await page.getByLabel('Current password').fill(PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill(long);
      await page.getByLabel('Confirm new password').fill(long);
      await page.getByRole('button', { name: 'Change password' }).click();
      await heading(page, 'Users').waitFor();
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('the account settings page fits 390×844 with every control reachable', async () => {
    const { page, context } = await openConsole(chromium.browser, server.endpoint, { width: 390, height: 844 });
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.getByRole('link', { name: 'Account settings' }).click();
      await heading(page, 'Account settings').waitFor();
      await page.getByRole('button', { name: 'Save password policy' }).waitFor();
      assert.equal(await scrollsSideways(page), false);
      assert.deepEqual(await seriousViolations(page), [], 'account settings at 390×844');
      for (const name of ['Save alias', 'Save password policy', 'Sign out']) {
        const button = page.getByRole('button', { name });
        await button.scrollIntoViewIfNeeded();
        const box = await button.boundingBox();
        assert.ok(box !== null && box.x >= 0 && box.x + box.width <= 390.5, name);
      }
    } finally {
      await context.close();
    }
  });

  test('groups: create one, add a user (seen on the user page), remove the user; both pages fit 390×844', async () => {
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint, { width: 390, height: 844 });
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.getByRole('link', { name: 'Groups' }).click();
      await heading(page, 'Groups').waitFor();
      await page.getByText('No groups.').waitFor();
      assert.equal(await scrollsSideways(page), false);
      assert.deepEqual(await seriousViolations(page), [], 'groups');
      await page.getByLabel('Group name').fill('auditors');
      await page.getByRole('button', { name: 'Create group' }).click();
      await heading(page, 'auditors').waitFor();
      await page.getByText('No members.').waitFor();
      await page.getByLabel('User to add').fill('olga');
      await page.getByRole('button', { name: 'Add user' }).click();
      await page.getByRole('button', { name: 'Remove olga from the group' }).waitFor();
      assert.equal(await scrollsSideways(page), false);
      assert.deepEqual(await seriousViolations(page), [], 'group page');
      await page.getByRole('link', { name: 'olga' }).click();
      await heading(page, 'olga').waitFor();
      await page.getByRole('region', { name: 'Groups' }).getByText('auditors').waitFor();
      await page.goBack();
      await heading(page, 'auditors').waitFor();
      await page.getByRole('button', { name: 'Remove olga from the group' }).click();
      await page.getByText('No members.').waitFor();
      // A user that does not exist: IAM's error, as text.
      await page.getByLabel('User to add').fill('ghost');
      await page.getByRole('button', { name: 'Add user' }).click();
      await page.getByText('NoSuchEntity: The user with name ghost cannot be found.').waitFor();
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('Switch Role: a user without permissions acts as a role, shown by its name and colour; switch back; recent roles', async () => {
    const root = iamClient(server.endpoint);
    const password = 'Pavel-long-password-1!';
    await root.send(new CreateUserCommand({ UserName: 'pavel' }));
    await root.send(new CreateLoginProfileCommand({ UserName: 'pavel', Password: password }));
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/pavel` }, Action: 'sts:AssumeRole' }] };
    await root.send(new CreateRoleCommand({ RoleName: 'ops-admin', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await root.send(new AttachRolePolicyCommand({ RoleName: 'ops-admin', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint, { width: 390, height: 844 });
    try {
      await page.getByLabel('Account ID or alias').fill(TEST_ACCOUNT_ID);
      await page.getByLabel('IAM user name').fill('pavel');
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'Users').waitFor();
      await page.getByText(/AccessDenied: .*user\/pavel is not authorized to perform: iam:ListUsers/).waitFor();

      await page.getByRole('link', { name: 'Switch role' }).click();
      await heading(page, 'Switch role').waitFor();
      assert.equal(await scrollsSideways(page), false);
      assert.deepEqual(await seriousViolations(page), [], 'switch role');
      await page.getByLabel('Role name').fill('ops-admin');
      await page.getByLabel('Display name (optional)').fill('Ops');
      await page.getByRole('radio', { name: 'red' }).check();
      await page.getByRole('button', { name: 'Switch role' }).click();
      await heading(page, 'Users').waitFor();
      await page.getByRole('link', { name: 'pavel' }).waitFor();
      const chip = page.locator('header .role-chip');
      assert.equal(await chip.textContent(), 'Ops');
      assert.match((await chip.getAttribute('class')) ?? '', /role-red/);
      assert.equal(await chip.getAttribute('title'), `arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/ops-admin/pavel`);
      assert.equal(await scrollsSideways(page), false);
      assert.deepEqual(await seriousViolations(page), [], 'users page as a role');
      // Read-only role: a write is denied to the role session, and says so.
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.getByLabel('User name', { exact: true }).fill('not-by-role');
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.getByText(/AccessDenied: User: arn:aws:sts::111122223333:assumed-role\/ops-admin\/pavel is not authorized to perform: iam:CreateUser/).waitFor();

      await page.getByRole('button', { name: 'Switch back' }).click();
      await page.getByText(/AccessDenied: .*user\/pavel is not authorized to perform: iam:ListUsers/).waitFor();
      assert.equal(await page.locator('header .role-chip').count(), 0);
      await page.getByRole('link', { name: 'Switch role' }).click();
      await page.getByRole('button', { name: 'Ops' }).click();
      await page.getByRole('link', { name: 'pavel' }).waitFor();
      // A role this user may not assume: STS's AccessDenied, as text.
      await page.getByRole('link', { name: 'Switch role' }).click();
      await page.getByLabel('Role name').fill('no-such-role');
      await page.getByRole('button', { name: 'Switch role' }).click();
      await page.getByText(/^AccessDenied: /).waitFor();
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('roles: the list and a role page with its trust policy, at 390×844', async () => {
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    await iamClient(server.endpoint).send(
      new CreateRoleCommand({ RoleName: 'lambda-runner-with-a-long-name', Description: 'Runs the functions', AssumeRolePolicyDocument: JSON.stringify(trust) }),
    );
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint, { width: 390, height: 844 });
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.getByRole('link', { name: 'Roles', exact: true }).click();
      await heading(page, 'Roles').waitFor();
      await page.getByText('Runs the functions').waitFor();
      assert.equal(await scrollsSideways(page), false);
      assert.deepEqual(await seriousViolations(page), [], 'roles');
      await page.getByRole('link', { name: 'lambda-runner-with-a-long-name' }).click();
      await heading(page, 'lambda-runner-with-a-long-name').waitFor();
      const document = page.getByLabel('Trust policy');
      await document.waitFor();
      assert.deepEqual(JSON.parse((await document.textContent()) ?? ''), trust);
      await page.getByText('Never').first().waitFor();
      assert.equal(await scrollsSideways(page), false);
      assert.deepEqual(await seriousViolations(page), [], 'role page');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('delete a user with everything it has (password, key, MFA device, policies, group), as AWS\'s console does', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'doomed' }));
    await root.send(new CreateLoginProfileCommand({ UserName: 'doomed', Password: 'Doomed-long-password-1!' }));
    await root.send(new CreateAccessKeyCommand({ UserName: 'doomed' }));
    await root.send(new PutUserPolicyCommand({ UserName: 'doomed', PolicyName: 'inline', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }] }) }));
    await root.send(new AttachUserPolicyCommand({ UserName: 'doomed', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    await root.send(new CreateGroupCommand({ GroupName: 'doomed-group' }));
    await root.send(new AddUserToGroupCommand({ GroupName: 'doomed-group', UserName: 'doomed' }));
    const device = (await root.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'doomed' }))).VirtualMFADevice;
    const seed = Buffer.from(device?.Base32StringSeed ?? new Uint8Array()).toString('ascii');
    const step = timeStep(new Date());
    await root.send(new EnableMFADeviceCommand({ UserName: 'doomed', SerialNumber: device?.SerialNumber, AuthenticationCode1: codeAt(seed, step - 2), AuthenticationCode2: codeAt(seed, step - 1) }));
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint);
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.goto(`${server.endpoint}/_gatehouse/console/#/users/doomed`);
      await heading(page, 'doomed').waitFor();
      const button = page.getByRole('button', { name: 'Delete user' });
      assert.equal(await button.isDisabled(), true, 'not before the name is typed');
      await page.getByLabel('Type the user name to confirm').fill('doomed');
      await button.click();
      await heading(page, 'Users').waitFor();
      assert.equal((await failure(root.send(new GetUserCommand({ UserName: 'doomed' })))).name, 'NoSuchEntityException');
      assert.deepEqual((await root.send(new GetGroupCommand({ GroupName: 'doomed-group' }))).Users, []);
      const devices = (await root.send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices ?? [];
      assert.equal(devices.some((d) => d.SerialNumber === device?.SerialNumber), false, 'the virtual MFA device is deleted too');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
