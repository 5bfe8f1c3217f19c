// IAM account properties (GetAccountProperties, PutAccountProperties: IAM role manager's RoleManager/Enabled) and
// GetHumanReadableSummary of delegation requests, against a real server: the AWS SDK for JavaScript v3, and Debian's
// boto3 and AWS CLI v2 pointed at the repository's IAM model through AWS_DATA_PATH (their own models predate these
// operations).
//
// The role manager texts are AWS's answers as recorded in a public capture of PutAccountProperties ("Property key must
// be in format Namespace/PropertyName: …", "Unsupported namespace: …", "All properties must belong to the same
// namespace", "Enabled must be 'true' or 'false'") and the IAM User Guide, "Create roles automatically with role
// manager" (the property, its values, the default, the permissions enabling needs).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AssociateDelegationRequestCommand,
  CreateAccessKeyCommand,
  CreateDelegationRequestCommand,
  CreateUserCommand,
  GetAccountPropertiesCommand,
  GetHumanReadableSummaryCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  PutAccountPropertiesCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { awsCli } from './helpers/aws-cli.js';
import { repositoryModelDataPath, type ModelDataPath } from './helpers/aws-data-path.js';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, iamClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer, type TestServerHandle } from './helpers/server.js';

const ROLE = 'AWSServiceRoleForIAMRoleManager';
const SERVICE = 'role-manager.iam.amazonaws.com';
const ROLE_ARN = `arn:aws:iam::${TEST_ACCOUNT_ID}:role/aws-service-role/${SERVICE}/${ROLE}`;
const ROLE_POLICY = 'arn:aws:iam::aws:policy/aws-service-role/AWSIAMRoleManagerServiceRolePolicy';

async function userKey(server: TestServerHandle, name: string, policy: object): Promise<Key> {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: name }));
  await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) }));
  const key = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  return { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' };
}

const enabled = async (server: TestServerHandle): Promise<Record<string, string> | undefined> =>
  (await iamClient(server.endpoint).send(new GetAccountPropertiesCommand({}))).Properties;

