import { encodeDocument } from './common.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { EntityRecord, Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { defineOperations, type AwsManagedPolicy } from '../operation.js';
import { runner, testServices, TEST_ACCOUNT, rejects } from '../testing.js';
import { ACCESS_KEY_OPERATIONS } from './access-keys.js';
import { ACCOUNT_OPERATIONS } from './account.js';
import { GROUP_OPERATIONS } from './groups.js';
import { attachmentKey, inlineKey, inlineOwner, KIND, REL } from './kinds.js';
import { MFA_DEVICE_KIND } from './mfa-devices.js';
import { OIDC_PROVIDER_KIND } from './oidc-providers.js';
import { QUOTAS } from './quotas.js';
import { SAML_PROVIDER_KIND } from './saml-providers.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([...ACCOUNT_OPERATIONS, ...GROUP_OPERATIONS, ...ACCESS_KEY_OPERATIONS, ...USER_OPERATIONS]);

const READ_ONLY: AwsManagedPolicy = {
  arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  name: 'ReadOnlyAccess',
  path: '/',
  id: 'ANPAREADONLYREADONLY1',
  defaultVersionId: 'v2',
  createDate: new Date('2015-02-06T18:39:48Z'),
  updateDate: new Date('2026-01-01T00:00:00Z'),
  description: 'Read only',
  versions: [
    { versionId: 'v2', document: '{"Version":"2012-10-17","Statement":[]}', createDate: new Date('2026-01-01T00:00:00Z') },
    { versionId: 'v1', document: '{}', createDate: new Date('2015-02-06T18:39:48Z') },
  ],
};
const UNUSED: AwsManagedPolicy = { ...READ_ONLY, arn: 'arn:aws:iam::aws:policy/Unused', name: 'Unused', id: 'ANPAUNUSEDUNUSEDUNUS1' };

const OTHER_ROOT: Caller = { kind: 'root', account: '444455556666', arn: 'arn:aws:iam::444455556666:root', userId: '444455556666', accessKeyId: 'AKIAOTHER' };

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS, testServices([READ_ONLY, UNUSED]));
});

afterEach(() => store.close());


// ---- aliases ----

test('CreateAccountAlias, ListAccountAliases, DeleteAccountAlias', async () => {
  assert.deepEqual(await iam.run('ListAccountAliases', {}), { AccountAliases: [], IsTruncated: false });
  assert.deepEqual(await iam.run('CreateAccountAlias', { AccountAlias: 'example-corp' }), {});
  assert.deepEqual(await iam.run('CreateAccountAlias', { AccountAlias: 'example-corp' }), {}, 'creating its own alias again succeeds');
  assert.deepEqual(await iam.run('ListAccountAliases', {}), { AccountAliases: ['example-corp'], IsTruncated: false });
  assert.deepEqual(await iam.run('DeleteAccountAlias', { AccountAlias: 'example-corp' }), {});
  assert.deepEqual((await iam.run('ListAccountAliases', {}))['AccountAliases'], []);
});

test('a new alias replaces the old one: an account has one', async () => {
  await iam.run('CreateAccountAlias', { AccountAlias: 'first' });
  await iam.run('CreateAccountAlias', { AccountAlias: 'second' });
  assert.deepEqual((await iam.run('ListAccountAliases', {}))['AccountAliases'], ['second']);
  // The old alias is free again for anyone.
  await iam.run('CreateAccountAlias', { AccountAlias: 'first' }, OTHER_ROOT);
});

test('aliases are unique across accounts', async () => {
  await iam.run('CreateAccountAlias', { AccountAlias: 'taken' });
  await rejects(iam.run('CreateAccountAlias', { AccountAlias: 'taken' }, OTHER_ROOT), 'EntityAlreadyExists', 409, 'The account alias taken already exists.');
  assert.deepEqual((await iam.run('ListAccountAliases', {}, OTHER_ROOT))['AccountAliases'], []);
});

