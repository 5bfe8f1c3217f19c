import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { defineOperations, type AwsManagedPolicy, type Params } from '../operation.js';
import { runner, testServices, TEST_ACCOUNT, rejects } from '../testing.js';
import { ATTACHMENT_OPERATIONS } from './attachments.js';
import { GROUP_OPERATIONS } from './groups.js';
import { POLICY_OPERATIONS } from './policies.js';
import { ROLE_OPERATIONS } from './roles.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([...ATTACHMENT_OPERATIONS, ...POLICY_OPERATIONS, ...ROLE_OPERATIONS, ...USER_OPERATIONS, ...GROUP_OPERATIONS]);

const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}';
const ADMIN: AwsManagedPolicy = {
  arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
  name: 'AdministratorAccess',
  path: '/',
  id: 'ANPAAAAAAAAAAAAAAAAAA',
  defaultVersionId: 'v1',
  createDate: new Date('2015-02-06T18:39:46Z'),
  updateDate: new Date('2015-02-06T18:39:46Z'),
  versions: [{ versionId: 'v1', document: '{}', createDate: new Date('2015-02-06T18:39:46Z') }],
};
const local = (name: string, path = '/'): string => `arn:aws:iam::${TEST_ACCOUNT}:policy${path}${name}`;

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS, testServices([ADMIN]));
  await iam.run('CreateUser', { UserName: 'alice', Path: '/people/' });
  await iam.run('CreateGroup', { GroupName: 'devs' });
  await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
  await iam.run('CreatePolicy', { PolicyName: 'Reader', Path: '/team/', PolicyDocument: DOC });
});

afterEach(() => store.close());


const KINDS: ReadonlyArray<{ label: 'User' | 'Group' | 'Role'; param: string; name: string; quota: string; missing: string }> = [
  { label: 'User', param: 'UserName', name: 'alice', quota: 'PoliciesPerUser', missing: 'The user with name ghost cannot be found.' },
  { label: 'Group', param: 'GroupName', name: 'devs', quota: 'PoliciesPerGroup', missing: 'The group with name ghost cannot be found.' },
  { label: 'Role', param: 'RoleName', name: 'app', quota: 'PoliciesPerRole', missing: 'The role with name ghost cannot be found.' },
];

for (const k of KINDS) {
  const entity: Params = { [k.param]: k.name };

  test(`Attach${k.label}Policy attaches customer and AWS policies once; List and Detach${k.label}Policy`, async () => {
    await iam.run(`Attach${k.label}Policy`, { ...entity, PolicyArn: local('Reader', '/team/') });
    await iam.run(`Attach${k.label}Policy`, { ...entity, PolicyArn: ADMIN.arn });
    await iam.run(`Attach${k.label}Policy`, { ...entity, PolicyArn: ADMIN.arn });
    const listed = await iam.run(`ListAttached${k.label}Policies`, entity);
    assert.deepEqual(listed['AttachedPolicies'], [
      { PolicyName: 'AdministratorAccess', PolicyArn: ADMIN.arn },
      { PolicyName: 'Reader', PolicyArn: local('Reader', '/team/') },
    ]);
    const team = await iam.run(`ListAttached${k.label}Policies`, { ...entity, PathPrefix: '/team/' });
    assert.deepEqual(team['AttachedPolicies'], [{ PolicyName: 'Reader', PolicyArn: local('Reader', '/team/') }]);
    const page = await iam.run(`ListAttached${k.label}Policies`, { ...entity, MaxItems: 1 });
    assert.equal(page['IsTruncated'], true);
    await iam.run(`Detach${k.label}Policy`, { ...entity, PolicyArn: ADMIN.arn });
    await rejects(iam.run(`Detach${k.label}Policy`, { ...entity, PolicyArn: ADMIN.arn }), 'NoSuchEntity', 404, `Policy ${ADMIN.arn} was not found.`);
  });

  test(`Attach${k.label}Policy refuses a policy that does not exist and an eleventh policy`, async () => {
    await rejects(
      iam.run(`Attach${k.label}Policy`, { ...entity, PolicyArn: local('Nope') }),
      'NoSuchEntity',
      404,
      `Policy ${local('Nope')} does not exist or is not attachable.`,
    );
    for (let i = 0; i < 10; i++) {
      await iam.run('CreatePolicy', { PolicyName: `P${i}`, PolicyDocument: DOC });
      await iam.run(`Attach${k.label}Policy`, { ...entity, PolicyArn: local(`P${i}`) });
    }
    await rejects(iam.run(`Attach${k.label}Policy`, { ...entity, PolicyArn: ADMIN.arn }), 'LimitExceeded', 409, `Cannot exceed quota for ${k.quota}: 10`);
    // Re-attaching one already there is still a no-op at the quota.
    await iam.run(`Attach${k.label}Policy`, { ...entity, PolicyArn: local('P0') });
  });

  for (const op of [`Attach${k.label}Policy`, `Detach${k.label}Policy`, `ListAttached${k.label}Policies`]) {
    test(`${op} answers NoSuchEntity for a missing ${k.label.toLowerCase()}`, async () => {
      await rejects(iam.run(op, { [k.param]: 'ghost', PolicyArn: ADMIN.arn }), 'NoSuchEntity', 404, k.missing);
    });
  }
}

