import { encodeDocument } from './common.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { defineOperations, type AwsManagedPolicy, type Params } from '../operation.js';
import { ROOT_CALLER, runner, testServices, TEST_ACCOUNT, rejects } from '../testing.js';
import { ATTACHMENT_OPERATIONS } from './attachments.js';
import { POLICY_OPERATIONS } from './policies.js';
import { ROLE_OPERATIONS } from './roles.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([...POLICY_OPERATIONS, ...ATTACHMENT_OPERATIONS, ...ROLE_OPERATIONS, ...USER_OPERATIONS]);

const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
const DOC2 = DOC.replace('GetObject', 'PutObject');
const ARN = `arn:aws:iam::${TEST_ACCOUNT}:policy/team/Reader`;

const ADMIN: AwsManagedPolicy = {
  arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
  name: 'AdministratorAccess',
  path: '/',
  id: 'ANPAAAAAAAAAAAAAAAAAA',
  defaultVersionId: 'v2',
  createDate: new Date('2015-02-06T18:39:46Z'),
  updateDate: new Date('2016-01-01T00:00:00Z'),
  versions: [
    { versionId: 'v2', document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', createDate: new Date('2016-01-01T00:00:00Z') },
    { versionId: 'v1', document: '{"Version":"2012-10-17","Statement":[]}', createDate: new Date('2015-02-06T18:39:46Z') },
  ],
};
const EMR: AwsManagedPolicy = {
  ...ADMIN,
  arn: 'arn:aws:iam::aws:policy/service-role/AmazonEMRRole',
  name: 'AmazonEMRRole',
  path: '/service-role/',
  id: 'ANPAAAAAAAAAAAAAAAAAB',
  defaultVersionId: 'v1',
  versions: [{ versionId: 'v1', document: '{}', createDate: new Date('2015-02-06T18:39:46Z') }],
};

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS, testServices([ADMIN, EMR]));
});

afterEach(() => store.close());


const policy = (out: Record<string, unknown>): Record<string, unknown> => out['Policy'] as Record<string, unknown>;
const create = (extra: Params = {}): Promise<Record<string, unknown>> =>
  iam.run('CreatePolicy', { PolicyName: 'Reader', Path: '/team/', PolicyDocument: DOC, ...extra });

test('CreatePolicy returns the policy at v1 with an ANPA id; GetPolicy adds description and tags', async () => {
  const out = policy(await create({ Description: 'reads', Tags: [{ Key: 'k', Value: 'v' }] }));
  assert.equal(out['Arn'], ARN);
  assert.equal(out['Path'], '/team/');
  assert.equal(out['DefaultVersionId'], 'v1');
  assert.equal(out['AttachmentCount'], 0);
  assert.equal(out['IsAttachable'], true);
  assert.match(out['PolicyId'] as string, /^ANPA[A-Z2-7]{17}$/);
  assert.deepEqual(out['Tags'], [{ Key: 'k', Value: 'v' }]);
  const got = policy(await iam.run('GetPolicy', { PolicyArn: ARN }));
  assert.equal(got['Description'], 'reads');
  assert.deepEqual(got['CreateDate'], new Date('2026-11-25T12:00:00Z'));
  assert.deepEqual(got['UpdateDate'], new Date('2026-11-25T12:00:00Z'));
  const version = (await iam.run('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'v1' }))['PolicyVersion'] as Record<string, unknown>;
  assert.deepEqual(version, { Document: encodeDocument(DOC), VersionId: 'v1', IsDefaultVersion: true, CreateDate: new Date('2026-11-25T12:00:00Z') });
});

const createFailures: ReadonlyArray<[string, Params, string, number, string]> = [
  ['invalid JSON', { PolicyDocument: '{' }, 'MalformedPolicyDocument', 400, 'Syntax errors in policy.'],
  ['a missing Version', { PolicyDocument: '{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}' }, 'MalformedPolicyDocument', 400, 'Policy document must be version 2012-10-17 or greater.'],
  [
    'a principal',
    { PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}' },
    'MalformedPolicyDocument',
    400,
    'Policy document should not specify a principal.',
  ],
  [
    'a document over 6144 characters',
    { PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: `arn:aws:s3:::${'b'.repeat(6200)}` }] }) },
    'LimitExceeded',
    409,
    'Cannot exceed quota for PolicySize: 6144',
  ],
];
for (const [label, extra, code, status, message] of createFailures) {
  test(`CreatePolicy refuses ${label}`, async () => {
    await rejects(create(extra), code, status, message);
  });
}

