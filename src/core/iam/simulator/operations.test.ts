import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../../store/sqlite/sqlite-store.js';
import type { Store } from '../../../store/store.js';
import { putResourcePolicy } from '../../authorize-api/resource-policies.js';
import { defineOperations } from '../../operation.js';
import { rejects, runner, TEST_ACCOUNT } from '../../testing.js';
import { ATTACHMENT_OPERATIONS } from '../attachments.js';
import { GROUP_OPERATIONS } from '../groups.js';
import { INLINE_POLICY_OPERATIONS } from '../inline-policies.js';
import { POLICY_OPERATIONS } from '../policies.js';
import { ROLE_OPERATIONS } from '../roles.js';
import { USER_OPERATIONS } from '../users.js';
import { inlineKey, inlineOwner, KIND } from '../kinds.js';
import { SIMULATOR_OPERATIONS } from './operations.js';

const OPERATIONS = defineOperations([...USER_OPERATIONS, ...GROUP_OPERATIONS, ...ROLE_OPERATIONS, ...POLICY_OPERATIONS, ...INLINE_POLICY_OPERATIONS, ...ATTACHMENT_OPERATIONS, ...SIMULATOR_OPERATIONS]);
const OTHER = '444455556666';
type Json = Record<string, unknown>;
const text = (...statements: Json[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (action: string, resource = '*', extra: Json = {}): Json => ({ Effect: 'Allow', Action: action, Resource: resource, ...extra });
const deny = (action: string, resource = '*'): Json => ({ Effect: 'Deny', Action: action, Resource: resource });
const ALICE = `arn:aws:iam::${TEST_ACCOUNT}:user/alice`;

let store: Store;
let iam: ReturnType<typeof runner>;
beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
});
afterEach(() => store.close());

type Result = { EvaluationResults: Json[]; IsTruncated: boolean; Marker?: string };
const custom = async (params: Json): Promise<Result> => (await iam.run('SimulateCustomPolicy', params)) as unknown as Result;
const principal = async (params: Json): Promise<Result> => (await iam.run('SimulatePrincipalPolicy', params)) as unknown as Result;
const decisions = (r: Result): string[] => r.EvaluationResults.map((e) => `${e['EvalActionName'] as string}@${e['EvalResourceName'] as string}=${e['EvalDecision'] as string}`);