test('ListEntitiesForPolicy lists attached groups, users and roles, and boundary users, with filters', async () => {
  const arn = local('Reader', '/team/');
  await iam.run('AttachUserPolicy', { UserName: 'alice', PolicyArn: arn });
  await iam.run('AttachGroupPolicy', { GroupName: 'devs', PolicyArn: arn });
  await iam.run('AttachRolePolicy', { RoleName: 'app', PolicyArn: arn });
  await iam.run('CreateUser', { UserName: 'bob', PermissionsBoundary: arn });
  const all = await iam.run('ListEntitiesForPolicy', { PolicyArn: arn });
  const ids = (await iam.run('GetUser', { UserName: 'alice' }))['User'] as Record<string, unknown>;
  assert.deepEqual((all['PolicyUsers'] as Record<string, unknown>[]).map((u) => u['UserName']), ['alice', 'bob']);
  assert.equal((all['PolicyUsers'] as Record<string, unknown>[])[0]?.['UserId'], ids['UserId']);
  assert.deepEqual((all['PolicyGroups'] as Record<string, unknown>[]).map((g) => g['GroupName']), ['devs']);
  assert.deepEqual((all['PolicyRoles'] as Record<string, unknown>[]).map((r) => r['RoleName']), ['app']);
  assert.equal(all['IsTruncated'], false);
  const users = async (params: Params): Promise<unknown[]> =>
    ((await iam.run('ListEntitiesForPolicy', { PolicyArn: arn, ...params }))['PolicyUsers'] as Record<string, unknown>[]).map((u) => u['UserName']);
  assert.deepEqual(await users({ PolicyUsageFilter: 'PermissionsPolicy' }), ['alice']);
  assert.deepEqual(await users({ PolicyUsageFilter: 'PermissionsBoundary' }), ['bob']);
  assert.deepEqual(await users({ PathPrefix: '/people/' }), ['alice']);
  const roleOnly = await iam.run('ListEntitiesForPolicy', { PolicyArn: arn, EntityFilter: 'Role' });
  assert.deepEqual([roleOnly['PolicyUsers'], roleOnly['PolicyGroups']], [[], []]);
  const firstPage = await iam.run('ListEntitiesForPolicy', { PolicyArn: arn, MaxItems: 2 });
  assert.equal(firstPage['IsTruncated'], true);
  await rejects(iam.run('ListEntitiesForPolicy', { PolicyArn: local('Nope') }), 'NoSuchEntity', 404, `Policy ${local('Nope')} was not found.`);
});

test('attachment operations authorize against the principal and pass the policy ARN', async () => {
  const ops = defineOperations(ATTACHMENT_OPERATIONS);
  await store.transaction(async (tx) => {
    const context = () => ({ account: TEST_ACCOUNT, tx, services: testServices([ADMIN]) }) as unknown as Parameters<(typeof ATTACHMENT_OPERATIONS)[number]['resource']>[0];
    const ctx = context();
    assert.equal(await ops.get('iam:AttachUserPolicy')?.resource(ctx, { UserName: 'alice', PolicyArn: ADMIN.arn }), `arn:aws:iam::${TEST_ACCOUNT}:user/people/alice`);
    const detach = { RoleName: 'app', PolicyArn: ADMIN.arn };
    const second = context();
    await ops.get('iam:DetachRolePolicy')?.resource(second, detach);
    assert.deepEqual(ops.get('iam:DetachRolePolicy')?.conditionKeys?.(second, detach), { 'iam:PolicyARN': ADMIN.arn });
    assert.equal(await ops.get('iam:ListEntitiesForPolicy')?.resource(ctx, { PolicyArn: ADMIN.arn }), ADMIN.arn);
  });
});

test('a customer policy ARN in another case is authorized as the policy is stored: resource and iam:PolicyARN', async () => {
  const ops = defineOperations(ATTACHMENT_OPERATIONS);
  await store.transaction(async (tx) => {
    const context = () => ({ account: TEST_ACCOUNT, tx, services: testServices([ADMIN]) }) as unknown as Parameters<(typeof ATTACHMENT_OPERATIONS)[number]['resource']>[0];
    const cases: Array<[string, string]> = [
      [local('READER', '/team/'), local('Reader', '/team/')],
      [local('reader', '/team/'), local('Reader', '/team/')],
      // Another path, or no such policy: AWS authorizes the ARN as sent (and then answers NoSuchEntity).
      [local('reader', '/TEAM/'), local('reader', '/TEAM/')],
      [local('Nope'), local('Nope')],
    ];
    for (const [sent, expected] of cases) {
      for (const name of ['iam:AttachUserPolicy', 'iam:DetachGroupPolicy', 'iam:AttachRolePolicy']) {
        const op = ops.get(name);
        const ctx = context();
        const params = { UserName: 'ALICE', GroupName: 'DEVS', RoleName: 'APP', PolicyArn: sent };
        await op?.resource(ctx, params);
        assert.deepEqual(op?.conditionKeys?.(ctx, params), { 'iam:PolicyARN': expected }, `${name} ${sent}`);
      }
      assert.equal(await ops.get('iam:ListEntitiesForPolicy')?.resource(context(), { PolicyArn: sent }), expected);
    }
  });
  // The attachment is kept, and listed, under the stored ARN whatever case attached it.
  await iam.run('AttachUserPolicy', { UserName: 'ALICE', PolicyArn: local('READER', '/team/') });
  assert.deepEqual((await iam.run('ListAttachedUserPolicies', { UserName: 'alice' }))['AttachedPolicies'], [{ PolicyName: 'Reader', PolicyArn: local('Reader', '/team/') }]);
  await iam.run('DetachUserPolicy', { UserName: 'alice', PolicyArn: local('reader', '/team/') });
  assert.deepEqual((await iam.run('ListAttachedUserPolicies', { UserName: 'alice' }))['AttachedPolicies'], []);
});