test('DeleteAccountAlias answers NoSuchEntity for an alias the account does not have', async () => {
  await iam.run('CreateAccountAlias', { AccountAlias: 'mine' }, OTHER_ROOT);
  await rejects(iam.run('DeleteAccountAlias', { AccountAlias: 'mine' }), 'NoSuchEntity', 404, 'The account alias mine cannot be found.');
  await rejects(iam.run('DeleteAccountAlias', { AccountAlias: 'nobody' }), 'NoSuchEntity', 404, 'The account alias nobody cannot be found.');
});

// ---- summary ----

test('GetAccountSummary counts what the account holds and reports the quotas', async () => {
  const empty = (await iam.run('GetAccountSummary', {}))['SummaryMap'] as Record<string, number>;
  assert.equal(empty['Users'], 0);
  assert.equal(empty['AccountAccessKeysPresent'], 0);

  await iam.run('CreateUser', { UserName: 'alice' });
  await iam.run('CreateUser', { UserName: 'bob' });
  await iam.run('CreateGroup', { GroupName: 'G' });
  await iam.run('CreateAccessKey', {});
  await store.transaction(async (tx) => {
    await tx.link({ relation: REL.attached, account: TEST_ACCOUNT, from: attachmentKey('user', 'alice'), to: READ_ONLY.arn, created: '2026-01-01T00:00:00Z', data: {} });
    await tx.insert(record(KIND.role, 'R', { assumeRolePolicyDocument: '{}' }));
    await tx.insert(record(KIND.policy, 'P', { defaultVersionId: 'v1' }));
    await tx.insert(record(KIND.instanceProfile, 'IP', {}));
  });
  const summary = (await iam.run('GetAccountSummary', {}))['SummaryMap'] as Record<string, number>;
  const expected: ReadonlyArray<[string, number]> = [
    ['Users', 2],
    ['UsersQuota', QUOTAS.Users],
    ['Groups', 1],
    ['GroupsQuota', QUOTAS.Groups],
    ['Roles', 1],
    ['RolesQuota', QUOTAS.Roles],
    ['Policies', 1],
    ['PoliciesQuota', QUOTAS.Policies],
    ['InstanceProfiles', 1],
    ['InstanceProfilesQuota', QUOTAS.InstanceProfiles],
    ['AccountAccessKeysPresent', 1],
    ['AccountMFAEnabled', 0],
    ['PolicyVersionsInUse', 1],
    ['AccessKeysPerUserQuota', 2],
    ['GroupsPerUserQuota', 10],
    ['AttachedPoliciesPerRoleQuota', 10],
    ['GlobalEndpointTokenVersion', 1],
  ];
  for (const [key, value] of expected) assert.equal(summary[key], value, key);
  for (const value of Object.values(summary)) assert.equal(typeof value, 'number');
});

test('GetAccountSummary: Providers counts the account\'s SAML and OIDC providers, MFADevices every virtual device', async () => {
  assert.deepEqual([(await summary())['Providers'], (await summary())['MFADevices']], [0, 0]);
  await store.transaction(async (tx) => {
    await tx.insert(record(SAML_PROVIDER_KIND, 'corp-idp', {}));
    await tx.insert(record(SAML_PROVIDER_KIND, 'other-idp', {}));
    await tx.insert(record(OIDC_PROVIDER_KIND, 'token.example.com', {}));
    await tx.insert(record(OIDC_PROVIDER_KIND, 'token.example.com', {}, { account: OTHER_ROOT.account }));
    await tx.insert(record(MFA_DEVICE_KIND, `arn:aws:iam::${TEST_ACCOUNT}:mfa/spare`, {}));
    await tx.insert(record(MFA_DEVICE_KIND, `arn:aws:iam::${TEST_ACCOUNT}:mfa/alice`, {}, { owner: 'AIDAALICE' }));
  });
  const counted = await summary();
  assert.deepEqual([counted['Providers'], counted['MFADevices'], counted['MFADevicesInUse'], counted['AccountMFAEnabled']], [3, 2, 1, 0]);
  assert.equal((await summary(OTHER_ROOT))['Providers'], 1, "another account's providers are its own");
});

