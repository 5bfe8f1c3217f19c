import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { rejects, TEST_ACCOUNT } from '../testing.js';
import { orgFixture, organizationWithMember, rootOf, type OrgFixture } from './testing.js';

let f: OrgFixture;
beforeEach(() => {
  f = orgFixture();
});
afterEach(() => f.store.close());

const doc = (...statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const DENY_S3 = doc({ Effect: 'Deny', Action: 's3:*', Resource: '*' });
const RCP_DENY = doc({ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-aaaaaaaaaa' } } });
const MALFORMED: [string, number, string] = ['MalformedPolicyDocumentException', 400, 'The provided policy document does not meet the requirements of the specified policy type.'];

type Summary = { Id: string; Arn: string; Name: string; Description: string; Type: string; AwsManaged: boolean };

async function createPolicy(name: string, content: string, type = 'SERVICE_CONTROL_POLICY', extra: Record<string, unknown> = {}): Promise<Summary> {
  const out = (await f.run('CreatePolicy', { Name: name, Description: `${name} policy`, Type: type, Content: content, ...extra })) as { Policy: { PolicySummary: Summary; Content: string } };
  assert.equal(out.Policy.Content, content);
  return out.Policy.PolicySummary;
}

describe('policies', () => {
  test('CreatePolicy, DescribePolicy, UpdatePolicy, DeletePolicy', async () => {
    await organizationWithMember(f);
    const { Organization } = (await f.run('DescribeOrganization')) as { Organization: { Id: string } };
    const created = await createPolicy('deny-s3', DENY_S3);
    assert.match(created.Id, /^p-[0-9a-z]{10}$/);
    assert.deepEqual(created, {
      Id: created.Id,
      Arn: `arn:aws:organizations::${TEST_ACCOUNT}:policy/${Organization.Id}/service_control_policy/${created.Id}`,
      Name: 'deny-s3',
      Description: 'deny-s3 policy',
      Type: 'SERVICE_CONTROL_POLICY',
      AwsManaged: false,
    });
    assert.deepEqual(await f.run('DescribePolicy', { PolicyId: created.Id }), { Policy: { PolicySummary: created, Content: DENY_S3 } });
    const updated = doc({ Effect: 'Deny', Action: 'ec2:*', Resource: '*' });
    assert.deepEqual(await f.run('UpdatePolicy', { PolicyId: created.Id, Name: 'deny-ec2', Content: updated }), {
      Policy: { PolicySummary: { ...created, Name: 'deny-ec2' }, Content: updated },
    });
    assert.deepEqual(await f.run('DeletePolicy', { PolicyId: created.Id }), {});
    await rejects(f.run('DescribePolicy', { PolicyId: created.Id }), 'PolicyNotFoundException', 404, "We can't find a policy with the PolicyId that you specified.");
  });

  test('ListPolicies by type: AWS managed first', async () => {
    await organizationWithMember(f);
    const scp = await createPolicy('a', DENY_S3);
    const rcp = await createPolicy('b', RCP_DENY, 'RESOURCE_CONTROL_POLICY');
    const scps = (await f.run('ListPolicies', { Filter: 'SERVICE_CONTROL_POLICY' })) as { Policies: Summary[] };
    assert.deepEqual(scps.Policies.map((p) => [p.Id, p.AwsManaged]), [['p-FullAWSAccess', true], [scp.Id, false]]);
    assert.equal(scps.Policies[0]?.Arn, 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess');
    const rcps = (await f.run('ListPolicies', { Filter: 'RESOURCE_CONTROL_POLICY' })) as { Policies: Summary[] };
    assert.deepEqual(rcps.Policies.map((p) => p.Id), ['p-RCPFullAWSAccess', rcp.Id]);
    assert.deepEqual(await f.run('ListPolicies', { Filter: 'TAG_POLICY' }), { Policies: [] });
  });

  test('names are unique within a type, and AWS managed names are taken', async () => {
    await organizationWithMember(f);
    const a = await createPolicy('same', DENY_S3);
    await createPolicy('same', '{"tags":{}}', 'TAG_POLICY');
    for (const name of ['same', 'FullAWSAccess']) {
      await rejects(f.run('CreatePolicy', { Name: name, Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: DENY_S3 }), 'DuplicatePolicyException', 409, 'A policy with the same name already exists.');
    }
    const b = await createPolicy('other', DENY_S3);
    await rejects(f.run('UpdatePolicy', { PolicyId: b.Id, Name: 'same' }), 'DuplicatePolicyException', 409, 'A policy with the same name already exists.');
    await f.run('UpdatePolicy', { PolicyId: a.Id, Name: 'same' });
  });

  test('AWS managed policies can be read, not changed', async () => {
    await organizationWithMember(f);
    const { Policy } = (await f.run('DescribePolicy', { PolicyId: 'p-FullAWSAccess' })) as { Policy: { PolicySummary: Summary; Content: string } };
    assert.equal(Policy.PolicySummary.Name, 'FullAWSAccess');
    assert.deepEqual(JSON.parse(Policy.Content), { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const immutable: [string, number, string] = ['InvalidInputException', 400, "You specified a policy that is managed by AWS and can't be modified."];
    await rejects(f.run('UpdatePolicy', { PolicyId: 'p-FullAWSAccess', Name: 'x' }), ...immutable);
    await rejects(f.run('DeletePolicy', { PolicyId: 'p-RCPFullAWSAccess' }), ...immutable);
  });

  test('SCP content: the IAM language without Principal, 5,120 characters white space included', async () => {
    await organizationWithMember(f);
    const cases: Array<[string, string]> = [
      ['not JSON', '{'],
      ['a Principal', doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' })],
      ['no Effect', doc({ Action: 's3:*', Resource: '*' })],
      ['an action without a service', doc({ Effect: 'Deny', Action: 'GetObject', Resource: '*' })],
    ];
    for (const [what, content] of cases) {
      await rejects(f.run('CreatePolicy', { Name: what, Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: content }), ...MALFORMED);
    }
    const padded = `${DENY_S3}${' '.repeat(5120 - DENY_S3.length)}`;
    await createPolicy('at the limit', padded);
    await rejects(
      f.run('CreatePolicy', { Name: 'over', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: `${padded} ` }),
      'ConstraintViolationException',
      409,
      'You attempted to create a policy that is larger than the maximum size.',
    );
  });

  test('RCP content: Version 2012-10-17, Principal "*", Deny only', async () => {
    await organizationWithMember(f);
    await createPolicy('ok', RCP_DENY, 'RESOURCE_CONTROL_POLICY');
    const cases: Array<[string, string]> = [
      ['no Version', JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }] })],
      ['an old Version', JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }] })],
      ['no Principal', doc({ Effect: 'Deny', Action: 's3:*', Resource: '*' })],
      ['a named Principal', doc({ Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:*', Resource: '*' })],
      ['an Allow', doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' })],
      ['NotAction', doc({ Effect: 'Deny', Principal: '*', NotAction: 's3:*', Resource: '*' })],
    ];
    for (const [what, content] of cases) {
      await rejects(f.run('CreatePolicy', { Name: what, Description: '', Type: 'RESOURCE_CONTROL_POLICY', Content: content }), ...MALFORMED);
    }
  });

  test('other policy types are stored as JSON objects', async () => {
    await organizationWithMember(f);
    await createPolicy('tags', '{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}}', 'TAG_POLICY');
    await rejects(f.run('CreatePolicy', { Name: 'bad', Description: '', Type: 'BACKUP_POLICY', Content: '[1]' }), ...MALFORMED);
  });

  test('member accounts cannot manage policies', async () => {
    const { member } = await organizationWithMember(f);
    await rejects(f.run('CreatePolicy', { Name: 'x', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: DENY_S3 }, rootOf(member)), 'AccessDeniedException', 403, "You don't have permissions to access this resource.");
    await rejects(f.run('ListPolicies', { Filter: 'SERVICE_CONTROL_POLICY' }, rootOf(member)), 'AccessDeniedException', 403, "You don't have permissions to access this resource.");
  });
});

describe('attachments and policy types', () => {
  test('EnablePolicyType attaches FullAWSAccess everywhere; DisablePolicyType detaches every policy of the type', async () => {
    const { rootId, member } = await organizationWithMember(f);
    const ou = ((await f.run('CreateOrganizationalUnit', { ParentId: rootId, Name: 'ou' })) as { OrganizationalUnit: { Id: string } }).OrganizationalUnit.Id;
    const targets = async (policy: string): Promise<string[]> =>
      ((await f.run('ListTargetsForPolicy', { PolicyId: policy })) as { Targets: Array<{ TargetId: string }> }).Targets.map((t) => t.TargetId).sort();
    assert.deepEqual(await targets('p-FullAWSAccess'), [TEST_ACCOUNT, member, ou, rootId].sort());
    const deny = await createPolicy('deny', DENY_S3);
    await f.run('AttachPolicy', { PolicyId: deny.Id, TargetId: ou });
    const { Root } = (await f.run('DisablePolicyType', { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' })) as { Root: { PolicyTypes: unknown[] } };
    assert.deepEqual(Root.PolicyTypes, []);
    assert.deepEqual(await targets('p-FullAWSAccess'), []);
    assert.deepEqual(await targets(deny.Id), []);
    await rejects(f.run('AttachPolicy', { PolicyId: deny.Id, TargetId: ou }), 'PolicyTypeNotEnabledException', 409, "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root.");
    await rejects(f.run('DisablePolicyType', { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }), 'PolicyTypeNotEnabledException', 409, "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root.");
    await f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
    assert.deepEqual(await targets('p-FullAWSAccess'), [TEST_ACCOUNT, member, ou, rootId].sort());
    await rejects(f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }), 'PolicyTypeAlreadyEnabledException', 409, 'The specified policy type is already enabled in the specified root.');
    await rejects(f.run('EnablePolicyType', { RootId: 'r-zzzzz', PolicyType: 'TAG_POLICY' }), 'RootNotFoundException', 404, "We can't find a root with the RootId that you specified.");
  });

  test('AttachPolicy and DetachPolicy: duplicates, the five-per-target quota, the last SCP', async () => {
    const { member } = await organizationWithMember(f);
    const policies: Summary[] = [];
    for (let i = 0; i < 5; i++) policies.push(await createPolicy(`p${i}`, DENY_S3));
    await f.run('AttachPolicy', { PolicyId: policies[0]?.Id, TargetId: member });
    await rejects(f.run('AttachPolicy', { PolicyId: policies[0]?.Id, TargetId: member }), 'DuplicatePolicyAttachmentException', 409, 'The selected policy is already attached to the specified target.');
    for (let i = 1; i < 4; i++) await f.run('AttachPolicy', { PolicyId: policies[i]?.Id, TargetId: member });
    // FullAWSAccess and four others: five.
    await rejects(
      f.run('AttachPolicy', { PolicyId: policies[4]?.Id, TargetId: member }),
      'ConstraintViolationException',
      409,
      'You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.',
    );
    await rejects(f.run('DeletePolicy', { PolicyId: policies[0]?.Id }), 'PolicyInUseException', 409, 'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.');
    await f.run('DetachPolicy', { PolicyId: 'p-FullAWSAccess', TargetId: member });
    for (let i = 0; i < 3; i++) await f.run('DetachPolicy', { PolicyId: policies[i]?.Id, TargetId: member });
    const lastOne: [string, number, string] = [
      'ConstraintViolationException',
      409,
      'You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.',
    ];
    await rejects(f.run('DetachPolicy', { PolicyId: policies[3]?.Id, TargetId: member }), ...lastOne);
    await rejects(f.run('DetachPolicy', { PolicyId: policies[0]?.Id, TargetId: member }), 'PolicyNotAttachedException', 409, "The policy isn't attached to the specified target in the specified root.");
    await rejects(f.run('AttachPolicy', { PolicyId: policies[0]?.Id, TargetId: '000000000001' }), 'TargetNotFoundException', 404, "We can't find a root, OU, account, or policy with the TargetId that you specified.");
    await rejects(f.run('AttachPolicy', { PolicyId: 'p-0000000000', TargetId: member }), 'PolicyNotFoundException', 404, "We can't find a policy with the PolicyId that you specified.");
  });

  test('RCPFullAWSAccess goes everywhere once RCPs are enabled and never comes off', async () => {
    const { rootId, member } = await organizationWithMember(f);
    await f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' });
    const { Policies } = (await f.run('ListPoliciesForTarget', { TargetId: member, Filter: 'RESOURCE_CONTROL_POLICY' })) as { Policies: Summary[] };
    assert.deepEqual(Policies.map((p) => p.Id), ['p-RCPFullAWSAccess']);
    const rcp = await createPolicy('rcp', RCP_DENY, 'RESOURCE_CONTROL_POLICY');
    await f.run('AttachPolicy', { PolicyId: rcp.Id, TargetId: member });
    await rejects(
      f.run('DetachPolicy', { PolicyId: 'p-RCPFullAWSAccess', TargetId: member }),
      'ConstraintViolationException',
      409,
      'You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.',
    );
    // Customer RCPs come off freely: RCPFullAWSAccess stays.
    await f.run('DetachPolicy', { PolicyId: rcp.Id, TargetId: member });
    const after = (await f.run('ListPoliciesForTarget', { TargetId: member, Filter: 'RESOURCE_CONTROL_POLICY' })) as { Policies: Summary[] };
    assert.deepEqual(after.Policies.map((p) => p.Id), ['p-RCPFullAWSAccess']);
  });
});
