// The policy simulator in the web console, in a real browser as root against a real server: a user's policies
// simulated (SimulatePrincipalPolicy) with an allowed, an explicitly denied and an implicitly denied action, each
// explained with the policy and statement that decided it; the links open the managed and the inline policy with that
// statement marked; pasted policies with a context entry (SimulateCustomPolicy). Each page through axe-core.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AttachUserPolicyCommand, CreatePolicyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { Page } from 'playwright-core';
import { heading, openConsole, scrollsSideways, seriousViolations, signInAsRoot, useBrowser } from './helpers/browser.js';
import { iamClient } from './helpers/clients.js';
import { policyDoc } from './helpers/organizations.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const ROOT_PASSWORD = 'Root-simulator-password-1';

const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD }, {}, async () => {
  const iam = iamClient(server.endpoint);
  await iam.send(new CreateUserCommand({ UserName: 'alice' }));
  // The allow is the reader policy's second statement; the deny is the first of alice's inline "guard".
  const reader = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'reader',
      PolicyDocument: policyDoc([
        { Sid: 'Logs', Effect: 'Allow', Action: 'logs:GetLogEvents', Resource: '*' },
        { Sid: 'Objects', Effect: 'Allow', Action: ['s3:GetObject', 's3:DeleteObject'], Resource: '*' },
      ]),
    }),
  );
  await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: reader.Policy?.Arn }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'guard', PolicyDocument: policyDoc([{ Sid: 'NoDeletes', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }]) }));
});
const chromium = useBrowser();

async function checkPage(page: Page, name: string): Promise<void> {
  assert.equal(await scrollsSideways(page), false, `${name} scrolls sideways`);
  assert.deepEqual(await seriousViolations(page), [], name);
}

/** The result item of one action, found by its heading. */
const resultOf = (page: Page, action: string) => page.locator('li.sim-result').filter({ has: page.getByRole('heading', { name: new RegExp(`^${action} on`) }) });

describe('the policy simulator in the web console', () => {
  test('a user simulated: allowed, explicitly and implicitly denied, each with its policy and statement, linked and marked', async () => {
    const { page, context, pageErrors, foreignRequests } = await openConsole(chromium.browser, server.endpoint, { width: 1280, height: 800 });
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.getByRole('link', { name: 'Policy simulator' }).click();
      await heading(page, 'Policy simulator').waitFor();
      await page.getByLabel('Principal type').selectOption('user');
      await page.getByLabel('Name', { exact: true }).selectOption('alice');
      await page.getByLabel(/^Actions/).fill('s3:GetObject\ns3:DeleteObject\nsqs:SendMessage');
      await page.getByRole('button', { name: 'Run simulation' }).click();
      await page.getByRole('heading', { name: 'Results' }).waitFor();

      const get = resultOf(page, 's3:GetObject');
      assert.equal(await get.locator('.decision').textContent(), 'Allowed');
      await get.getByText('Allowed by the customer managed policy reader, and no policy denies it.').waitFor();
      await get.getByText('Statement 2 of the customer managed policy reader').waitFor();
      assert.match((await get.getByLabel('Statement 2 of reader').textContent()) ?? '', /^\{"Sid": "Objects", "Effect": "Allow"/);

      const del = resultOf(page, 's3:DeleteObject');
      assert.equal(await del.locator('.decision').textContent(), 'Explicitly denied');
      await del.getByText(/^A Deny statement in the inline policy of the user guard matched/).waitFor();
      await del.getByText('Statement 1 of the inline policy of the user guard').waitFor();
      assert.equal(await del.getByRole('link', { name: 'Open guard at statement 1' }).getAttribute('href'), '#/inline-policies/user/alice/guard?statement=1');
      // The allow of reader does not explain a denial: only the deny is named.
      assert.equal(await del.getByText(/of the customer managed policy reader/).count(), 0);

      const sqs = resultOf(page, 'sqs:SendMessage');
      assert.equal(await sqs.locator('.decision').textContent(), 'Implicitly denied');
      await sqs.getByText(/^No statement allows it/).waitFor();
      await checkPage(page, 'simulator results');
      // The README's screenshot, rewritten only when asked (GATEHOUSE_UPDATE_SCREENSHOT=1): its dates change every run.
      assert.ok((await page.screenshot(process.env['GATEHOUSE_UPDATE_SCREENSHOT'] === '1' ? { path: 'docs/console-simulator.png' } : {})).length > 1000);

      // The managed policy opens at its default version with statement 2 marked.
      await get.getByRole('link', { name: 'Open reader at statement 2' }).click();
      await heading(page, 'reader').waitFor();
      assert.match(page.url(), /#\/policies\/arn%3Aaws%3Aiam%3A%3A111122223333%3Apolicy%2Freader\?statement=2$/);
      const marked = page.locator('mark.statement-mark');
      await marked.waitFor();
      assert.equal(await marked.count(), 1);
      assert.match((await marked.textContent()) ?? '', /"Sid": "Objects"/);
      assert.doesNotMatch((await marked.textContent()) ?? '', /Logs/);
      await checkPage(page, 'policy with a statement marked');

      // The inline policy opens on its own page, its statement marked, editable.
      await page.goto(`${server.endpoint}/console#/inline-policies/user/alice/guard?statement=1`);
      await heading(page, 'guard').waitFor();
      assert.match((await page.locator('mark.statement-mark').textContent()) ?? '', /"Sid": "NoDeletes"/);
      await page.getByLabel('Edit policy document').waitFor();
      await checkPage(page, 'inline policy');
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(foreignRequests, []);
    } finally {
      await context.close();
    }
  });

  test('pasted policies: a condition decided with a context entry; a missing one reported', async () => {
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint, { width: 1280, height: 800 });
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.getByRole('link', { name: 'Policy simulator' }).click();
      await page.getByRole('radio', { name: /Policies I paste/ }).check();
      await page.getByLabel('Identity policy 1').fill(
        policyDoc([
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' },
          { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
        ]),
      );
      await page.getByLabel('Permissions boundary (optional)').fill(policyDoc([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]));
      await page.getByLabel(/^Actions/).fill('s3:GetObject');
      await page.getByRole('button', { name: 'Run simulation' }).click();
      const get = resultOf(page, 's3:GetObject');
      await get.waitFor();
      assert.equal(await get.locator('.decision').textContent(), 'Implicitly denied');
      await get.getByText(/had no value: aws:SourceIp/).waitFor();

      await page.getByRole('button', { name: 'Add context entry' }).click();
      await page.getByLabel('Key').fill('aws:SourceIp');
      await page.getByLabel('Type').selectOption('ip');
      await page.getByLabel('Values').fill('10.1.2.3');
      await page.getByRole('button', { name: 'Run simulation' }).click();
      await get.locator('.decision', { hasText: 'Allowed' }).waitFor();
      await get.getByText('Statement 2 of the identity policy 1 you entered PolicyInputList.1').waitFor();
      await get.getByText('The permissions boundary allows it.').waitFor();
      await checkPage(page, 'custom simulation');
      // On a phone the form's rows stack and nothing scrolls sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      await checkPage(page, 'custom simulation at 390 wide');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