test('the operator\'s users quota (gatehouse serve --max-users) is the one CreateUser enforces and UsersQuota reports', async () => {
  const small = runner(store, OPERATIONS, { ...testServices(), maxUsersPerAccount: 2 });
  await small.run('CreateUser', { UserName: 'one' });
  await small.run('CreateUser', { UserName: 'two' });
  await rejects(small.run('CreateUser', { UserName: 'three' }), 'LimitExceeded', 409, 'Cannot exceed quota for UsersPerAccount: 2');
  assert.equal(((await small.run('GetAccountSummary', {}))['SummaryMap'] as Record<string, number>)['UsersQuota'], 2);
  assert.equal((await summary())['UsersQuota'], QUOTAS.Users, "AWS's default without the setting");
});

const summary = async (caller?: Caller): Promise<Record<string, number>> => (await iam.run('GetAccountSummary', {}, caller))['SummaryMap'] as Record<string, number>;

test('every SummaryMap key is one the model allows', async () => {
  const allowed = new Set(
    'Users|UsersQuota|Groups|GroupsQuota|ServerCertificates|ServerCertificatesQuota|UserPolicySizeQuota|GroupPolicySizeQuota|GroupsPerUserQuota|SigningCertificatesPerUserQuota|AccessKeysPerUserQuota|MFADevices|MFADevicesInUse|AccountMFAEnabled|AccountAccessKeysPresent|AccountPasswordPresent|AccountSigningCertificatesPresent|AttachedPoliciesPerGroupQuota|AttachedPoliciesPerRoleQuota|AttachedPoliciesPerUserQuota|Policies|PoliciesQuota|PolicySizeQuota|PolicyVersionsInUse|PolicyVersionsInUseQuota|VersionsPerPolicyQuota|GlobalEndpointTokenVersion|AssumeRolePolicySizeQuota|InstanceProfiles|InstanceProfilesQuota|Providers|RolePolicySizeQuota|Roles|RolesQuota'.split('|'),
  );
  const summary = (await iam.run('GetAccountSummary', {}))['SummaryMap'] as Record<string, number>;
  for (const key of Object.keys(summary)) assert.ok(allowed.has(key), key);
});

// ---- authorization details ----

let ids = 0;
function record(kind: string, key: string, data: Record<string, unknown>, extra: Partial<EntityRecord> = {}): EntityRecord {
  return { kind, account: TEST_ACCOUNT, key, id: `${kind}-${++ids}`, path: '/', owner: '', created: '2026-01-01T00:00:00Z', data, ...extra };
}

const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const INLINE = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';
const CUSTOMER_ARN = `arn:aws:iam::${TEST_ACCOUNT}:policy/team/Custom`;

async function populate(): Promise<void> {
  await iam.run('CreateUser', { UserName: 'alice', Tags: [{ Key: 'team', Value: 'a' }] });
  await iam.run('CreateGroup', { GroupName: 'Admins' });
  await iam.run('AddUserToGroup', { GroupName: 'Admins', UserName: 'alice' });
  await store.transaction(async (tx) => {
    await tx.update({ ...(await tx.get(KIND.user, TEST_ACCOUNT, 'alice'))!, data: { tags: [{ Key: 'team', Value: 'a' }], permissionsBoundary: CUSTOMER_ARN } });
    await tx.insert(record(KIND.inlinePolicy, inlineKey('user', 'alice', 'S3'), { document: INLINE }, { owner: inlineOwner('user', 'alice') }));
    await tx.insert(record(KIND.inlinePolicy, inlineKey('group', 'Admins', 'G1'), { document: INLINE }, { owner: inlineOwner('group', 'Admins') }));
    await tx.insert(record(KIND.inlinePolicy, inlineKey('role', 'Worker', 'R1'), { document: INLINE }, { owner: inlineOwner('role', 'Worker') }));
    for (const from of [attachmentKey('user', 'alice'), attachmentKey('group', 'Admins'), attachmentKey('role', 'Worker')]) {
      await tx.link({ relation: REL.attached, account: TEST_ACCOUNT, from, to: READ_ONLY.arn, created: '2026-01-01T00:00:00Z', data: {} });
    }
    await tx.link({ relation: REL.attached, account: TEST_ACCOUNT, from: attachmentKey('role', 'Worker'), to: CUSTOMER_ARN, created: '2026-01-01T00:00:00Z', data: {} });
    await tx.insert(record(KIND.role, 'Worker', { assumeRolePolicyDocument: TRUST, description: 'd', maxSessionDuration: 7200, tags: [] }, { id: 'AROAWORKERWORKERWORK1' }));
    await tx.insert(record(KIND.instanceProfile, 'WorkerProfile', {}, { id: 'AIPAWORKERPROFILE0001' }));
    await tx.link({ relation: REL.profileRole, account: TEST_ACCOUNT, from: 'WorkerProfile', to: 'Worker', created: '2026-01-01T00:00:00Z', data: {} });
    await tx.insert(record(KIND.policy, 'Custom', { defaultVersionId: 'v2', description: 'mine', tags: [], updated: '2026-02-01T00:00:00Z' }, { path: '/team/', id: 'ANPACUSTOMCUSTOMCUST1' }));
    await tx.insert(record(KIND.policyVersion, 'Custom:v1', { document: '{}' }, { owner: 'Custom' }));
    await tx.insert(record(KIND.policyVersion, 'Custom:v2', { document: INLINE }, { owner: 'Custom', created: '2026-02-01T00:00:00Z' }));
  });
}

