// The console's credential report page in a real browser against a real server: generated through
// GenerateCredentialReport, sorted by any column, downloaded as the very bytes GetCredentialReport returns, and a
// user without iam:GenerateCredentialReport shown AWS's AccessDenied.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateAccessKeyCommand, CreateLoginProfileCommand, CreateUserCommand, GetCredentialReportCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { Page } from 'playwright-core';
import { iamClient } from './helpers/clients.js';
import { heading, openConsole, scrollsSideways, seriousViolations, signInAsRoot, useBrowser } from './helpers/browser.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const ROOT_PASSWORD = 'Root-report-password-1';
const DAVE_PASSWORD = 'Dave-report-password-1!';

const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD }, {}, async () => {
  const iam = iamClient(server.endpoint);
  // Created out of order; dave's path puts his ARN before alice's.
  for (const [name, path] of [
    ['carol', '/'],
    ['alice', '/'],
    ['dave', '/a/'],
    ['bob', '/'],
  ] as const) {
    await iam.send(new CreateUserCommand({ UserName: name, Path: path }));
  }
  // The report's times are to the second: bob's key comes a second after root's, which the server made at its start.
  await sleep(1100);
  await iam.send(new CreateAccessKeyCommand({ UserName: 'bob' }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'dave', Password: DAVE_PASSWORD }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'dave', PolicyName: 'read', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }] }) }));
});
const chromium = useBrowser();

/** The report table's column of `label`, top to bottom. */
async function column(page: Page, index: number): Promise<string[]> {
  return page.locator('table.report tbody tr').evaluateAll((rows, i) => rows.map((r) => (r as unknown as { cells: ArrayLike<{ textContent: string | null }> }).cells[i]?.textContent ?? ''), index);
}

describe('the credential report page', () => {
  test('generate, sort by a column both ways, download the CSV GetCredentialReport returns', async () => {
    const { page, context, pageErrors, foreignRequests } = await openConsole(chromium.browser, server.endpoint, { width: 1280, height: 800 });
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.getByRole('link', { name: 'Credential report' }).click();
      await heading(page, 'Credential report').waitFor();
      await page.getByRole('button', { name: 'Generate report' }).click();
      await page.locator('table.report').waitFor();
      const userHeader = page.getByRole('columnheader', { name: 'user', exact: true });
      const arnHeader = page.getByRole('columnheader', { name: 'arn', exact: true });
      assert.equal(await userHeader.getAttribute('aria-sort'), 'ascending');
      assert.deepEqual(await column(page, 0), ['<root_account>', 'alice', 'bob', 'carol', 'dave']);

      await userHeader.getByRole('button').click();
      assert.equal(await userHeader.getAttribute('aria-sort'), 'descending');
      assert.deepEqual(await column(page, 0), ['dave', 'carol', 'bob', 'alice', '<root_account>']);

      assert.equal(await arnHeader.count(), 0, 'the ARN is among the columns shown only on request');
      await page.getByLabel(/Show every column of the report/).check();
      assert.equal(await page.getByRole('columnheader').count(), 22);
      await arnHeader.getByRole('button').click();
      assert.equal(await arnHeader.getAttribute('aria-sort'), 'ascending');
      assert.equal(await userHeader.getAttribute('aria-sort'), 'none');
      assert.deepEqual(await column(page, 0), ['<root_account>', 'dave', 'alice', 'bob', 'carol']);

      // Absent values ("N/A") sort last both ways: only root (its key from the configuration) and bob have a key.
      const rotated = page.getByRole('columnheader', { name: 'access key 1 last rotated', exact: true });
      await rotated.getByRole('button').click();
      assert.deepEqual((await column(page, 0)).slice(0, 2), ['<root_account>', 'bob']);
      await rotated.getByRole('button').click();
      assert.equal(await rotated.getAttribute('aria-sort'), 'descending');
      assert.deepEqual((await column(page, 0)).slice(0, 2), ['bob', '<root_account>']);

      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download report' }).click();
      const download = await downloading;
      assert.equal(download.suggestedFilename(), 'credential-report.csv');
      const saved = readFileSync(await download.path());
      const expected = (await iamClient(server.endpoint).send(new GetCredentialReportCommand({}))).Content ?? new Uint8Array();
      assert.ok(saved.length > 100);
      assert.deepEqual(new Uint8Array(saved), new Uint8Array(expected));
      assert.match(saved.toString('utf8'), /^user,arn,user_creation_time,/);

      await page.getByLabel(/Show every column of the report/).uncheck();
      await userHeader.getByRole('button').click();
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      assert.deepEqual(await seriousViolations(page), [], 'credential report');
      // The README's screenshot, rewritten only when asked (GATEHOUSE_UPDATE_SCREENSHOT=1): its dates change every run.
      assert.ok((await page.screenshot(process.env['GATEHOUSE_UPDATE_SCREENSHOT'] === '1' ? { path: 'docs/console-credential-report.png' } : {})).length > 1000);
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(foreignRequests, []);
    } finally {
      await context.close();
    }
  });

  test('on a 390×844 screen the report is a list of cards: nothing scrolls sideways, axe finds nothing serious', async () => {
    const { page, context } = await openConsole(chromium.browser, server.endpoint, { width: 390, height: 844 });
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.getByRole('link', { name: 'Credential report' }).click();
      await page.getByRole('button', { name: 'Generate report' }).click();
      await page.locator('table.report').waitFor();
      await page.getByLabel(/Show every column of the report/).check();
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      assert.deepEqual(await seriousViolations(page), [], 'credential report, narrow');
    } finally {
      await context.close();
    }
  });

  test('a user who may not generate the report sees AWS’s AccessDenied, not an empty table', async () => {
    const { page, context } = await openConsole(chromium.browser, server.endpoint);
    try {
      await page.getByLabel('Account ID or alias').fill(TEST_ACCOUNT_ID);
      await page.getByLabel('IAM user name').fill('dave');
      await page.getByLabel('Password', { exact: true }).fill(DAVE_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'Users').waitFor();
      await page.getByRole('link', { name: 'Credential report' }).click();
      await page.getByRole('button', { name: 'Generate report' }).click();
      await page.getByRole('alert').filter({ hasText: 'AccessDenied' }).waitFor();
      const text = (await page.getByRole('region', { name: 'Report', exact: true }).textContent()) ?? '';
      assert.match(text, new RegExp(`AccessDenied: User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/a/dave is not authorized to perform: iam:GenerateCredentialReport`));
      assert.equal(await page.locator('table.report').count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Download report' }).count(), 0);
    } finally {
      await context.close();
    }
  });
});
