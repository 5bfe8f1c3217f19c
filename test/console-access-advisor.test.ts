// Access Advisor on the console's user, group, role and policy pages in a real browser against a real server: the
// services and actions a last accessed report shows used (with a time) and unused, the policies granting them, the
// draft narrower policy (nothing changes until it is saved through CreatePolicy or CreatePolicyVersion), and a user
// without iam:GenerateServiceLastAccessedDetails shown AWS's AccessDenied.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetPolicyVersionCommand,
  GetServiceLastAccessedDetailsCommand,
  GetUserPolicyCommand,
  ListEntitiesForPolicyCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Page } from 'playwright-core';
import { iamClient, stsClient } from './helpers/clients.js';
import { heading, openConsole, scrollsSideways, seriousViolations, signInAsRoot, useBrowser } from './helpers/browser.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const ROOT_PASSWORD = 'Root-advisor-password-1';
const VIEWER_PASSWORD = 'Viewer-advisor-password-1!';
const MANAGED_ARN = `arn:aws:iam::${A}:policy/analyst-managed`;
const statement = (...actions: string[]) => ({ Effect: 'Allow', Action: actions, Resource: '*' });
const doc = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD }, { usageIntervalMs: 50 }, async () => {
  const iam = iamClient(server.endpoint);
  await iam.send(new CreateUserCommand({ UserName: 'analyst' }));
  // Used: iam:ListUsers and sts:GetCallerIdentity. Granted and never used: iam:GetUser and all of s3.
  await iam.send(new PutUserPolicyCommand({ UserName: 'analyst', PolicyName: 'work', PolicyDocument: doc(statement('iam:ListUsers', 'iam:GetUser', 'sts:GetCallerIdentity', 's3:GetObject'), { Effect: 'Deny', Action: 'iam:DeleteUser', Resource: '*' }) }));
  await iam.send(new CreatePolicyCommand({ PolicyName: 'analyst-managed', PolicyDocument: doc(statement('iam:List*', 's3:*')) }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'analyst', PolicyArn: MANAGED_ARN }));
  await iam.send(new CreateGroupCommand({ GroupName: 'analysts' }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'analysts', UserName: 'analyst' }));
  await iam.send(new PutGroupPolicyCommand({ GroupName: 'analysts', PolicyName: 'team', PolicyDocument: doc(statement('iam:ListUsers')) }));
  const trust = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' });
  await iam.send(new CreateRoleCommand({ RoleName: 'idle', AssumeRolePolicyDocument: trust }));
  await iam.send(new PutRolePolicyCommand({ RoleName: 'idle', PolicyName: 'never', PolicyDocument: doc(statement('s3:GetObject')) }));
  await iam.send(new CreateUserCommand({ UserName: 'viewer' }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'viewer', Password: VIEWER_PASSWORD }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'viewer', PolicyName: 'read', PolicyDocument: doc(statement('iam:Get*', 'iam:List*')) }));

  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'analyst' }))).AccessKey;
  const analyst = { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' };
  await iamClient(server.endpoint, analyst).send(new ListUsersCommand({}));
  await stsClient(server.endpoint, analyst).send(new GetCallerIdentityCommand({}));
  // Uses are written in batches (every 50 ms here): wait until the report shows both.
  for (let waited = 0; waited < 3000; waited += 50) {
    const { JobId } = await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: `arn:aws:iam::${A}:user/analyst` }));
    const services = (await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId }))).ServicesLastAccessed ?? [];
    if (['iam', 'sts'].every((ns) => services.find((s) => s.ServiceNamespace === ns)?.LastAuthenticated !== undefined)) break;
    await sleep(50);
  }
});
const chromium = useBrowser();

/** A table's rows (of the table captioned `caption`) as the text of their cells. */
async function table(page: Page, caption: string): Promise<string[][]> {
  return page
    .locator('table', { has: page.locator('caption', { hasText: caption }) })
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => Array.from((tr as unknown as { cells: ArrayLike<{ textContent: string | null }> }).cells, (c) => c.textContent ?? '')));
}

async function openAdvisor(page: Page, hash: string, title: string): Promise<void> {
  await page.evaluate((h) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = h;
  }, hash);
  await heading(page, title).waitFor();
  await page.getByRole('button', { name: 'Show last accessed information' }).click();
}

/** Every action the draft in the editor allows, sorted. */
async function draftActions(page: Page): Promise<string[]> {
  const draft = JSON.parse(await page.getByLabel('Draft policy document').inputValue()) as { Statement: Array<{ Effect: string; Action: string | string[] }> };
  return draft.Statement.filter((s) => s.Effect === 'Allow')
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .sort();
}

