// The Organizations page of the web console, in a real browser against a real server: the management account's
// root sees the tree (an OU and its account, expanded on demand), the SCPs and RCPs and their targets, the chosen
// account's effective policies level by level, and why an action is denied there (an OU's explicit Deny, an account
// level with no Allow); a member account's user sees AWS's own error text. Each page through axe-core.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateLoginProfileCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  AttachPolicyCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DetachPolicyCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  MoveAccountCommand,
} from '@aws-sdk/client-organizations';
import type { Page } from 'playwright-core';
import { heading, openConsole, scrollsSideways, seriousViolations, signInAsRoot, useBrowser } from './helpers/browser.js';
import { iamClient, organizationsClient } from './helpers/clients.js';
import { accessRoleSession, ALLOW_ALL, createMember, policyDoc, userWith } from './helpers/organizations.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const ROOT_PASSWORD = 'Root-organization-password-1';
const VIEWER_PASSWORD = 'Viewer-long-password-1!';
let member = '';
let sandbox = '';
let unit = '';
let denyId = '';

const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD }, {}, async () => {
  const org = organizationsClient(server.endpoint);
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
  await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
  await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' }));
  unit = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'engineering' }))).OrganizationalUnit?.Id ?? '';
  member = await createMember(org, 'backend');
  await org.send(new MoveAccountCommand({ AccountId: member, SourceParentId: rootId, DestinationParentId: unit }));
  // The OU denies deleting buckets (its first statement); the account allows only S3 and IAM (FullAWSAccess detached).
  const deny = await org.send(
    new CreatePolicyCommand({ Name: 'deny-bucket-deletes', Description: 'no bucket deletes', Type: 'SERVICE_CONTROL_POLICY', Content: policyDoc([{ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' }, { Effect: 'Deny', Action: 'iam:DeleteRole', Resource: '*' }]) }),
  );
  denyId = deny.Policy?.PolicySummary?.Id ?? '';
  await org.send(new AttachPolicyCommand({ PolicyId: denyId, TargetId: unit }));
  const only = await org.send(new CreatePolicyCommand({ Name: 's3-and-iam-only', Description: 'S3 and IAM', Type: 'SERVICE_CONTROL_POLICY', Content: policyDoc([{ Effect: 'Allow', Action: ['s3:*', 'iam:*'], Resource: '*' }]) }));
  await org.send(new AttachPolicyCommand({ PolicyId: only.Policy?.PolicySummary?.Id, TargetId: member }));
  await org.send(new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: member }));
  // A console user of another member account (under the root, FullAWSAccess), with every permission: Organizations
  // still refuses it the tree.
  sandbox = await createMember(org, 'sandbox');
  const admin = await userWith(server.endpoint, 'org-admin', [ALLOW_ALL]);
  const inMember = iamClient(server.endpoint, await accessRoleSession(server.endpoint, admin, sandbox));
  await inMember.send(new CreateUserCommand({ UserName: 'viewer' }));
  await inMember.send(new CreateLoginProfileCommand({ UserName: 'viewer', Password: VIEWER_PASSWORD }));
  await inMember.send(new PutUserPolicyCommand({ UserName: 'viewer', PolicyName: 'all', PolicyDocument: policyDoc([ALLOW_ALL]) }));
});
const chromium = useBrowser();

async function checkPage(page: Page, name: string): Promise<void> {
  assert.equal(await scrollsSideways(page), false, `${name} scrolls sideways`);
  assert.deepEqual(await seriousViolations(page), [], name);
}

async function explain(page: Page, action: string): Promise<string> {
  await page.getByLabel('Action', { exact: true }).fill(action);
  await page.getByRole('button', { name: 'Explain' }).click();
  const verdict = page.getByRole('status').filter({ hasText: `The SCPs` });
  await verdict.getByText(new RegExp(`^The SCPs (allow|deny) ${action}\\.`)).waitFor();
  return (await verdict.locator('strong').first().textContent()) ?? '';
}

const levelOf = (page: Page, list: string, text: string) => page.getByRole('list', { name: list }).getByRole('listitem').filter({ hasText: text });

describe('the Organizations page of the web console', () => {
  test('the management account: tree, policies and targets, effective policies by level, why denied', async () => {
    const { page, context, pageErrors, foreignRequests } = await openConsole(chromium.browser, server.endpoint, { width: 1280, height: 800 });
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.getByRole('link', { name: 'Organizations' }).click();
      await heading(page, 'Organizations').waitFor();
      const tree = page.getByRole('region', { name: 'Structure' });
      // The root is open; the OU's account is read only once the OU is expanded.
      await tree.getByText('OU engineering').waitFor();
      assert.equal(await tree.getByText('backend').count(), 0);
      await tree.getByRole('button', { name: 'Expand OU engineering' }).click();
      await tree.getByRole('button', { name: `Choose account backend (${member})` }).waitFor();
      assert.equal(await tree.getByRole('button', { name: 'Collapse OU engineering' }).getAttribute('aria-expanded'), 'true');

      const scps = page.getByRole('region', { name: 'Service control policies' });
      await scps.getByRole('cell', { name: 'deny-bucket-deletes', exact: true }).waitFor();
      const denyRow = scps.getByRole('row').filter({ hasText: 'deny-bucket-deletes' });
      await denyRow.getByText(`OU engineering (${unit})`).waitFor();
      await page.getByRole('region', { name: 'Resource control policies' }).getByRole('cell', { name: 'RCPFullAWSAccess', exact: true }).waitFor();
      await checkPage(page, 'organization tree and policies');

      await tree.getByRole('button', { name: `Choose account backend (${member})` }).click();
      const effective = page.getByRole('region', { name: `Effective policies of backend (${member})` });
      await effective.waitFor();
      const levels = 'Levels from the root to the account';
      await levelOf(page, levels, 'Root').getByText(/^SCPs: FullAWSAccess \(p-FullAWSAccess\)$/).waitFor();
      await levelOf(page, levels, 'OU engineering').getByText(`SCPs: deny-bucket-deletes (${denyId}), FullAWSAccess (p-FullAWSAccess)`).waitFor();
      await levelOf(page, levels, 'Account backend').getByText(/^SCPs: s3-and-iam-only \(p-[a-z0-9]+\)$/).waitFor();
      await levelOf(page, levels, 'Account backend').getByText('RCPs: RCPFullAWSAccess (p-RCPFullAWSAccess)').waitFor();
      assert.equal(await page.getByRole('list', { name: levels }).getByRole('listitem').count(), 3);

      // An explicit Deny at the OU: named with its SCP and statement; the other levels allow.
      assert.equal(await explain(page, 's3:DeleteBucket'), 'The SCPs deny s3:DeleteBucket.');
      const verdicts = 'SCP verdict at each level';
      await levelOf(page, verdicts, 'OU engineering').getByText(`explicit Deny in statement 1 of SCP deny-bucket-deletes (${denyId})`).waitFor();
      assert.match((await levelOf(page, verdicts, 'Root').textContent()) ?? '', /: allows$/);
      assert.match((await levelOf(page, verdicts, 'Account backend').textContent()) ?? '', /: allows$/);
      await checkPage(page, 'why denied');
      await effective.evaluate((e) => (e as unknown as { scrollIntoView(): void }).scrollIntoView());
      // The README's screenshot, rewritten only when asked (GATEHOUSE_UPDATE_SCREENSHOT=1): its dates change every run.
      assert.ok((await page.screenshot(process.env['GATEHOUSE_UPDATE_SCREENSHOT'] === '1' ? { path: 'docs/console-organization.png' } : {})).length > 1000);
      // The second statement of the same SCP, found by its position.
      assert.equal(await explain(page, 'iam:DeleteRole'), 'The SCPs deny iam:DeleteRole.');
      await levelOf(page, verdicts, 'OU engineering').getByText(`explicit Deny in statement 2 of SCP deny-bucket-deletes (${denyId})`).waitFor();

      // No Allow at the account's own level, though the root and the OU allow.
      assert.equal(await explain(page, 'sqs:SendMessage'), 'The SCPs deny sqs:SendMessage.');
      await levelOf(page, verdicts, 'Account backend').getByText("no Allow: none of this level's SCPs allows sqs:SendMessage").waitFor();
      assert.match((await levelOf(page, verdicts, 'OU engineering').textContent()) ?? '', /: allows$/);

      assert.equal(await explain(page, 's3:GetObject'), 'The SCPs allow s3:GetObject.');
      assert.equal(await page.getByRole('list', { name: verdicts }).getByText('allows', { exact: true }).count(), 3);
      await page.setViewportSize({ width: 390, height: 844 });
      await checkPage(page, 'organization page at 390 wide');
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(foreignRequests, []);
    } finally {
      await context.close();
    }
  });

  test("a member account's user sees the organization but AWS's refusal of its structure", async () => {
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint, { width: 1280, height: 800 });
    try {
      await page.getByLabel('Account ID or alias').fill(sandbox);
      await page.getByLabel('IAM user name').fill('viewer');
      await page.getByLabel('Password', { exact: true }).fill(VIEWER_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'Users').waitFor();
      await page.getByRole('link', { name: 'Organizations' }).click();
      await heading(page, 'Organizations').waitFor();
      await page.getByRole('region', { name: 'Organization', exact: true }).getByText(TEST_ACCOUNT_ID).waitFor();
      const refusal = page.getByRole('region', { name: 'Structure' }).getByRole('alert');
      assert.equal(await refusal.textContent(), "AccessDeniedException: You don't have permissions to access this resource.");
      assert.equal(await page.getByRole('region', { name: 'Service control policies' }).count(), 0);
      await checkPage(page, 'member account');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
