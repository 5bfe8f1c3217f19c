import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { rejects } from '../testing.js';
import { orgFixture, organizationWithMember, rootOf, type OrgFixture } from './testing.js';

let f: OrgFixture;
beforeEach(() => {
  f = orgFixture();
});
afterEach(() => f.store.close());

test('roots, OUs, accounts and the organization’s policies take tags; keys compare exactly', async () => {
  const { rootId, member } = await organizationWithMember(f);
  const ou = ((await f.run('CreateOrganizationalUnit', { ParentId: rootId, Name: 'ou', Tags: [{ Key: 'a', Value: '1' }] })) as { OrganizationalUnit: { Id: string } }).OrganizationalUnit.Id;
  const policy = ((await f.run('CreatePolicy', { Name: 'p', Description: '', Type: 'TAG_POLICY', Content: '{}', Tags: [{ Key: 'p', Value: 'x' }] })) as {
    Policy: { PolicySummary: { Id: string } };
  }).Policy.PolicySummary.Id;
  for (const id of [rootId, ou, member, policy]) {
    await f.run('TagResource', { ResourceId: id, Tags: [{ Key: 'team', Value: 'red' }, { Key: 'Team', Value: 'blue' }] });
    await f.run('TagResource', { ResourceId: id, Tags: [{ Key: 'team', Value: 'green' }] });
    const { Tags } = (await f.run('ListTagsForResource', { ResourceId: id })) as { Tags: Array<{ Key: string; Value: string }> };
    assert.deepEqual(Object.fromEntries(Tags.map((t) => [t.Key, t.Value])), {
      ...(id === ou ? { a: '1' } : {}),
      ...(id === policy ? { p: 'x' } : {}),
      team: 'green',
      Team: 'blue',
    }, id);
    await f.run('UntagResource', { ResourceId: id, TagKeys: ['Team', 'absent'] });
    const after = (await f.run('ListTagsForResource', { ResourceId: id })) as { Tags: Array<{ Key: string }> };
    assert.ok(!after.Tags.some((t) => t.Key === 'Team'));
    assert.ok(after.Tags.some((t) => t.Key === 'team'));
  }
});

test('unknown resources, AWS managed policies, too many tags, duplicate keys, member accounts', async () => {
  const { member } = await organizationWithMember(f);
  const notFound: [string, number, string] = ['TargetNotFoundException', 404, "We can't find a root, OU, account, or policy with the TargetId that you specified."];
  await rejects(f.run('TagResource', { ResourceId: '000000000001', Tags: [{ Key: 'a', Value: 'b' }] }), ...notFound);
  await rejects(f.run('ListTagsForResource', { ResourceId: 'p-FullAWSAccess' }), ...notFound);
  const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
  await rejects(f.run('TagResource', { ResourceId: member, Tags: many }), 'ConstraintViolationException', 409, 'You have exceeded the number of tags allowed on this resource.');
  await f.run('TagResource', { ResourceId: member, Tags: many.slice(0, 50) });
  await rejects(f.run('TagResource', { ResourceId: member, Tags: [{ Key: 'new', Value: 'v' }] }), 'ConstraintViolationException', 409, 'You have exceeded the number of tags allowed on this resource.');
  await rejects(f.run('TagResource', { ResourceId: member, Tags: [{ Key: 'k1', Value: 'a' }, { Key: 'k1', Value: 'b' }] }), 'InvalidInputException', 400, 'Tag keys must be unique among the tags attached to the same entity.');
  await rejects(f.run('ListTagsForResource', { ResourceId: member }, rootOf(member)), 'AccessDeniedException', 403, "You don't have permissions to access this resource.");
});
