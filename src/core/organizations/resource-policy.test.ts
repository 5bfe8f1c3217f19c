import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { rejects, TEST_ACCOUNT } from '../testing.js';
import { orgFixture, organizationWithMember, rootOf, type OrgFixture } from './testing.js';

let f: OrgFixture;
beforeEach(() => {
  f = orgFixture();
});
afterEach(() => f.store.close());

const DENIED: [string, number, string] = ['AccessDeniedException', 403, "You don't have permissions to access this resource."];
const NOT_FOUND: [string, number, string] = ['ResourcePolicyNotFoundException', 404, "We can't find a resource policy request with the parameter that you specified."];

const delegation = (member: string, statements: Array<Record<string, unknown>>): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements.map((s) => ({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${member}:root` }, Resource: '*', ...s })) });

type Put = {
  ResourcePolicy: { ResourcePolicySummary: { Id: string; Arn: string }; Content: string };
};

test('PutResourcePolicy, DescribeResourcePolicy, DeleteResourcePolicy', async () => {
  const { member } = await organizationWithMember(f);
  const { Organization } = (await f.run('DescribeOrganization')) as { Organization: { Id: string } };
  await rejects(f.run('DescribeResourcePolicy'), ...NOT_FOUND);
  const content = delegation(member, [{ Action: ['organizations:ListRoots'] }]);
  const put = (await f.run('PutResourcePolicy', { Content: content })) as Put;
  assert.match(put.ResourcePolicy.ResourcePolicySummary.Id, /^rp-[0-9a-z]{8}$/);
  assert.equal(put.ResourcePolicy.ResourcePolicySummary.Arn, `arn:aws:organizations::${TEST_ACCOUNT}:resourcepolicy/${Organization.Id}/${put.ResourcePolicy.ResourcePolicySummary.Id}`);
  assert.deepEqual(await f.run('DescribeResourcePolicy'), put);
  // A second Put replaces the content and keeps the ID.
  const replaced = delegation(member, [{ Action: 'organizations:Describe*' }]);
  const again = (await f.run('PutResourcePolicy', { Content: replaced })) as Put;
  assert.deepEqual(again.ResourcePolicy, { ResourcePolicySummary: put.ResourcePolicy.ResourcePolicySummary, Content: replaced });
  await rejects(f.run('PutResourcePolicy', { Content: content }, rootOf(member)), ...DENIED);
  await rejects(f.run('DeleteResourcePolicy', {}, rootOf(member)), ...DENIED);
  assert.deepEqual(await f.run('DeleteResourcePolicy'), {});
  await rejects(f.run('DeleteResourcePolicy'), ...NOT_FOUND);
});

test('PutResourcePolicy refuses what a delegation cannot say, and stores nothing', async () => {
  const { member } = await organizationWithMember(f);
  const cases: Array<[string, string]> = [
    ['not json', 'INVALID_RESOURCE_POLICY_JSON'],
    ['[]', 'INVALID_RESOURCE_POLICY_JSON'],
    [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'organizations:ListRoots', Resource: '*' }] }), 'INVALID_RESOURCE_POLICY_JSON'],
    [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'organizations:ListRoots', Resource: '*' }] }), 'INVALID_PRINCIPAL'],
    [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'organizations:ListRoots', Resource: '*' }] }), 'INVALID_PRINCIPAL'],
    [delegation(member, [{ Action: 'organizations:CreateAccount' }]), 'UNSUPPORTED_ACTION_IN_RESOURCE_POLICY'],
    [delegation(member, [{ Action: 'organizations:*' }]), 'UNSUPPORTED_ACTION_IN_RESOURCE_POLICY'],
    [delegation(member, [{ Action: 'iam:ListUsers' }]), 'UNSUPPORTED_ACTION_IN_RESOURCE_POLICY'],
    [delegation(member, [{ Action: 'organizations:ListRoots', Resource: 'arn:aws:iam::111122223333:root' }]), 'UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY'],
  ];
  for (const [content, reason] of cases) {
    await assert.rejects(f.run('PutResourcePolicy', { Content: content }), (e: { code: string; fields?: Record<string, string> }) => {
      assert.equal(e.code, 'InvalidInputException', content);
      assert.equal(e.fields?.['Reason'], reason, content);
      return true;
    });
  }
  await rejects(f.run('DescribeResourcePolicy'), ...NOT_FOUND);
});

test('a delegated member reads the organization and manages the policy types it is given, nothing else', async () => {
  const { rootId, member } = await organizationWithMember(f);
  const other = ((await f.run('CreateAccount', { Email: 'other@example.com', AccountName: 'other' })) as { CreateAccountStatus: { AccountId: string } }).CreateAccountStatus.AccountId;
  await f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'TAG_POLICY' });
  await rejects(f.run('ListRoots', {}, rootOf(member)), ...DENIED);
  await f.run('PutResourcePolicy', {
    Content: delegation(member, [
      { Action: ['organizations:List*', 'organizations:DescribePolicy'] },
      { Action: ['organizations:CreatePolicy', 'organizations:AttachPolicy'], Condition: { StringEquals: { 'organizations:PolicyType': 'TAG_POLICY' } } },
    ]),
  });
  const roots = (await f.run('ListRoots', {}, rootOf(member))) as { Roots: Array<{ Id: string }> };
  assert.deepEqual(roots.Roots.map((r) => r.Id), [rootId]);
  const created = (await f.run('CreatePolicy', { Name: 'tags', Description: '', Type: 'TAG_POLICY', Content: '{"tags":{}}' }, rootOf(member))) as { Policy: { PolicySummary: { Id: string } } };
  await f.run('AttachPolicy', { PolicyId: created.Policy.PolicySummary.Id, TargetId: rootId }, rootOf(member));
  assert.ok(((await f.run('ListPoliciesForTarget', { TargetId: rootId, Filter: 'TAG_POLICY' })) as { Policies: unknown[] }).Policies.length === 1);
  // Outside the delegation: another policy type, another action, another account.
  await rejects(f.run('CreatePolicy', { Name: 'scp', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] }) }, rootOf(member)), ...DENIED);
  await rejects(f.run('DeletePolicy', { PolicyId: created.Policy.PolicySummary.Id }, rootOf(member)), ...DENIED);
  await rejects(f.run('DescribeResourcePolicy', {}, rootOf(member)), ...DENIED);
  await rejects(f.run('ListRoots', {}, rootOf(other)), ...DENIED);
  // The delegation gone, so is the access.
  await f.run('DeleteResourcePolicy');
  await rejects(f.run('ListRoots', {}, rootOf(member)), ...DENIED);
});

test('AttachPolicy needs the delegation on the target as well as on the policy', async () => {
  const { rootId, member } = await organizationWithMember(f);
  const { Organization } = (await f.run('DescribeOrganization')) as { Organization: { Id: string } };
  await f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'TAG_POLICY' });
  const { OrganizationalUnit: ou } = (await f.run('CreateOrganizationalUnit', { ParentId: rootId, Name: 'delegated' })) as { OrganizationalUnit: { Id: string; Arn: string } };
  const policy = ((await f.run('CreatePolicy', { Name: 'tags', Description: '', Type: 'TAG_POLICY', Content: '{"tags":{}}' })) as { Policy: { PolicySummary: { Id: string; Arn: string } } }).Policy.PolicySummary;
  await f.run('PutResourcePolicy', {
    Content: delegation(member, [
      { Action: 'organizations:AttachPolicy', Resource: [`arn:aws:organizations::${TEST_ACCOUNT}:policy/${Organization.Id}/tag_policy/*`, ou.Arn] },
    ]),
  });
  await rejects(f.run('AttachPolicy', { PolicyId: policy.Id, TargetId: rootId }, rootOf(member)), ...DENIED);
  assert.deepEqual(await f.run('AttachPolicy', { PolicyId: policy.Id, TargetId: ou.Id }, rootOf(member)), {});
});
