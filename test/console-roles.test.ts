// The role wizard and the trust policy editor in the web console, in a real browser as root at 390×844: a role for
// another account with an external ID and MFA, then for a SAML provider and an OpenID Connect provider; the trust
// policy edited in place (Gatehouse's own refusal shown under the editor). The roles made are read back via the SDK.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateOpenIDConnectProviderCommand, CreateSAMLProviderCommand, GetRoleCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import type { Page } from 'playwright-core';
import { heading, openConsole, scrollsSideways, seriousViolations, signInAsRoot, useBrowser } from './helpers/browser.js';
import { iamClient } from './helpers/clients.js';
import { idpMetadata } from './helpers/saml.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const ROOT_PASSWORD = 'Root-roles-password-1';

const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD }, {}, async () => {
  await iamClient(server.endpoint).send(new CreateSAMLProviderCommand({ Name: 'corp-idp', SAMLMetadataDocument: idpMetadata() }));
  await iamClient(server.endpoint).send(new CreateOpenIDConnectProviderCommand({ Url: 'https://token.example.com', ClientIDList: ['app-1'] }));
});
const chromium = useBrowser();

const trustOf = async (roleName: string): Promise<unknown> =>
  JSON.parse(decodeURIComponent((await iamClient(server.endpoint).send(new GetRoleCommand({ RoleName: roleName }))).Role?.AssumeRolePolicyDocument ?? ''));

async function checkPage(page: Page, name: string, shot: string): Promise<void> {
  assert.equal(await scrollsSideways(page), false, `${name} scrolls sideways`);
  assert.deepEqual(await seriousViolations(page), [], name);
  await page.screenshot({ path: `/tmp/console2-${shot}.png`, fullPage: true });
}

describe('the role wizard', () => {
  test('another account with an external ID and MFA; a SAML provider; a web identity; the trust policy edited in place', async () => {
    const { page, context, pageErrors } = await openConsole(chromium.browser, server.endpoint, { width: 390, height: 844 });
    try {
      await signInAsRoot(page, TEST_ACCOUNT_ID, ROOT_PASSWORD);
      await page.getByRole('link', { name: 'Roles', exact: true }).click();
      await page.getByRole('link', { name: 'Create role' }).click();
      await heading(page, 'Create role').waitFor();
      await checkPage(page, 'create role (AWS service)', 'create-role');
      await page.getByRole('radio', { name: /AWS account/ }).check();
      await page.getByLabel('Account ID').fill('444455556666');
      await page.getByLabel('External ID (optional)').fill('partner-42');
      await page.getByLabel('Require MFA').check();
      await page.getByLabel('Role name').fill('partner-access');
      await page.getByLabel('Policy ARN to attach (optional)').fill('arn:aws:iam::aws:policy/ReadOnlyAccess');
      await page.getByRole('button', { name: 'Create role' }).click();
      await heading(page, 'partner-access').waitFor();
      assert.deepEqual(await trustOf('partner-access'), {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'partner-42' }, Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }],
      });
      const attached = await iamClient(server.endpoint).send(new ListAttachedRolePoliciesCommand({ RoleName: 'partner-access' }));
      assert.deepEqual(attached.AttachedPolicies?.map((p) => p.PolicyArn), ['arn:aws:iam::aws:policy/ReadOnlyAccess']);

      // The trust policy editor: a refusal of Gatehouse's under it, then a change that is kept.
      await page.getByRole('button', { name: 'Edit trust policy' }).click();
      const editor = page.getByLabel('Trust policy', { exact: true });
      await editor.fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole', Resource: '*' }] }));
      await page.getByRole('button', { name: 'Update trust policy' }).click();
      await page.getByRole('alert').filter({ hasText: 'MalformedPolicyDocument' }).waitFor();
      await checkPage(page, 'trust policy editor with a finding', 'trust-editor');
      const changed = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::777788889999:root' }, Action: 'sts:AssumeRole' }] };
      await editor.fill(JSON.stringify(changed));
      await page.getByRole('button', { name: 'Update trust policy' }).click();
      await page.getByRole('button', { name: 'Edit trust policy' }).waitFor();
      await page.getByLabel('Trust policy').getByText('777788889999').waitFor();
      assert.deepEqual(await trustOf('partner-access'), changed);

      await page.goto(`${server.endpoint}/_gatehouse/console/#/create-role`);
      await heading(page, 'Create role').waitFor();
      await page.getByRole('radio', { name: /SAML 2.0 federation/ }).check();
      await page.getByLabel('Identity provider', { exact: true }).waitFor();
      assert.match((await page.getByLabel('Trust policy').inputValue()), /saml-provider\/corp-idp/);
      await checkPage(page, 'create role (SAML)', 'create-role-saml');
      await page.getByLabel('Role name').fill('corp-sso');
      await page.getByRole('button', { name: 'Create role' }).click();
      await heading(page, 'corp-sso').waitFor();
      assert.deepEqual(await trustOf('corp-sso'), {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${TEST_ACCOUNT_ID}:saml-provider/corp-idp` }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } }],
      });

      await page.goto(`${server.endpoint}/_gatehouse/console/#/create-role`);
      await heading(page, 'Create role').waitFor();
      await page.getByRole('radio', { name: /Web identity/ }).check();
      await page.getByLabel('Identity provider', { exact: true }).waitFor();
      await page.getByLabel('Audience (optional)').fill('app-1');
      await page.getByLabel('Role name').fill('ci-deploy');
      await page.getByRole('button', { name: 'Create role' }).click();
      await heading(page, 'ci-deploy').waitFor();
      assert.deepEqual(await trustOf('ci-deploy'), {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${TEST_ACCOUNT_ID}:oidc-provider/token.example.com` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.example.com:aud': 'app-1' } } }],
      });
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
