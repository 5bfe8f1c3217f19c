// The web console in a real browser (Debian's Chromium through playwright-core) against a real server: sign-in,
// the forced change of password, the users and user pages, access keys, sign-out; every page through axe-core.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AttachUserPolicyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Page, Request } from 'playwright-core';
import { iamClient, stsClient } from './helpers/clients.js';
import { openConsole, seriousViolations, useBrowser } from './helpers/browser.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const FIRST_PASSWORD = 'First-password-1';
const NEW_PASSWORD = 'Second-password-2';
// What the console needs to show users and manage access keys; ChangePassword comes from AWS's managed policy.
const CONSOLE_READER = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*', 'iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey'], Resource: '*' }],
});

const ROOT_PASSWORD = 'Root-console-password-1';
const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD }, {}, async () => {
  const iam = iamClient(server.endpoint);
  for (const name of ['alice', 'nobody']) {
    await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: FIRST_PASSWORD, PasswordResetRequired: name === 'alice' }));
  }
  await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/IAMUserChangePassword' }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'console', PolicyDocument: CONSOLE_READER }));
});
const chromium = useBrowser();

async function fillSignIn(page: Page, userName: string, password: string): Promise<void> {
  await page.getByLabel('Account ID or alias').fill(TEST_ACCOUNT_ID);
  await page.getByLabel('IAM user name').fill(userName);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });

