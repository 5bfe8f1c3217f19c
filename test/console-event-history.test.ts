// The console's event history page in a real browser against a real server: CloudTrail LookupEvents over the audit
// trail, filtered by user, event and resource name and by time, failed events only, pages through NextToken, the
// full record of a row, and a user without cloudtrail:LookupEvents shown AWS's AccessDenied.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateAccessKeyCommand, CreateLoginProfileCommand, CreateUserCommand, GetUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { Page } from 'playwright-core';
import { iamClient } from './helpers/clients.js';
import { heading, openConsole, scrollsSideways, seriousViolations, signInAsRoot, useBrowser } from './helpers/browser.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const ROOT_PASSWORD = 'Root-events-password-1';
const VIEWER_PASSWORD = 'Viewer-events-password-1!';
const BULK = 55;
const doc = (...actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD }, {}, async () => {
  const iam = iamClient(server.endpoint);
  // More CreateUser events than one page of LookupEvents (50).
  for (let i = 0; i < BULK; i++) await iam.send(new CreateUserCommand({ UserName: `bulk-${String(i).padStart(2, '0')}` }));
  await iam.send(new CreateUserCommand({ UserName: 'frank' }));
  await iam.send(new CreateUserCommand({ UserName: 'ops' }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'ops', PolicyName: 'read', PolicyDocument: doc('iam:GetUser') }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'ops' }))).AccessKey;
  const ops = iamClient(server.endpoint, { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' });
  await ops.send(new GetUserCommand({}));
  // Denied: recorded with errorCode AccessDenied under ops's name.
  await ops.send(new CreateUserCommand({ UserName: 'not-made' })).catch(() => undefined);
  await iam.send(new CreateUserCommand({ UserName: 'viewer' }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'viewer', Password: VIEWER_PASSWORD }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'viewer', PolicyName: 'read', PolicyDocument: doc('iam:ListUsers') }));
});
const chromium = useBrowser();

interface Row {
  readonly name: string;
  readonly user: string;
  readonly resources: string;
  readonly error: string;
}

async function rows(page: Page): Promise<Row[]> {
  const cells = await page.locator('table.events tbody tr:not(.record-row)').evaluateAll((trs) =>
    trs.map((tr) => Array.from((tr as unknown as { cells: ArrayLike<{ textContent: string | null }> }).cells, (c) => c.textContent ?? '')),
  );
  return cells.map((c) => ({ name: c[0] ?? '', user: c[2] ?? '', resources: c[4] ?? '', error: c[5] ?? '' }));
}

async function filter(page: Page, attribute: string, value: string): Promise<void> {
  await page.getByLabel('Lookup attribute').selectOption({ label: attribute });
  await page.getByLabel('Value', { exact: true }).fill(value);
  await page.getByRole('button', { name: 'Apply filters' }).click();
}

/** The rows once `until` holds of them (a new query's answer replaces the last one's): gives up after 10 s. */
async function rowsWhen(page: Page, until: (rows: Row[]) => boolean): Promise<Row[]> {
  for (let waited = 0; ; waited += 100) {
    const now = (await page.getByRole('region', { name: 'Events', exact: true }).getByRole('status').count()) === 0 ? await rows(page) : [];
    if (until(now) || waited > 10_000) return now;
    await page.waitForTimeout(100);
  }
}

