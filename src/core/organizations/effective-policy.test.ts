import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { rejects, TEST_ACCOUNT } from '../testing.js';
import { orgFixture, organizationWithMember, rootOf, type OrgFixture } from './testing.js';

let f: OrgFixture;
beforeEach(() => {
  f = orgFixture();
});
afterEach(() => f.store.close());

const NOT_FOUND: [string, number, string] = [
  'EffectivePolicyNotFoundException',
  404,
  "If you ran this action on the management account, this policy type is not enabled. If you ran the action on a member account, the account doesn't have an effective policy of this type. Contact the administrator of your organization about attaching a policy of this type to the account.",
];
const TARGET_NOT_FOUND: [string, number, string] = ['TargetNotFoundException', 404, "We can't find a root, OU, account, or policy with the TargetId that you specified."];
const tagPolicy = (setting: Record<string, unknown>): string => JSON.stringify({ tags: { costcenter: setting } });

async function tagPolicyAttached(name: string, content: string, target: string): Promise<string> {
  const { Policy } = (await f.run('CreatePolicy', { Name: name, Description: '', Type: 'TAG_POLICY', Content: content })) as { Policy: { PolicySummary: { Id: string } } };
  await f.run('AttachPolicy', { PolicyId: Policy.PolicySummary.Id, TargetId: target });
  return Policy.PolicySummary.Id;
}

async function effective(params: Record<string, unknown>, caller = rootOf(TEST_ACCOUNT)): Promise<{ PolicyContent: string; LastUpdatedTimestamp: Date; TargetId: string; PolicyType: string }> {
  const out = (await f.run('DescribeEffectivePolicy', params, caller)) as { EffectivePolicy: { PolicyContent: string; LastUpdatedTimestamp: Date; TargetId: string; PolicyType: string } };
  return out.EffectivePolicy;
}

test('the effective tag policy of an account merges root, OU and account policies', async () => {
  const { rootId, member } = await organizationWithMember(f);
  await f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'TAG_POLICY' });
  const { OrganizationalUnit: ou } = (await f.run('CreateOrganizationalUnit', { ParentId: rootId, Name: 'ou' })) as { OrganizationalUnit: { Id: string } };
  await f.run('MoveAccount', { AccountId: member, SourceParentId: rootId, DestinationParentId: ou.Id });
  await tagPolicyAttached('root', tagPolicy({ tag_key: { '@@operators_allowed_for_child_policies': ['@@none'], '@@assign': 'CostCenter' }, tag_value: { '@@assign': ['Dev', 'Support'] } }), rootId);
  await tagPolicyAttached('ou', tagPolicy({ tag_value: { '@@append': ['Marketing'] } }), ou.Id);
  await tagPolicyAttached('account', tagPolicy({ tag_key: { '@@assign': 'costcenter' }, tag_value: { '@@remove': ['Support'] } }), member);

  const mine = await effective({ PolicyType: 'TAG_POLICY' }, rootOf(member));
  assert.deepEqual(JSON.parse(mine.PolicyContent), { tags: { costcenter: { tag_key: 'CostCenter', tag_value: ['Dev', 'Marketing'] } } });
  assert.equal(mine.TargetId, member);
  assert.equal(mine.PolicyType, 'TAG_POLICY');
  assert.ok(mine.LastUpdatedTimestamp instanceof Date && !Number.isNaN(mine.LastUpdatedTimestamp.getTime()));
  // The management account asks for the member's: the same; for its own (under the root only): the root's.
  assert.equal((await effective({ PolicyType: 'TAG_POLICY', TargetId: member })).PolicyContent, mine.PolicyContent);
  assert.deepEqual(JSON.parse((await effective({ PolicyType: 'TAG_POLICY' })).PolicyContent), { tags: { costcenter: { tag_key: 'CostCenter', tag_value: ['Dev', 'Support'] } } });
});

test('errors: type not enabled, no policy, other accounts, roots and OUs, outsiders', async () => {
  const { rootId, member } = await organizationWithMember(f);
  await rejects(f.run('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY' }), ...NOT_FOUND);
  await f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'BACKUP_POLICY' });
  await rejects(f.run('DescribeEffectivePolicy', { PolicyType: 'BACKUP_POLICY', TargetId: member }), ...NOT_FOUND);
  await f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'TAG_POLICY' });
  await tagPolicyAttached('acct', tagPolicy({ tag_value: { '@@assign': ['x'] } }), TEST_ACCOUNT);
  // The member has none (the policy is on the management account only).
  await rejects(f.run('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY' }, rootOf(member)), ...NOT_FOUND);
  await rejects(f.run('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY', TargetId: TEST_ACCOUNT }, rootOf(member)), 'AccessDeniedException', 403, "You don't have permissions to access this resource.");
  for (const target of [rootId, '000000000001', `ou-${rootId.slice(2)}-000000000`]) {
    await rejects(f.run('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY', TargetId: target }), ...TARGET_NOT_FOUND);
  }
  await rejects(f.run('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY' }, rootOf('999999999999')), 'AWSOrganizationsNotInUseException', 404, 'Your account is not a member of an organization.');
});

test('a detached policy, or a disabled type, leaves no effective policy', async () => {
  const { rootId, member } = await organizationWithMember(f);
  await f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'TAG_POLICY' });
  const id = await tagPolicyAttached('root', tagPolicy({ tag_value: { '@@assign': ['x'] } }), rootId);
  assert.ok(await effective({ PolicyType: 'TAG_POLICY', TargetId: member }));
  await f.run('DetachPolicy', { PolicyId: id, TargetId: rootId });
  await rejects(f.run('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY', TargetId: member }), ...NOT_FOUND);
  await f.run('AttachPolicy', { PolicyId: id, TargetId: rootId });
  await f.run('DisablePolicyType', { RootId: rootId, PolicyType: 'TAG_POLICY' });
  await rejects(f.run('DescribeEffectivePolicy', { PolicyType: 'TAG_POLICY', TargetId: member }), ...NOT_FOUND);
});

test('an edited policy changes the effective policy at once', async () => {
  const { rootId, member } = await organizationWithMember(f);
  await f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'TAG_POLICY' });
  const id = await tagPolicyAttached('root', tagPolicy({ tag_value: { '@@assign': ['x'] } }), rootId);
  const before = await effective({ PolicyType: 'TAG_POLICY', TargetId: member });
  await f.run('UpdatePolicy', { PolicyId: id, Content: tagPolicy({ tag_value: { '@@assign': ['y'] } }) });
  const after = await effective({ PolicyType: 'TAG_POLICY', TargetId: member });
  assert.deepEqual(JSON.parse(after.PolicyContent), { tags: { costcenter: { tag_value: ['y'] } } });
  // The test clock stands still: the time of the edit is the time of the attachment.
  assert.ok(after.LastUpdatedTimestamp.getTime() >= before.LastUpdatedTimestamp.getTime());
});
