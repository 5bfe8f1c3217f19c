// The console's IAM dashboard in a real browser: the best practices' recommendations computed from GetAccountSummary
// and the credential report, each finding linking to where it is fixed. Users and keys are made 100 days old by
// moving the server's clock (and the browser's) 100 days ahead once they are created.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateAccessKeyCommand, CreateLoginProfileCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { iamClient } from './helpers/clients.js';
import { heading, openConsole, scrollsSideways, seriousViolations, signInAsRoot, useBrowser } from './helpers/browser.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const ROOT_PASSWORD = 'Root-dashboard-password-1';
const DAYS_100 = 100 * 24 * 60 * 60 * 1000;
// The server's clock jumps 100 days ahead once the users and keys exist; the browser's clock follows it.
let offset = 0;

const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD }, { clock: () => new Date(Date.now() + offset) }, async () => {
  const iam = iamClient(server.endpoint);
  await iam.send(new CreateUserCommand({ UserName: 'stale' }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'stale', Password: 'Stale-password-1' }));
  await iam.send(new CreateAccessKeyCommand({ UserName: 'stale' }));
  await iam.send(new CreateUserCommand({ UserName: 'keyless' }));
  offset = DAYS_100;
});
const chromium = useBrowser();


describe('the IAM dashboard', () => {
  for (const [label, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['390×844', { width: 390, height: 844 }],
  ] as const) {
    test(`recommendations from the credential report, each linking to the user (${label})`, async () => {
      const { page, context, pageErrors, foreignRequests } = await openConsole(chromium.browser, server.endpoint, viewport);
      try {
        await page.clock.install({ time: Date.now() + DAYS_100 });
        // The SDK corrects its clock by the answers' Date header, which Node writes from the real time, not from the
        // test's clock: the header is moved along with the server's clock.
        await page.route(`${server.endpoint}/`, async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, headers: { ...response.headers(), date: new Date(Date.now() + offset).toUTCString() } });
        });
        await page.reload();
        await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
        await page.getByRole('link', { name: 'Dashboard' }).click();
        await heading(page, 'IAM dashboard').waitFor();
        const recommendations = page.getByRole('region', { name: 'Security recommendations' });
        await recommendations.getByText("stale's access key 1 was created 100 days ago.").waitFor();
        const text = (await recommendations.textContent()) ?? '';
        assert.match(text, /Action needed Add MFA for the root user/);
        assert.match(text, /stale has a console password and no MFA device\./);
        // No password, no key: nothing to say about that user.
        assert.doesNotMatch(text, /keyless/);
        assert.match(text, /stale's console password has never been used \(set 100 days ago\)\./);
        assert.match(text, /stale's access key 1 has never been used \(created 100 days ago\)\./);
        const resources = page.getByRole('region', { name: 'IAM resources' });
        await resources.getByText('Users').waitFor();
        assert.match((await resources.textContent()) ?? '', /Users2/);

        assert.equal(await scrollsSideways(page), false, 'the dashboard scrolls sideways');
        assert.deepEqual(await seriousViolations(page), [], 'dashboard');
        await page.screenshot({ path: `/tmp/console2-dashboard-${viewport.width}.png`, fullPage: true });

        await page.getByRole('link', { name: 'Rotate the key: stale' }).click();
        await heading(page, 'stale').waitFor();
        assert.deepEqual(pageErrors, []);
        assert.deepEqual(foreignRequests, []);
      } finally {
        // The user page's calls may still be in the route when the test ends: they are dropped, not failed.
        await page.unrouteAll({ behavior: 'ignoreErrors' });
        await context.close();
      }
    });
  }
});