describe('the web console', () => {
  test('sign in with a forced reset, change the password, list users, create an access key (secret shown once), sign out', async () => {
    const { page, context, foreignRequests, pageErrors } = await openConsole(chromium.browser, server.endpoint);
    const apiCalls: Request[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/') apiCalls.push(request);
    });
    try {
      assert.equal(new URL(page.url()).pathname, '/_gatehouse/console/');
      await heading(page, 'Sign in to Gatehouse').waitFor();
      assert.deepEqual(await seriousViolations(page), [], 'sign-in page');

      await fillSignIn(page, 'alice', FIRST_PASSWORD);
      await heading(page, 'Set a new password').waitFor();
      // The reset-only session: no navigation to anything else.
      assert.equal(await page.getByRole('navigation', { name: 'Console' }).count(), 0);
      await page.getByText('The new password needs:').waitFor();
      assert.deepEqual(await seriousViolations(page), [], 'forced change of password');

      await page.getByLabel('Current password').fill(FIRST_PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();

      await heading(page, 'Users').waitFor();
      const table = page.getByRole('table');
      await table.getByRole('link', { name: 'nobody' }).waitFor();
      assert.deepEqual(await table.getByRole('link').allTextContents(), ['alice', 'nobody']);
      assert.deepEqual(await seriousViolations(page), [], 'users page');
      // The README's screenshot, rewritten only when asked (GATEHOUSE_UPDATE_SCREENSHOT=1): its dates change every run.
      const screenshot = await page.screenshot(process.env['GATEHOUSE_UPDATE_SCREENSHOT'] === '1' ? { path: 'docs/console-users.png' } : {});
      assert.ok(screenshot.length > 1000);

      // The console signed its calls with the session's temporary credentials, as any SDK does.
      assert.ok(apiCalls.length > 0);
      for (const call of apiCalls) {
        const headers = await call.allHeaders();
        assert.match(headers['authorization'] ?? '', /^AWS4-HMAC-SHA256 Credential=ASIA/);
        assert.ok((headers['x-amz-security-token'] ?? '').length > 0);
      }
      const iam = iamClient(server.endpoint);
      const alice = (await iam.send(new GetUserCommand({ UserName: 'alice' }))).User;
      assert.ok(alice?.PasswordLastUsed instanceof Date, 'PasswordLastUsed is recorded at sign-in');

      await table.getByRole('link', { name: 'alice' }).click();
      await heading(page, 'alice').waitFor();
      await page.getByText(`arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice`).waitFor();
      await page.getByText('No access keys.').waitFor();
      assert.deepEqual(await seriousViolations(page), [], 'user page');

      await page.getByRole('button', { name: 'Create access key' }).click();
      const secretCell = page.getByTestId('new-secret-access-key');
      await secretCell.waitFor();
      const accessKeyId = (await page.getByTestId('new-access-key-id').textContent()) ?? '';
      const secretAccessKey = (await secretCell.textContent()) ?? '';
      assert.match(accessKeyId, /^AKIA[A-Z0-9]{16}$/);
      assert.equal(secretAccessKey.length, 40);
      assert.deepEqual(await seriousViolations(page), [], 'user page with the new secret');
      // The secret shown is the key's: it signs for alice.
      const who = await stsClient(server.endpoint, { accessKeyId, secretAccessKey }).send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice`);

      await page.getByRole('button', { name: 'Done, I saved the secret' }).click();
      await page.getByRole('cell', { name: accessKeyId, exact: true }).waitFor();
      assert.equal((await page.content()).includes(secretAccessKey), false, 'the secret is gone once dismissed');
      await page.reload();
      await page.getByRole('cell', { name: accessKeyId, exact: true }).waitFor();
      assert.equal((await page.content()).includes(secretAccessKey), false, 'the secret is never shown again');

      await page.getByRole('button', { name: `Deactivate ${accessKeyId}` }).click();
      await page.getByRole('button', { name: `Activate ${accessKeyId}` }).waitFor();
      assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }))).AccessKeyMetadata?.[0]?.Status, 'Inactive');
      await page.getByRole('button', { name: `Delete ${accessKeyId}` }).click();
      await page.getByRole('button', { name: `Confirm deleting ${accessKeyId}` }).click();
      await page.getByText('No access keys.').waitFor();
      assert.deepEqual((await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }))).AccessKeyMetadata, []);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await heading(page, 'Sign in to Gatehouse').waitFor();
      assert.equal(await page.evaluate('JSON.stringify(Object.keys(sessionStorage))'), '[]', 'sign-out drops the credentials');
      // A reload after sign-out stays signed out.
      await page.reload();
      await heading(page, 'Sign in to Gatehouse').waitFor();

      assert.deepEqual(foreignRequests, [], 'nothing is fetched from another origin');
      assert.deepEqual(pageErrors, [], 'no script error, no CSP violation');
    } finally {
      await context.close();
    }
  });

  test('a wrong password shows a clear message, and the same one as an unknown user', async () => {
    const { page, context } = await openConsole(chromium.browser, server.endpoint);
    try {
      await fillSignIn(page, 'nobody', 'Wrong-password-9');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.equal(await alert.textContent(), 'Your authentication information is incorrect. Please try again.');
      assert.deepEqual(await seriousViolations(page), [], 'sign-in page with its error');
      await fillSignIn(page, 'no-such-user', 'Wrong-password-9');
      await page.getByRole('button', { name: 'Sign in', exact: true }).isEnabled();
      await alert.waitFor();
      assert.equal(await alert.textContent(), 'Your authentication information is incorrect. Please try again.');
      await heading(page, 'Sign in to Gatehouse').waitFor();
    } finally {
      await context.close();
    }
  });

  test('no private back door: a user without permissions sees AccessDenied as text', async () => {
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint);
    try {
      await fillSignIn(page, 'nobody', FIRST_PASSWORD);
      await heading(page, 'Users').waitFor();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.equal(
        await alert.textContent(),
        `AccessDenied: User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/nobody is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:user/ because no identity-based policy allows the iam:ListUsers action`,
      );
      assert.deepEqual(await seriousViolations(page), [], 'users page with a denial');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('root signs in, creates a user with a password and a forced reset; that user signs in and must change it', async () => {
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint);
    try {
      await page.getByRole('radio', { name: 'Root user' }).check();
      assert.equal(await page.getByLabel('IAM user name').count(), 0, 'no user name for root');
      assert.deepEqual(await seriousViolations(page), [], 'root sign-in');
      await page.getByLabel('Account ID or alias').fill(TEST_ACCOUNT_ID);
      await page.getByLabel('Password', { exact: true }).fill(ROOT_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'Users').waitFor();
      await page.getByRole('link', { name: 'alice' }).waitFor();
      assert.equal(await page.getByText(`root @ ${TEST_ACCOUNT_ID}`).count(), 1);
      // Its password is not an IAM user's: ChangePassword would not change it, so the console does not offer it.
      assert.equal(await page.getByRole('link', { name: 'Change password' }).count(), 0);

      await page.getByRole('button', { name: 'Create user' }).click();
      await page.getByLabel('User name', { exact: true }).fill('zoe');
      await page.getByLabel('Give console access (a password)').check();
      await page.getByLabel('Console password').fill(FIRST_PASSWORD);
      assert.equal(await page.getByLabel(/Must create a new password/).isChecked(), true);
      assert.deepEqual(await seriousViolations(page), [], 'create user form');
      await page.getByRole('button', { name: 'Create user' }).click();
      await heading(page, 'zoe').waitFor();
      await page.getByText('IAMUserChangePassword').waitFor();

      await page.getByRole('button', { name: 'Sign out' }).click();
      // Signed out, the form remembers the root choice and the account, never the password.
      assert.equal(await page.getByRole('radio', { name: 'Root user' }).isChecked(), true);
      assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
      await page.getByRole('radio', { name: 'IAM user' }).check();
      await fillSignIn(page, 'zoe', FIRST_PASSWORD);
      await heading(page, 'Set a new password').waitFor();
      await page.getByLabel('Current password').fill(FIRST_PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      // Zoe has no permission beyond changing her password: the users page shows the denial.
      await heading(page, 'Users').waitFor();
      await page.getByText(/AccessDenied: User: arn:aws:iam::111122223333:user\/zoe is not authorized to perform: iam:ListUsers/).waitFor();
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('root attaches a policy to a user from the console: the action the user was denied becomes allowed', async () => {
    const user = await openConsole(chromium.browser, server.endpoint);
    const root = await openConsole(chromium.browser, server.endpoint);
    try {
      await fillSignIn(user.page, 'nobody', FIRST_PASSWORD);
      await heading(user.page, 'Users').waitFor();
      await user.page.getByText(/AccessDenied: .* iam:ListUsers/).waitFor();

      await root.page.getByRole('radio', { name: 'Root user' }).check();
      await root.page.getByLabel('Account ID or alias').fill(TEST_ACCOUNT_ID);
      await root.page.getByLabel('Password', { exact: true }).fill(ROOT_PASSWORD);
      await root.page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await root.page.getByRole('link', { name: 'nobody' }).click();
      await heading(root.page, 'nobody').waitFor();
      await root.page.getByLabel('Policy ARN to attach').fill('arn:aws:iam::aws:policy/IAMReadOnlyAccess');
      await root.page.getByRole('button', { name: 'Attach policy' }).click();
      await root.page.getByRole('button', { name: 'Detach IAMReadOnlyAccess' }).waitFor();
      assert.deepEqual(await seriousViolations(root.page), [], 'user page with an attached policy');

      // The same console session, unchanged: the next request is decided with the new policy.
      await user.page.reload();
      await user.page.getByRole('link', { name: 'zoe' }).waitFor();
      assert.equal(await user.page.getByRole('alert').count(), 0);
      // Read-only: creating a user is still denied, and said so.
      await user.page.getByRole('button', { name: 'Create user' }).click();
      await user.page.getByLabel('User name', { exact: true }).fill('not-allowed');
      await user.page.getByRole('button', { name: 'Create user' }).click();
      await user.page.getByText(/AccessDenied: User: arn:aws:iam::111122223333:user\/nobody is not authorized to perform: iam:CreateUser/).waitFor();
    } finally {
      await user.context.close();
      await root.context.close();
    }
  });
});