type Details = Record<string, Array<Record<string, unknown>>>;

test('GetAccountAuthorizationDetails lists users, groups, roles and policies in use, documents URL-encoded', async () => {
  await populate();
  const out = (await iam.run('GetAccountAuthorizationDetails', {})) as Details;
  assert.equal(out['IsTruncated'] as unknown, false);

  assert.equal(out['UserDetailList']?.length, 1);
  const user = out['UserDetailList']?.[0] ?? {};
  assert.equal(user['UserName'], 'alice');
  assert.equal(user['Arn'], `arn:aws:iam::${TEST_ACCOUNT}:user/alice`);
  assert.deepEqual(user['GroupList'], ['Admins']);
  assert.deepEqual(user['UserPolicyList'], [{ PolicyName: 'S3', PolicyDocument: encodeDocument(INLINE) }]);
  assert.deepEqual(user['AttachedManagedPolicies'], [{ PolicyName: 'ReadOnlyAccess', PolicyArn: READ_ONLY.arn }]);
  assert.deepEqual(user['PermissionsBoundary'], { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: CUSTOMER_ARN });
  assert.deepEqual(user['Tags'], [{ Key: 'team', Value: 'a' }]);

  const group = out['GroupDetailList']?.[0] ?? {};
  assert.equal(group['GroupName'], 'Admins');
  assert.match(group['GroupId'] as string, /^AGPA/);
  assert.deepEqual(group['GroupPolicyList'], [{ PolicyName: 'G1', PolicyDocument: encodeDocument(INLINE) }]);
  assert.deepEqual(group['AttachedManagedPolicies'], [{ PolicyName: 'ReadOnlyAccess', PolicyArn: READ_ONLY.arn }]);

  const role = out['RoleDetailList']?.[0] ?? {};
  assert.equal(role['RoleName'], 'Worker');
  assert.equal(role['RoleId'], 'AROAWORKERWORKERWORK1');
  assert.equal(role['AssumeRolePolicyDocument'], encodeDocument(TRUST));
  assert.equal(role['Description'], undefined, 'RoleDetail has no Description');
  assert.deepEqual(role['RolePolicyList'], [{ PolicyName: 'R1', PolicyDocument: encodeDocument(INLINE) }]);
  assert.deepEqual(role['AttachedManagedPolicies'], [
    { PolicyName: 'Custom', PolicyArn: CUSTOMER_ARN },
    { PolicyName: 'ReadOnlyAccess', PolicyArn: READ_ONLY.arn },
  ]);
  const profiles = role['InstanceProfileList'] as Array<Record<string, unknown>>;
  assert.equal(profiles.length, 1);
  assert.equal(profiles[0]?.['InstanceProfileName'], 'WorkerProfile');
  assert.equal(profiles[0]?.['Arn'], `arn:aws:iam::${TEST_ACCOUNT}:instance-profile/WorkerProfile`);
  assert.equal((profiles[0]?.['Roles'] as Array<Record<string, unknown>>)[0]?.['RoleName'], 'Worker');
  assert.deepEqual(role['RoleLastUsed'], {});

  const policies = out['Policies'] ?? [];
  assert.deepEqual(policies.map((p) => p['Arn']), [CUSTOMER_ARN, READ_ONLY.arn], 'the unused AWS policy is left out');
  const custom = policies[0] ?? {};
  assert.equal(custom['PolicyName'], 'Custom');
  assert.equal(custom['Path'], '/team/');
  assert.equal(custom['DefaultVersionId'], 'v2');
  assert.equal(custom['AttachmentCount'], 1);
  assert.equal(custom['PermissionsBoundaryUsageCount'], 1);
  assert.equal(custom['IsAttachable'], true);
  assert.equal(custom['Description'], 'mine');
  assert.deepEqual(custom['UpdateDate'], new Date('2026-02-01T00:00:00Z'));
  assert.deepEqual(custom['PolicyVersionList'], [
    { Document: encodeDocument('{}'), VersionId: 'v1', IsDefaultVersion: false, CreateDate: new Date('2026-01-01T00:00:00Z') },
    { Document: encodeDocument(INLINE), VersionId: 'v2', IsDefaultVersion: true, CreateDate: new Date('2026-02-01T00:00:00Z') },
  ]);
  const aws = policies[1] ?? {};
  assert.equal(aws['AttachmentCount'], 3);
  assert.equal(aws['PermissionsBoundaryUsageCount'], 0);
  assert.equal((aws['PolicyVersionList'] as unknown[]).length, 2);
});

