import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { type AwsManagedPolicy, defineOperations, type OperationContext, type Params } from '../operation.js';
import { rejects, ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { ACCOUNT_PROPERTY_OPERATIONS, parsePropertyChange } from './account-properties.js';
import { ATTACHMENT_OPERATIONS } from './attachments.js';
import { ROLE_OPERATIONS } from './roles.js';
import { SERVICE_LINKED_ROLE_OPERATIONS } from './service-linked-roles.js';

const OPERATIONS = defineOperations([...ACCOUNT_PROPERTY_OPERATIONS, ...ROLE_OPERATIONS, ...SERVICE_LINKED_ROLE_OPERATIONS, ...ATTACHMENT_OPERATIONS]);

const ROLE = 'AWSServiceRoleForIAMRoleManager';
const SERVICE = 'role-manager.iam.amazonaws.com';
const ROLE_ARN = `arn:aws:iam::${TEST_ACCOUNT}:role/aws-service-role/${SERVICE}/${ROLE}`;

const POLICY: AwsManagedPolicy = {
  arn: 'arn:aws:iam::aws:policy/aws-service-role/AWSIAMRoleManagerServiceRolePolicy',
  name: 'AWSIAMRoleManagerServiceRolePolicy',
  path: '/aws-service-role/',
  id: 'ANPAAAAAAAAAAAAAAAAAR',
  defaultVersionId: 'v2',
  createDate: new Date('2026-07-15T23:57:00Z'),
  updateDate: new Date('2026-08-05T19:42:00Z'),
  versions: [{ versionId: 'v2', document: '{"Version":"2012-10-17","Statement":[]}', createDate: new Date('2026-08-05T19:42:00Z') }],
};

const OTHER = '777788889999';
const other: Caller = { ...ROOT_CALLER, account: OTHER, arn: `arn:aws:iam::${OTHER}:root`, userId: OTHER };

let store: Store;
let iam: ReturnType<typeof runner>;
beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS, testServices([POLICY]));
});
afterEach(() => store.close());

const properties = async (caller: Caller = ROOT_CALLER): Promise<unknown> => (await iam.run('GetAccountProperties', {}, caller))['Properties'];
const put = (map: Record<string, string>, caller: Caller = ROOT_CALLER): Promise<unknown> => iam.run('PutAccountProperties', { Properties: map }, caller);
const roleNames = async (): Promise<string[]> => ((await iam.run('ListRoles', {}))['Roles'] as Array<Record<string, unknown>>).map((r) => r['RoleName'] as string);

