// The identity providers page of the web console, in a real browser as root at 390×844: add, list and delete an
// OpenID Connect provider and a SAML provider (its metadata from a file), Gatehouse's refusals shown as AWS words them.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ListOpenIDConnectProvidersCommand, ListSAMLProvidersCommand } from '@aws-sdk/client-iam';
import type { Page } from 'playwright-core';
import { openConsole, scrollsSideways, seriousViolations, useBrowser } from './helpers/browser.js';
import { iamClient } from './helpers/clients.js';
import { idpMetadata } from './helpers/saml.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const ROOT_PASSWORD = 'Root-providers-password-1';
const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD });
const chromium = useBrowser();

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });

describe('identity providers in the web console', () => {
  test('add, list and delete OpenID Connect and SAML providers', async () => {
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint, { width: 390, height: 844 });
    const iam = iamClient(server.endpoint);
    try {
      await page.getByRole('radio', { name: 'Root user' }).check();
      await page.getByLabel('Account ID or alias').fill(TEST_ACCOUNT_ID);
      await page.getByLabel('Password', { exact: true }).fill(ROOT_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'Users').waitFor();
      await page.getByRole('link', { name: 'Identity providers' }).click();
      await heading(page, 'Identity providers').waitFor();
      await page.getByText('No OpenID Connect provider.').waitFor();
      await page.getByText('No SAML provider.').waitFor();

      await page.getByLabel('Provider URL').fill('https://token.example.com/tenant');
      await page.getByLabel('Audiences (client IDs, separated by commas)').fill('sts.amazonaws.com, app-1');
      await page.getByRole('button', { name: 'Add OpenID Connect provider' }).click();
      await page.getByRole('button', { name: 'Delete token.example.com/tenant' }).waitFor();
      const oidc = await iam.send(new ListOpenIDConnectProvidersCommand({}));
      assert.deepEqual(oidc.OpenIDConnectProviderList?.map((p) => p.Arn), [`arn:aws:iam::${TEST_ACCOUNT_ID}:oidc-provider/token.example.com/tenant`]);
      // The same URL again: Gatehouse's EntityAlreadyExists, shown as it is.
      await page.getByLabel('Provider URL').fill('https://token.example.com/tenant');
      await page.getByRole('button', { name: 'Add OpenID Connect provider' }).click();
      await page.getByRole('alert').filter({ hasText: 'EntityAlreadyExists' }).waitFor();

      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-console-idp-'));
      writeFileSync(join(dir, 'metadata.xml'), idpMetadata());
      await page.getByLabel('Provider name').fill('corp-idp');
      await page.getByLabel('Metadata document (file)').setInputFiles(join(dir, 'metadata.xml'));
      await page.getByLabel('Metadata document (XML)').waitFor();
      assert.match(await page.getByLabel('Metadata document (XML)').inputValue(), /EntityDescriptor/);
      await page.getByRole('button', { name: 'Add SAML provider' }).click();
      await page.getByRole('button', { name: 'Delete corp-idp' }).waitFor();
      assert.deepEqual((await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList?.map((p) => p.Arn), [`arn:aws:iam::${TEST_ACCOUNT_ID}:saml-provider/corp-idp`]);

      assert.equal(await scrollsSideways(page), false, 'identity providers scrolls sideways');
      assert.deepEqual(await seriousViolations(page), [], 'identity providers');
      await page.screenshot({ path: '/tmp/console2-identity-providers.png', fullPage: true });

      await page.getByRole('button', { name: 'Delete corp-idp' }).click();
      await page.getByText('No SAML provider.').waitFor();
      await page.getByRole('button', { name: 'Delete token.example.com/tenant' }).click();
      await page.getByText('No OpenID Connect provider.').waitFor();
      assert.deepEqual((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList, []);
      assert.deepEqual((await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList, []);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
