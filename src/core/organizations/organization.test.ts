import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { KIND } from '../iam/kinds.js';
import { rejects, ROOT_CALLER, TEST_ACCOUNT } from '../testing.js';
import { ORG_KIND, ORG_REL } from './kinds.js';
import { orgFixture, organizationWithMember, rootOf, type OrgFixture } from './testing.js';

let f: OrgFixture;
beforeEach(() => {
  f = orgFixture();
});
afterEach(() => f.store.close());

const NOT_IN_USE: [string, number, string] = ['AWSOrganizationsNotInUseException', 404, 'Your account is not a member of an organization.'];

test('CreateOrganization: the caller becomes the management account of an organization with all features', async () => {
  const { Organization: org } = (await f.run('CreateOrganization')) as { Organization: Record<string, unknown> };
  assert.match(org['Id'] as string, /^o-[a-z0-9]{10}$/);
  assert.deepEqual(org, {
    Id: org['Id'],
    Arn: `arn:aws:organizations::${TEST_ACCOUNT}:organization/${org['Id'] as string}`,
    FeatureSet: 'ALL',
    MasterAccountArn: `arn:aws:organizations::${TEST_ACCOUNT}:account/${org['Id'] as string}/${TEST_ACCOUNT}`,
    MasterAccountId: TEST_ACCOUNT,
    MasterAccountEmail: `${TEST_ACCOUNT}@gatehouse.invalid`,
    AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
  });
  assert.deepEqual(await f.run('DescribeOrganization'), { Organization: org });
  const { Roots } = (await f.run('ListRoots')) as { Roots: Array<Record<string, unknown>> };
  assert.equal(Roots.length, 1);
  assert.match(Roots[0]?.['Id'] as string, /^r-[0-9a-z]{4}$/);
  assert.deepEqual(Roots[0]?.['PolicyTypes'], []);
});

test('CreateOrganization: refused for an account already in one, its own or another', async () => {
  const { member } = await organizationWithMember(f);
  await rejects(f.run('CreateOrganization'), 'AlreadyInOrganizationException', 409, 'This account is already a member of an organization. An account can belong to only one organization at a time.');
  await rejects(f.run('CreateOrganization', {}, rootOf(member)), 'AlreadyInOrganizationException', 409, 'This account is already a member of an organization. An account can belong to only one organization at a time.');
});

test('CreateOrganization with consolidated billing only: no policy type can be enabled', async () => {
  await f.run('CreateOrganization', { FeatureSet: 'CONSOLIDATED_BILLING' });
  const { Organization } = (await f.run('DescribeOrganization')) as { Organization: Record<string, unknown> };
  assert.equal(Organization['FeatureSet'], 'CONSOLIDATED_BILLING');
  assert.deepEqual(Organization['AvailablePolicyTypes'], []);
  const { Roots } = (await f.run('ListRoots')) as { Roots: Array<{ Id: string }> };
  await rejects(
    f.run('EnablePolicyType', { RootId: Roots[0]?.Id, PolicyType: 'SERVICE_CONTROL_POLICY' }),
    'PolicyTypeNotAvailableForOrganizationException',
    409,
    "You can't use a policy type that isn't available in the organization's feature set.",
  );
});

test('DescribeOrganization: members see their organization; outsiders are not in one', async () => {
  const { member } = await organizationWithMember(f);
  const mine = await f.run('DescribeOrganization');
  assert.deepEqual(await f.run('DescribeOrganization', {}, rootOf(member)), mine);
  await rejects(f.run('DescribeOrganization', {}, rootOf('999988887777')), ...NOT_IN_USE);
});

test('DeleteOrganization: only the management account, only without active members; everything of it goes', async () => {
  const { member, rootId } = await organizationWithMember(f);
  await f.run('CreateOrganizationalUnit', { ParentId: rootId, Name: 'ou' });
  await f.run('CreatePolicy', { Name: 'p', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}' });
  await rejects(f.run('DeleteOrganization', {}, rootOf(member)), 'AccessDeniedException', 403, "You don't have permissions to access this resource.");
  await rejects(
    f.run('DeleteOrganization'),
    'OrganizationNotEmptyException',
    409,
    "The organization isn't empty. To delete an organization, you must first remove or close all member accounts except the management account.",
  );
  await f.run('RemoveAccountFromOrganization', { AccountId: member });
  assert.deepEqual(await f.run('DeleteOrganization'), {});
  await rejects(f.run('DescribeOrganization'), ...NOT_IN_USE);
  await f.store.read(async (tx) => {
    for (const kind of Object.values(ORG_KIND)) {
      if (kind === ORG_KIND.accountRecord || kind === ORG_KIND.accountEmail) continue;
      assert.deepEqual(await tx.list(kind, TEST_ACCOUNT), [], kind);
    }
    assert.deepEqual(await tx.links(ORG_REL.attached, TEST_ACCOUNT), []);
    // The member account itself stays, standalone, with its role.
    assert.equal((await tx.list(KIND.role, member)).length, 1);
  });
  // A new organization may be created afterwards, by either account.
  await f.run('CreateOrganization', {}, rootOf(member));
  await f.run('CreateOrganization', {}, ROOT_CALLER);
});

test('DeleteOrganization: closed member accounts do not keep the organization alive', async () => {
  const { member } = await organizationWithMember(f);
  await f.run('CloseAccount', { AccountId: member });
  assert.deepEqual(await f.run('DeleteOrganization'), {});
  await rejects(f.run('DescribeOrganization', {}, rootOf(member)), ...NOT_IN_USE);
});

test('operations need an organization: AWSOrganizationsNotInUseException otherwise', async () => {
  for (const [name, params] of [
    ['ListAccounts', {}],
    ['ListRoots', {}],
    ['DeleteOrganization', {}],
    ['CreateAccount', { Email: 'a@example.com', AccountName: 'a' }],
    ['ListPolicies', { Filter: 'SERVICE_CONTROL_POLICY' }],
    ['DescribePolicy', { PolicyId: 'p-FullAWSAccess' }],
  ] as const) {
    await rejects(f.run(name, params), ...NOT_IN_USE);
  }
});
