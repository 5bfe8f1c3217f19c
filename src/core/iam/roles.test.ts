import { encodeDocument } from './common.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { defineOperations, type Params } from '../operation.js';
import { runner, TEST_ACCOUNT, rejects } from '../testing.js';
import { ATTACHMENT_OPERATIONS } from './attachments.js';
import { INLINE_POLICY_OPERATIONS } from './inline-policies.js';
import { INSTANCE_PROFILE_OPERATIONS } from './instance-profiles.js';
import { POLICY_OPERATIONS } from './policies.js';
import { ROLE_OPERATIONS } from './roles.js';

const OPERATIONS = defineOperations([
  ...ROLE_OPERATIONS,
  ...POLICY_OPERATIONS,
  ...ATTACHMENT_OPERATIONS,
  ...INLINE_POLICY_OPERATIONS,
  ...INSTANCE_PROFILE_OPERATIONS,
]);

const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
});

afterEach(() => store.close());


const role = (out: Record<string, unknown>): Record<string, unknown> => out['Role'] as Record<string, unknown>;

test('CreateRole returns the role with its ARN, AROA id and URL-encoded trust policy, without session duration or last use', async () => {
  const out = role(await iam.run('CreateRole', { RoleName: 'app', Path: '/svc/', AssumeRolePolicyDocument: TRUST, Description: 'd' }));
  assert.equal(out['RoleName'], 'app');
  assert.equal(out['Path'], '/svc/');
  assert.equal(out['Arn'], `arn:aws:iam::${TEST_ACCOUNT}:role/svc/app`);
  assert.match(out['RoleId'] as string, /^AROA[A-Z2-7]{17}$/);
  assert.equal(out['AssumeRolePolicyDocument'], encodeDocument(TRUST));
  assert.equal(decodeURIComponent(out['AssumeRolePolicyDocument'] as string), TRUST);
  assert.equal(out['MaxSessionDuration'], undefined);
  assert.equal(out['RoleLastUsed'], undefined);
  assert.equal(out['Description'], 'd');
  assert.deepEqual(out['CreateDate'], new Date('2026-11-25T12:00:00Z'));
});

test('CreateRole keeps tags, boundary and session duration, and GetRole returns them with RoleLastUsed', async () => {
  await iam.run('CreatePolicy', { PolicyName: 'boundary', PolicyDocument: POLICY });
  const boundary = `arn:aws:iam::${TEST_ACCOUNT}:policy/boundary`;
  await iam.run('CreateRole', {
    RoleName: 'app',
    AssumeRolePolicyDocument: TRUST,
    MaxSessionDuration: 43200,
    PermissionsBoundary: boundary,
    Tags: [{ Key: 'team', Value: 'core' }],
  });
  const out = role(await iam.run('GetRole', { RoleName: 'APP' }));
  assert.equal(out['RoleName'], 'app');
  assert.equal(out['MaxSessionDuration'], 43200);
  assert.deepEqual(out['PermissionsBoundary'], { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundary });
  assert.deepEqual(out['Tags'], [{ Key: 'team', Value: 'core' }]);
  assert.deepEqual(out['RoleLastUsed'], {});
});

const createFailures: ReadonlyArray<[string, Params, string, number, string]> = [
  ['a service-role path', { Path: '/aws-service-role/x/' }, 'InvalidInput', 400, "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles"],
  // Our wording in AWS's form: AWS documents no answer for /aws-reserved/ (see createRole).
  ['an /aws-reserved/ path', { Path: '/aws-reserved/sso.amazonaws.com/' }, 'InvalidInput', 400, "Path prefix '/aws-reserved/' can only be used for AWS reserved Roles"],
  ['the /aws-reserved/ path itself', { Path: '/aws-reserved/' }, 'InvalidInput', 400, "Path prefix '/aws-reserved/' can only be used for AWS reserved Roles"],
  ['a too short session', { MaxSessionDuration: 3599 }, 'ValidationError', 400, "1 validation error detected: Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"],
  ['a too long session', { MaxSessionDuration: 43201 }, 'ValidationError', 400, "1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"],
  ['invalid JSON', { AssumeRolePolicyDocument: '{' }, 'MalformedPolicyDocument', 400, 'This policy contains invalid Json'],
  [
    'a statement without principal',
    { AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}' },
    'MalformedPolicyDocument',
    400,
    'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!',
  ],
  [
    'a Resource element',
    { AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Resource":"*"}]}' },
    'MalformedPolicyDocument',
    400,
    'Has prohibited field Resource',
  ],
  [
    'a non-STS action',
    { AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject"}]}' },
    'MalformedPolicyDocument',
    400,
    'AssumeRole policy may only specify STS AssumeRole actions.',
  ],
  [
    'a trust policy over 2048 characters',
    { AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Sid: 'x'.repeat(2000) }] }) },
    'LimitExceeded',
    409,
    'Cannot exceed quota for ACLSizePerRole: 2048',
  ],
  ['a boundary that does not exist', { PermissionsBoundary: `arn:aws:iam::${TEST_ACCOUNT}:policy/nope` }, 'NoSuchEntity', 404, `Policy arn:aws:iam::${TEST_ACCOUNT}:policy/nope does not exist or is not attachable.`],
  ['duplicate tag keys', { Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] }, 'InvalidInput', 400, 'Duplicate tag keys found. Please note that Tag keys are case insensitive.'],
];
for (const [label, extra, code, status, message] of createFailures) {
  test(`CreateRole refuses ${label}`, async () => {
    await rejects(iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST, ...extra }), code, status, message);
  });
}