describe('Access Advisor in the console', () => {
  test('a user: used services with a time, unused ones not accessed, granting policies, a draft saved as a new policy', async () => {
    const { page, context, pageErrors, foreignRequests } = await openConsole(chromium.browser, server.endpoint, { width: 1280, height: 800 });
    try {
      await signInAsRoot(page, A, ROOT_PASSWORD);
      await openAdvisor(page, '#/users/analyst', 'analyst');
      const advisor = page.getByRole('region', { name: 'Access Advisor' });
      await advisor.getByText('2 of 3 granted services used.').waitFor();
      const services = await table(page, 'Services granted and their last access');
      assert.deepEqual(services.map((r) => /\((\w+)\)$/.exec(r[0] ?? '')?.[1]), ['iam', 's3', 'sts']);
      assert.equal(services[0]?.[0], 'AWS Identity and Access Management (IAM) (iam)');
      const row = (ns: string) => services.find((r) => (r[0] ?? '').endsWith(`(${ns})`)) ?? [];
      assert.match(row('iam')[1] ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d UTC in us-east-1$/);
      assert.match(row('sts')[1] ?? '', /UTC in us-east-1$/);
      assert.equal(row('s3')[1], 'Not accessed in the tracking period');
      // ListPoliciesGrantingServiceAccess: the inline, the managed and the group's policy grant iam.
      assert.match(row('iam')[2] ?? '', /work \(inline, user analyst\)/);
      assert.match(row('iam')[2] ?? '', /analyst-managed \(managed\)/);
      assert.match(row('iam')[2] ?? '', /team \(inline, group analysts\)/);
      assert.doesNotMatch(row('sts')[2] ?? '', /analyst-managed/);
      await advisor.getByText(/^Actions of AWS Identity and Access Management \(IAM\): 1 of \d+ used$/).click();
      assert.equal((await table(page, 'Actions of iam and their last access'))[0]?.[0], 'iam:ListUsers', 'the used action first');
      const actions = Object.fromEntries((await table(page, 'Actions of iam and their last access')).map((r) => [r[0], r[1]]));
      assert.match(actions['iam:ListUsers'] ?? '', /UTC in us-east-1$/);
      assert.equal(actions['iam:GetUser'], 'Not accessed in the tracking period');
      await advisor.getByText(/^Actions of AWS Identity and Access Management/).click();

      await advisor.getByRole('button', { name: 'Draft a policy without unused access' }).click();
      await page.getByLabel('Draft policy document').waitFor();
      // The used actions only: iam:GetUser and s3 are gone, iam:List* became the one List action used.
      assert.deepEqual(await draftActions(page), ['iam:ListUsers', 'iam:ListUsers', 'iam:ListUsers', 'sts:GetCallerIdentity']);
      const draft = JSON.parse(await page.getByLabel('Draft policy document').inputValue()) as { Statement: Array<Record<string, unknown>> };
      assert.ok(draft.Statement.some((s) => s['Effect'] === 'Deny' && s['Action'] === 'iam:DeleteUser'), 'the Deny is kept');
      assert.match((await advisor.textContent()) ?? '', /No longer allowed as written: iam:GetUser, s3:GetObject, iam:List\*, s3:\*/);
      // Only a draft: no policy was created and the user's own policy is as it was.
      const root = iamClient(server.endpoint);
      assert.deepEqual((await root.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies?.map((p) => p.PolicyName), ['analyst-managed']);
      assert.match(decodeURIComponent((await root.send(new GetUserPolicyCommand({ UserName: 'analyst', PolicyName: 'work' }))).PolicyDocument ?? ''), /s3:GetObject/);

      await advisor.getByRole('heading', { name: 'Access Advisor' }).scrollIntoViewIfNeeded();
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      assert.deepEqual(await seriousViolations(page), [], 'user page with Access Advisor');
      await page.evaluate(() => {
        const doc = (globalThis as unknown as { document: { getElementById(id: string): { getBoundingClientRect(): { top: number } } | null } }).document;
        (globalThis as unknown as { scrollBy(x: number, y: number): void }).scrollBy(0, (doc.getElementById('access-advisor-title')?.getBoundingClientRect().top ?? 0) - 80);
      });
      // The README's screenshot, rewritten only when asked (GATEHOUSE_UPDATE_SCREENSHOT=1): its dates change every run.
      assert.ok((await page.screenshot(process.env['GATEHOUSE_UPDATE_SCREENSHOT'] === '1' ? { path: 'docs/console-access-advisor.png' } : {})).length > 1000);

      await advisor.getByRole('button', { name: 'Create policy' }).click();
      await advisor.getByRole('link', { name: 'open the policy' }).waitFor();
      const created = (await root.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies?.find((p) => p.PolicyName === 'analyst-used-access');
      assert.ok(created?.Arn !== undefined, 'the policy was created on save');
      const saved = JSON.parse(decodeURIComponent((await root.send(new GetPolicyVersionCommand({ PolicyArn: created.Arn, VersionId: 'v1' }))).PolicyVersion?.Document ?? '')) as unknown;
      assert.deepEqual(saved, draft);
      const entities = await root.send(new ListEntitiesForPolicyCommand({ PolicyArn: created.Arn }));
      assert.equal((entities.PolicyUsers ?? []).length + (entities.PolicyGroups ?? []).length + (entities.PolicyRoles ?? []).length, 0, 'attached to nothing');
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(foreignRequests, []);
    } finally {
      await context.close();
    }
  });

  test('a policy: who used it (WithEntities), a draft saved as a version that is not made the default', async () => {
    const { page, context } = await openConsole(chromium.browser, server.endpoint);
    try {
      await signInAsRoot(page, A, ROOT_PASSWORD);
      await openAdvisor(page, `#/policies/${encodeURIComponent(MANAGED_ARN)}`, 'analyst-managed');
      const advisor = page.getByRole('region', { name: 'Access Advisor' });
      await advisor.getByText('1 of 2 granted services used.').waitFor();
      const services = await table(page, 'Services granted and their last access');
      const iamRow = services.find((r) => (r[0] ?? '').endsWith('(iam)')) ?? [];
      assert.match(iamRow[2] ?? '', new RegExp(`arn:aws:iam::${A}:user/analyst`));
      await advisor.getByRole('button', { name: 'Entities of iam' }).click();
      await advisor.getByText(/^analyst \(user\): \d{4}-\d\d-\d\d \d\d:\d\d UTC$/).waitFor();
      await advisor.getByRole('button', { name: 'Entities of s3' }).click();
      await advisor.getByText('analyst (user): Not accessed in the tracking period').waitFor();

      await advisor.getByRole('button', { name: 'Draft a policy without unused access' }).click();
      await page.getByLabel('Draft policy document').waitFor();
      assert.deepEqual(await draftActions(page), ['iam:ListUsers']);
      assert.equal((await iamClient(server.endpoint).send(new ListPolicyVersionsCommand({ PolicyArn: MANAGED_ARN }))).Versions?.length, 1, 'nothing saved yet');
      await advisor.getByRole('button', { name: 'Save as new version' }).click();
      await advisor.getByText(/^Saved as v2/).waitFor();
      const versions = (await iamClient(server.endpoint).send(new ListPolicyVersionsCommand({ PolicyArn: MANAGED_ARN }))).Versions ?? [];
      assert.deepEqual(versions.map((v) => [v.VersionId, v.IsDefaultVersion]).sort(), [['v1', true], ['v2', false]]);
      const v2 = JSON.parse(decodeURIComponent((await iamClient(server.endpoint).send(new GetPolicyVersionCommand({ PolicyArn: MANAGED_ARN, VersionId: 'v2' }))).PolicyVersion?.Document ?? '')) as { Statement: unknown };
      assert.deepEqual(v2.Statement, [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }]);
    } finally {
      await context.close();
    }
  });

  test('a group names its member; a role that used nothing gets no draft but the advice to remove', async () => {
    const { page, context } = await openConsole(chromium.browser, server.endpoint);
    try {
      await signInAsRoot(page, A, ROOT_PASSWORD);
      await openAdvisor(page, '#/groups/analysts', 'analysts');
      const group = page.getByRole('region', { name: 'Access Advisor' });
      await group.getByText('1 of 1 granted services used.').waitFor();
      const row = (await table(page, 'Services granted and their last access'))[0] ?? [];
      assert.match(row[2] ?? '', new RegExp(`user/analyst`));
      assert.match(row[3] ?? '', /team \(inline, group analysts\)/);
      await group.getByText('Every granted service and tracked action was used in the tracking period.').waitFor();
      // On a phone-sized screen the section's tables must not make the page scroll sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      assert.equal(await scrollsSideways(page), false, 'the group page with Access Advisor scrolls sideways at 390×844');
      assert.deepEqual(await seriousViolations(page), [], 'group page with Access Advisor at 390×844');

      await openAdvisor(page, '#/roles/idle', 'idle');
      const role = page.getByRole('region', { name: 'Access Advisor' });
      await role.getByText('0 of 1 granted services used.').waitFor();
      assert.equal((await table(page, 'Services granted and their last access'))[0]?.[1], 'Not accessed in the tracking period');
      await role.getByRole('button', { name: 'Draft a policy without unused access' }).click();
      await role.getByText(/Nothing the policies allow was used in the tracking period/).waitFor();
      assert.equal(await page.getByLabel('Draft policy document').count(), 0);
    } finally {
      await context.close();
    }
  });

  test('a user without iam:GenerateServiceLastAccessedDetails sees AWS’s AccessDenied, not an empty table', async () => {
    const { page, context } = await openConsole(chromium.browser, server.endpoint);
    try {
      await page.getByLabel('Account ID or alias').fill(A);
      await page.getByLabel('IAM user name').fill('viewer');
      await page.getByLabel('Password', { exact: true }).fill(VIEWER_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'Users').waitFor();
      await openAdvisor(page, '#/users/analyst', 'analyst');
      const alert = page.getByRole('region', { name: 'Access Advisor' }).getByRole('alert');
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? '', new RegExp(`^AccessDenied: User: arn:aws:iam::${A}:user/viewer is not authorized to perform: iam:GenerateServiceLastAccessedDetails on resource: arn:aws:iam::${A}:user/analyst`));
      assert.equal(await page.locator('table', { has: page.locator('caption', { hasText: 'Services granted' }) }).count(), 0);
    } finally {
      await context.close();
    }
  });
});
