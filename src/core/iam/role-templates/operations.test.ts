import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../../store/sqlite/sqlite-store.js';
import type { Store } from '../../../store/store.js';
import { defineOperations, type CoreServices, type OperationContext, type Params } from '../../operation.js';
import { rejects, ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../../testing.js';
import { ATTACHMENT_OPERATIONS } from '../attachments.js';
import { encodeDocument } from '../common.js';
import { INLINE_POLICY_OPERATIONS } from '../inline-policies.js';
import { POLICY_OPERATIONS } from '../policies.js';
import { ROLE_OPERATIONS } from '../roles.js';
import { createRoleTemplateCatalogue, type RoleTemplateVersionDefinition } from './catalogue.js';
import { ROLE_TEMPLATE_OPERATIONS } from './operations.js';

const OPERATIONS = defineOperations([...ROLE_OPERATIONS, ...POLICY_OPERATIONS, ...ATTACHMENT_OPERATIONS, ...INLINE_POLICY_OPERATIONS, ...ROLE_TEMPLATE_OPERATIONS]);

const APP = 'arn:aws:iam::aws:role-template/lambda.amazonaws.com/AppRoleTemplate:1';
const PLAIN = 'arn:aws:iam::aws:role-template/ec2.amazonaws.com/Plain:2';
const OFF = 'arn:aws:iam::aws:role-template/ec2.amazonaws.com/Off:1';
const BIG = 'arn:aws:iam::aws:role-template/ec2.amazonaws.com/Big:1';
const BASE = `arn:aws:iam::${TEST_ACCOUNT}:policy/base`;
const BOUNDARY = `arn:aws:iam::${TEST_ACCOUNT}:policy/boundary`;
const POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';

const APP_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': '@{Team}' } } }],
};
const READ = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '@{Buckets}' }] };

const app = (extra: Record<string, unknown> = {}): RoleTemplateVersionDefinition =>
  ({
    TemplateArn: APP,
    Description: 'An application role',
    MinorVersion: 0,
    DefaultMinorVersion: 0,
    TemplateVersionId: 'AppRoleTemplateVersion0001',
    RoleNamePattern: 'App-@{Team}',
    RolePathPattern: '/templated/',
    RoleDescriptionPattern: 'Role of @{Team}',
    AssumeRolePolicyDocumentTemplate: APP_TRUST,
    InlinePolicyTemplates: [{ PolicyName: 'read', PolicyDocument: READ }],
    ManagedPolicyArns: [BASE],
    PermissionBoundaryArn: BOUNDARY,
    ParametersDefinition: [
      { Name: 'Team', Type: 'String', IsRequired: true, Description: 'the team' },
      { Name: 'Buckets', Type: 'ArnList', IsRequired: true },
      { Name: 'Tier', Type: 'String', DefaultValue: 'gold', Immutable: true },
    ],
    RoleTagsTemplate: [{ Key: 'team', Value: '@{Team}' }, { Key: 'tier', Value: '@{Tier}' }],
    MaxSessionDuration: 7200,
    CreateTimestamp: '2026-06-26T20:43:32Z',
    ...extra,
  }) as RoleTemplateVersionDefinition;

const plainTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };

const CATALOGUE = createRoleTemplateCatalogue([
  app(),
  app({ MinorVersion: 1, VersionEnabled: false }),
  { TemplateArn: PLAIN, MinorVersion: 3, RoleNamePattern: '@{Name}', RolePathPattern: '/@{Path}/', AssumeRolePolicyDocumentTemplate: plainTrust, ParametersDefinition: [{ Name: 'Name', Type: 'String' }, { Name: 'Path', Type: 'String', DefaultValue: 'plain' }] },
  { TemplateArn: OFF, MinorVersion: 0, Enabled: false, RoleNamePattern: 'Off', AssumeRolePolicyDocumentTemplate: plainTrust },
  {
    TemplateArn: BIG,
    MinorVersion: 0,
    RoleNamePattern: 'Big',
    AssumeRolePolicyDocumentTemplate: { ...plainTrust, Statement: [{ ...plainTrust.Statement[0], Condition: { StringEquals: { 'sts:ExternalId': '@{Id}' } } }] },
    ParametersDefinition: [{ Name: 'Id', Type: 'String' }],
  },
]);

