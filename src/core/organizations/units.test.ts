import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { rejects, TEST_ACCOUNT } from '../testing.js';
import { orgFixture, organizationWithMember, rootOf, type OrgFixture } from './testing.js';

let f: OrgFixture;
beforeEach(() => {
  f = orgFixture();
});
afterEach(() => f.store.close());

type Ou = { Id: string; Arn: string; Name: string };

async function createOu(parent: string, name: string): Promise<Ou> {
  return ((await f.run('CreateOrganizationalUnit', { ParentId: parent, Name: name })) as { OrganizationalUnit: Ou }).OrganizationalUnit;
}

test('CreateOrganizationalUnit: an ID carrying the root’s, an ARN in the organization; Describe, Update, List', async () => {
  const { rootId } = await organizationWithMember(f);
  const { Organization } = (await f.run('DescribeOrganization')) as { Organization: { Id: string } };
  const ou = await createOu(rootId, 'Engineering');
  assert.match(ou.Id, new RegExp(`^ou-${rootId.slice(2)}-[a-z0-9]{8}$`));
  assert.deepEqual(ou, { Id: ou.Id, Arn: `arn:aws:organizations::${TEST_ACCOUNT}:ou/${Organization.Id}/${ou.Id}`, Name: 'Engineering' });
  assert.deepEqual(await f.run('DescribeOrganizationalUnit', { OrganizationalUnitId: ou.Id }), { OrganizationalUnit: ou });
  assert.deepEqual(await f.run('UpdateOrganizationalUnit', { OrganizationalUnitId: ou.Id, Name: 'Eng' }), { OrganizationalUnit: { ...ou, Name: 'Eng' } });
  const child = await createOu(ou.Id, 'Backend');
  assert.deepEqual(await f.run('ListOrganizationalUnitsForParent', { ParentId: rootId }), { OrganizationalUnits: [{ ...ou, Name: 'Eng' }] });
  assert.deepEqual(await f.run('ListChildren', { ParentId: ou.Id, ChildType: 'ORGANIZATIONAL_UNIT' }), { Children: [{ Id: child.Id, Type: 'ORGANIZATIONAL_UNIT' }] });
  assert.deepEqual(await f.run('ListParents', { ChildId: child.Id }), { Parents: [{ Id: ou.Id, Type: 'ORGANIZATIONAL_UNIT' }] });
  assert.deepEqual(await f.run('ListParents', { ChildId: ou.Id }), { Parents: [{ Id: rootId, Type: 'ROOT' }] });
});

test('names are unique among siblings only', async () => {
  const { rootId } = await organizationWithMember(f);
  const a = await createOu(rootId, 'a');
  const b = await createOu(rootId, 'b');
  await rejects(f.run('CreateOrganizationalUnit', { ParentId: rootId, Name: 'a' }), 'DuplicateOrganizationalUnitException', 409, 'An OU with the same name already exists.');
  await rejects(f.run('UpdateOrganizationalUnit', { OrganizationalUnitId: b.Id, Name: 'a' }), 'DuplicateOrganizationalUnitException', 409, 'An OU with the same name already exists.');
  await createOu(a.Id, 'a');
  // Renaming an OU to its own name is no clash.
  await f.run('UpdateOrganizationalUnit', { OrganizationalUnitId: a.Id, Name: 'a' });
});

test('OUs nest five levels deep under the root, no deeper', async () => {
  const { rootId } = await organizationWithMember(f);
  let parent = rootId;
  for (let level = 1; level <= 5; level++) parent = (await createOu(parent, `level${level}`)).Id;
  await rejects(f.run('CreateOrganizationalUnit', { ParentId: parent, Name: 'level6' }), 'ConstraintViolationException', 409, 'You attempted to create an OU tree that is too many levels deep.');
});

test('DeleteOrganizationalUnit: only empty OUs', async () => {
  const { rootId, member } = await organizationWithMember(f);
  const ou = await createOu(rootId, 'ou');
  const child = await createOu(ou.Id, 'child');
  const notEmpty: [string, number, string] = ['OrganizationalUnitNotEmptyException', 409, 'The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.'];
  await rejects(f.run('DeleteOrganizationalUnit', { OrganizationalUnitId: ou.Id }), ...notEmpty);
  await f.run('DeleteOrganizationalUnit', { OrganizationalUnitId: child.Id });
  await f.run('MoveAccount', { AccountId: member, SourceParentId: rootId, DestinationParentId: ou.Id });
  await rejects(f.run('DeleteOrganizationalUnit', { OrganizationalUnitId: ou.Id }), ...notEmpty);
  await f.run('MoveAccount', { AccountId: member, SourceParentId: ou.Id, DestinationParentId: rootId });
  assert.deepEqual(await f.run('DeleteOrganizationalUnit', { OrganizationalUnitId: ou.Id }), {});
  await rejects(f.run('DescribeOrganizationalUnit', { OrganizationalUnitId: ou.Id }), 'OrganizationalUnitNotFoundException', 404, "We can't find an OU with the OrganizationalUnitId that you specified.");
  const { Targets } = (await f.run('ListTargetsForPolicy', { PolicyId: 'p-FullAWSAccess' })) as { Targets: Array<{ TargetId: string }> };
  assert.ok(!Targets.some((t) => t.TargetId === ou.Id));
});

test('unknown parents and children, and member accounts, are refused', async () => {
  const { rootId, member } = await organizationWithMember(f);
  const missingOu = `ou-${rootId.slice(2)}-000000000`; // nine characters: never one of ours
  await rejects(f.run('CreateOrganizationalUnit', { ParentId: missingOu, Name: 'x' }), 'ParentNotFoundException', 404, "We can't find a root or OU with the ParentId that you specified.");
  await rejects(f.run('CreateOrganizationalUnit', { ParentId: 'r-zzzzz', Name: 'x' }), 'ParentNotFoundException', 404, "We can't find a root or OU with the ParentId that you specified.");
  await rejects(f.run('ListChildren', { ParentId: missingOu, ChildType: 'ACCOUNT' }), 'ParentNotFoundException', 404, "We can't find a root or OU with the ParentId that you specified.");
  await rejects(f.run('ListParents', { ChildId: '000000000001' }), 'ChildNotFoundException', 404, "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.");
  await rejects(f.run('ListRoots', {}, rootOf(member)), 'AccessDeniedException', 403, "You don't have permissions to access this resource.");
  await rejects(f.run('CreateOrganizationalUnit', { ParentId: rootId, Name: 'x' }, rootOf(member)), 'AccessDeniedException', 403, "You don't have permissions to access this resource.");
});

test('a new OU gets FullAWSAccess while SCPs are enabled', async () => {
  const { rootId } = await organizationWithMember(f);
  const ou = await createOu(rootId, 'ou');
  const { Policies } = (await f.run('ListPoliciesForTarget', { TargetId: ou.Id, Filter: 'SERVICE_CONTROL_POLICY' })) as { Policies: Array<{ Id: string }> };
  assert.deepEqual(Policies.map((p) => p.Id), ['p-FullAWSAccess']);
});
