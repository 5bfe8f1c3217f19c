// MFA in the web console: a user assigns a virtual MFA device to itself (the QR code shown as an image, its secret
// key read from the page, two consecutive codes typed), signs out, and signs in again with a code; a policy that
// denies without MFA then allows the same action.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateLoginProfileCommand, CreateUserCommand, ListMFADevicesCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { Page } from 'playwright-core';
import { codeAt, timeStep } from '../src/core/sts/totp.js';
import { openConsole, seriousViolations, useBrowser } from './helpers/browser.js';
import { iamClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const PASSWORD = 'Mfa-console-password-1';
// Everything in IAM, except listing users without MFA (AWS's documented pattern, BoolIfExists … false).
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
    { Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
  ],
});

const server = useTestServer({}, {}, async () => {
  const iam = iamClient(server.endpoint);
  await iam.send(new CreateUserCommand({ UserName: 'maria' }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'maria', Password: PASSWORD }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'maria', PolicyName: 'mfa-for-listing', PolicyDocument: POLICY }));
});
const chromium = useBrowser();

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });

async function fillSignIn(page: Page): Promise<void> {
  await page.getByLabel('Account ID or alias').fill(TEST_ACCOUNT_ID);
  await page.getByLabel('IAM user name').fill('maria');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('MFA in the web console', () => {
  test('assign a virtual MFA device from its QR code page, then sign in with a code: the MFA-only action is allowed', async () => {
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint);
    try {
      await fillSignIn(page);
      await heading(page, 'Users').waitFor();
      await page.getByText(/AccessDenied: User: arn:aws:iam::111122223333:user\/maria is not authorized to perform: iam:ListUsers/).waitFor();

      await page.goto(`${server.endpoint}/_gatehouse/console/#/users/maria`);
      await heading(page, 'maria').waitFor();
      await page.getByText('No MFA device.').waitFor();
      await page.getByRole('button', { name: 'Assign MFA device' }).click();
      await page.getByRole('button', { name: 'Continue' }).click();
      const qr = page.getByRole('img', { name: 'QR code of the new MFA device' });
      await qr.waitFor();
      // The PNG decoded: the data: URL is allowed by the page's CSP and is a real image.
      assert.ok(((await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) as number) > 0);
      await page.getByRole('button', { name: 'Show secret key' }).click();
      const seed = ((await page.getByTestId('mfa-seed').textContent()) ?? '').trim();
      assert.match(seed, /^[A-Z2-7]{64}$/);
      assert.deepEqual(await seriousViolations(page), [], 'MFA set-up');
      const step = timeStep(new Date());
      await page.getByLabel('MFA code 1').fill(codeAt(seed, step - 2));
      await page.getByLabel('MFA code 2 (the next one)').fill(codeAt(seed, step - 1));
      await page.getByRole('button', { name: 'Add MFA' }).click();
      await page.getByText(`arn:aws:iam::${TEST_ACCOUNT_ID}:mfa/maria`).waitFor();
      const devices = await iamClient(server.endpoint).send(new ListMFADevicesCommand({ UserName: 'maria' }));
      assert.deepEqual(devices.MFADevices?.map((d) => d.SerialNumber), [`arn:aws:iam::${TEST_ACCOUNT_ID}:mfa/maria`]);
      assert.deepEqual(await seriousViolations(page), [], 'user page with an MFA device');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await heading(page, 'Sign in to Gatehouse').waitFor();
      await fillSignIn(page);
      await page.getByLabel('MFA code').fill(codeAt(seed, timeStep(new Date())));
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      // Signed in again, the console opens where the person was.
      await heading(page, 'maria').waitFor();
      await page.getByRole('link', { name: 'Users', exact: true }).first().click();
      await heading(page, 'Users').waitFor();
      // With MFA in the session's context, the same policy allows listing users.
      await page.getByRole('link', { name: 'maria' }).waitFor();
      assert.equal(await page.getByRole('alert').count(), 0);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