const services: CoreServices = { ...testServices(), roleTemplates: () => CATALOGUE };
const values = (entries: Record<string, string[]>): Record<string, { Values: string[] }> =>
  Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { Values: v }]));
const acquireApp = (team = 'red', buckets = ['arn:aws:s3:::red-data']): Params => ({ TemplateArn: APP, ReplacementValues: values({ Team: [team], Buckets: buckets }) });

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS, services);
  await iam.run('CreatePolicy', { PolicyName: 'base', PolicyDocument: POLICY });
  await iam.run('CreatePolicy', { PolicyName: 'boundary', PolicyDocument: POLICY });
});

afterEach(() => store.close());

const roleOf = (out: Record<string, unknown>): Record<string, unknown> => out['Role'] as Record<string, unknown>;

describe('GetRoleTemplateVersion', () => {
  test('returns the default minor version, or the one asked for, as configured', async () => {
    const out = (await iam.run('GetRoleTemplateVersion', { TemplateArn: APP }))['RoleTemplateVersion'] as Record<string, unknown>;
    assert.deepEqual(out, {
      TemplateArn: APP,
      TemplateName: 'AppRoleTemplate',
      TemplateVersionId: 'AppRoleTemplateVersion0001',
      Description: 'An application role',
      MajorVersion: 1,
      DefaultMinorVersion: 0,
      ManagedByType: 'Service',
      ManagedByValue: 'lambda.amazonaws.com',
      Enabled: true,
      MinorVersion: 0,
      RoleNamePattern: 'App-@{Team}',
      RolePathPattern: '/templated/',
      RoleDescriptionPattern: 'Role of @{Team}',
      AssumeRolePolicyDocumentTemplate: JSON.stringify(APP_TRUST),
      InlinePolicyTemplates: [{ PolicyName: 'read', PolicyDocument: JSON.stringify(READ) }],
      ManagedPolicyArns: [BASE],
      PermissionBoundaryArn: BOUNDARY,
      ParametersDefinition: [
        { Name: 'Team', Type: 'String', IsRequired: true, Description: 'the team' },
        { Name: 'Buckets', Type: 'ArnList', IsRequired: true },
        { Name: 'Tier', Type: 'String', DefaultValue: 'gold', Immutable: true },
      ],
      RoleTagsTemplate: [{ Key: 'team', Value: '@{Team}' }, { Key: 'tier', Value: '@{Tier}' }],
      MaxSessionDuration: 7200,
      VersionEnabled: true,
      CreateTimestamp: new Date('2026-06-26T20:43:32Z'),
    });
    const one = (await iam.run('GetRoleTemplateVersion', { TemplateArn: APP, MinorVersion: 1 }))['RoleTemplateVersion'] as Record<string, unknown>;
    assert.equal(one['MinorVersion'], 1);
    assert.equal(one['VersionEnabled'], false);
    // A disabled template can still be read.
    const off = (await iam.run('GetRoleTemplateVersion', { TemplateArn: OFF }))['RoleTemplateVersion'] as Record<string, unknown>;
    assert.equal(off['Enabled'], false);
  });

  test('NoSuchEntity for an unknown template (ARNs compared exactly) or minor version', async () => {
    const other = APP.replace('AppRoleTemplate', 'approletemplate');
    await rejects(iam.run('GetRoleTemplateVersion', { TemplateArn: other }), 'NoSuchEntity', 404, `The role template with ARN ${other} cannot be found.`);
    await rejects(iam.run('GetRoleTemplateVersion', { TemplateArn: APP, MinorVersion: 9 }), 'NoSuchEntity', 404, `The role template with ARN ${APP} has no minor version 9.`);
    const empty = runner(store, OPERATIONS);
    await rejects(empty.run('GetRoleTemplateVersion', { TemplateArn: APP }), 'NoSuchEntity', 404, `The role template with ARN ${APP} cannot be found.`);
  });

  test('an ARN that is no role template is refused before it is authorized on', () => {
    for (const name of ['GetRoleTemplateVersion', 'AcquireRole']) {
      const op = OPERATIONS.get(`iam:${name}`);
      assert.throws(() => op?.resource({} as OperationContext, { TemplateArn: `arn:aws:iam::${TEST_ACCOUNT}:role/admin` }), {
        code: 'InvalidInput',
        message: `ARN arn:aws:iam::${TEST_ACCOUNT}:role/admin is not valid.`,
      });
      assert.equal(op?.resource({} as OperationContext, { TemplateArn: APP }), APP);
    }
  });
});

