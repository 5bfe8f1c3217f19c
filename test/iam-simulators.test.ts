// IAM's policy simulators against a real server, through the AWS SDK for JavaScript v3, Debian's AWS CLI v2 and
// boto3: decisions, matched statements with their positions, missing context values, context entry types,
// cross-account details, pagination, refusals with AWS's errors, and the authorization of each operation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  GetContextKeysForCustomPolicyCommand,
  GetContextKeysForPrincipalPolicyCommand,
  ListUserPoliciesCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  TagUserCommand,
  type EvaluationResult,
} from '@aws-sdk/client-iam';
import { awsCli } from './helpers/aws-cli.js';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, iamClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const ALICE = `arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice`;
const OTHER = '444455556666';
// Pretty-printed, so positions span lines: the Deny statement runs from line 10 to line 14.
const ALICE_POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:*", "sqs:SendMessage"],
      "Resource": "*",
      "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    },
    {
      "Effect": "Deny",
      "Action": "s3:DeleteBucket",
      "Resource": "*"
    }
  ]
}`;
const doc = (...statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const SOURCE_IP = [{ ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['10.1.2.3'], ContextKeyType: 'ip' as const }];

let limited: Key;
let lead: Key;
const server = useTestServer({}, {}, async () => {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: 'alice' }));
  await root.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'storage', PolicyDocument: ALICE_POLICY }));
  await root.send(new CreatePolicyCommand({ PolicyName: 'Boundary', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) }));
  await root.send(new PutUserPermissionsBoundaryCommand({ UserName: 'alice', PermissionsBoundary: `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/Boundary` }));
  await root.send(new CreatePolicyCommand({ PolicyName: 'Logs', PolicyDocument: doc({ Effect: 'Allow', Action: 'logs:*', Resource: '*' }) }));
  await root.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/Logs` }));
  // May simulate alice's policies, nobody else's, and no custom policy.
  await root.send(new CreateUserCommand({ UserName: 'auditor' }));
  await root.send(new PutUserPolicyCommand({ UserName: 'auditor', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: ['iam:SimulatePrincipalPolicy', 'iam:GetContextKeysForPrincipalPolicy'], Resource: ALICE }) }));
  await root.send(new CreateUserCommand({ UserName: 'bob' }));
  const key = (await root.send(new CreateAccessKeyCommand({ UserName: 'auditor' }))).AccessKey;
  limited = { accessKeyId: key?.AccessKeyId as string, secretAccessKey: key?.SecretAccessKey as string };
  // May simulate the users tagged team=red, whoever they are.
  await root.send(new TagUserCommand({ UserName: 'alice', Tags: [{ Key: 'team', Value: 'red' }] }));
  await root.send(new CreateUserCommand({ UserName: 'lead' }));
  await root.send(new PutUserPolicyCommand({ UserName: 'lead', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/*`, Condition: { StringEquals: { 'iam:ResourceTag/team': 'red' } } }) }));
  const leadKey = (await root.send(new CreateAccessKeyCommand({ UserName: 'lead' }))).AccessKey;
  lead = { accessKeyId: leadKey?.AccessKeyId as string, secretAccessKey: leadKey?.SecretAccessKey as string };
});

const summary = (results: EvaluationResult[] | undefined): string[] => (results ?? []).map((r) => `${r.EvalActionName}=${r.EvalDecision}`);

describe('SDK v3', () => {
  test('SimulatePrincipalPolicy: decisions, sources and positions, boundary detail, missing context values', async () => {
    const iam = iamClient(server.endpoint);
    const missing = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: ALICE, ActionNames: ['s3:GetObject'] }));
    assert.deepEqual(summary(missing.EvaluationResults), ['s3:GetObject=implicitDeny']);
    assert.deepEqual(missing.EvaluationResults?.[0]?.MissingContextValues, ['aws:SourceIp']);

    const result = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: ALICE, ActionNames: ['s3:GetObject', 's3:DeleteBucket', 'sqs:SendMessage', 'logs:PutLogEvents'], ContextEntries: SOURCE_IP }));
    assert.deepEqual(summary(result.EvaluationResults), ['s3:GetObject=allowed', 's3:DeleteBucket=explicitDeny', 'sqs:SendMessage=implicitDeny', 'logs:PutLogEvents=implicitDeny']);
    const [get, deleteBucket, send] = result.EvaluationResults ?? [];
    assert.deepEqual(deleteBucket?.MatchedStatements, [{ SourcePolicyId: 'storage', SourcePolicyType: 'user', StartPosition: { Line: 10, Column: 6 }, EndPosition: { Line: 14, Column: 6 } }]);
    assert.deepEqual(get?.MatchedStatements?.map((m) => [m.SourcePolicyType, m.SourcePolicyId, m.StartPosition?.Line, m.EndPosition?.Line]), [
      ['user', 'storage', 4, 9],
      ['user-managed', 'Boundary', 1, 1],
    ]);
    assert.deepEqual([get?.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary, send?.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary], [true, false]);
    assert.deepEqual(get?.MissingContextValues, []);
    // '*' within one account: no EvalDecisionDetails.
    assert.equal(get?.EvalDecisionDetails, undefined);
    // A resource of the same account: EvalDecisionDetails present but empty, and one resource specific result.
    const own = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: ALICE, ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::photos/x'], ResourceOwner: `arn:aws:iam::${TEST_ACCOUNT_ID}:root`, ContextEntries: SOURCE_IP }));
    assert.deepEqual(own.EvaluationResults?.[0]?.EvalDecisionDetails, {});
    assert.deepEqual(own.EvaluationResults?.[0]?.ResourceSpecificResults?.map((r) => [r.EvalResourceName, r.EvalResourceDecision, r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary]), [['arn:aws:s3:::photos/x', 'allowed', true]]);
  });

  test('SimulateCustomPolicy: cross-account details, a resource specific result, pagination', async () => {
    const iam = iamClient(server.endpoint);
    const bucket = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:user/carol` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' });
    const result = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })],
        ActionNames: ['s3:GetObject', 's3:PutObject'],
        ResourceArns: ['arn:aws:s3:::photos/cat.jpg'],
        ResourcePolicy: bucket,
        ResourceOwner: `arn:aws:iam::${TEST_ACCOUNT_ID}:root`,
        CallerArn: `arn:aws:iam::${OTHER}:user/carol`,
      }),
    );
    assert.deepEqual(summary(result.EvaluationResults), ['s3:GetObject=allowed', 's3:PutObject=implicitDeny']);
    assert.deepEqual(result.EvaluationResults?.map((r) => r.EvalDecisionDetails), [
      { 'IAM Policy': 'allowed', 'Resource Policy': 'allowed' },
      { 'IAM Policy': 'allowed', 'Resource Policy': 'implicitDeny' },
    ]);
    assert.deepEqual(result.EvaluationResults?.[0]?.ResourceSpecificResults?.map((r) => [r.EvalResourceName, r.EvalResourceDecision]), [['arn:aws:s3:::photos/cat.jpg', 'allowed']]);
    assert.deepEqual(result.EvaluationResults?.[0]?.MatchedStatements?.map((m) => m.SourcePolicyId), ['PolicyInputList.1', 'ResourcePolicy']);

    const actions = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'];
    const first = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [doc({ Effect: 'Allow', Action: 's3:Get*', Resource: '*' })], ActionNames: actions, MaxItems: 2 }));
    assert.deepEqual([summary(first.EvaluationResults), first.IsTruncated], [['s3:GetObject=allowed', 's3:PutObject=implicitDeny'], true]);
    const rest = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [doc({ Effect: 'Allow', Action: 's3:Get*', Resource: '*' })], ActionNames: actions, MaxItems: 2, Marker: first.Marker }));
    assert.deepEqual([summary(rest.EvaluationResults), rest.IsTruncated], [['s3:DeleteObject=implicitDeny'], false]);
  });

  test('context entries of every list type reach the conditions', async () => {
    const iam = iamClient(server.endpoint);
    const policy = doc({ Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*', Condition: { 'ForAllValues:NumericLessThan': { 'test:n': '10' }, 'ForAnyValue:IpAddress': { 'test:ip': '192.0.2.0/24' }, DateLessThan: { 'test:d': '2030-01-01T00:00:00Z' }, Bool: { 'test:b': 'true' } } });
    const entries = (n: string[]) => [
      { ContextKeyName: 'test:n', ContextKeyValues: n, ContextKeyType: 'numericList' as const },
      { ContextKeyName: 'test:ip', ContextKeyValues: ['198.51.100.1', '192.0.2.9'], ContextKeyType: 'ipList' as const },
      { ContextKeyName: 'test:d', ContextKeyValues: ['2027-05-01T00:00:00Z'], ContextKeyType: 'date' as const },
      { ContextKeyName: 'test:b', ContextKeyValues: ['true'], ContextKeyType: 'boolean' as const },
    ];
    const allowed = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames: ['ec2:RunInstances'], ContextEntries: entries(['1', '9']) }));
    const denied = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames: ['ec2:RunInstances'], ContextEntries: entries(['1', '11']) }));
    assert.deepEqual([summary(allowed.EvaluationResults), summary(denied.EvaluationResults)], [['ec2:RunInstances=allowed'], ['ec2:RunInstances=implicitDeny']]);
    const bad = await failure(iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames: ['ec2:RunInstances'], ContextEntries: entries(['nine']) })));
    assert.deepEqual(bad, { name: 'InvalidInputException', message: 'Invalid value "nine" for context key test:n of type numericList.', status: 400 });
  });

  test('refusals: a malformed policy, an unknown source, a bad ResourceHandlingOption; nothing changes', async () => {
    const iam = iamClient(server.endpoint);
    const malformed = await failure(iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: ['{"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}'], ActionNames: ['s3:GetObject'] })));
    assert.deepEqual(malformed, { name: 'InvalidInputException', message: 'PolicyInputList.1: Policy statement must contain resources.', status: 400 });
    const unknown = await failure(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/nobody`, ActionNames: ['s3:GetObject'] })));
    assert.deepEqual(unknown, { name: 'NoSuchEntityException', message: 'The role with name nobody cannot be found.', status: 404 });
    const option = await failure(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: ALICE, ActionNames: ['ec2:RunInstances'], ResourceHandlingOption: 'EC2-VPC-EBS', ResourceArns: [`arn:aws:ec2:us-east-1:${TEST_ACCOUNT_ID}:instance/*`] })));
    assert.equal(option.name, 'InvalidInputException');
    assert.match(option.message, /^ResourceHandlingOption EC2-VPC-EBS requires ResourceArns for each of/);
    // The simulations wrote nothing: alice still has exactly her one inline policy.
    assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'alice' }))).PolicyNames, ['storage']);
  });

  test('authorized per the Service Authorization Reference: the simulated principal’s ARN, or *', async () => {
    const iam = iamClient(server.endpoint, limited);
    const own = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: ALICE, ActionNames: ['s3:GetObject'], ContextEntries: SOURCE_IP }));
    assert.deepEqual(summary(own.EvaluationResults), ['s3:GetObject=allowed']);
    const bob = `arn:aws:iam::${TEST_ACCOUNT_ID}:user/bob`;
    assert.deepEqual(await failure(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: bob, ActionNames: ['s3:GetObject'] }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/auditor is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${bob} because no identity-based policy allows the iam:SimulatePrincipalPolicy action`,
      status: 403,
    });
    const custom = await failure(iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [doc({ Effect: 'Allow', Action: '*', Resource: '*' })], ActionNames: ['s3:GetObject'] })));
    assert.deepEqual([custom.name, custom.message.includes('iam:SimulateCustomPolicy on resource: *')], ['AccessDenied', true]);
  });

  test('PolicyExclusionList (newer than Debian’s CLI and boto3 models): the boundary and an inline policy left out', async () => {
    const iam = iamClient(server.endpoint);
    const result = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: ALICE,
        ActionNames: ['logs:PutLogEvents', 's3:DeleteBucket'],
        PolicyExclusionList: [{ PolicyType: 'permission-boundary' }, { InlinePolicyIdentifier: { PolicyName: 'storage', AttachmentType: 'user', AttachmentName: 'alice' } }],
      }),
    );
    assert.deepEqual(summary(result.EvaluationResults), ['logs:PutLogEvents=allowed', 's3:DeleteBucket=implicitDeny']);
    assert.deepEqual(result.EvaluationResults?.[0]?.MatchedStatements?.map((m) => [m.SourcePolicyType, m.SourcePolicyId]), [['user-managed', 'Logs']]);
  });

  test('iam:ResourceTag of the simulated user decides the authorization', async () => {
    const iam = iamClient(server.endpoint, lead);
    assert.deepEqual(summary((await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: ALICE, ActionNames: ['logs:PutLogEvents'] }))).EvaluationResults), ['logs:PutLogEvents=implicitDeny']);
    const untagged = await failure(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/bob`, ActionNames: ['logs:PutLogEvents'] })));
    assert.deepEqual([untagged.name, untagged.status], ['AccessDenied', 403]);
  });

  test('GetContextKeysForPrincipalPolicy and GetContextKeysForCustomPolicy', async () => {
    const iam = iamClient(server.endpoint);
    const principal = await iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: ALICE }));
    assert.deepEqual(principal.ContextKeyNames, ['aws:SourceIp']);
    const custom = await iam.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: [doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:username}/*', Condition: { StringEquals: { 's3:prefix': 'x' } } })] }));
    assert.deepEqual(custom.ContextKeyNames, ['aws:username', 's3:prefix']);
  });
});

describe('AWS CLI v2', () => {
  test('simulate-principal-policy and simulate-custom-policy, with context entries and --max-items', async () => {
    const principal = await awsCli(server.endpoint, ['iam', 'simulate-principal-policy', '--policy-source-arn', ALICE, '--action-names', 's3:GetObject', 's3:DeleteBucket', '--context-entries', 'ContextKeyName=aws:SourceIp,ContextKeyValues=10.1.2.3,ContextKeyType=ip']);
    assert.equal(principal.code, 0, principal.stderr);
    const results = (JSON.parse(principal.stdout) as { EvaluationResults: EvaluationResult[] }).EvaluationResults;
    assert.deepEqual(summary(results), ['s3:GetObject=allowed', 's3:DeleteBucket=explicitDeny']);
    assert.deepEqual(results[1]?.MatchedStatements?.[0]?.StartPosition, { Line: 10, Column: 6 });

    const custom = await awsCli(server.endpoint, ['iam', 'simulate-custom-policy', '--policy-input-list', doc({ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }), '--action-names', 'sqs:SendMessage', 'sqs:DeleteQueue', 's3:GetObject', '--max-items', '2']);
    assert.equal(custom.code, 0, custom.stderr);
    const page = JSON.parse(custom.stdout) as { EvaluationResults: EvaluationResult[]; NextToken?: string };
    assert.deepEqual(summary(page.EvaluationResults), ['sqs:SendMessage=allowed', 'sqs:DeleteQueue=allowed']);
    assert.ok(page.NextToken !== undefined, 'the CLI offers the next page');

    const malformed = await awsCli(server.endpoint, ['iam', 'simulate-custom-policy', '--policy-input-list', '{"Version":', '--action-names', 's3:GetObject']);
    assert.notEqual(malformed.code, 0);
    assert.match(malformed.stderr, /An error occurred \(InvalidInput\) when calling the SimulateCustomPolicy operation: PolicyInputList\.1: Syntax errors in policy\./);
  });
});

describe('boto3', () => {
  test('simulate_principal_policy through a paginator, simulate_custom_policy and their errors', async () => {
    const seen = await runBoto3Script<Record<string, unknown>>('boto3_policy_simulators.py', server.endpoint, { SOURCE_ARN: ALICE });
    assert.deepEqual(seen, {
      pages: [['s3:GetObject=allowed'], ['s3:DeleteBucket=explicitDeny'], ['logs:PutLogEvents=implicitDeny']],
      denyPosition: [10, 6, 14, 6],
      custom: ['dynamodb:CreateBackup=allowed'],
      customPosition: [1, 38, 1, 167],
      noSuchEntity: { code: 'NoSuchEntity', status: 404 },
      invalidInput: { code: 'InvalidInput', status: 400 },
    });
  });
});
