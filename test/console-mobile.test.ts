// The web console on a phone-sized screen (390×844): no page scrolls sideways, every action stays reachable, and
// axe-core finds nothing serious; and the MFA step of the sign-in, with a wrong code and the right one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import type { Locator, Page } from 'playwright-core';
import { codeAt, timeStep } from '../src/core/sts/totp.js';
import { openConsole, scrollsSideways, seriousViolations, useBrowser } from './helpers/browser.js';
import { iamClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const PASSWORD = 'Mobile-password-1';
const NEW_PASSWORD = 'Mobile-password-2';
const PHONE = { width: 390, height: 844 };
const EVERYTHING = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] });
let seed = '';

const server = useTestServer({}, {}, async () => {
  const iam = iamClient(server.endpoint);
  for (const name of ['mobile-user-with-a-rather-long-name-for-narrow-screens', 'mfa-user']) {
    await iam.send(new CreateUserCommand({ UserName: name, Path: '/a/fairly/deep/path/for/the/narrow/layout/' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: PASSWORD, PasswordResetRequired: name !== 'mfa-user' }));
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'all-iam', PolicyDocument: EVERYTHING }));
  }
  const device = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'mfa-user' }))).VirtualMFADevice;
  seed = Buffer.from(device?.Base32StringSeed ?? new Uint8Array()).toString('ascii');
  const step = timeStep(new Date());
  await iam.send(new EnableMFADeviceCommand({ UserName: 'mfa-user', SerialNumber: device?.SerialNumber, AuthenticationCode1: codeAt(seed, step - 2), AuthenticationCode2: codeAt(seed, step - 1) }));
});
const chromium = useBrowser();

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });

/** Inside the viewport's width, once scrolled into view (reachable without sideways scrolling). */
async function reachable(locator: Locator): Promise<void> {
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  assert.ok(box !== null, 'visible');
  assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width + 0.5, `within the width: ${JSON.stringify(box)}`);
}

async function checkPage(page: Page, name: string): Promise<void> {
  assert.equal(await scrollsSideways(page), false, `${name} scrolls sideways at 390×844`);
  assert.deepEqual(await seriousViolations(page), [], name);
}

async function fillSignIn(page: Page, userName: string, password: string): Promise<void> {
  await page.getByLabel('Account ID or alias').fill(TEST_ACCOUNT_ID);
  await page.getByLabel('IAM user name').fill(userName);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('the web console at 390×844', () => {
  test('sign-in, forced change of password, users and user pages fit the screen, with every action reachable', async () => {
    const name = 'mobile-user-with-a-rather-long-name-for-narrow-screens';
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint, PHONE);
    try {
      await heading(page, 'Sign in to Gatehouse').waitFor();
      await checkPage(page, 'sign-in');
      await fillSignIn(page, name, PASSWORD);
      await heading(page, 'Set a new password').waitFor();
      await page.getByText('The new password needs:').waitFor();
      await checkPage(page, 'forced change of password');
      await page.getByLabel('Current password').fill(PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
      await reachable(page.getByRole('button', { name: 'Change password' }));
      await page.getByRole('button', { name: 'Change password' }).click();

      await heading(page, 'Users').waitFor();
      await page.getByRole('link', { name }).waitFor();
      await checkPage(page, 'users');
      for (const action of [page.getByRole('button', { name: 'Sign out' }), page.getByRole('link', { name: 'Change password' }), page.getByRole('button', { name: 'Create user' }), page.getByRole('button', { name: 'Next page' })]) {
        await reachable(action);
      }
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.getByLabel('Give console access (a password)').check();
      await checkPage(page, 'create user form');
      await reachable(page.getByRole('button', { name: 'Cancel' }));
      await page.getByRole('button', { name: 'Cancel' }).click();

      await page.getByRole('link', { name }).click();
      await heading(page, name).waitFor();
      await page.getByText('No access keys.').waitFor();
      await checkPage(page, 'user');
      await page.getByRole('button', { name: 'Create access key' }).click();
      await page.getByTestId('new-secret-access-key').waitFor();
      const accessKeyId = (await page.getByTestId('new-access-key-id').textContent()) ?? '';
      await checkPage(page, 'user with the new secret');
      await reachable(page.getByTestId('new-secret-access-key'));
      await page.getByRole('button', { name: 'Done, I saved the secret' }).click();
      for (const action of [`Deactivate ${accessKeyId}`, `Delete ${accessKeyId}`]) await reachable(page.getByRole('button', { name: action }));
      await checkPage(page, 'user with an access key');

      await page.getByRole('link', { name: 'Change password' }).click();
      await heading(page, 'Change password').waitFor();
      await checkPage(page, 'change password');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('a user with an MFA device is asked for the code; a wrong code says so plainly, the right one signs in', async () => {
    const { page, context } = await openConsole(chromium.browser, server.endpoint, PHONE);
    try {
      await fillSignIn(page, 'mfa-user', PASSWORD);
      const code = page.getByLabel('MFA code');
      await code.waitFor();
      assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'mfa-code', 'the code field has the focus');
      await checkPage(page, 'MFA step');
      const now = timeStep(new Date());
      await code.fill(codeAt(seed, now - 6));
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('alert').waitFor();
      assert.equal(await page.getByRole('alert').textContent(), 'Your authentication information is incorrect. Please try again.');
      await checkPage(page, 'MFA step with its error');
      await code.fill(codeAt(seed, timeStep(new Date())));
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'Users').waitFor();
      await page.getByRole('link', { name: 'mfa-user' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