describe('AcquireRole', () => {
  test('creates the role the template describes, with its policies, boundary, tags and source template', async () => {
    const out = roleOf(await iam.run('AcquireRole', acquireApp()));
    const trust = JSON.stringify({ ...APP_TRUST, Statement: [{ ...APP_TRUST.Statement[0], Condition: { StringEquals: { 'sts:ExternalId': 'red' } } }] });
    assert.equal(out['RoleName'], 'App-red');
    assert.equal(out['Path'], '/templated/');
    assert.equal(out['Arn'], `arn:aws:iam::${TEST_ACCOUNT}:role/templated/App-red`);
    assert.match(out['RoleId'] as string, /^AROA/);
    assert.equal(out['AssumeRolePolicyDocument'], encodeDocument(trust));
    assert.equal(out['Description'], 'Role of red');
    assert.deepEqual(out['SourceRoleTemplate'], { TemplateArn: APP, TemplateMinorVersion: 0 });
    assert.deepEqual(out['PermissionsBoundary'], { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: BOUNDARY });
    assert.deepEqual(out['Tags'], [{ Key: 'team', Value: 'red' }, { Key: 'tier', Value: 'gold' }]);
    const got = roleOf(await iam.run('GetRole', { RoleName: 'App-red' }));
    assert.equal(got['MaxSessionDuration'], 7200);
    assert.deepEqual(got['SourceRoleTemplate'], { TemplateArn: APP, TemplateMinorVersion: 0 });
    const inline = await iam.run('GetRolePolicy', { RoleName: 'App-red', PolicyName: 'read' });
    assert.equal(decodeURIComponent(inline['PolicyDocument'] as string), '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::red-data"]}]}');
    assert.deepEqual((await iam.run('ListAttachedRolePolicies', { RoleName: 'App-red' }))['AttachedPolicies'], [{ PolicyName: 'base', PolicyArn: BASE }]);
    // ListRoles leaves the source template out, as it does the boundary and tags.
    const listed = ((await iam.run('ListRoles', {}))['Roles'] as Array<Record<string, unknown>>)[0];
    assert.equal(listed?.['SourceRoleTemplate'], undefined);
  });

  test('acquiring again with the same values returns the same role', async () => {
    const first = roleOf(await iam.run('AcquireRole', acquireApp()));
    const again = roleOf(await iam.run('AcquireRole', { ...acquireApp(), TemplateMinorVersion: 0 }));
    assert.equal(again['RoleId'], first['RoleId']);
    assert.deepEqual(again['CreateDate'], first['CreateDate']);
  });

  test('NameConflict when a role of that name was not made by the template with these values', async () => {
    const conflict = (name: string) => ['NameConflict', 409, `The role name ${name} conflicts with an existing role in the account.`] as const;
    await iam.run('AcquireRole', acquireApp());
    await rejects(iam.run('AcquireRole', acquireApp('red', ['arn:aws:s3:::other'])), ...conflict('App-red'));
    await iam.run('CreateRole', { RoleName: 'App-blue', Path: '/templated/', AssumeRolePolicyDocument: JSON.stringify(plainTrust) });
    await rejects(iam.run('AcquireRole', acquireApp('blue')), ...conflict('App-blue'));
    // Role names are unique without regard to case: App-RED is App-red's name in another case.
    await rejects(iam.run('AcquireRole', acquireApp('RED')), ...conflict('App-RED'));
  });

  test('RoleModified when the role the template made was changed since', async () => {
    await iam.run('AcquireRole', acquireApp());
    await iam.run('PutRolePolicy', { RoleName: 'App-red', PolicyName: 'extra', PolicyDocument: POLICY });
    await rejects(iam.run('AcquireRole', acquireApp()), 'RoleModified', 409, `The role App-red was changed since the role template ${APP} created it.`);
    // Put back as it was, it is the template's role again.
    await iam.run('DeleteRolePolicy', { RoleName: 'App-red', PolicyName: 'extra' });
    assert.equal(roleOf(await iam.run('AcquireRole', acquireApp()))['RoleName'], 'App-red');
  });

  test('RoleTemplateDisabled for a disabled template or minor version', async () => {
    await rejects(iam.run('AcquireRole', { TemplateArn: OFF }), 'RoleTemplateDisabled', 400, `The role template ${OFF} is disabled.`);
    await rejects(iam.run('AcquireRole', { ...acquireApp(), TemplateMinorVersion: 1 }), 'RoleTemplateDisabled', 400, `Minor version 1 of the role template ${APP} is disabled.`);
    await rejects(iam.run('AcquireRole', { ...acquireApp(), TemplateMinorVersion: 5 }), 'NoSuchEntity', 404, `The role template with ARN ${APP} has no minor version 5.`);
  });

  const INVALID: ReadonlyArray<[string, Params, string]> = [
    ['a missing required parameter', { TemplateArn: APP, ReplacementValues: values({ Team: ['red'] }) }, `The role template ${APP} requires a value for the parameter Buckets.`],
    ['a key __proto__', { TemplateArn: APP, ReplacementValues: JSON.parse('{"__proto__":{"Values":["x"]}}') as Params }, `__proto__ is not a parameter of the role template ${APP} (minor version 0).`],
    ['a key constructor', { TemplateArn: APP, ReplacementValues: values({ constructor: ['x'] }) }, `constructor is not a parameter of the role template ${APP} (minor version 0).`],
    ['two values for a String', { TemplateArn: APP, ReplacementValues: values({ Team: ['a', 'b'], Buckets: ['arn:aws:s3:::b'] }) }, 'The parameter Team is of type String and takes exactly one value, not 2.'],
    ['an ArnList value that is no ARN', acquireApp('red', ['bucket']), 'The value bucket of the parameter Buckets is not an ARN.'],
    ['a wildcard bucket', acquireApp('red', ['arn:aws:s3:::*']), 'The value of the parameter Buckets may not contain *, ? or ${ where the role template uses it in a policy document.'],
    ['a name IAM refuses', acquireApp('a/b'), `The role name App-a/b that the role template ${APP} produces is not valid: it must be 1 to 64 letters, digits or +=,.@_- characters.`],
    ['a name too long', acquireApp('x'.repeat(61)), `The role name App-${'x'.repeat(61)} that the role template ${APP} produces is not valid: it must be 1 to 64 letters, digits or +=,.@_- characters.`],
    ['a path IAM refuses', { TemplateArn: PLAIN, ReplacementValues: values({ Name: ['p'], Path: ['a b'] }) }, `The role path /a b/ that the role template ${PLAIN} produces is not valid.`],
    ['an empty name', { TemplateArn: PLAIN }, `The role name  that the role template ${PLAIN} produces is not valid: it must be 1 to 64 letters, digits or +=,.@_- characters.`],
  ];
  for (const [name, params, message] of INVALID) {
    test(`InvalidInput: ${name}`, async () => {
      await rejects(iam.run('AcquireRole', params), 'InvalidInput', 400, message);
      assert.deepEqual((await iam.run('ListRoles', {}))['Roles'], []);
    });
  }

  test('the role passes the checks CreateRole and AttachRolePolicy make, and nothing is left of a refused one', async () => {
    await iam.run('DeletePolicy', { PolicyArn: BASE });
    await rejects(iam.run('AcquireRole', acquireApp()), 'NoSuchEntity', 404, `Policy ${BASE} does not exist or is not attachable.`);
    await rejects(iam.run('GetRole', { RoleName: 'App-red' }), 'NoSuchEntity', 404, 'The role with name App-red cannot be found.');
    await iam.run('CreatePolicy', { PolicyName: 'base', PolicyDocument: POLICY });
    // The trust policy's size quota, with the value substituted.
    await rejects(iam.run('AcquireRole', { TemplateArn: BIG, ReplacementValues: values({ Id: ['x'.repeat(2100)] }) }), 'LimitExceeded', 409, 'Cannot exceed quota for ACLSizePerRole: 2048');
    await rejects(
      iam.run('AcquireRole', { TemplateArn: PLAIN, ReplacementValues: values({ Name: ['svc'], Path: ['aws-service-role'] }) }),
      'InvalidInput',
      400,
      "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles",
    );
  });
});