test('CreatePolicy refuses a name taken in any case, whatever the path', async () => {
  await create();
  await rejects(iam.run('CreatePolicy', { PolicyName: 'reader', PolicyDocument: DOC }), 'EntityAlreadyExists', 409, 'A policy called reader already exists. Duplicate names are not allowed.');
});

const missingPolicy: ReadonlyArray<[string, Params]> = [
  ['GetPolicy', {}],
  ['DeletePolicy', {}],
  ['CreatePolicyVersion', { PolicyDocument: DOC }],
  ['GetPolicyVersion', { VersionId: 'v1' }],
  ['DeletePolicyVersion', { VersionId: 'v1' }],
  ['ListPolicyVersions', {}],
  ['SetDefaultPolicyVersion', { VersionId: 'v1' }],
  ['TagPolicy', { Tags: [{ Key: 'a', Value: 'b' }] }],
  ['UntagPolicy', { TagKeys: ['a'] }],
  ['ListPolicyTags', {}],
];
for (const [name, params] of missingPolicy) {
  test(`${name} answers NoSuchEntity for a missing policy`, async () => {
    for (const arn of [`arn:aws:iam::${TEST_ACCOUNT}:policy/Nope`, 'arn:aws:iam::aws:policy/Nope', `arn:aws:iam::999999999999:policy/Nope`]) {
      await rejects(iam.run(name, { PolicyArn: arn, ...params }), 'NoSuchEntity', 404, `Policy ${arn} was not found.`);
    }
  });
}

test('a policy is found only at its own path', async () => {
  await create();
  const wrong = `arn:aws:iam::${TEST_ACCOUNT}:policy/Reader`;
  await rejects(iam.run('GetPolicy', { PolicyArn: wrong }), 'NoSuchEntity', 404, `Policy ${wrong} was not found.`);
});