describe('account properties (SDK v3)', () => {
  const server = useTestServer();

  test('role manager: off by default; enabling makes its service-linked role; disabling keeps the role', async () => {
    const iam = iamClient(server.endpoint);
    assert.deepEqual(await enabled(server), { 'RoleManager/Enabled': 'false' });
    assert.equal(await failure(iam.send(new GetRoleCommand({ RoleName: ROLE }))).then((e) => e.status), 404);
    await iam.send(new PutAccountPropertiesCommand({ Properties: { 'RoleManager/Enabled': 'true' } }));
    assert.deepEqual(await enabled(server), { 'RoleManager/Enabled': 'true' });
    const role = (await iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role;
    assert.equal(role?.Arn, ROLE_ARN);
    const trust = JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? '')) as { Statement: Array<{ Principal: { Service: string[] } }> };
    assert.deepEqual(trust.Statement.map((s) => s.Principal.Service), [[SERVICE]]);
    assert.deepEqual((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ROLE }))).AttachedPolicies, [
      { PolicyName: 'AWSIAMRoleManagerServiceRolePolicy', PolicyArn: ROLE_POLICY },
    ]);
    await iam.send(new PutAccountPropertiesCommand({ Properties: { 'RoleManager/Enabled': 'false' } }));
    assert.deepEqual(await enabled(server), { 'RoleManager/Enabled': 'false' });
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role?.RoleId, role?.RoleId);
  });

  const refused: ReadonlyArray<[Record<string, string>, string, string]> = [
    [{ RoleManager: 'true' }, 'InvalidInput', 'Property key must be in format Namespace/PropertyName: RoleManager'],
    [{ 'Other/Enabled': 'true' }, 'InvalidInput', 'Unsupported namespace: Other'],
    [{ 'RoleManager/Enabled': 'true', 'Other/Enabled': 'true' }, 'InvalidInput', 'All properties must belong to the same namespace'],
    [{ 'RoleManager/Other': 'true' }, 'InvalidInput', 'RoleManager namespace requires Enabled property'],
    [{ 'RoleManager/Enabled': 'True' }, 'InvalidInput', "Enabled must be 'true' or 'false'"],
    [{ 'constructor/Enabled': 'true' }, 'InvalidInput', 'Unsupported namespace: constructor'],
  ];
  for (const [properties, code, message] of refused) {
    test(`${JSON.stringify(properties)}: ${code}, the setting unchanged`, async () => {
      const iam = iamClient(server.endpoint);
      const before = await enabled(server);
      const error = await failure(iam.send(new PutAccountPropertiesCommand({ Properties: properties })));
      assert.deepEqual(error, { name: `${code}Exception`, message, status: 400 });
      assert.deepEqual(await enabled(server), before);
    });
  }

  test('a __proto__ key is data: refused by the key pattern, nothing polluted, the server answers on', async () => {
    const iam = iamClient(server.endpoint);
    const error = await failure(iam.send(new PutAccountPropertiesCommand({ Properties: JSON.parse('{"__proto__":"true"}') as Record<string, string> })));
    assert.equal(error.name, 'ValidationError');
    assert.equal(error.status, 400);
    assert.match(error.message, /Value '__proto__' at 'properties[^']*' failed to satisfy constraint: Member must satisfy regular expression pattern: \^\[A-Za-z\]/);
    assert.deepEqual(await enabled(server), { 'RoleManager/Enabled': 'false' });
  });

  test('an empty map: the SDK sends nothing, and the request is refused as missing its member', async () => {
    const error = await failure(iamClient(server.endpoint).send(new PutAccountPropertiesCommand({ Properties: {} })));
    assert.equal(error.name, 'ValidationError');
    assert.equal(error.status, 400);
    assert.match(error.message, /at 'properties' failed to satisfy constraint: Member must not be null$/);
  });

  test('enabling needs iam:CreateServiceLinkedRole on the role as well; disabling does not', async () => {
    const deny = await userKey(server, 'no-slr', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:PutAccountProperties', 'iam:GetAccountProperties'], Resource: '*' },
        { Effect: 'Deny', Action: 'iam:CreateServiceLinkedRole', Resource: '*' },
      ],
    });
    const user = iamClient(server.endpoint, deny);
    assert.deepEqual(await failure(user.send(new PutAccountPropertiesCommand({ Properties: { 'RoleManager/Enabled': 'true' } }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/no-slr is not authorized to perform: iam:CreateServiceLinkedRole on resource: ${ROLE_ARN} with an explicit deny in an identity-based policy`,
      status: 403,
    });
    assert.deepEqual((await user.send(new GetAccountPropertiesCommand({}))).Properties, { 'RoleManager/Enabled': 'false' });
    await user.send(new PutAccountPropertiesCommand({ Properties: { 'RoleManager/Enabled': 'false' } }));

    const none = iamClient(server.endpoint, await userKey(server, 'nothing', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }] }));
    assert.deepEqual(await failure(none.send(new GetAccountPropertiesCommand({}))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/nothing is not authorized to perform: iam:GetAccountProperties on resource: * because no identity-based policy allows the iam:GetAccountProperties action`,
      status: 403,
    });
  });

  test('iam:AccountPropertyNamespaces and iam:AWSServiceName scope the grants (the SCP example of the IAM User Guide)', async () => {
    const scoped = iamClient(
      server.endpoint,
      await userKey(server, 'scoped', {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['iam:PutAccountProperties', 'iam:GetAccountProperties'],
            Resource: '*',
            Condition: { 'ForAnyValue:StringEquals': { 'iam:AccountPropertyNamespaces': 'RoleManager' } },
          },
          { Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: '*', Condition: { StringEquals: { 'iam:AWSServiceName': SERVICE } } },
        ],
      }),
    );
    await scoped.send(new PutAccountPropertiesCommand({ Properties: { 'RoleManager/Enabled': 'true' } }));
    assert.deepEqual((await scoped.send(new GetAccountPropertiesCommand({}))).Properties, { 'RoleManager/Enabled': 'true' });
    // A namespace the grant does not name is not allowed to reach the check of its own.
    const other = await failure(scoped.send(new PutAccountPropertiesCommand({ Properties: { 'Other/Enabled': 'true' } })));
    assert.deepEqual([other.name, other.status], ['AccessDenied', 403]);
    await scoped.send(new PutAccountPropertiesCommand({ Properties: { 'RoleManager/Enabled': 'false' } }));

    const elsewhere = iamClient(
      server.endpoint,
      await userKey(server, 'elsewhere', {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'iam:AccountPropertyNamespaces': 'Other' } } }],
      }),
    );
    assert.deepEqual([(await failure(elsewhere.send(new GetAccountPropertiesCommand({})))).name], ['AccessDenied']);
  });
});