describe('AcquireRole authorization', () => {
  async function required(params: Params): Promise<unknown> {
    const op = OPERATIONS.get('iam:AcquireRole');
    assert.equal(op?.action, 'iam:GetRoleTemplateVersion');
    assert.deepEqual(op?.conditionKeys?.({} as OperationContext, params), { 'iam:RoleTemplateARN': params['TemplateArn'] });
    return store.read(async (tx) => op?.alsoRequires?.({ caller: ROOT_CALLER, account: TEST_ACCOUNT, tx, now: new Date(), requestId: 't', services }, params));
  }

  test('a new role: every action that makes it, with the values the template gives and iam:RoleTemplateARN', async () => {
    const role = `arn:aws:iam::${TEST_ACCOUNT}:role/templated/App-red`;
    const keys = { 'iam:RoleTemplateARN': APP, 'iam:PermissionsBoundary': BOUNDARY };
    assert.deepEqual(await required(acquireApp()), [
      { action: 'iam:CreateRole', resource: role, conditionKeys: { 'aws:RequestTag/team': 'red', 'aws:RequestTag/tier': 'gold', 'aws:TagKeys': ['team', 'tier'], ...keys } },
      { action: 'iam:PutRolePermissionsBoundary', resource: role, conditionKeys: keys },
      { action: 'iam:PutRolePolicy', resource: role, conditionKeys: keys },
      { action: 'iam:AttachRolePolicy', resource: role, conditionKeys: { 'iam:PolicyARN': BASE, ...keys } },
      { action: 'iam:TagRole', resource: role, conditionKeys: { 'aws:RequestTag/team': 'red', 'aws:RequestTag/tier': 'gold', 'aws:TagKeys': ['team', 'tier'], 'iam:RoleTemplateARN': APP } },
    ]);
    // A template without policies, boundary or tags needs only CreateRole.
    assert.deepEqual(await required({ TemplateArn: PLAIN, ReplacementValues: values({ Name: ['p'] }) }), [
      { action: 'iam:CreateRole', resource: `arn:aws:iam::${TEST_ACCOUNT}:role/plain/p`, conditionKeys: { 'iam:RoleTemplateARN': PLAIN } },
    ]);
  });

  test('an existing role of that name: iam:GetRole on it, whatever the outcome', async () => {
    await iam.run('AcquireRole', acquireApp());
    const get = [{ action: 'iam:GetRole', resource: `arn:aws:iam::${TEST_ACCOUNT}:role/templated/App-red`, conditionKeys: { 'iam:RoleTemplateARN': APP } }];
    assert.deepEqual(await required(acquireApp()), get);
    assert.deepEqual(await required(acquireApp('red', ['arn:aws:s3:::other'])), get);
  });
});