const filters: ReadonlyArray<[string[], Record<string, number>]> = [
  [['User'], { UserDetailList: 1, GroupDetailList: 0, RoleDetailList: 0, Policies: 0 }],
  [['Group', 'Role'], { UserDetailList: 0, GroupDetailList: 1, RoleDetailList: 1, Policies: 0 }],
  [['LocalManagedPolicy'], { UserDetailList: 0, GroupDetailList: 0, RoleDetailList: 0, Policies: 1 }],
  [['AWSManagedPolicy'], { UserDetailList: 0, GroupDetailList: 0, RoleDetailList: 0, Policies: 1 }],
  [[], { UserDetailList: 1, GroupDetailList: 1, RoleDetailList: 1, Policies: 2 }],
];
for (const [filter, counts] of filters) {
  test(`GetAccountAuthorizationDetails with Filter [${filter.join(', ')}]`, async () => {
    await populate();
    const out = (await iam.run('GetAccountAuthorizationDetails', { Filter: filter })) as Details;
    for (const [list, count] of Object.entries(counts)) assert.equal(out[list]?.length, count, list);
  });
}

test('GetAccountAuthorizationDetails pages across all the lists together', async () => {
  await populate();
  const seen: string[] = [];
  let marker: unknown;
  let pages = 0;
  do {
    const out = (await iam.run('GetAccountAuthorizationDetails', { MaxItems: 2, ...(marker !== undefined ? { Marker: marker } : {}) })) as Record<string, unknown>;
    const lists = out as Details;
    const onPage = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'].reduce((n, l) => n + (lists[l]?.length ?? 0), 0);
    assert.ok(onPage <= 2);
    for (const u of lists['UserDetailList'] ?? []) seen.push(u['UserName'] as string);
    for (const g of lists['GroupDetailList'] ?? []) seen.push(g['GroupName'] as string);
    for (const r of lists['RoleDetailList'] ?? []) seen.push(r['RoleName'] as string);
    for (const p of lists['Policies'] ?? []) seen.push(p['PolicyName'] as string);
    marker = out['IsTruncated'] === true ? out['Marker'] : undefined;
    pages++;
  } while (marker !== undefined);
  assert.equal(pages, 3);
  assert.deepEqual(seen, ['alice', 'Admins', 'Worker', 'Custom', 'ReadOnlyAccess']);
});

test('the operations are authorized against "*"', () => {
  for (const op of ACCOUNT_OPERATIONS) assert.equal(op.resource({} as never, {}), '*', op.name);
});
