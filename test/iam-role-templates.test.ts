// Role templates (GetRoleTemplateVersion, AcquireRole) through the AWS SDK for JavaScript v3 against a server started
// with a template catalogue.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  AcquireRoleCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetRoleTemplateVersionCommand,
  ListAttachedRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type ReplacementValueEntry,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { RoleTemplateVersionDefinition } from '../src/core/iam/role-templates/catalogue.js';
import { awsCli } from './helpers/aws-cli.js';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { startServer } from '../src/server/app.js';
import { ConfigError } from '../src/server/config-error.js';
import { loadConfig } from '../src/server/config.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const APP = 'arn:aws:iam::aws:role-template/lambda.amazonaws.com/AppRoleTemplate:1';
const OFF = 'arn:aws:iam::aws:role-template/lambda.amazonaws.com/OffTemplate:1';
const BASE = `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/base`;
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }] });

// Assumable by the account (so the test can use the role) when the caller gives the team as external ID; the role may
// read itself and nothing else.
const TEMPLATES: RoleTemplateVersionDefinition[] = [
  {
    TemplateArn: APP,
    Description: 'An application role',
    MinorVersion: 0,
    TemplateVersionId: 'AppRoleTemplateVersion0001',
    RoleNamePattern: 'App-@{Team}',
    RolePathPattern: '/templated/',
    RoleDescriptionPattern: 'Role of @{Team}',
    AssumeRolePolicyDocumentTemplate: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': '@{Team}' } } }],
    },
    InlinePolicyTemplates: [
      { PolicyName: 'self', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/templated/App-@{Team}` }] } },
    ],
    ManagedPolicyArns: [BASE],
    ParametersDefinition: [
      { Name: 'Team', Type: 'String', IsRequired: true, Description: 'the owning team' },
      { Name: 'Tier', Type: 'String', DefaultValue: 'gold' },
    ],
    RoleTagsTemplate: [{ Key: 'team', Value: '@{Team}' }, { Key: 'tier', Value: '@{Tier}' }],
    MaxSessionDuration: 7200,
    CreateTimestamp: '2026-06-26T20:43:32Z',
  },
  { TemplateArn: OFF, MinorVersion: 0, Enabled: false, RoleNamePattern: 'Off', AssumeRolePolicyDocumentTemplate: { Version: '2012-10-17', Statement: [] } },
];

const server = useTestServer({}, { roleTemplates: TEMPLATES }, async () => {
  await iamClient(server.endpoint).send(new CreatePolicyCommand({ PolicyName: 'base', PolicyDocument: POLICY }));
});

const values = (entries: Record<string, string[]>): Record<string, ReplacementValueEntry> =>
  Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { Values: v }]));

/** A user with a key and one inline policy. */
async function userWith(name: string, statements: unknown[]): Promise<Key> {
  const iam = iamClient(server.endpoint);
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  return { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' };
}

describe('role templates', () => {
  test('GetRoleTemplateVersion returns the configured version as the SDK reads it', async () => {
    const out = (await iamClient(server.endpoint).send(new GetRoleTemplateVersionCommand({ TemplateArn: APP }))).RoleTemplateVersion;
    assert.equal(out?.TemplateName, 'AppRoleTemplate');
    assert.equal(out?.TemplateVersionId, 'AppRoleTemplateVersion0001');
    assert.equal(out?.MajorVersion, 1);
    assert.equal(out?.MinorVersion, 0);
    assert.equal(out?.DefaultMinorVersion, 0);
    assert.equal(out?.ManagedByType, 'Service');
    assert.equal(out?.ManagedByValue, 'lambda.amazonaws.com');
    assert.equal(out?.Enabled, true);
    assert.equal(out?.VersionEnabled, true);
    assert.equal(out?.RoleNamePattern, 'App-@{Team}');
    assert.deepEqual(JSON.parse(out?.AssumeRolePolicyDocumentTemplate ?? ''), TEMPLATES[0]?.AssumeRolePolicyDocumentTemplate);
    assert.deepEqual(out?.ManagedPolicyArns, [BASE]);
    assert.deepEqual(out?.ParametersDefinition, [
      { Name: 'Team', Type: 'String', IsRequired: true, Description: 'the owning team' },
      { Name: 'Tier', Type: 'String', DefaultValue: 'gold' },
    ]);
    assert.deepEqual(out?.RoleTagsTemplate, [{ Key: 'team', Value: '@{Team}' }, { Key: 'tier', Value: '@{Tier}' }]);
    assert.deepEqual(out?.CreateTimestamp, new Date('2026-06-26T20:43:32Z'));
    assert.equal(out?.MaxSessionDuration, 7200);
  });

  test('GetRoleTemplateVersion errors: NoSuchEntity, InvalidInput', async () => {
    const iam = iamClient(server.endpoint);
    const unknown = 'arn:aws:iam::aws:role-template/lambda.amazonaws.com/Unknown:1';
    assert.deepEqual(await failure(iam.send(new GetRoleTemplateVersionCommand({ TemplateArn: unknown }))), {
      name: 'NoSuchEntityException',
      message: `The role template with ARN ${unknown} cannot be found.`,
      status: 404,
    });
    assert.deepEqual(await failure(iam.send(new GetRoleTemplateVersionCommand({ TemplateArn: APP, MinorVersion: 3 }))), {
      name: 'NoSuchEntityException',
      message: `The role template with ARN ${APP} has no minor version 3.`,
      status: 404,
    });
    assert.deepEqual(await failure(iam.send(new GetRoleTemplateVersionCommand({ TemplateArn: BASE }))), {
      name: 'InvalidInputException',
      message: `ARN ${BASE} is not valid.`,
      status: 400,
    });
  });

  test('AcquireRole creates a usable role from the template, and returns it again when acquired again', async () => {
    const iam = iamClient(server.endpoint);
    const acquired = (await iam.send(new AcquireRoleCommand({ TemplateArn: APP, ReplacementValues: values({ Team: ['red'] }) }))).Role;
    assert.equal(acquired?.RoleName, 'App-red');
    assert.equal(acquired?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:role/templated/App-red`);
    assert.deepEqual(acquired?.SourceRoleTemplate, { TemplateArn: APP, TemplateMinorVersion: 0 });
    assert.deepEqual(acquired?.Tags, [{ Key: 'team', Value: 'red' }, { Key: 'tier', Value: 'gold' }]);
    const got = (await iam.send(new GetRoleCommand({ RoleName: 'App-red' }))).Role;
    assert.equal(got?.Description, 'Role of red');
    assert.equal(got?.MaxSessionDuration, 7200);
    assert.deepEqual(got?.SourceRoleTemplate, { TemplateArn: APP, TemplateMinorVersion: 0 });
    assert.equal(JSON.parse(decodeURIComponent(got?.AssumeRolePolicyDocument ?? '')).Statement[0].Condition.StringEquals['sts:ExternalId'], 'red');
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: 'App-red', PolicyName: 'self' }));
    assert.equal(JSON.parse(decodeURIComponent(inline.PolicyDocument ?? '')).Statement[0].Resource, `arn:aws:iam::${TEST_ACCOUNT_ID}:role/templated/App-red`);
    assert.deepEqual((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'App-red' }))).AttachedPolicies, [{ PolicyName: 'base', PolicyArn: BASE }]);
    const again = (await iam.send(new AcquireRoleCommand({ TemplateArn: APP, TemplateMinorVersion: 0, ReplacementValues: values({ Team: ['red'] }) }))).Role;
    assert.equal(again?.RoleId, acquired?.RoleId);

    // The role works: its session may read the role and nothing else the template did not grant.
    const assumer = await userWith('assumer', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: got?.Arn }]);
    // The trust policy took the team as its external ID.
    assert.equal((await failure(stsClient(server.endpoint, assumer).send(new AssumeRoleCommand({ RoleArn: got?.Arn, RoleSessionName: 'session', ExternalId: 'blue' })))).name, 'AccessDenied');
    const session = keyOf((await stsClient(server.endpoint, assumer).send(new AssumeRoleCommand({ RoleArn: got?.Arn, RoleSessionName: 'session', ExternalId: 'red' }))).Credentials);
    assert.equal((await iamClient(server.endpoint, session).send(new GetRoleCommand({ RoleName: 'App-red' }))).Role?.RoleId, acquired?.RoleId);
    const denied = await failure(iamClient(server.endpoint, session).send(new ListRolesCommand({})));
    assert.equal(denied.name, 'AccessDenied');
  });

  test('AcquireRole errors with their codes and statuses', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new AcquireRoleCommand({ TemplateArn: APP, ReplacementValues: values({ Team: ['blue'] }) }));
    assert.deepEqual(await failure(iam.send(new AcquireRoleCommand({ TemplateArn: APP, ReplacementValues: values({ Team: ['blue'], Tier: ['silver'] }) }))), {
      name: 'NameConflictException',
      message: 'The role name App-blue conflicts with an existing role in the account.',
      status: 409,
    });
    await iam.send(new PutRolePolicyCommand({ RoleName: 'App-blue', PolicyName: 'more', PolicyDocument: POLICY }));
    assert.deepEqual(await failure(iam.send(new AcquireRoleCommand({ TemplateArn: APP, ReplacementValues: values({ Team: ['blue'] }) }))), {
      name: 'RoleModifiedException',
      message: `The role App-blue was changed since the role template ${APP} created it.`,
      status: 409,
    });
    assert.deepEqual(await failure(iam.send(new AcquireRoleCommand({ TemplateArn: OFF }))), {
      name: 'RoleTemplateDisabledException',
      message: `The role template ${OFF} is disabled.`,
      status: 400,
    });
    assert.deepEqual(await failure(iam.send(new AcquireRoleCommand({ TemplateArn: APP }))), {
      name: 'InvalidInputException',
      message: `The role template ${APP} requires a value for the parameter Team.`,
      status: 400,
    });
    // A key __proto__ travels as a key and is refused as one, like any name the template does not define.
    const proto = JSON.parse('{"__proto__":{"Values":["x"]},"Team":{"Values":["green"]}}') as Record<string, ReplacementValueEntry>;
    assert.deepEqual(await failure(iam.send(new AcquireRoleCommand({ TemplateArn: APP, ReplacementValues: proto }))), {
      name: 'InvalidInputException',
      message: `__proto__ is not a parameter of the role template ${APP} (minor version 0).`,
      status: 400,
    });
    const tooMany = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`p${i}`, { Values: ['x'] }]));
    const validation = await failure(iam.send(new AcquireRoleCommand({ TemplateArn: APP, ReplacementValues: tooMany })));
    assert.equal(validation.name, 'ValidationError');
    assert.match(validation.message, /at 'replacementValues' failed to satisfy constraint: Member must have length less than or equal to 30$/);
    assert.equal((await failure(iam.send(new GetRoleCommand({ RoleName: 'App-green' })))).name, 'NoSuchEntityException');
  });
});

