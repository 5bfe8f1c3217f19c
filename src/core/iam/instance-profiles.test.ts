import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { defineOperations, type Params } from '../operation.js';
import { ROOT_CALLER, runner, TEST_ACCOUNT, rejects, testServices } from '../testing.js';
import { INSTANCE_PROFILE_OPERATIONS } from './instance-profiles.js';
import { ROLE_OPERATIONS } from './roles.js';

const OPERATIONS = defineOperations([...ROLE_OPERATIONS, ...INSTANCE_PROFILE_OPERATIONS]);
const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
});

afterEach(() => store.close());


const profile = (out: Record<string, unknown>): Record<string, unknown> => out['InstanceProfile'] as Record<string, unknown>;

test('CreateInstanceProfile returns the profile with an AIPA id, its ARN, tags and no roles', async () => {
  const out = profile(await iam.run('CreateInstanceProfile', { InstanceProfileName: 'web', Path: '/ec2/', Tags: [{ Key: 'a', Value: 'b' }] }));
  assert.equal(out['InstanceProfileName'], 'web');
  assert.equal(out['Arn'], `arn:aws:iam::${TEST_ACCOUNT}:instance-profile/ec2/web`);
  assert.match(out['InstanceProfileId'] as string, /^AIPA[A-Z2-7]{17}$/);
  assert.deepEqual(out['Roles'], []);
  assert.deepEqual(out['Tags'], [{ Key: 'a', Value: 'b' }]);
  assert.deepEqual(out['CreateDate'], new Date('2026-11-25T12:00:00Z'));
});

test('CreateInstanceProfile refuses a name taken in any case', async () => {
  await iam.run('CreateInstanceProfile', { InstanceProfileName: 'Web' });
  await rejects(iam.run('CreateInstanceProfile', { InstanceProfileName: 'web' }), 'EntityAlreadyExists', 409, 'Instance Profile web already exists.');
});

const missingProfile: ReadonlyArray<[string, Params]> = [
  ['GetInstanceProfile', {}],
  ['DeleteInstanceProfile', {}],
  ['AddRoleToInstanceProfile', { RoleName: 'app' }],
  ['RemoveRoleFromInstanceProfile', { RoleName: 'app' }],
  ['TagInstanceProfile', { Tags: [{ Key: 'a', Value: 'b' }] }],
  ['UntagInstanceProfile', { TagKeys: ['a'] }],
  ['ListInstanceProfileTags', {}],
];
for (const [name, params] of missingProfile) {
  test(`${name} answers NoSuchEntity for a missing instance profile`, async () => {
    await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
    await rejects(iam.run(name, { InstanceProfileName: 'ghost', ...params }), 'NoSuchEntity', 404, 'Instance Profile ghost cannot be found.');
  });
}

const missingRole: ReadonlyArray<[string, Params]> = [
  ['AddRoleToInstanceProfile', { InstanceProfileName: 'web' }],
  ['RemoveRoleFromInstanceProfile', { InstanceProfileName: 'web' }],
  ['ListInstanceProfilesForRole', {}],
];
for (const [name, params] of missingRole) {
  test(`${name} answers NoSuchEntity for a missing role`, async () => {
    await iam.run('CreateInstanceProfile', { InstanceProfileName: 'web' });
    await rejects(iam.run(name, { RoleName: 'ghost', ...params }), 'NoSuchEntity', 404, 'The role with name ghost cannot be found.');
  });
}

test('a profile holds one role, shown with its URL-encoded trust policy; a second role exceeds the quota', async () => {
  await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
  await iam.run('CreateRole', { RoleName: 'other', AssumeRolePolicyDocument: TRUST });
  await iam.run('CreateInstanceProfile', { InstanceProfileName: 'web' });
  await iam.run('AddRoleToInstanceProfile', { InstanceProfileName: 'web', RoleName: 'app' });
  const roles = profile(await iam.run('GetInstanceProfile', { InstanceProfileName: 'web' }))['Roles'] as Record<string, unknown>[];
  assert.deepEqual(roles.map((r) => [r['RoleName'], r['AssumeRolePolicyDocument']]), [['app', encodeURIComponent(TRUST)]]);
  for (const role of ['other', 'app']) {
    await rejects(
      iam.run('AddRoleToInstanceProfile', { InstanceProfileName: 'web', RoleName: role }),
      'LimitExceeded',
      409,
      'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
    );
  }
});