describe('GetAccountProperties and PutAccountProperties', () => {
  test('role manager is off by default, and reading stores nothing', async () => {
    assert.deepEqual(await properties(), { 'RoleManager/Enabled': 'false' });
    assert.equal(await store.read((tx) => tx.count('account-properties', TEST_ACCOUNT)), 0);
  });

  test('enabling creates the service-linked role once; disabling keeps it; enabling again reuses it', async () => {
    assert.deepEqual(await put({ 'RoleManager/Enabled': 'true' }), {});
    assert.deepEqual(await properties(), { 'RoleManager/Enabled': 'true' });
    const role = (await iam.run('GetRole', { RoleName: ROLE }))['Role'] as Record<string, unknown>;
    assert.equal(role['Arn'], ROLE_ARN);
    assert.equal(role['Path'], `/aws-service-role/${SERVICE}/`);
    const trust = JSON.parse(decodeURIComponent(role['AssumeRolePolicyDocument'] as string)) as { Statement: Array<{ Principal: { Service: string[] } }> };
    assert.deepEqual(trust.Statement.map((s) => s.Principal.Service), [[SERVICE]]);
    assert.deepEqual((await iam.run('ListAttachedRolePolicies', { RoleName: ROLE }))['AttachedPolicies'], [{ PolicyName: POLICY.name, PolicyArn: POLICY.arn }]);

    await put({ 'RoleManager/Enabled': 'true' });
    await put({ 'RoleManager/Enabled': 'false' });
    assert.deepEqual(await properties(), { 'RoleManager/Enabled': 'false' });
    assert.deepEqual(await roleNames(), [ROLE]);
    await put({ 'RoleManager/Enabled': 'true' });
    assert.equal(((await iam.run('GetRole', { RoleName: ROLE }))['Role'] as Record<string, unknown>)['RoleId'], role['RoleId']);
  });

  test('a role made earlier with CreateServiceLinkedRole is the one enabling uses; it takes no custom suffix', async () => {
    const made = (await iam.run('CreateServiceLinkedRole', { AWSServiceName: SERVICE, Description: 'mine' }))['Role'] as Record<string, unknown>;
    await put({ 'RoleManager/Enabled': 'true' });
    const role = (await iam.run('GetRole', { RoleName: ROLE }))['Role'] as Record<string, unknown>;
    assert.deepEqual([role['RoleId'], role['Description']], [made['RoleId'], 'mine']);
    await rejects(iam.run('CreateServiceLinkedRole', { AWSServiceName: SERVICE, CustomSuffix: 'x' }), 'InvalidInput', 400, `Custom suffix is not allowed for ${SERVICE}`);
  });

  test("an ordinary role with the service role's name is not adopted: enabling fails and changes nothing", async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'sts:AssumeRole' }] });
    await iam.run('CreateRole', { RoleName: ROLE, AssumeRolePolicyDocument: trust });
    await rejects(put({ 'RoleManager/Enabled': 'true' }), 'InvalidInput', 400, `Service role name ${ROLE} has been taken in this account, please try a different suffix.`);
    assert.deepEqual(await properties(), { 'RoleManager/Enabled': 'false' });
    const role = (await iam.run('GetRole', { RoleName: ROLE }))['Role'] as Record<string, unknown>;
    assert.equal(role['Path'], '/');
    assert.deepEqual((await iam.run('ListAttachedRolePolicies', { RoleName: ROLE }))['AttachedPolicies'], []);
  });

  test('a property beside Enabled in its namespace is ignored, neither stored nor read back', async () => {
    await put({ 'RoleManager/Enabled': 'true', 'RoleManager/Other': 'x' });
    assert.deepEqual(await properties(), { 'RoleManager/Enabled': 'true' });
  });

  test('the setting is per account', async () => {
    await put({ 'RoleManager/Enabled': 'true' });
    assert.deepEqual(await properties(other), { 'RoleManager/Enabled': 'false' });
    await put({ 'RoleManager/Enabled': 'false' }, other);
    assert.deepEqual(await properties(), { 'RoleManager/Enabled': 'true' });
  });
});

/** A map as the query decoder builds it: `__proto__` an own property, as data. */
function ownMap(entries: ReadonlyArray<[string, string]>): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [key, value] of entries) Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  return map;
}

// AWS's answers as recorded in a public capture of PutAccountProperties (see account-properties.ts), and keys that
// name Object.prototype's members, which must read as data.
const refused: ReadonlyArray<[string, Record<string, string>, string, string]> = [
  ['an empty map', {}, 'ValidationError', "1 validation error detected: Value at 'properties' failed to satisfy constraint: Member must not be null"],
  ['a key without a namespace', { RoleManager: 'false' }, 'InvalidInput', 'Property key must be in format Namespace/PropertyName: RoleManager'],
  ['a key ending with /', { 'RoleManager/': 'true' }, 'InvalidInput', 'Property key must be in format Namespace/PropertyName: RoleManager/'],
  ['a second separator', { 'RoleManager/Enabled/Other': 'false' }, 'InvalidInput', 'RoleManager namespace requires Enabled property'],
  ['an unknown namespace', { 'StackdProbe/Enabled': 'false' }, 'InvalidInput', 'Unsupported namespace: StackdProbe'],
  ['an unknown property alone', { 'RoleManager/StackdProbe': 'false' }, 'InvalidInput', 'RoleManager namespace requires Enabled property'],
  ['two namespaces', { 'RoleManager/Enabled': 'false', 'StackdProbe/Enabled': 'false' }, 'InvalidInput', 'All properties must belong to the same namespace'],
  ['FALSE', { 'RoleManager/Enabled': 'FALSE' }, 'InvalidInput', "Enabled must be 'true' or 'false'"],
  ['a trailing space', { 'RoleManager/Enabled': 'false ' }, 'InvalidInput', "Enabled must be 'true' or 'false'"],
  ['0', { 'RoleManager/Enabled': '0' }, 'InvalidInput', "Enabled must be 'true' or 'false'"],
  ['the constructor namespace', { 'constructor/Enabled': 'true' }, 'InvalidInput', 'Unsupported namespace: constructor'],
  ['the hasOwnProperty namespace', { 'hasOwnProperty/Enabled': 'true' }, 'InvalidInput', 'Unsupported namespace: hasOwnProperty'],
  ['the __proto__ namespace', ownMap([['__proto__/Enabled', 'true']]), 'InvalidInput', 'Unsupported namespace: __proto__'],
  ['a __proto__ key', ownMap([['__proto__', 'true']]), 'InvalidInput', 'Property key must be in format Namespace/PropertyName: __proto__'],
  ['RoleManager/constructor alone', { 'RoleManager/constructor': 'true' }, 'InvalidInput', 'RoleManager namespace requires Enabled property'],
];