test('the trust policy quota does not count white space', async () => {
  const padded = JSON.stringify(
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Sid: 'x'.repeat(1900) }] },
    null,
    40,
  );
  assert.ok(padded.length > 2048);
  await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: padded });
});

test('CreateRole refuses a name taken in any case', async () => {
  await iam.run('CreateRole', { RoleName: 'App', AssumeRolePolicyDocument: TRUST });
  await rejects(iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST }), 'EntityAlreadyExists', 409, 'Role with name app already exists.');
});

const missingRole: ReadonlyArray<[string, Params]> = [
  ['GetRole', {}],
  ['UpdateRole', { Description: 'x' }],
  ['UpdateRoleDescription', { Description: 'x' }],
  ['UpdateAssumeRolePolicy', { PolicyDocument: TRUST }],
  ['DeleteRole', {}],
  ['TagRole', { Tags: [{ Key: 'a', Value: 'b' }] }],
  ['UntagRole', { TagKeys: ['a'] }],
  ['ListRoleTags', {}],
  ['PutRolePermissionsBoundary', { PermissionsBoundary: 'arn:aws:iam::aws:policy/X' }],
  ['DeleteRolePermissionsBoundary', {}],
];
for (const [name, params] of missingRole) {
  test(`${name} answers NoSuchEntity for a missing role`, async () => {
    await rejects(iam.run(name, { RoleName: 'ghost', ...params }), 'NoSuchEntity', 404, 'The role with name ghost cannot be found.');
  });
}

test('UpdateRole changes description and session duration; UpdateRoleDescription returns the role', async () => {
  await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
  await iam.run('UpdateRole', { RoleName: 'app', Description: 'first', MaxSessionDuration: 7200 });
  let out = role(await iam.run('GetRole', { RoleName: 'app' }));
  assert.equal(out['Description'], 'first');
  assert.equal(out['MaxSessionDuration'], 7200);
  out = role(await iam.run('UpdateRoleDescription', { RoleName: 'app', Description: 'second' }));
  assert.equal(out['Description'], 'second');
  assert.equal(out['MaxSessionDuration'], 7200);
  await rejects(
    iam.run('UpdateRole', { RoleName: 'app', MaxSessionDuration: 100 }),
    'ValidationError',
    400,
    "1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
  );
});

test('UpdateAssumeRolePolicy replaces the trust policy after checking it', async () => {
  await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
  const next = TRUST.replace('ec2.amazonaws.com', 'lambda.amazonaws.com');
  await iam.run('UpdateAssumeRolePolicy', { RoleName: 'app', PolicyDocument: next });
  assert.equal(role(await iam.run('GetRole', { RoleName: 'app' }))['AssumeRolePolicyDocument'], encodeDocument(next));
  await rejects(iam.run('UpdateAssumeRolePolicy', { RoleName: 'app', PolicyDocument: 'nope' }), 'MalformedPolicyDocument', 400, 'This policy contains invalid Json');
});

