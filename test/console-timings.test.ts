// How long each console page takes to its first interactive view with a full account: measured and printed, not
// asserted (a shared CI machine's timings say little), so that the README can show them. Issue 18 asks for 10 000
// users, past IAM's UsersPerAccount quota (AWS's 5 000): the server raises it with GATEHOUSE_MAX_USERS (--max-users).
// The users are written through the Store, as CreateUser writes them, in a few transactions rather than 10 000
// requests: the fill is not what is timed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateLoginProfileCommand, CreateUserCommand, GetAccountSummaryCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { Page } from 'playwright-core';
import { KIND } from '../src/core/iam/kinds.js';
import { newId } from '../src/core/ids.js';
import { openConsole, useBrowser } from './helpers/browser.js';
import { iamClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const USERS = Number(process.env['GATEHOUSE_CONSOLE_TIMING_USERS'] ?? 10_000);
const PASSWORD = 'Timing-password-1';
const BATCH = 1000;

const server = useTestServer({ GATEHOUSE_MAX_USERS: String(Math.max(USERS, 1)) }, {}, async () => {
  const iam = iamClient(server.endpoint);
  // The one who signs in is made through the API; the others straight into the store, as CreateUser stores a user.
  await iam.send(new CreateUserCommand({ UserName: 'user-00000' }));
  const created = new Date().toISOString();
  for (let from = 1; from < USERS; from += BATCH) {
    await server.running.store.transaction(async (tx) => {
      for (let i = from; i < Math.min(from + BATCH, USERS); i++) {
        await tx.insert({ kind: KIND.user, account: TEST_ACCOUNT_ID, key: `user-${String(i).padStart(5, '0')}`, id: newId('AIDA'), path: '/', owner: '', created, data: { tags: [] } });
      }
    });
  }
  const summary = await iam.send(new GetAccountSummaryCommand({}));
  assert.deepEqual([summary.SummaryMap?.['Users'], summary.SummaryMap?.['UsersQuota']], [USERS, Math.max(USERS, 1)]);
  await iam.send(new CreateLoginProfileCommand({ UserName: 'user-00000', Password: PASSWORD }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'user-00000', PolicyName: 'all-iam', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }) }));
});
const chromium = useBrowser();

async function timed(label: string, results: Array<[string, number]>, work: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await work();
  results.push([label, Math.round(performance.now() - started)]);
}

/**
 * Waits until the page shows `texts` (all of them) in its main content, checked at every frame: a locator's
 * waitFor polls at growing intervals (up to 500 ms), too coarse to time a page by.
 */
async function shows(page: Page, ...texts: string[]): Promise<void> {
  // A function, not a string: the console's CSP forbids evaluating strings in the page (no 'unsafe-eval').
  await page.waitForFunction(
    (wanted: string[]) => {
      const main = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('main');
      const text = main?.textContent ?? '';
      return wanted.every((x) => text.includes(x));
    },
    texts,
    { polling: 'raf' },
  );
}

describe(`console timings with ${USERS} users`, () => {
  test('time to first interactive view of each page (printed)', async () => {
    const results: Array<[string, number]> = [];
    const { page, context } = await openConsole(chromium.browser, server.endpoint);
    try {
      await timed('sign-in page (load to form)', results, async () => {
        await page.goto(`${server.endpoint}/console`, { waitUntil: 'commit' });
        await shows(page, 'Account ID or alias');
      });
      await page.getByLabel('Account ID or alias').fill(TEST_ACCOUNT_ID);
      await page.getByLabel('IAM user name').fill('user-00000');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await timed('sign-in to users page (first 50 rows)', results, async () => {
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await shows(page, 'user-00049');
      });
      await timed('users: next page', results, async () => {
        await page.getByRole('button', { name: 'Next page' }).click();
        await shows(page, 'user-00099');
      });
      await timed('user page (summary, groups, policies, MFA, keys)', results, async () => {
        await page.getByRole('link', { name: 'user-00050' }).click();
        await shows(page, 'Console password last used', 'No access keys.', 'No MFA device.', 'No inline policies.', 'No managed policies attached.', 'Not a member of any group.');
      });
      await timed('users page reloaded (full page load, signed in)', results, async () => {
        await page.goto(`${server.endpoint}/_gatehouse/console/#/users`, { waitUntil: 'commit' });
        await shows(page, 'user-00049');
      });
      await timed('dashboard (recommendations from the credential report)', results, async () => {
        await page.goto(`${server.endpoint}/_gatehouse/console/#/dashboard`, { waitUntil: 'commit' });
        await shows(page, 'user-00000 has a console password and no MFA device.', 'Customer managed policies');
      });
      await timed('policies (first 100 AWS managed)', results, async () => {
        await page.getByRole('link', { name: 'Policies', exact: true }).click();
        await shows(page, 'No policies on this page.');
        await page.getByLabel('Show').selectOption('AWS');
        await shows(page, 'AdministratorAccess');
      });
      assert.equal(results.length, 7);
      console.log(`Console time to first interactive view, ${USERS} users in the account:`);
      for (const [label, ms] of results) console.log(`  ${label}: ${ms} ms`);
    } finally {
      await context.close();
    }
  });
});
