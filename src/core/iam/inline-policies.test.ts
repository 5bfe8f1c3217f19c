import { encodeDocument } from './common.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { defineOperations, type Params } from '../operation.js';
import { runner, TEST_ACCOUNT, rejects } from '../testing.js';
import { GROUP_OPERATIONS } from './groups.js';
import { INLINE_POLICY_OPERATIONS } from './inline-policies.js';
import { ROLE_OPERATIONS } from './roles.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([...INLINE_POLICY_OPERATIONS, ...ROLE_OPERATIONS, ...USER_OPERATIONS, ...GROUP_OPERATIONS]);

const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}';

/** A valid document of exactly `size` characters once white space is removed. */
function docOfSize(size: number): string {
  const base = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::"}]}';
  return base.replace(':::', `:::${'b'.repeat(size - base.length)}`);
}

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
  await iam.run('CreateUser', { UserName: 'alice' });
  await iam.run('CreateGroup', { GroupName: 'devs' });
  await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
});

afterEach(() => store.close());


const KINDS: ReadonlyArray<{ label: 'User' | 'Group' | 'Role'; type: string; param: string; name: string; quota: number }> = [
  { label: 'User', type: 'user', param: 'UserName', name: 'alice', quota: 2048 },
  { label: 'Group', type: 'group', param: 'GroupName', name: 'devs', quota: 5120 },
  { label: 'Role', type: 'role', param: 'RoleName', name: 'app', quota: 10240 },
];

for (const k of KINDS) {
  const entity: Params = { [k.param]: k.name };

  test(`Put${k.label}Policy stores, replaces; Get returns it URL-encoded; List names; Delete removes`, async () => {
    await iam.run(`Put${k.label}Policy`, { ...entity, PolicyName: 'read', PolicyDocument: DOC });
    await iam.run(`Put${k.label}Policy`, { ...entity, PolicyName: 'other', PolicyDocument: DOC });
    const next = DOC.replace('GetObject', 'PutObject');
    await iam.run(`Put${k.label}Policy`, { ...entity, PolicyName: 'READ', PolicyDocument: next });
    assert.deepEqual(await iam.run(`Get${k.label}Policy`, { ...entity, PolicyName: 'read' }), {
      [k.param]: k.name,
      PolicyName: 'read',
      PolicyDocument: encodeDocument(next),
    });
    assert.deepEqual(await iam.run(`List${k.label}Policies`, entity), { PolicyNames: ['other', 'read'], IsTruncated: false });
    const page = await iam.run(`List${k.label}Policies`, { ...entity, MaxItems: 1 });
    assert.deepEqual([page['PolicyNames'], page['IsTruncated']], [['other'], true]);
    await iam.run(`Delete${k.label}Policy`, { ...entity, PolicyName: 'other' });
    for (const op of [`Get${k.label}Policy`, `Delete${k.label}Policy`]) {
      await rejects(iam.run(op, { ...entity, PolicyName: 'other' }), 'NoSuchEntity', 404, `The ${k.type} policy with name other cannot be found.`);
    }
  });

  test(`Put${k.label}Policy counts all of the ${k.type}'s inline policies against ${k.quota} characters, without white space`, async () => {
    await iam.run(`Put${k.label}Policy`, { ...entity, PolicyName: 'a', PolicyDocument: docOfSize(k.quota - 200) });
    await iam.run(`Put${k.label}Policy`, { ...entity, PolicyName: 'b', PolicyDocument: ` ${docOfSize(200)}\n\t` });
    await rejects(
      iam.run(`Put${k.label}Policy`, { ...entity, PolicyName: 'c', PolicyDocument: DOC }),
      'LimitExceeded',
      409,
      `Maximum policy size of ${k.quota} bytes exceeded for ${k.type} ${k.name}`,
    );
    // Replacing a policy counts its new size in place of the old one.
    await iam.run(`Put${k.label}Policy`, { ...entity, PolicyName: 'b', PolicyDocument: docOfSize(150) });
  });

  const malformed: ReadonlyArray<[string, string]> = [
    ['{', 'Syntax errors in policy.'],
    ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}', 'Policy statement must contain resources.'],
    ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}', 'Policy document should not specify a principal.'],
  ];
  for (const [document, message] of malformed) {
    test(`Put${k.label}Policy refuses ${document.slice(0, 40)}… with MalformedPolicyDocument`, async () => {
      await rejects(iam.run(`Put${k.label}Policy`, { ...entity, PolicyName: 'p', PolicyDocument: document }), 'MalformedPolicyDocument', 400, message);
    });
  }

  for (const op of ['Put', 'Get', 'Delete', 'List']) {
    const name = op === 'List' ? `List${k.label}Policies` : `${op}${k.label}Policy`;
    test(`${name} answers NoSuchEntity for a missing ${k.type}`, async () => {
      await rejects(iam.run(name, { [k.param]: 'ghost', PolicyName: 'p', PolicyDocument: DOC }), 'NoSuchEntity', 404, `The ${k.type} with name ghost cannot be found.`);
    });
  }
}

test('inline policies may use the 2008 grammar version, unlike managed ones', async () => {
  await iam.run('PutUserPolicy', { UserName: 'alice', PolicyName: 'old', PolicyDocument: '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}' });
});

test('inline policy operations authorize against their owner', async () => {
  const ops = defineOperations(INLINE_POLICY_OPERATIONS);
  await store.transaction(async (tx) => {
    const ctx = { account: TEST_ACCOUNT, tx } as Parameters<(typeof INLINE_POLICY_OPERATIONS)[number]['resource']>[0];
    assert.equal(await ops.get('iam:PutRolePolicy')?.resource(ctx, { RoleName: 'app' }), `arn:aws:iam::${TEST_ACCOUNT}:role/app`);
    assert.equal(await ops.get('iam:GetGroupPolicy')?.resource(ctx, { GroupName: 'devs' }), `arn:aws:iam::${TEST_ACCOUNT}:group/devs`);
  });
});