test('DeleteRole requires instance profiles, inline policies and attached policies to be removed first', async () => {
  await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
  await iam.run('CreateInstanceProfile', { InstanceProfileName: 'prof' });
  await iam.run('AddRoleToInstanceProfile', { InstanceProfileName: 'prof', RoleName: 'app' });
  await iam.run('PutRolePolicy', { RoleName: 'app', PolicyName: 'inline', PolicyDocument: POLICY });
  await iam.run('CreatePolicy', { PolicyName: 'managed', PolicyDocument: POLICY });
  await iam.run('AttachRolePolicy', { RoleName: 'app', PolicyArn: `arn:aws:iam::${TEST_ACCOUNT}:policy/managed` });
  await rejects(iam.run('DeleteRole', { RoleName: 'app' }), 'DeleteConflict', 409, 'Cannot delete entity, must remove roles from instance profile first.');
  await iam.run('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'prof', RoleName: 'app' });
  await rejects(iam.run('DeleteRole', { RoleName: 'app' }), 'DeleteConflict', 409, 'Cannot delete entity, must delete policies first.');
  await iam.run('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'inline' });
  await rejects(iam.run('DeleteRole', { RoleName: 'app' }), 'DeleteConflict', 409, 'Cannot delete entity, must detach all policies first.');
  await iam.run('DetachRolePolicy', { RoleName: 'app', PolicyArn: `arn:aws:iam::${TEST_ACCOUNT}:policy/managed` });
  await iam.run('DeleteRole', { RoleName: 'app' });
  await rejects(iam.run('GetRole', { RoleName: 'app' }), 'NoSuchEntity', 404, 'The role with name app cannot be found.');
});

test('ListRoles filters by path prefix, pages, and leaves out tags and boundary', async () => {
  await iam.run('CreateRole', { RoleName: 'b', Path: '/team/', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'k', Value: 'v' }] });
  await iam.run('CreateRole', { RoleName: 'a', AssumeRolePolicyDocument: TRUST });
  await iam.run('CreateRole', { RoleName: 'c', Path: '/team/sub/', AssumeRolePolicyDocument: TRUST });
  const all = await iam.run('ListRoles', {});
  const roles = all['Roles'] as Record<string, unknown>[];
  assert.deepEqual(roles.map((r) => r['RoleName']), ['a', 'b', 'c']);
  assert.equal(roles[1]?.['Tags'], undefined);
  assert.equal(roles[1]?.['RoleLastUsed'], undefined);
  assert.equal(all['IsTruncated'], false);
  const team = await iam.run('ListRoles', { PathPrefix: '/team/' });
  assert.deepEqual((team['Roles'] as Record<string, unknown>[]).map((r) => r['RoleName']), ['b', 'c']);
  const first = await iam.run('ListRoles', { MaxItems: 2 });
  assert.equal(first['IsTruncated'], true);
  const second = await iam.run('ListRoles', { MaxItems: 2, Marker: first['Marker'] });
  assert.deepEqual((second['Roles'] as Record<string, unknown>[]).map((r) => r['RoleName']), ['c']);
});

test('TagRole adds and replaces tags without regard to case, UntagRole removes, ListRoleTags lists', async () => {
  await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'env', Value: 'dev' }] });
  await iam.run('TagRole', { RoleName: 'app', Tags: [{ Key: 'ENV', Value: 'prod' }, { Key: 'team', Value: 'core' }] });
  assert.deepEqual((await iam.run('ListRoleTags', { RoleName: 'app' }))['Tags'], [
    { Key: 'ENV', Value: 'prod' },
    { Key: 'team', Value: 'core' },
  ]);
  await iam.run('UntagRole', { RoleName: 'app', TagKeys: ['env'] });
  assert.deepEqual((await iam.run('ListRoleTags', { RoleName: 'app' }))['Tags'], [{ Key: 'team', Value: 'core' }]);
});

test('PutRolePermissionsBoundary sets an existing policy; DeleteRolePermissionsBoundary clears it', async () => {
  await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
  await rejects(
    iam.run('PutRolePermissionsBoundary', { RoleName: 'app', PermissionsBoundary: 'arn:aws:iam::aws:policy/Nope' }),
    'NoSuchEntity',
    404,
    'Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.',
  );
  await iam.run('CreatePolicy', { PolicyName: 'boundary', PolicyDocument: POLICY });
  const arn = `arn:aws:iam::${TEST_ACCOUNT}:policy/boundary`;
  await iam.run('PutRolePermissionsBoundary', { RoleName: 'app', PermissionsBoundary: arn });
  assert.equal((role(await iam.run('GetRole', { RoleName: 'app' }))['PermissionsBoundary'] as Record<string, unknown>)['PermissionsBoundaryArn'], arn);
  await iam.run('DeleteRolePermissionsBoundary', { RoleName: 'app' });
  assert.equal(role(await iam.run('GetRole', { RoleName: 'app' }))['PermissionsBoundary'], undefined);
});

test('resource and condition keys name the role and the request', async () => {
  const ops = defineOperations(ROLE_OPERATIONS);
  const ctx = { account: TEST_ACCOUNT } as Parameters<NonNullable<(typeof ROLE_OPERATIONS)[number]['conditionKeys']>>[0];
  const create = ops.get('iam:CreateRole');
  assert.equal(await create?.resource(ctx, { RoleName: 'r', Path: '/p/' }), `arn:aws:iam::${TEST_ACCOUNT}:role/p/r`);
  assert.deepEqual(create?.conditionKeys?.(ctx, { RoleName: 'r', Tags: [{ Key: 'a', Value: 'b' }], PermissionsBoundary: 'arn:x' }), {
    'aws:RequestTag/a': 'b',
    'aws:TagKeys': ['a'],
    'iam:PermissionsBoundary': 'arn:x',
  });
  assert.equal(await ops.get('iam:ListRoles')?.resource(ctx, {}), `arn:aws:iam::${TEST_ACCOUNT}:role/`);
});