test('versions: create up to five, set default, list newest first, delete non-default ones', async () => {
  await create();
  iam.setClock(new Date('2026-11-26T00:00:00Z'));
  const v2 = (await iam.run('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: DOC2, SetAsDefault: true }))['PolicyVersion'];
  assert.deepEqual(v2, { VersionId: 'v2', IsDefaultVersion: true, CreateDate: new Date('2026-11-26T00:00:00Z') });
  assert.deepEqual(policy(await iam.run('GetPolicy', { PolicyArn: ARN }))['UpdateDate'], new Date('2026-11-26T00:00:00Z'));
  for (let i = 3; i <= 5; i++) await iam.run('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: DOC });
  await rejects(
    iam.run('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: DOC }),
    'LimitExceeded',
    409,
    'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
  );
  const versions = (await iam.run('ListPolicyVersions', { PolicyArn: ARN }))['Versions'] as Record<string, unknown>[];
  assert.deepEqual(versions.map((v) => [v['VersionId'], v['IsDefaultVersion']]), [['v5', false], ['v4', false], ['v3', false], ['v2', true], ['v1', false]]);
  assert.equal(policy(await iam.run('GetPolicy', { PolicyArn: ARN }))['DefaultVersionId'], 'v2');
  await rejects(iam.run('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v2' }), 'DeleteConflict', 409, 'Cannot delete the default version of a policy.');
  await rejects(iam.run('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v9' }), 'NoSuchEntity', 404, `Policy ${ARN} version v9 does not exist or is not attachable.`);
  await rejects(iam.run('SetDefaultPolicyVersion', { PolicyArn: ARN, VersionId: 'v9' }), 'NoSuchEntity', 404, `Policy ${ARN} version v9 does not exist or is not attachable.`);
  await rejects(iam.run('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'v9' }), 'NoSuchEntity', 404, `Policy ${ARN} version v9 does not exist or is not attachable.`);
  await iam.run('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v5' });
  // Version numbers are never reused.
  assert.equal(((await iam.run('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: DOC }))['PolicyVersion'] as Record<string, unknown>)['VersionId'], 'v6');
  await iam.run('SetDefaultPolicyVersion', { PolicyArn: ARN, VersionId: 'v1' });
  const v1 = (await iam.run('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'v1' }))['PolicyVersion'] as Record<string, unknown>;
  assert.equal(v1['IsDefaultVersion'], true);
  await rejects(iam.run('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: '[]' }), 'LimitExceeded', 409, 'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
  await iam.run('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v6' });
  await rejects(iam.run('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: '{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}' }), 'MalformedPolicyDocument', 400, 'Policy document must be version 2012-10-17 or greater.');
});

test('DeletePolicy refuses while attached, used as a boundary, or with extra versions', async () => {
  await create();
  await iam.run('CreateUser', { UserName: 'alice' });
  await iam.run('AttachUserPolicy', { UserName: 'alice', PolicyArn: ARN });
  await rejects(iam.run('DeletePolicy', { PolicyArn: ARN }), 'DeleteConflict', 409, 'Cannot delete a policy attached to entities.');
  await iam.run('DetachUserPolicy', { UserName: 'alice', PolicyArn: ARN });
  await iam.run('PutUserPermissionsBoundary', { UserName: 'alice', PermissionsBoundary: ARN });
  assert.equal(policy(await iam.run('GetPolicy', { PolicyArn: ARN }))['PermissionsBoundaryUsageCount'], 1);
  await rejects(iam.run('DeletePolicy', { PolicyArn: ARN }), 'DeleteConflict', 409, 'Cannot delete a policy attached to entities.');
  await iam.run('DeleteUserPermissionsBoundary', { UserName: 'alice' });
  await iam.run('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: DOC2 });
  await rejects(
    iam.run('DeletePolicy', { PolicyArn: ARN }),
    'DeleteConflict',
    409,
    "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
  );
  await iam.run('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v2' });
  await iam.run('DeletePolicy', { PolicyArn: ARN });
  await rejects(iam.run('GetPolicy', { PolicyArn: ARN }), 'NoSuchEntity', 404, `Policy ${ARN} was not found.`);
  // The name is free again, and the new policy starts over at v1.
  assert.equal(policy(await create())['DefaultVersionId'], 'v1');
});

test('AWS managed policies are readable, with their versions', async () => {
  const got = policy(await iam.run('GetPolicy', { PolicyArn: ADMIN.arn }));
  assert.deepEqual(got, {
    PolicyName: 'AdministratorAccess',
    PolicyId: ADMIN.id,
    Arn: ADMIN.arn,
    Path: '/',
    DefaultVersionId: 'v2',
    AttachmentCount: 0,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: ADMIN.createDate,
    UpdateDate: ADMIN.updateDate,
    Tags: [],
  });
  const v1 = (await iam.run('GetPolicyVersion', { PolicyArn: ADMIN.arn, VersionId: 'v1' }))['PolicyVersion'] as Record<string, unknown>;
  assert.deepEqual(v1, { Document: encodeDocument('{"Version":"2012-10-17","Statement":[]}'), VersionId: 'v1', IsDefaultVersion: false, CreateDate: ADMIN.versions[1]?.createDate });
  const versions = (await iam.run('ListPolicyVersions', { PolicyArn: ADMIN.arn }))['Versions'] as Record<string, unknown>[];
  assert.deepEqual(versions.map((v) => v['VersionId']), ['v2', 'v1']);
  assert.deepEqual((await iam.run('ListPolicyTags', { PolicyArn: ADMIN.arn }))['Tags'], []);
  await rejects(iam.run('GetPolicyVersion', { PolicyArn: ADMIN.arn, VersionId: 'v7' }), 'NoSuchEntity', 404, `Policy ${ADMIN.arn} version v7 does not exist or is not attachable.`);
});

const awsChanges: ReadonlyArray<[string, Params]> = [
  ['DeletePolicy', {}],
  ['CreatePolicyVersion', { PolicyDocument: DOC }],
  ['DeletePolicyVersion', { VersionId: 'v1' }],
  ['SetDefaultPolicyVersion', { VersionId: 'v1' }],
  ['TagPolicy', { Tags: [{ Key: 'a', Value: 'b' }] }],
  ['UntagPolicy', { TagKeys: ['a'] }],
];
for (const [name, params] of awsChanges) {
  test(`${name} on an AWS managed policy is refused as another account's resource`, async () => {
    await rejects(
      iam.run(name, { PolicyArn: ADMIN.arn, ...params }),
      'AccessDenied',
      403,
      `User: ${ROOT_CALLER.arn} is not authorized to perform: iam:${name} on resource: policy ${ADMIN.arn}`,
    );
  });
}

test('ListPolicies by scope, path, attachment and usage', async () => {
  await create();
  await iam.run('CreatePolicy', { PolicyName: 'Boundary', PolicyDocument: DOC });
  await iam.run('CreateUser', { UserName: 'alice', PermissionsBoundary: `arn:aws:iam::${TEST_ACCOUNT}:policy/Boundary` });
  await iam.run('AttachUserPolicy', { UserName: 'alice', PolicyArn: ADMIN.arn });
  const names = async (params: Params): Promise<unknown[]> =>
    ((await iam.run('ListPolicies', params))['Policies'] as Record<string, unknown>[]).map((p) => p['PolicyName']);
  assert.deepEqual(await names({}), ['AdministratorAccess', 'AmazonEMRRole', 'Boundary', 'Reader']);
  assert.deepEqual(await names({ Scope: 'Local' }), ['Boundary', 'Reader']);
  assert.deepEqual(await names({ Scope: 'AWS' }), ['AdministratorAccess', 'AmazonEMRRole']);
  assert.deepEqual(await names({ PathPrefix: '/service-role/' }), ['AmazonEMRRole']);
  // The API reference: OnlyAttached lists "only the policies that are attached to an IAM user, group, or role";
  // a policy used only as a permissions boundary is not attached.
  assert.deepEqual(await names({ OnlyAttached: true }), ['AdministratorAccess']);
  assert.deepEqual(await names({ OnlyAttached: true, PolicyUsageFilter: 'PermissionsPolicy' }), ['AdministratorAccess']);
  assert.deepEqual(await names({ PolicyUsageFilter: 'PermissionsBoundary' }), ['Boundary']);
  const listed = (await iam.run('ListPolicies', { Scope: 'AWS', MaxItems: 1 }));
  assert.equal(listed['IsTruncated'], true);
  assert.equal(((listed['Policies'] as Record<string, unknown>[])[0] as Record<string, unknown>)['AttachmentCount'], 1);
  assert.deepEqual(await names({ Scope: 'AWS', Marker: listed['Marker'] }), ['AmazonEMRRole']);
});

test('TagPolicy, UntagPolicy and ListPolicyTags on a customer policy', async () => {
  await create({ Tags: [{ Key: 'a', Value: '1' }] });
  await iam.run('TagPolicy', { PolicyArn: ARN, Tags: [{ Key: 'b', Value: '2' }] });
  await iam.run('UntagPolicy', { PolicyArn: ARN, TagKeys: ['a'] });
  assert.deepEqual((await iam.run('ListPolicyTags', { PolicyArn: ARN }))['Tags'], [{ Key: 'b', Value: '2' }]);
});

test('resources name the policy, as stored whatever the case of the name sent', async () => {
  const ops = defineOperations(POLICY_OPERATIONS);
  await iam.run('CreatePolicy', { PolicyName: 'Reader', Path: '/team/', PolicyDocument: DOC });
  await store.read(async (tx) => {
    const ctx = { account: TEST_ACCOUNT, tx, services: testServices([ADMIN]) } as unknown as Parameters<(typeof POLICY_OPERATIONS)[number]['resource']>[0];
    assert.equal(await ops.get('iam:CreatePolicy')?.resource(ctx, { PolicyName: 'P', Path: '/x/' }), `arn:aws:iam::${TEST_ACCOUNT}:policy/x/P`);
    assert.equal(await ops.get('iam:ListPolicies')?.resource(ctx, {}), `arn:aws:iam::${TEST_ACCOUNT}:policy/`);
    assert.equal(await ops.get('iam:GetPolicyVersion')?.resource(ctx, { PolicyArn: ARN }), ARN);
    for (const name of ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:TagPolicy', 'iam:GetPolicy']) {
      assert.equal(await ops.get(name)?.resource(ctx, { PolicyArn: ARN.replace('Reader', 'rEADER') }), ARN, name);
    }
    assert.equal(await ops.get('iam:GetPolicy')?.resource(ctx, { PolicyArn: ADMIN.arn }), ADMIN.arn);
    // No such policy (another path, another account, an AWS policy in another case): the ARN as sent.
    for (const sent of [ARN.replace('/team/', '/Team/'), ARN.replace(TEST_ACCOUNT, '444455556666'), ADMIN.arn.toLowerCase()]) {
      assert.equal(await ops.get('iam:GetPolicy')?.resource(ctx, { PolicyArn: sent }), sent);
    }
  });
});