describe('the event history page', () => {
  test('filters narrow the events; errors only; a record expanded; NextToken pages', async () => {
    const { page, context, pageErrors, foreignRequests } = await openConsole(chromium.browser, server.endpoint, { width: 1280, height: 800 });
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.getByRole('link', { name: 'Event history' }).click();
      await heading(page, 'Event history').waitFor();
      assert.equal((await rowsWhen(page, (r) => r.length === 50)).length, 50, 'a full first page');

      await filter(page, 'User name', 'ops');
      const byOps = await rowsWhen(page, (r) => r.length > 0 && r.every((x) => x.user === 'ops'));
      assert.deepEqual(byOps.map((r) => r.name).sort(), ['CreateUser', 'GetUser']);
      assert.ok(byOps.every((r) => r.user === 'ops'));
      assert.equal(byOps.find((r) => r.name === 'CreateUser')?.error, 'AccessDenied');
      assert.equal(byOps.find((r) => r.name === 'GetUser')?.error, '—');

      // LookupEvents has no error filter: the page's successful events are hidden, and the page says so.
      await page.getByLabel('Errors only').check();
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText('Showing the 1 failed event of the 2 on this page.').waitFor();
      assert.deepEqual(await rows(page), [{ name: 'CreateUser', user: 'ops', resources: 'not-made (AWS::IAM::User)', error: 'AccessDenied' }]);
      const toggle = page.getByRole('button', { name: 'CreateUser', exact: true });
      await toggle.click();
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      const record = JSON.parse((await page.locator('pre[id^="record-"]').textContent()) ?? '{}') as Record<string, unknown>;
      assert.equal(record['errorCode'], 'AccessDenied');
      assert.equal((record['userIdentity'] as Record<string, unknown>)['arn'], `arn:aws:iam::${TEST_ACCOUNT_ID}:user/ops`);
      assert.equal(record['eventName'], 'CreateUser');
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      assert.deepEqual(await seriousViolations(page), [], 'event history');
      // The README's screenshot, rewritten only when asked (GATEHOUSE_UPDATE_SCREENSHOT=1): its dates change every run.
      assert.ok((await page.screenshot(process.env['GATEHOUSE_UPDATE_SCREENSHOT'] === '1' ? { path: 'docs/console-event-history.png' } : {})).length > 1000);
      await page.getByLabel('Errors only').uncheck();

      await filter(page, 'Resource name', 'frank');
      assert.deepEqual(await rowsWhen(page, (r) => r.length === 1), [{ name: 'CreateUser', user: 'root', resources: 'frank (AWS::IAM::User)', error: '—' }]);

      // A range before the server existed finds nothing; one around now finds frank's creation again.
      await page.getByLabel('Start time (UTC)').fill('2020-01-01T00:00');
      await page.getByLabel('End time (UTC)').fill('2020-01-02T00:00');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText('No events on this page match.').waitFor();
      const hourAgo = new Date(Date.now() - 3600_000).toISOString().slice(0, 16);
      const hourAhead = new Date(Date.now() + 3600_000).toISOString().slice(0, 16);
      await page.getByLabel('Start time (UTC)').fill(hourAgo);
      await page.getByLabel('End time (UTC)').fill(hourAhead);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByRole('cell', { name: 'frank (AWS::IAM::User)' }).waitFor();
      // Start after end: CloudTrail's own refusal, shown as it came.
      await page.getByLabel('Start time (UTC)').fill(hourAhead);
      await page.getByLabel('End time (UTC)').fill(hourAgo);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByRole('alert').filter({ hasText: 'InvalidTimeRangeException' }).waitFor();

      await page.getByRole('button', { name: 'Clear' }).click();
      await filter(page, 'Event name', 'CreateUser');
      const first = await rowsWhen(page, (r) => r.length === 50 && r.every((x) => x.name === 'CreateUser'));
      assert.equal(first.length, 50);
      assert.ok(first.every((r) => r.name === 'CreateUser'));
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.getByText('Page 2', { exact: true }).waitFor();
      const second = await rowsWhen(page, (r) => r.length > 0 && r.length < 50);
      // bulk-00…54, frank, ops, ops's denied attempt, viewer: 59 in all.
      assert.equal(second.length, BULK + 4 - 50);
      assert.ok(second.every((r) => r.name === 'CreateUser'));
      const seen = new Set(first.map((r) => r.resources));
      assert.ok(second.every((r) => !seen.has(r.resources)), 'the second page repeats none of the first');
      assert.ok(second.some((r) => r.resources === 'bulk-00 (AWS::IAM::User)'), 'the oldest is on the last page');
      assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true);
      await page.getByRole('button', { name: 'Previous page' }).click();
      await page.getByText('Page 1', { exact: true }).waitFor();
      assert.deepEqual((await rowsWhen(page, (r) => r.length === 50)).map((r) => r.resources), first.map((r) => r.resources));
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(foreignRequests, []);
    } finally {
      await context.close();
    }
  });

  test('on a 390×844 screen, with a record open: nothing scrolls sideways, axe finds nothing serious', async () => {
    const { page, context } = await openConsole(chromium.browser, server.endpoint, { width: 390, height: 844 });
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.getByRole('link', { name: 'Event history' }).click();
      await filter(page, 'User name', 'ops');
      await rowsWhen(page, (r) => r.length === 2);
      await page.getByRole('button', { name: 'CreateUser', exact: true }).click();
      await page.locator('pre[id^="record-"]').waitFor();
      assert.equal(await scrollsSideways(page), false, 'the page scrolls sideways');
      assert.deepEqual(await seriousViolations(page), [], 'event history, narrow');
    } finally {
      await context.close();
    }
  });

  test('a user without cloudtrail:LookupEvents sees AWS’s AccessDenied, not an empty table', async () => {
    const { page, context } = await openConsole(chromium.browser, server.endpoint);
    try {
      await page.getByLabel('Account ID or alias').fill(TEST_ACCOUNT_ID);
      await page.getByLabel('IAM user name').fill('viewer');
      await page.getByLabel('Password', { exact: true }).fill(VIEWER_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'Users').waitFor();
      await page.getByRole('link', { name: 'Event history' }).click();
      const alert = page.getByRole('region', { name: 'Events', exact: true }).getByRole('alert');
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? '', new RegExp(`^AccessDeniedException: User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/viewer is not authorized to perform: cloudtrail:LookupEvents`));
      assert.equal(await page.locator('table.events').count(), 0);
    } finally {
      await context.close();
    }
  });
});