describe('SimulateCustomPolicy', () => {
  const cases: ReadonlyArray<{ name: string; params: Json; expected: string[] }> = [
    { name: 'identity allow', params: { PolicyInputList: [text(allow('s3:GetObject'))], ActionNames: ['s3:GetObject'] }, expected: ['s3:GetObject@*=allowed'] },
    { name: 'explicit deny wins', params: { PolicyInputList: [text(allow('s3:*')), text(deny('s3:PutObject'))], ActionNames: ['s3:GetObject', 's3:PutObject'] }, expected: ['s3:GetObject@*=allowed', 's3:PutObject@*=explicitDeny'] },
    { name: 'nothing allows', params: { PolicyInputList: [text(allow('s3:GetObject'))], ActionNames: ['sqs:SendMessage'] }, expected: ['sqs:SendMessage@*=implicitDeny'] },
    {
      name: 'each action on each resource',
      params: { PolicyInputList: [text(allow('s3:GetObject', 'arn:aws:s3:::a/*'))], ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::a/x', 'arn:aws:s3:::b/x'] },
      expected: ['s3:GetObject@arn:aws:s3:::a/x=allowed', 's3:GetObject@arn:aws:s3:::b/x=implicitDeny'],
    },
    {
      name: 'boundary limits the identity policy',
      params: { PolicyInputList: [text(allow('s3:*'))], PermissionsBoundaryPolicyInputList: [text(allow('s3:GetObject'))], ActionNames: ['s3:GetObject', 's3:PutObject'] },
      expected: ['s3:GetObject@*=allowed', 's3:PutObject@*=implicitDeny'],
    },
    {
      name: 'an SCP level without an Allow denies',
      params: { PolicyInputList: [text(allow('*'))], OrderedOrganizationPolicyInputList: [{ ServiceControlPolicyInputList: [text(allow('s3:*'))] }], ActionNames: ['s3:GetObject', 'iam:GetUser'] },
      expected: ['s3:GetObject@*=allowed', 'iam:GetUser@*=implicitDeny'],
    },
  ];
  for (const c of cases) test(c.name, async () => assert.deepEqual(decisions(await custom(c.params)), c.expected));

  test('matched statements: the policy input and the statement positions, as AWS counts them', async () => {
    const policy = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
    const result = await custom({
      PolicyInputList: [policy],
      ActionNames: ['dynamodb:CreateBackup'],
      ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2019-04-25T11:00:00Z'], ContextKeyType: 'date' }],
    });
    assert.deepEqual(result.EvaluationResults, [
      {
        EvalActionName: 'dynamodb:CreateBackup',
        EvalResourceName: '*',
        EvalDecision: 'allowed',
        MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 167 } }],
        MissingContextValues: [],
      },
    ]);
    const before = await custom({
      PolicyInputList: [policy],
      ActionNames: ['dynamodb:CreateBackup'],
      ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2018-04-25T11:00:00Z'], ContextKeyType: 'date' }],
    });
    assert.equal(before.EvaluationResults[0]?.['EvalDecision'], 'implicitDeny');
    assert.deepEqual(before.EvaluationResults[0]?.['MatchedStatements'], []);
  });

  test('the deny statement is the one matched, in the second input', async () => {
    const result = await custom({ PolicyInputList: [text(allow('s3:*')), text(allow('s3:GetObject'), deny('s3:PutObject'))], ActionNames: ['s3:PutObject'] });
    const matched = result.EvaluationResults[0]?.['MatchedStatements'] as Json[];
    assert.deepEqual(matched.map((m) => m['SourcePolicyId']), ['PolicyInputList.2']);
    assert.deepEqual((matched[0] as Json)['StartPosition'], { Line: 1, Column: 97 });
  });

  test('missing context values: the keys a relevant statement reads and the request lacks', async () => {
    const policy = text(allow('s3:GetObject', '*', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), allow('ec2:RunInstances', '*', { Condition: { StringEquals: { 'ec2:Region': 'x' } } }));
    const missing = await custom({ PolicyInputList: [policy], ActionNames: ['s3:GetObject'] });
    assert.deepEqual([missing.EvaluationResults[0]?.['EvalDecision'], missing.EvaluationResults[0]?.['MissingContextValues']], ['implicitDeny', ['aws:SourceIp']]);
    const given = await custom({ PolicyInputList: [policy], ActionNames: ['s3:GetObject'], ContextEntries: [{ ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['10.1.2.3'], ContextKeyType: 'ip' }] });
    assert.deepEqual([given.EvaluationResults[0]?.['EvalDecision'], given.EvaluationResults[0]?.['MissingContextValues']], ['allowed', []]);
  });

  const typed: ReadonlyArray<[type: string, operator: string, policyValue: string, value: string[]]> = [
    ['string', 'StringEquals', 'red', ['red']],
    ['stringList', 'ForAnyValue:StringEquals', 'red', ['blue', 'red']],
    ['numeric', 'NumericLessThan', '10', ['3']],
    ['numericList', 'ForAllValues:NumericLessThan', '10', ['3', '4']],
    ['boolean', 'Bool', 'true', ['true']],
    ['booleanList', 'ForAnyValue:Bool', 'true', ['false', 'true']],
    ['ip', 'IpAddress', '10.0.0.0/8', ['10.9.9.9']],
    ['ipList', 'ForAnyValue:IpAddress', '10.0.0.0/8', ['192.0.2.1', '10.9.9.9']],
    ['binary', 'BinaryEquals', 'QmluYXJ5', ['QmluYXJ5']],
    ['binaryList', 'ForAnyValue:BinaryEquals', 'QmluYXJ5', ['QQ==', 'QmluYXJ5']],
    ['date', 'DateLessThan', '2030-01-01T00:00:00Z', ['2026-01-01T00:00:00Z']],
    ['dateList', 'ForAllValues:DateLessThan', '2030-01-01T00:00:00Z', ['2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z']],
  ];
  for (const [type, operator, policyValue, value] of typed) {
    test(`context entry of type ${type} decides a ${operator} condition`, async () => {
      const policy = text(allow('s3:GetObject', '*', { Condition: { [operator]: { 'test:key': policyValue } } }));
      const result = await custom({ PolicyInputList: [policy], ActionNames: ['s3:GetObject'], ContextEntries: [{ ContextKeyName: 'test:key', ContextKeyValues: value, ContextKeyType: type }] });
      assert.equal(result.EvaluationResults[0]?.['EvalDecision'], 'allowed');
    });
  }

  test('pagination: MaxItems and Marker walk the results in order', async () => {
    const params = { PolicyInputList: [text(allow('s3:*'))], ActionNames: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] };
    const first = await custom({ ...params, MaxItems: 2 });
    assert.deepEqual([decisions(first), first.IsTruncated], [['s3:GetObject@*=allowed', 's3:PutObject@*=allowed'], true]);
    const second = await custom({ ...params, MaxItems: 2, Marker: first.Marker });
    assert.deepEqual([decisions(second), second.IsTruncated, second.Marker], [['s3:DeleteObject@*=allowed'], false, undefined]);
  });

  test('a resource policy of another account: both sides must allow, each side reported', async () => {
    const bucket = text({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:user/bob` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    const params = { PolicyInputList: [text(allow('s3:GetObject'))], ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::b/k'], ResourcePolicy: bucket, ResourceOwner: `arn:aws:iam::${TEST_ACCOUNT}:root` };
    const named = await custom({ ...params, CallerArn: `arn:aws:iam::${OTHER}:user/bob` });
    const result = named.EvaluationResults[0] as Json;
    assert.deepEqual([result['EvalDecision'], result['EvalDecisionDetails']], ['allowed', { 'IAM Policy': 'allowed', 'Resource Policy': 'allowed' }]);
    const stranger = await custom({ ...params, CallerArn: `arn:aws:iam::${OTHER}:user/carol` });
    assert.deepEqual([stranger.EvaluationResults[0]?.['EvalDecision'], stranger.EvaluationResults[0]?.['EvalDecisionDetails']], ['implicitDeny', { 'IAM Policy': 'allowed', 'Resource Policy': 'implicitDeny' }]);
  });

  const refused: ReadonlyArray<[name: string, params: Json, message: string]> = [
    ['a policy that is not JSON', { PolicyInputList: ['{"Version":'], ActionNames: ['s3:GetObject'] }, 'PolicyInputList.1: Syntax errors in policy.'],
    ['a resource policy without CallerArn', { PolicyInputList: [text(allow('s3:*'))], ActionNames: ['s3:GetObject'], ResourcePolicy: text({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }) }, 'CallerArn is required when a ResourcePolicy is given.'],
    ['a CallerArn that is a role', { PolicyInputList: [text(allow('s3:*'))], ActionNames: ['s3:GetObject'], CallerArn: `arn:aws:iam::${TEST_ACCOUNT}:role/r` }, `Invalid CallerArn arn:aws:iam::${TEST_ACCOUNT}:role/r: it must be the ARN of an IAM user or of an assumed-role session.`],
    ['an unknown ResourceHandlingOption', { PolicyInputList: [text(allow('ec2:*'))], ActionNames: ['ec2:RunInstances'], ResourceHandlingOption: 'EC2-Classic' }, 'Invalid ResourceHandlingOption EC2-Classic: valid options are EC2-VPC-InstanceStore, EC2-VPC-InstanceStore-Subnet, EC2-VPC-EBS, EC2-VPC-EBS-Subnet.'],
    [
      'a scenario without its resources',
      { PolicyInputList: [text(allow('ec2:*'))], ActionNames: ['ec2:RunInstances'], ResourceHandlingOption: 'EC2-VPC-EBS', ResourceArns: ['arn:aws:ec2:us-east-1:111122223333:instance/*'] },
      'ResourceHandlingOption EC2-VPC-EBS requires ResourceArns for each of: instance, image, security-group, network-interface, volume; missing: image, security-group, network-interface, volume.',
    ],
    ['a wildcard action', { PolicyInputList: [text(allow('s3:*'))], ActionNames: ['s3:*'] }, 'Invalid action name s3:*: it must be service:Action, without wildcards.'],
    [
      'more evaluations than Gatehouse simulates in one request',
      { PolicyInputList: [text(allow('s3:*'))], ActionNames: Array.from({ length: 501 }, (_, i) => `s3:Action${i}`), ResourceArns: ['arn:aws:s3:::a/1', 'arn:aws:s3:::a/2'] },
      'The simulation of 501 actions on 2 resources asks for 1002 evaluations; Gatehouse simulates at most 1000 per request.',
    ],
  ];
  for (const [name, params, message] of refused) test(`refuses ${name}`, () => rejects(custom(params), 'InvalidInput', 400, message));

  test('an EC2 scenario decides the action on all its resources together', async () => {
    const resources = ['instance/*', 'image/ami-1', 'security-group/sg-1', 'network-interface/*'].map((r) => `arn:aws:ec2:us-east-1:${TEST_ACCOUNT}:${r}`);
    const policy = text(allow('ec2:RunInstances', `arn:aws:ec2:us-east-1:${TEST_ACCOUNT}:instance/*`), allow('ec2:RunInstances', `arn:aws:ec2:us-east-1:${TEST_ACCOUNT}:image/*`));
    const result = await custom({ PolicyInputList: [policy], ActionNames: ['ec2:RunInstances'], ResourceArns: resources, ResourceHandlingOption: 'EC2-VPC-InstanceStore' });
    const only = result.EvaluationResults[0] as Json;
    assert.equal(only['EvalDecision'], 'implicitDeny');
    assert.deepEqual((only['ResourceSpecificResults'] as Json[]).map((r) => r['EvalResourceDecision']), ['allowed', 'allowed', 'implicitDeny', 'implicitDeny']);
    assert.deepEqual(only['MatchedStatements'], []);
    assert.equal((only['ResourceSpecificResults'] as Json[]).map((r) => (r['MatchedStatements'] as Json[]).length).join(), '1,1,0,0');
    const all = await custom({ PolicyInputList: [text(allow('ec2:RunInstances'))], ActionNames: ['ec2:RunInstances'], ResourceArns: resources, ResourceHandlingOption: 'EC2-VPC-InstanceStore' });
    assert.deepEqual([all.EvaluationResults[0]?.['EvalDecision'], (all.EvaluationResults[0]?.['MatchedStatements'] as Json[]).length], ['allowed', 1]);
  });
});

describe('SimulatePrincipalPolicy', () => {
  beforeEach(async () => {
    await iam.run('CreateUser', { UserName: 'alice', Tags: [{ Key: 'team', Value: 'red' }] });
    await iam.run('PutUserPolicy', { UserName: 'alice', PolicyName: 'own', PolicyDocument: text(allow('s3:*'), deny('s3:DeleteBucket')) });
    await iam.run('CreateGroup', { GroupName: 'devs' });
    await iam.run('AddUserToGroup', { GroupName: 'devs', UserName: 'alice' });
    await iam.run('PutGroupPolicy', { GroupName: 'devs', PolicyName: 'team', PolicyDocument: text(allow('sqs:*', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'red' } } })) });
    await iam.run('CreatePolicy', { PolicyName: 'Boundary', PolicyDocument: text(allow('s3:*'), allow('sqs:*'), allow('sts:AssumeRole')) });
    await iam.run('PutUserPermissionsBoundary', { UserName: 'alice', PermissionsBoundary: `arn:aws:iam::${TEST_ACCOUNT}:policy/Boundary` });
    await iam.run('CreatePolicy', { PolicyName: 'Logs', PolicyDocument: text(allow('logs:*')) });
    await iam.run('AttachUserPolicy', { UserName: 'alice', PolicyArn: `arn:aws:iam::${TEST_ACCOUNT}:policy/Logs` });
  });

  test('the user’s own, group and managed policies, limited by its boundary, each named by source', async () => {
    const result = await principal({ PolicySourceArn: ALICE, ActionNames: ['s3:GetObject', 's3:DeleteBucket', 'sqs:SendMessage', 'logs:PutLogEvents'] });
    assert.deepEqual(decisions(result), ['s3:GetObject@*=allowed', 's3:DeleteBucket@*=explicitDeny', 'sqs:SendMessage@*=allowed', 'logs:PutLogEvents@*=implicitDeny']);
    const sources = result.EvaluationResults.map((e) => (e['MatchedStatements'] as Json[]).map((m) => `${m['SourcePolicyType'] as string}:${m['SourcePolicyId'] as string}`));
    assert.deepEqual(sources, [['user:own', 'user-managed:Boundary'], ['user:own'], ['group:team', 'user-managed:Boundary'], []]);
    assert.deepEqual(result.EvaluationResults.map((e) => (e['PermissionsBoundaryDecisionDetail'] as Json)['AllowedByPermissionsBoundary']), [true, true, true, false]);
  });

  const ACTIONS = ['s3:GetObject', 's3:DeleteBucket', 'sqs:SendMessage', 'logs:PutLogEvents'];
  const exclusions: ReadonlyArray<[name: string, list: Json[], expected: string[]]> = [
    ['nothing excluded', [], ['allowed', 'explicitDeny', 'allowed', 'implicitDeny']],
    ['the user’s inline policy', [{ InlinePolicyIdentifier: { PolicyName: 'own', AttachmentType: 'user', AttachmentName: 'alice' } }], ['implicitDeny', 'implicitDeny', 'allowed', 'implicitDeny']],
    ['the group’s inline policy, names in another case', [{ InlinePolicyIdentifier: { PolicyName: 'TEAM', AttachmentType: 'group', AttachmentName: 'Devs' } }], ['allowed', 'explicitDeny', 'implicitDeny', 'implicitDeny']],
    ['an inline policy of another owner: nothing', [{ InlinePolicyIdentifier: { PolicyName: 'own', AttachmentType: 'group', AttachmentName: 'alice' } }], ['allowed', 'explicitDeny', 'allowed', 'implicitDeny']],
    ['every inline policy', [{ PolicyType: 'inline' }], ['implicitDeny', 'implicitDeny', 'implicitDeny', 'implicitDeny']],
    ['the permissions boundary', [{ PolicyType: 'permission-boundary' }], ['allowed', 'explicitDeny', 'allowed', 'allowed']],
    ['the boundary by its ARN', [{ PolicyArn: `arn:aws:iam::${TEST_ACCOUNT}:policy/Boundary` }], ['allowed', 'explicitDeny', 'allowed', 'allowed']],
    ['the boundary and the managed policy by its ARN', [{ PolicyType: 'permission-boundary' }, { PolicyArn: `arn:aws:iam::${TEST_ACCOUNT}:policy/Logs` }], ['allowed', 'explicitDeny', 'allowed', 'implicitDeny']],
    ['customer managed policies', [{ PolicyType: 'permission-boundary' }, { PolicyType: 'user-managed' }], ['allowed', 'explicitDeny', 'allowed', 'implicitDeny']],
  ];
  for (const [name, list, expected] of exclusions) {
    test(`PolicyExclusionList: ${name}`, async () => {
      const result = await principal({ PolicySourceArn: ALICE, ActionNames: ACTIONS, PolicyExclusionList: list, ContextEntries: [{ ContextKeyName: 'aws:PrincipalTag/team', ContextKeyValues: ['red'] }] });
      assert.deepEqual(result.EvaluationResults.map((e) => e['EvalDecision']), expected);
    });
  }

  test('PolicyInputList adds to the stored policies; a boundary given replaces the stored one', async () => {
    const result = await principal({ PolicySourceArn: ALICE, ActionNames: ['logs:PutLogEvents', 's3:GetObject'], PermissionsBoundaryPolicyInputList: [text(allow('logs:*'))], PolicyInputList: [text(deny('logs:PutLogEvents'))] });
    assert.deepEqual(decisions(result), ['logs:PutLogEvents@*=explicitDeny', 's3:GetObject@*=implicitDeny']);
  });

  test('a role session as CallerArn (Gatehouse) and the role’s trust policy for sts:AssumeRole', async () => {
    const trust = text({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'sts:AssumeRole' });
    await iam.run('CreateRole', { RoleName: 'Deploy', Path: '/ci/', AssumeRolePolicyDocument: trust });
    const role = `arn:aws:iam::${TEST_ACCOUNT}:role/ci/Deploy`;
    const viaTrust = await principal({ PolicySourceArn: ALICE, ActionNames: ['sts:AssumeRole'], ResourceArns: [role] });
    assert.deepEqual(decisions(viaTrust), [`sts:AssumeRole@${role}=allowed`]);
    const matched = (viaTrust.EvaluationResults[0]?.['MatchedStatements'] as Json[]).map((m) => m['SourcePolicyType']);
    assert.deepEqual(matched, ['user-managed', 'resource']);
    await iam.run('PutRolePolicy', { RoleName: 'Deploy', PolicyName: 'p', PolicyDocument: text(allow('s3:GetObject', '*', { Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${TEST_ACCOUNT}:role/ci/*` } } })) });
    const session = await principal({ PolicySourceArn: role, CallerArn: `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/Deploy/build`, ActionNames: ['s3:GetObject'] });
    assert.deepEqual(decisions(session), ['s3:GetObject@*=allowed']);
  });

  test('a policy of the resource-policy registry is included when no ResourcePolicy is given (Gatehouse), for the account’s own resources', async () => {
    const queue = `arn:aws:sqs:us-east-1:${TEST_ACCOUNT}:q`;
    const grant = (arn: string): string => text({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:user/bob` }, Action: 'sqs:SendMessage', Resource: arn });
    await store.transaction((tx) => putResourcePolicy(tx, { arn: queue, policy: grant(queue) }, new Date()));
    const params = { PolicySourceArn: `arn:aws:iam::${TEST_ACCOUNT}:group/devs`, CallerArn: `arn:aws:iam::${TEST_ACCOUNT}:user/bob`, ActionNames: ['sqs:SendMessage'], ResourceArns: [queue] };
    // The group's own policy needs a tag bob does not have: the registered policy naming bob grants alone.
    const registered = (await principal(params)).EvaluationResults[0] as Json;
    assert.deepEqual([registered['EvalDecision'], registered['EvalDecisionDetails']], ['allowed', {}]);
    assert.deepEqual(registered['MatchedStatements'], [{ SourcePolicyId: 'ResourcePolicy', SourcePolicyType: 'resource', StartPosition: { Line: 1, Column: 39 }, EndPosition: { Line: 1, Column: 190 } }]);
    const overridden = await principal({ ...params, ResourcePolicy: text({ Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: '*' }) });
    assert.equal(overridden.EvaluationResults[0]?.['EvalDecision'], 'explicitDeny');
    // Another account's registered policy is not read: it would let anyone probe whom that account lets in.
    const foreign = `arn:aws:sqs:us-east-1:${OTHER}:q`;
    await store.transaction((tx) => putResourcePolicy(tx, { arn: foreign, policy: text({ Effect: 'Allow', Principal: '*', Action: 'sqs:*', Resource: foreign }) }, new Date()));
    const probe = (await principal({ PolicySourceArn: ALICE, ActionNames: ['sqs:SendMessage'], ResourceArns: [foreign] })).EvaluationResults[0] as Json;
    assert.deepEqual([probe['EvalDecision'], probe['EvalDecisionDetails']], ['implicitDeny', { 'IAM Policy': 'allowed', 'Resource Policy': 'implicitDeny' }]);
  });

  const refused: ReadonlyArray<[name: string, params: Json, code: string, status: number, message: string]> = [
    ['an unknown user', { PolicySourceArn: `arn:aws:iam::${TEST_ACCOUNT}:user/nobody`, ActionNames: ['s3:GetObject'] }, 'NoSuchEntity', 404, 'The user with name nobody cannot be found.'],
    ['the user under another path', { PolicySourceArn: `arn:aws:iam::${TEST_ACCOUNT}:user/x/alice`, ActionNames: ['s3:GetObject'] }, 'NoSuchEntity', 404, 'The user with name alice cannot be found.'],
    ['another account’s user', { PolicySourceArn: `arn:aws:iam::${OTHER}:user/alice`, ActionNames: ['s3:GetObject'] }, 'NoSuchEntity', 404, 'The user with name alice cannot be found.'],
    ['a malformed policy input', { PolicySourceArn: ALICE, ActionNames: ['s3:GetObject'], PolicyInputList: [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*' }] })] }, 'InvalidInput', 400, 'PolicyInputList.1: Policy statement must contain resources.'],
    ['an exclusion with two members', { PolicySourceArn: ALICE, ActionNames: ['s3:GetObject'], PolicyExclusionList: [{ PolicyType: 'inline', PolicyArn: 'arn:aws:iam::aws:policy/x' }] }, 'InvalidInput', 400, 'Each PolicyExclusionList member must set exactly one of PolicyType, PolicyArn and InlinePolicyIdentifier.'],
    ['an exclusion of an unknown type', { PolicySourceArn: ALICE, ActionNames: ['s3:GetObject'], PolicyExclusionList: [{ PolicyType: 'session' }] }, 'InvalidInput', 400, 'Invalid PolicyType session: valid types are inline, aws-managed, user-managed, permission-boundary, scp, rcp.'],
    ['a group with a resource policy but no CallerArn', { PolicySourceArn: `arn:aws:iam::${TEST_ACCOUNT}:group/devs`, ActionNames: ['s3:GetObject'], ResourcePolicy: text({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }) }, 'InvalidInput', 400, 'CallerArn is required when a ResourcePolicy is given and PolicySourceArn is not the ARN of an IAM user.'],
  ];
  for (const [name, params, code, status, message] of refused) test(`refuses ${name}`, () => rejects(principal(params), code, status, message));

  test('a stored policy the engine cannot evaluate: PolicyEvaluation, naming the policy', async () => {
    // Written straight to the store, as an import or an older version could have left it.
    await store.transaction(async (tx) => {
      await tx.insert({ kind: KIND.inlinePolicy, account: TEST_ACCOUNT, key: inlineKey('user', 'alice', 'broken'), id: 'broken', path: '/', owner: inlineOwner('user', 'alice'), created: '2026-01-01T00:00:00Z', data: { document: '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}' } });
    });
    const error = await principal({ PolicySourceArn: ALICE, ActionNames: ['s3:GetObject'] }).then(
      () => undefined,
      (e: unknown) => e as { code: string; status: number; message: string },
    );
    assert.deepEqual([error?.code, error?.status], ['PolicyEvaluation', 500]);
    assert.match(error?.message ?? '', /^The policy broken could not be evaluated: /);
  });

  test('GetContextKeysForPrincipalPolicy and GetContextKeysForCustomPolicy', async () => {
    const keys = await iam.run('GetContextKeysForPrincipalPolicy', { PolicySourceArn: ALICE, PolicyInputList: [text(allow('ec2:*', '*', { Condition: { StringEquals: { 'ec2:Region': 'x' } } }))] });
    assert.deepEqual(keys, { ContextKeyNames: ['aws:PrincipalTag/team', 'ec2:Region'] });
    const custom = await iam.run('GetContextKeysForCustomPolicy', { PolicyInputList: [text(allow('s3:GetObject', 'arn:aws:s3:::b/${aws:username}'))] });
    assert.deepEqual(custom, { ContextKeyNames: ['aws:username'] });
  });
});
