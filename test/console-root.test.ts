// The root user's security credentials in the web console: root changes its password (signs out, the old one no
// longer works, the new one does), then assigns a virtual MFA device from its QR code page (the secret key read from
// the page, two consecutive codes), after which root's sign-in asks for a code (a wrong one is refused with a clear
// message), the account summary says AccountMFAEnabled and the dashboard's recommendation turns green.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetAccountSummaryCommand, ListVirtualMFADevicesCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import type { Page } from 'playwright-core';
import { codeAt, timeStep } from '../src/core/sts/totp.js';
import { heading, openConsole, scrollsSideways, seriousViolations, signInAsRoot, useBrowser } from './helpers/browser.js';
import { iamClient, stsClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const FIRST_PASSWORD = 'Root-console-password-1';
const NEW_PASSWORD = 'Root-console-password-2';
const SIGN_IN_FAILED = 'Your authentication information is incorrect. Please try again.';
const SERIAL = `arn:aws:iam::${TEST_ACCOUNT_ID}:mfa/root-account-mfa-device`;

const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: FIRST_PASSWORD });
const chromium = useBrowser();

async function fillRootSignIn(page: Page, password: string): Promise<void> {
  await page.getByRole('radio', { name: 'Root user' }).check();
  await page.getByLabel('Account ID or alias').fill(TEST_ACCOUNT_ID);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await heading(page, 'Sign in to Gatehouse').waitFor();
}

/** A six-digit code that is none of the device's codes near now (so that it is refused whatever the clock does). */
function wrongCode(seed: string): string {
  const step = timeStep(new Date());
  const near = new Set([-2, -1, 0, 1, 2].map((d) => codeAt(seed, step + d)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

describe("the root user's security credentials", () => {
  let seed = '';

  test('root changes its password: a wrong current password is refused clearly; then only the new one signs in', async () => {
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint);
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, FIRST_PASSWORD);
      await page.getByRole('link', { name: 'My security credentials' }).click();
      await heading(page, 'My security credentials (root user)').waitFor();
      await page.getByText('The root user has no MFA device.').waitFor();
      assert.deepEqual(await seriousViolations(page), [], 'root security credentials page');

      await page.getByLabel('Current root password').fill('Not-the-password-1');
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change root password' }).click();
      await page.getByRole('alert').getByText('SignInFailed: The current password is incorrect.').waitFor();

      await page.getByLabel('Current root password').fill(FIRST_PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill('weakpassword');
      await page.getByLabel('Confirm new password').fill('weakpassword');
      await page.getByRole('button', { name: 'Change root password' }).click();
      await page.getByRole('alert').getByText(/PasswordPolicyViolation: The password must hold at least three of/).waitFor();

      await page.getByLabel('Current root password').fill(FIRST_PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change root password' }).click();
      await page.getByRole('status').getByText('The root password was changed.').waitFor();

      await signOut(page);
      await fillRootSignIn(page, FIRST_PASSWORD);
      await page.getByRole('alert').getByText(SIGN_IN_FAILED).waitFor();
      await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      // Signed in again, the console opens where the person was.
      await heading(page, 'My security credentials (root user)').waitFor();
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('root assigns an MFA device from its QR code; then signs in with a code, a wrong one refused; the dashboard is green', async () => {
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint);
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, NEW_PASSWORD);
      await page.getByRole('link', { name: 'Dashboard' }).click();
      await page.getByText('The root user has no MFA device.').waitFor();
      await page.getByRole('link', { name: 'My security credentials' }).first().click();
      await heading(page, 'My security credentials (root user)').waitFor();
      await page.getByRole('button', { name: 'Assign MFA device' }).click();
      await page.getByRole('button', { name: 'Continue' }).click();
      const qr = page.getByRole('img', { name: 'QR code of the new MFA device' });
      await qr.waitFor();
      assert.ok(((await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) as number) > 0, 'the QR code is a real image');
      await page.getByRole('button', { name: 'Show secret key' }).click();
      seed = ((await page.getByTestId('mfa-seed').textContent()) ?? '').trim();
      assert.match(seed, /^[A-Z2-7]{64}$/);
      assert.deepEqual(await seriousViolations(page), [], 'root MFA set-up');

      const setUp = page.getByRole('region', { name: "Set up the root user's MFA device" });
      const step = timeStep(new Date());
      await setUp.getByLabel('Current root password').fill(NEW_PASSWORD);
      await setUp.getByLabel('MFA code 1').fill(codeAt(seed, step - 2));
      await setUp.getByLabel('MFA code 2 (the next one)').fill(wrongCode(seed));
      await setUp.getByRole('button', { name: 'Add MFA' }).click();
      await page.getByRole('alert').getByText('InvalidAuthenticationCode: Authentication code for device is not valid.').waitFor();
      const now = timeStep(new Date());
      await setUp.getByLabel('Current root password').fill(NEW_PASSWORD);
      await setUp.getByLabel('MFA code 1').fill(codeAt(seed, now - 2));
      await setUp.getByLabel('MFA code 2 (the next one)').fill(codeAt(seed, now - 1));
      await setUp.getByRole('button', { name: 'Add MFA' }).click();
      await page.getByRole('status').getByText('The MFA device was assigned to the root user.').waitFor();
      await page.getByText(SERIAL).waitFor();

      // What the API says of it, as AWS: the account has root MFA; the device's user is the root user.
      const iam = iamClient(server.endpoint);
      assert.equal((await iam.send(new GetAccountSummaryCommand({}))).SummaryMap?.['AccountMFAEnabled'], 1);
      const listed = await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }));
      assert.deepEqual(listed.VirtualMFADevices?.map((d) => [d.SerialNumber, d.User?.Arn]), [[SERIAL, `arn:aws:iam::${TEST_ACCOUNT_ID}:root`]]);
      await page.getByRole('link', { name: 'Dashboard' }).click();
      await page.getByText('The root user has MFA.').waitFor();

      await signOut(page);
      await fillRootSignIn(page, NEW_PASSWORD);
      await page.getByText('enter the six-digit code your MFA device shows for').waitFor();
      await page.getByLabel('MFA code').fill(wrongCode(seed));
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('alert').getByText(SIGN_IN_FAILED).waitFor();
      await page.getByLabel('MFA code').fill(codeAt(seed, timeStep(new Date())));
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'IAM dashboard').waitFor();

      // At a phone's width, the page fits and its forms are there.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('link', { name: 'My security credentials' }).click();
      await heading(page, 'My security credentials (root user)').waitFor();
      await page.getByLabel('Code of your current MFA device').first().waitFor();
      assert.equal(await scrollsSideways(page), false);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test("root's access key: GetSessionToken with the root device's code gives an MFA session", async () => {
    assert.ok(seed !== '', 'the device of the test before');
    // A code later than the one the sign-in spent: the next step's, accepted one step early.
    const code = codeAt(seed, timeStep(new Date()) + 1);
    const session = await stsClient(server.endpoint).send(new GetSessionTokenCommand({ SerialNumber: SERIAL, TokenCode: code }));
    const credentials = session.Credentials;
    assert.ok(credentials?.AccessKeyId !== undefined && credentials.SecretAccessKey !== undefined && credentials.SessionToken !== undefined);
    const sts = new STSClient({
      region: 'us-east-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken },
    });
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:root`);
  });
});
