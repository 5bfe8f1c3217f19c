// DescribeEffectivePolicy end to end: a tag policy at the root, another on an OU and one on the account merge by the
// inheritance operators; the SDK, the AWS CLI and boto3 read the result; authorization policy types are refused.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AttachPolicyCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DescribeEffectivePolicyCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  MoveAccountCommand,
  type EffectivePolicyType,
} from '@aws-sdk/client-organizations';
import { awsCli } from './helpers/aws-cli.js';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, organizationsClient, type Key } from './helpers/clients.js';
import { accessRoleSession, ALLOW_ALL, createMember, userWith } from './helpers/organizations.js';
import { useTestServer } from './helpers/server.js';

const tagPolicy = (setting: Record<string, unknown>): string => JSON.stringify({ tags: { costcenter: setting } });
const EXPECTED = { tags: { costcenter: { tag_key: 'CostCenter', tag_value: ['Dev', 'Marketing'], enforced_for: ['dynamodb:table'] } } };

describe('effective management policies', () => {
  const server = useTestServer();
  let member = '';
  let memberAdmin: Key;

  test('setup: root → OU → member, a tag policy at each level', async () => {
    const org = organizationsClient(server.endpoint);
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'TAG_POLICY' }));
    const ou = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'eng' }))).OrganizationalUnit?.Id ?? '';
    member = await createMember(org, 'tagged');
    await org.send(new MoveAccountCommand({ AccountId: member, SourceParentId: rootId, DestinationParentId: ou }));
    const attach = async (name: string, content: string, target: string): Promise<void> => {
      const id = (await org.send(new CreatePolicyCommand({ Name: name, Description: name, Type: 'TAG_POLICY', Content: content }))).Policy?.PolicySummary?.Id;
      await org.send(new AttachPolicyCommand({ PolicyId: id, TargetId: target }));
    };
    await attach('root', tagPolicy({ tag_key: { '@@operators_allowed_for_child_policies': ['@@none'], '@@assign': 'CostCenter' }, tag_value: { '@@assign': ['Dev', 'Support'] } }), rootId);
    await attach('ou', tagPolicy({ tag_value: { '@@append': ['Marketing'] }, enforced_for: { '@@assign': ['dynamodb:table'] } }), ou);
    await attach('account', tagPolicy({ tag_key: { '@@assign': 'cost-center' }, tag_value: { '@@remove': ['Support'] } }), member);
    const admin = await userWith(server.endpoint, 'admin', [ALLOW_ALL]);
    memberAdmin = await userWith(server.endpoint, 'member-admin', [ALLOW_ALL], await accessRoleSession(server.endpoint, admin, member));
  });

  test('SDK: the member reads its own effective policy, the management account reads it too', async () => {
    const own = (await organizationsClient(server.endpoint, memberAdmin).send(new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY' }))).EffectivePolicy;
    assert.deepEqual(JSON.parse(own?.PolicyContent ?? '{}'), EXPECTED);
    assert.equal(own?.TargetId, member);
    assert.equal(own?.PolicyType, 'TAG_POLICY');
    assert.ok(own?.LastUpdatedTimestamp instanceof Date);
    const managed = (await organizationsClient(server.endpoint).send(new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY', TargetId: member }))).EffectivePolicy;
    assert.equal(managed?.PolicyContent, own?.PolicyContent);
  });

  test('SDK: errors', async () => {
    const org = organizationsClient(server.endpoint);
    const scp = await org.send(new DescribeEffectivePolicyCommand({ PolicyType: 'SERVICE_CONTROL_POLICY' as EffectivePolicyType, TargetId: member })).then(
      () => assert.fail('an SCP has no effective policy'),
      (e: { name: string; Reason?: string; $metadata: { httpStatusCode?: number } }) => [e.name, e.Reason, e.$metadata.httpStatusCode],
    );
    assert.deepEqual(scp, ['InvalidInputException', 'INVALID_ENUM_POLICY_TYPE', 400]);
    const notEnabled = await failure(org.send(new DescribeEffectivePolicyCommand({ PolicyType: 'BACKUP_POLICY', TargetId: member })));
    assert.deepEqual([notEnabled.name, notEnabled.status], ['EffectivePolicyNotFoundException', 404]);
    const other = await failure(organizationsClient(server.endpoint, memberAdmin).send(new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY', TargetId: '000000000001' })));
    assert.equal(other.name, 'AccessDeniedException');
    const missing = await failure(org.send(new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY', TargetId: '000000000001' })));
    assert.deepEqual([missing.name, missing.status], ['TargetNotFoundException', 404]);
  });

  test('AWS CLI v2: describe-effective-policy', async () => {
    const out = await awsCli(server.endpoint, ['organizations', 'describe-effective-policy', '--policy-type', 'TAG_POLICY', '--target-id', member]);
    assert.equal(out.code, 0, out.stderr);
    const { EffectivePolicy } = JSON.parse(out.stdout) as { EffectivePolicy: { PolicyContent: string; TargetId: string } };
    assert.deepEqual(JSON.parse(EffectivePolicy.PolicyContent), EXPECTED);
    const rcp = await awsCli(server.endpoint, ['organizations', 'describe-effective-policy', '--policy-type', 'RESOURCE_CONTROL_POLICY']);
    assert.notEqual(rcp.code, 0);
    assert.match(rcp.stderr, /InvalidInputException/);
  });

  test('boto3: describe_effective_policy', async () => {
    const seen = await runBoto3Script<Record<string, unknown>>('boto3_effective_policy.py', server.endpoint, { TARGET_ACCOUNT: member });
    assert.deepEqual(seen, { content: EXPECTED, target: member, timestamp_type: 'datetime', not_found: { code: 'EffectivePolicyNotFoundException', status: 404 } });
  });
});