describe('PutAccountProperties refusals', () => {
  for (const [name, map, code, message] of refused) {
    test(`${name}: ${code}, nothing stored, no role made`, async () => {
      await rejects(put(map), code, 400, message);
      assert.deepEqual(await properties(), { 'RoleManager/Enabled': 'false' });
      assert.deepEqual(await roleNames(), []);
      assert.equal(({} as Record<string, unknown>)['Enabled'], undefined);
    });
  }
});

describe('authorization of the account property actions', () => {
  const ctx = { account: TEST_ACCOUNT } as OperationContext;
  const putOp = OPERATIONS.get('iam:PutAccountProperties');
  const getOp = OPERATIONS.get('iam:GetAccountProperties');
  const put = (map: Record<string, string>): Params => ({ Properties: map });

  test('both act on "*" (the Service Authorization Reference names no resource type)', async () => {
    assert.equal(await getOp?.resource(ctx, {}), '*');
    assert.equal(await putOp?.resource(ctx, put({ 'RoleManager/Enabled': 'true' })), '*');
  });

  test('iam:AccountPropertyNamespaces: what a read returns, what a write names', () => {
    assert.deepEqual(getOp?.conditionKeys?.(ctx, {}), { 'iam:AccountPropertyNamespaces': ['RoleManager'] });
    assert.deepEqual(putOp?.conditionKeys?.(ctx, put({ 'RoleManager/Enabled': 'true', 'RoleManager/X': 'y' })), { 'iam:AccountPropertyNamespaces': ['RoleManager'] });
    assert.deepEqual(putOp?.conditionKeys?.(ctx, put({ 'Zeta/A': '1', 'RoleManager/Enabled': 'true', Alpha: 'x' })), {
      'iam:AccountPropertyNamespaces': ['Alpha', 'RoleManager', 'Zeta'],
    });
    assert.deepEqual(putOp?.conditionKeys?.(ctx, put(ownMap([['__proto__/Enabled', 'true']]))), { 'iam:AccountPropertyNamespaces': ['__proto__'] });
  });

  test('enabling also requires iam:CreateServiceLinkedRole on the role, for the service; disabling and refusals do not', async () => {
    assert.deepEqual(await putOp?.alsoRequires?.(ctx, put({ 'RoleManager/Enabled': 'true' })), [
      { action: 'iam:CreateServiceLinkedRole', resource: ROLE_ARN, conditionKeys: { 'iam:AWSServiceName': SERVICE } },
    ]);
    const maps: Array<Record<string, string>> = [{ 'RoleManager/Enabled': 'false' }, { 'RoleManager/Enabled': 'TRUE' }, { 'RoleManager/Enabled': 'true', 'Other/Enabled': 'true' }, {}];
    for (const map of maps) {
      assert.deepEqual(await putOp?.alsoRequires?.(ctx, put(map)), [], JSON.stringify(map));
    }
  });
});

test('parsePropertyChange returns only the namespace\'s known properties', () => {
  const change = parsePropertyChange({ Properties: { 'RoleManager/Enabled': 'true', 'RoleManager/Extra': 'x' } });
  assert.equal(change.namespace, 'RoleManager');
  assert.deepEqual([...change.values], [['RoleManager/Enabled', 'true']]);
});