describe('GetHumanReadableSummary (SDK v3)', () => {
  const server = useTestServer();
  const CREATE = {
    Description: 'Deploy the monitoring stack',
    Permissions: { PolicyTemplateArn: 'arn:aws:iam::aws:policy-template/Monitoring', Parameters: [{ Name: 'bucket', Values: ['logs'], Type: 'string' as const }] },
    RequestorWorkflowId: 'workflow-1',
    NotificationChannel: `arn:aws:sns:us-east-1:${TEST_ACCOUNT_ID}:delegation`,
    SessionDuration: 7200,
  };
  const arnOf = (id: string): string => `arn:aws:iam::${TEST_ACCOUNT_ID}:delegation-request/${id}`;

  test('a delegation request summarized in English; another language NOT_SUPPORTED; other entities and missing requests refused', async () => {
    const iam = iamClient(server.endpoint);
    const id = (await iam.send(new CreateDelegationRequestCommand(CREATE))).DelegationRequestId ?? '';
    const out = await iam.send(new GetHumanReadableSummaryCommand({ EntityArn: arnOf(id) }));
    assert.deepEqual([out.SummaryState, out.Locale], ['AVAILABLE', 'en']);
    assert.equal(out.SummaryContent?.split('\n')[0], `# Delegation request \`${id}\``);
    assert.match(out.SummaryContent ?? '', /for sessions of up to 2 hours\./);
    assert.match(out.SummaryContent ?? '', /^- `bucket` \(`string`\): `logs`$/m);
    assert.match(out.SummaryContent ?? '', /^> Deploy the monitoring stack$/m);
    const us = await iam.send(new GetHumanReadableSummaryCommand({ EntityArn: arnOf(id), Locale: 'en-US' }));
    assert.deepEqual([us.SummaryState, us.Locale, us.SummaryContent], ['AVAILABLE', 'en-US', out.SummaryContent]);
    const ja = await iam.send(new GetHumanReadableSummaryCommand({ EntityArn: arnOf(id), Locale: 'ja-JP' }));
    assert.deepEqual([ja.SummaryState, ja.Locale, ja.SummaryContent ?? ''], ['NOT_SUPPORTED', 'ja-JP', '']);

    const role = `arn:aws:iam::${TEST_ACCOUNT_ID}:role/admin`;
    assert.deepEqual(await failure(iam.send(new GetHumanReadableSummaryCommand({ EntityArn: role }))), {
      name: 'InvalidInputException',
      message: `Unsupported entity type for EntityArn: ${role}. The only supported entity type is delegation-request.`,
      status: 400,
    });
    const missing = 'dr-00000000000000000000000000000000';
    assert.deepEqual(await failure(iam.send(new GetHumanReadableSummaryCommand({ EntityArn: arnOf(missing) }))), {
      name: 'NoSuchEntityException',
      message: `The delegation request with id ${missing} cannot be found.`,
      status: 404,
    });
  });

  test('authorized on the delegation request, with iam:DelegationRequestOwner once it is owned', async () => {
    const root = iamClient(server.endpoint);
    const id = (await root.send(new CreateDelegationRequestCommand(CREATE))).DelegationRequestId ?? '';
    const reader = iamClient(
      server.endpoint,
      await userKey(server, 'summary-reader', {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'iam:GetHumanReadableSummary',
            // Gatehouse's policy validator, like AWS's recorded text, lists no delegation-request/ resource type.
            Resource: '*',
            Condition: { StringEquals: { 'iam:DelegationRequestOwner': `arn:aws:iam::${TEST_ACCOUNT_ID}:root` } },
          },
        ],
      }),
    );
    assert.deepEqual(await failure(reader.send(new GetHumanReadableSummaryCommand({ EntityArn: arnOf(id) }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/summary-reader is not authorized to perform: iam:GetHumanReadableSummary on resource: ${arnOf(id)} because no identity-based policy allows the iam:GetHumanReadableSummary action`,
      status: 403,
    });
    await root.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id }));
    assert.equal((await reader.send(new GetHumanReadableSummaryCommand({ EntityArn: arnOf(id) }))).SummaryState, 'AVAILABLE');
  });
});

describe('boto3 and the AWS CLI v2 with the repository model (AWS_DATA_PATH)', () => {
  const server = useTestServer();
  let models: ModelDataPath | undefined;
  before(() => {
    models = repositoryModelDataPath();
  });
  after(() => models?.remove());
  const dataPath = (): Record<string, string> => ({ AWS_DATA_PATH: models?.path ?? '' });

  test('boto3: enable, read back, refusals, disable; a delegation request summarized', async () => {
    type Failure = { code: string; message: string; status: number } | null;
    const seen = await runBoto3Script<{
      initial: Record<string, string>;
      enabled: Record<string, string>;
      role: { Path: string; Arn: string };
      attached: string[];
      bad_value: Failure;
      unknown_namespace: Failure;
      mixed: Failure;
      empty: Failure;
      disabled: Record<string, string>;
      summary: { state: string; locale: string; first_line: string; id: string };
      summary_fr: { state: string; locale: string; content: string | null };
      summary_role: Failure;
    }>('boto3_account_properties.py', server.endpoint, dataPath());
    assert.deepEqual(seen.initial, { 'RoleManager/Enabled': 'false' });
    assert.deepEqual(seen.enabled, { 'RoleManager/Enabled': 'true' });
    assert.deepEqual(seen.role, { Path: `/aws-service-role/${SERVICE}/`, Arn: ROLE_ARN });
    assert.deepEqual(seen.attached, ['AWSIAMRoleManagerServiceRolePolicy']);
    assert.deepEqual(seen.bad_value, { code: 'InvalidInput', message: "Enabled must be 'true' or 'false'", status: 400 });
    assert.deepEqual(seen.unknown_namespace, { code: 'InvalidInput', message: 'Unsupported namespace: Other', status: 400 });
    assert.deepEqual(seen.mixed, { code: 'InvalidInput', message: 'All properties must belong to the same namespace', status: 400 });
    assert.equal(seen.empty?.code, 'ValidationError');
    assert.match(seen.empty?.message ?? '', /at 'properties' failed to satisfy constraint: Member must not be null$/);
    assert.deepEqual(seen.disabled, { 'RoleManager/Enabled': 'false' });
    assert.deepEqual([seen.summary.state, seen.summary.locale, seen.summary.first_line], ['AVAILABLE', 'en', `# Delegation request \`${seen.summary.id}\``]);
    assert.deepEqual([seen.summary_fr.state, seen.summary_fr.locale, seen.summary_fr.content ?? ''], ['NOT_SUPPORTED', 'fr-FR', '']);
    assert.equal(seen.summary_role?.code, 'InvalidInput');
  });

  test('AWS CLI v2: the User Guide\'s commands, and a summary', async () => {
    const env = dataPath();
    const put = await awsCli(server.endpoint, ['iam', 'put-account-properties', '--properties', 'RoleManager/Enabled=true'], undefined, env);
    assert.equal(put.code, 0, put.stderr);
    const got = await awsCli(server.endpoint, ['iam', 'get-account-properties'], undefined, env);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(JSON.parse(got.stdout), { Properties: { 'RoleManager/Enabled': 'true' } });
    const bad = await awsCli(server.endpoint, ['iam', 'put-account-properties', '--properties', 'RoleManager/Enabled=maybe'], undefined, env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /\(InvalidInput\) when calling the PutAccountProperties operation: Enabled must be 'true' or 'false'/);
    const off = await awsCli(server.endpoint, ['iam', 'put-account-properties', '--properties', 'RoleManager/Enabled=false'], undefined, env);
    assert.equal(off.code, 0, off.stderr);
    assert.deepEqual(await enabled(server), { 'RoleManager/Enabled': 'false' });

    const id = (
      await iamClient(server.endpoint).send(
        new CreateDelegationRequestCommand({
          Description: 'CLI request',
          Permissions: { PolicyTemplateArn: 'arn:aws:iam::aws:policy-template/Monitoring' },
          RequestorWorkflowId: 'cli-workflow',
          NotificationChannel: `arn:aws:sns:us-east-1:${TEST_ACCOUNT_ID}:delegation`,
          SessionDuration: 900,
        }),
      )
    ).DelegationRequestId;
    const summary = await awsCli(
      server.endpoint,
      ['iam', 'get-human-readable-summary', '--entity-arn', `arn:aws:iam::${TEST_ACCOUNT_ID}:delegation-request/${id}`, '--locale', 'en-US'],
      undefined,
      env,
    );
    assert.equal(summary.code, 0, summary.stderr);
    const parsed = JSON.parse(summary.stdout) as { SummaryState: string; Locale: string; SummaryContent: string };
    assert.deepEqual([parsed.SummaryState, parsed.Locale], ['AVAILABLE', 'en-US']);
    assert.match(parsed.SummaryContent, /for sessions of up to 15 minutes\./);
    assert.match(parsed.SummaryContent, /^It sets no template parameters\.$/m);
  });
});
