// The organization's delegation policy end to end: the management account delegates reads and tag-policy management
// to a member account; that member's administrator (allowed everything by its own identity policy) uses them through
// the SDK and the AWS CLI; a user of the same member without an identity Allow, and requests outside the delegation,
// are refused; boto3 manages the policy itself.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AttachPolicyCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DeleteResourcePolicyCommand,
  DescribeOrganizationCommand,
  DescribeResourcePolicyCommand,
  EnablePolicyTypeCommand,
  ListAccountsCommand,
  ListHandshakesForAccountCommand,
  ListRootsCommand,
  PutResourcePolicyCommand,
} from '@aws-sdk/client-organizations';
import { awsCli } from './helpers/aws-cli.js';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, organizationsClient, type Key } from './helpers/clients.js';
import { accessRoleSession, ALLOW_ALL, createMember, userWith } from './helpers/organizations.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

describe('delegated administration of policies', () => {
  const server = useTestServer();
  let member = '';
  let rootId = '';
  let delegateAdmin: Key;
  let delegateNobody: Key;

  test('setup: a member account with an administrator and a user without any policy', async () => {
    const org = organizationsClient(server.endpoint);
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'TAG_POLICY' }));
    member = await createMember(org, 'delegate');
    const admin = await userWith(server.endpoint, 'admin', [ALLOW_ALL]);
    const session = await accessRoleSession(server.endpoint, admin, member);
    delegateAdmin = await userWith(server.endpoint, 'delegate-admin', [ALLOW_ALL], session);
    delegateNobody = await userWith(server.endpoint, 'delegate-nobody', [], session);
    assert.equal((await failure(organizationsClient(server.endpoint, delegateAdmin).send(new ListRootsCommand({})))).name, 'AccessDeniedException');
  });

  test('SDK: PutResourcePolicy and DescribeResourcePolicy', async () => {
    const content = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Read', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${member}:root` }, Action: ['organizations:List*', 'organizations:Describe*'], Resource: '*' },
        {
          Sid: 'TagPolicies',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${member}:root` },
          Action: ['organizations:CreatePolicy', 'organizations:AttachPolicy'],
          Resource: '*',
          Condition: { StringEquals: { 'organizations:PolicyType': 'TAG_POLICY' } },
        },
      ],
    });
    const put = (await organizationsClient(server.endpoint).send(new PutResourcePolicyCommand({ Content: content }))).ResourcePolicy;
    assert.match(put?.ResourcePolicySummary?.Arn ?? '', /^arn:aws:organizations::\d{12}:resourcepolicy\/o-[a-z0-9]{10}\/rp-[a-z0-9]{8}$/);
    assert.equal((await organizationsClient(server.endpoint).send(new DescribeResourcePolicyCommand({}))).ResourcePolicy?.Content, content);
  });

  test('SDK: the delegate lists and manages tag policies; outside the delegation or its own policies, refused', async () => {
    const org = organizationsClient(server.endpoint, delegateAdmin);
    assert.deepEqual((await org.send(new ListRootsCommand({}))).Roots?.map((r) => r.Id), [rootId]);
    assert.ok(((await org.send(new ListAccountsCommand({}))).Accounts ?? []).some((a) => a.Id === member));
    const policy = (await org.send(new CreatePolicyCommand({ Name: 'tags', Description: '', Type: 'TAG_POLICY', Content: '{"tags":{}}' }))).Policy?.PolicySummary;
    await org.send(new AttachPolicyCommand({ PolicyId: policy?.Id, TargetId: rootId }));
    const scp = await failure(org.send(new CreatePolicyCommand({ Name: 'scp', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] }) })));
    assert.equal(scp.name, 'AccessDeniedException');
    assert.equal((await failure(org.send(new DeleteResourcePolicyCommand({})))).name, 'AccessDeniedException');
    // Same account, no identity policy: the delegation alone does not let it in.
    assert.equal((await failure(organizationsClient(server.endpoint, delegateNobody).send(new ListRootsCommand({})))).name, 'AccessDeniedException');
  });

  test('AWS CLI v2: the delegate lists the roots; once the delegation is deleted, it cannot', async () => {
    const listed = await awsCli(server.endpoint, ['organizations', 'list-roots'], delegateAdmin);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal((JSON.parse(listed.stdout) as { Roots: Array<{ Id: string }> }).Roots[0]?.Id, rootId);
    await organizationsClient(server.endpoint).send(new DeleteResourcePolicyCommand({}));
    const refused = await awsCli(server.endpoint, ['organizations', 'list-roots'], delegateAdmin);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /AccessDeniedException/);
  });

  test('boto3: put_resource_policy, describe_resource_policy, delete_resource_policy', async () => {
    const seen = await runBoto3Script<Record<string, unknown>>('boto3_resource_policy.py', server.endpoint, { MEMBER_ACCOUNT: member });
    assert.deepEqual(seen, { same_content: true, same_id: true, wildcard: 'INVALID_PRINCIPAL', deleted: 404 });
  });

  test('a delegation that does not cover a request leaves the member’s own requests as they were', async () => {
    const narrow = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${member}:root` }, Action: 'organizations:ListRoots', Resource: '*' }],
    });
    await organizationsClient(server.endpoint).send(new PutResourcePolicyCommand({ Content: narrow }));
    const org = organizationsClient(server.endpoint, delegateAdmin);
    assert.equal((await org.send(new DescribeOrganizationCommand({}))).Organization?.MasterAccountId, TEST_ACCOUNT_ID);
    assert.deepEqual((await org.send(new ListHandshakesForAccountCommand({}))).Handshakes, []);
    assert.deepEqual((await org.send(new ListRootsCommand({}))).Roots?.map((r) => r.Id), [rootId]);
    assert.equal((await failure(org.send(new ListAccountsCommand({})))).name, 'AccessDeniedException');
  });
});