describe('AcquireRole authorization', () => {
  test('without iam:GetRoleTemplateVersion on the template, nothing is read or created', async () => {
    const key = await userWith('reader', [{ Effect: 'Allow', Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:TagRole'], Resource: '*' }]);
    assert.deepEqual(await failure(iamClient(server.endpoint, key).send(new AcquireRoleCommand({ TemplateArn: APP, ReplacementValues: values({ Team: ['t1'] }) }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/reader is not authorized to perform: iam:GetRoleTemplateVersion on resource: ${APP} because no identity-based policy allows the iam:GetRoleTemplateVersion action`,
      status: 403,
    });
  });

  test('each action the template needs is checked: a missing iam:AttachRolePolicy refuses the whole role', async () => {
    const key = await userWith('builder', [{ Effect: 'Allow', Action: ['iam:GetRoleTemplateVersion', 'iam:CreateRole', 'iam:PutRolePolicy', 'iam:TagRole'], Resource: '*' }]);
    assert.deepEqual(await failure(iamClient(server.endpoint, key).send(new AcquireRoleCommand({ TemplateArn: APP, ReplacementValues: values({ Team: ['t2'] }) }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/builder is not authorized to perform: iam:AttachRolePolicy on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:role/templated/App-t2 because no identity-based policy allows the iam:AttachRolePolicy action`,
      status: 403,
    });
    assert.equal((await failure(iamClient(server.endpoint).send(new GetRoleCommand({ RoleName: 'App-t2' })))).name, 'NoSuchEntityException');
  });

  test('permissions granted only for this template (iam:RoleTemplateARN) allow AcquireRole but not CreateRole by hand', async () => {
    const key = await userWith('templated', [
      { Effect: 'Allow', Action: 'iam:GetRoleTemplateVersion', Resource: APP },
      {
        Effect: 'Allow',
        Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:TagRole', 'iam:GetRole'],
        Resource: '*',
        Condition: { ArnEquals: { 'iam:RoleTemplateARN': APP } },
      },
    ]);
    const iam = iamClient(server.endpoint, key);
    assert.equal((await iam.send(new AcquireRoleCommand({ TemplateArn: APP, ReplacementValues: values({ Team: ['t3'] }) }))).Role?.RoleName, 'App-t3');
    // Acquiring it again only reads it, with the same key in the context.
    assert.equal((await iam.send(new AcquireRoleCommand({ TemplateArn: APP, ReplacementValues: values({ Team: ['t3'] }) }))).Role?.RoleName, 'App-t3');
    const direct = await failure(iam.send(new CreateRoleCommand({ RoleName: 'handmade', AssumeRolePolicyDocument: TRUST })));
    assert.equal(direct.name, 'AccessDenied');
    assert.equal((await failure(iam.send(new GetRoleCommand({ RoleName: 'App-t3' })))).name, 'AccessDenied');
  });

  test('a Deny on a non-null iam:RoleTemplateARN (the User Guide\'s example) blocks templated creation only', async () => {
    const key = await userWith('untemplated', [
      { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { Null: { 'iam:RoleTemplateARN': 'false' } } },
    ]);
    const iam = iamClient(server.endpoint, key);
    const denied = await failure(iam.send(new AcquireRoleCommand({ TemplateArn: APP, ReplacementValues: values({ Team: ['t4'] }) })));
    assert.equal(denied.name, 'AccessDenied');
    assert.match(denied.message, /iam:GetRoleTemplateVersion on resource: .* with an explicit deny in an identity-based policy$/);
    assert.equal((await iam.send(new GetRoleTemplateVersionCommand({ TemplateArn: APP }))).RoleTemplateVersion?.TemplateName, 'AppRoleTemplate');
    assert.equal((await iam.send(new CreateRoleCommand({ RoleName: 'by-hand', AssumeRolePolicyDocument: TRUST }))).Role?.RoleName, 'by-hand');
  });
});

// Debian's botocore (boto3 and the AWS CLI alike) predates these operations: both load the repository's IAM model
// from AWS_DATA_PATH, laid out as botocore's data directory.
const dataPath = mkdtempSync(join(tmpdir(), 'gatehouse-model-'));
mkdirSync(join(dataPath, 'iam', '2010-05-08'), { recursive: true });
cpSync(new URL('../src/protocol/models/iam.json', import.meta.url), join(dataPath, 'iam', '2010-05-08', 'service-2.json'));
after(() => rmSync(dataPath, { recursive: true, force: true }));

describe('role templates through boto3 and the AWS CLI', () => {
  test('boto3: read a version, acquire a role twice, errors', async () => {
    const seen = await runBoto3Script<Record<string, unknown>>('boto3_role_templates.py', server.endpoint, { AWS_DATA_PATH: dataPath, TEMPLATE_ARN: APP });
    assert.deepEqual(seen['version'], {
      TemplateName: 'AppRoleTemplate',
      MajorVersion: 1,
      MinorVersion: 0,
      RoleNamePattern: 'App-@{Team}',
      ParametersDefinition: [
        { Name: 'Team', Type: 'String', IsRequired: true, Description: 'the owning team' },
        { Name: 'Tier', Type: 'String', DefaultValue: 'gold' },
      ],
    });
    assert.equal(seen['create_timestamp_type'], 'datetime');
    assert.deepEqual(seen['acquired'], { RoleName: 'App-py', Path: '/templated/', SourceRoleTemplate: { TemplateArn: APP, TemplateMinorVersion: 0 } });
    // botocore decodes the URL-encoded trust policy into a dict, as it does for CreateRole.
    assert.equal(seen['trust_policy_type'], 'dict');
    assert.equal(seen['again_same_id'], true);
    assert.deepEqual(seen['get_role_source'], { TemplateArn: APP, TemplateMinorVersion: 0 });
    assert.deepEqual(seen['conflict'], { code: 'NameConflict', message: 'The role name App-py conflicts with an existing role in the account.', status: 409 });
    assert.deepEqual(seen['unknown_parameter'], { code: 'InvalidInput', message: `constructor is not a parameter of the role template ${APP} (minor version 0).`, status: 400 });
    const nothing = APP.replace('AppRoleTemplate', 'Nothing');
    assert.deepEqual(seen['no_such_template'], { code: 'NoSuchEntity', message: `The role template with ARN ${nothing} cannot be found.`, status: 404 });
  });

  test('AWS CLI v2: get-role-template-version and acquire-role with --replacement-values', async () => {
    const env = { AWS_DATA_PATH: dataPath };
    const got = await awsCli(server.endpoint, ['iam', 'get-role-template-version', '--template-arn', APP, '--minor-version', '0'], undefined, env);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(JSON.parse(got.stdout).RoleTemplateVersion.TemplateName, 'AppRoleTemplate');
    const acquired = await awsCli(server.endpoint, ['iam', 'acquire-role', '--template-arn', APP, '--replacement-values', JSON.stringify({ Team: { Values: ['cli'] } })], undefined, env);
    assert.equal(acquired.code, 0, acquired.stderr);
    const role = JSON.parse(acquired.stdout).Role;
    assert.equal(role.RoleName, 'App-cli');
    assert.deepEqual(role.SourceRoleTemplate, { TemplateArn: APP, TemplateMinorVersion: 0 });
    const disabled = await awsCli(server.endpoint, ['iam', 'acquire-role', '--template-arn', OFF], undefined, env);
    assert.equal(disabled.code, 254);
    assert.match(disabled.stderr, /An error occurred \(RoleTemplateDisabled\) when calling the AcquireRole operation: The role template .*OffTemplate:1 is disabled\./);
  });
});

test('a server given a template it cannot serve does not start', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  try {
    const config = loadConfig({ port: 0, dataDir, host: '127.0.0.1' }, { GATEHOUSE_LOG_LEVEL: 'silent' });
    const broken = { ...TEMPLATES[0], ManagedPolicyArns: ['not-a-policy'] } as RoleTemplateVersionDefinition;
    await assert.rejects(startServer(config, { roleTemplates: [broken] }), (error: unknown) => error instanceof ConfigError && /ManagedPolicyArns\[0\] must be an IAM policy ARN/.test(error.message));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