test('DeleteInstanceProfile requires its role removed first; removing a role not in it is NoSuchEntity', async () => {
  await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
  await iam.run('CreateInstanceProfile', { InstanceProfileName: 'web' });
  await rejects(
    iam.run('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'web', RoleName: 'app' }),
    'NoSuchEntity',
    404,
    'The role with name app cannot be found.',
  );
  await iam.run('AddRoleToInstanceProfile', { InstanceProfileName: 'web', RoleName: 'app' });
  await rejects(iam.run('DeleteInstanceProfile', { InstanceProfileName: 'web' }), 'DeleteConflict', 409, 'Cannot delete entity, must remove roles from instance profile first.');
  await iam.run('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'web', RoleName: 'APP' });
  await iam.run('DeleteInstanceProfile', { InstanceProfileName: 'web' });
  await rejects(iam.run('GetInstanceProfile', { InstanceProfileName: 'web' }), 'NoSuchEntity', 404, 'Instance Profile web cannot be found.');
});

test('ListInstanceProfiles filters by path and pages; ListInstanceProfilesForRole finds the role’s profiles', async () => {
  await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
  await iam.run('CreateInstanceProfile', { InstanceProfileName: 'c', Path: '/x/' });
  await iam.run('CreateInstanceProfile', { InstanceProfileName: 'a' });
  await iam.run('CreateInstanceProfile', { InstanceProfileName: 'b', Path: '/x/' });
  await iam.run('AddRoleToInstanceProfile', { InstanceProfileName: 'c', RoleName: 'app' });
  await iam.run('AddRoleToInstanceProfile', { InstanceProfileName: 'a', RoleName: 'app' });
  const names = (out: Record<string, unknown>): unknown[] => (out['InstanceProfiles'] as Record<string, unknown>[]).map((p) => p['InstanceProfileName']);
  assert.deepEqual(names(await iam.run('ListInstanceProfiles', {})), ['a', 'b', 'c']);
  assert.deepEqual(names(await iam.run('ListInstanceProfiles', { PathPrefix: '/x/' })), ['b', 'c']);
  const first = await iam.run('ListInstanceProfiles', { MaxItems: 1 });
  assert.equal(first['IsTruncated'], true);
  assert.deepEqual(names(await iam.run('ListInstanceProfiles', { MaxItems: 5, Marker: first['Marker'] })), ['b', 'c']);
  assert.deepEqual(names(await iam.run('ListInstanceProfilesForRole', { RoleName: 'app' })), ['a', 'c']);
});

test('TagInstanceProfile, UntagInstanceProfile and ListInstanceProfileTags', async () => {
  await iam.run('CreateInstanceProfile', { InstanceProfileName: 'web' });
  await iam.run('TagInstanceProfile', { InstanceProfileName: 'web', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] });
  await iam.run('UntagInstanceProfile', { InstanceProfileName: 'web', TagKeys: ['A'] });
  assert.deepEqual((await iam.run('ListInstanceProfileTags', { InstanceProfileName: 'web' }))['Tags'], [{ Key: 'b', Value: '2' }]);
  await rejects(
    iam.run('TagInstanceProfile', { InstanceProfileName: 'web', Tags: [{ Key: 'x', Value: '1' }, { Key: 'X', Value: '2' }] }),
    'InvalidInput',
    400,
    'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
  );
});

test('resources name the instance profile', async () => {
  const ops = defineOperations(INSTANCE_PROFILE_OPERATIONS);
  const ctx = { account: TEST_ACCOUNT } as Parameters<(typeof INSTANCE_PROFILE_OPERATIONS)[number]['resource']>[0];
  assert.equal(await ops.get('iam:CreateInstanceProfile')?.resource(ctx, { InstanceProfileName: 'w', Path: '/p/' }), `arn:aws:iam::${TEST_ACCOUNT}:instance-profile/p/w`);
  assert.equal(await ops.get('iam:ListInstanceProfiles')?.resource(ctx, {}), `arn:aws:iam::${TEST_ACCOUNT}:instance-profile/`);
});

test('AddRoleToInstanceProfile also requires iam:PassRole on the role (its ARN with its path), passed to EC2', async () => {
  await iam.run('CreateRole', { RoleName: 'app', Path: '/svc/', AssumeRolePolicyDocument: TRUST });
  const op = OPERATIONS.get('iam:AddRoleToInstanceProfile');
  assert.ok(op?.alsoRequires !== undefined);
  const required = await store.read(async (tx) =>
    op.alsoRequires?.({ caller: ROOT_CALLER, account: TEST_ACCOUNT, tx, now: new Date(), requestId: 't', services: testServices() }, { InstanceProfileName: 'p', RoleName: 'app' }),
  );
  assert.deepEqual(required, [
    {
      action: 'iam:PassRole',
      resource: `arn:aws:iam::${TEST_ACCOUNT}:role/svc/app`,
      conditionKeys: { 'iam:PassedToService': 'ec2.amazonaws.com', 'iam:AssociatedResourceArn': `arn:aws:ec2:*:${TEST_ACCOUNT}:instance/*` },
    },
  ]);
});
