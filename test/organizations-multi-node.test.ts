// Two Gatehouse nodes on one PostgreSQL database: an SCP attached (or detached) through one node holds on the other
// for its next request once that node has heard of the write; so do an RCP and a CloseAccount.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, ListRolesCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AttachPolicyCommand, CloseAccountCommand, CreateAccountCommand, CreateOrganizationCommand, CreatePolicyCommand, DetachPolicyCommand, EnablePolicyTypeCommand, ListRootsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { failure, iamClient, keyOf, organizationsClient, stsClient } from './helpers/clients.js';
import { usePostgresNodes } from './helpers/postgres-nodes.js';
import type { TestServer } from './helpers/server.js';

const nodes = usePostgresNodes(2);
const node = (index: 0 | 1): TestServer => nodes.node(index);

/** Waits (bounded) until node `to` has heard of every write node `from` has committed. */
async function propagated(from: 0 | 1, to: 0 | 1): Promise<void> {
  const target = node(from).running.store.version();
  const start = performance.now();
  while (node(to).running.store.version() < target) {
    if (performance.now() - start > 2_000) assert.fail(`node ${to} did not see version ${target} within 2 s`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('an SCP attached through node A binds a member session on node B at its next request; detached through B, A lets it through', async () => {
  const org = organizationsClient(node(0).endpoint);
  await org.send(new CreateOrganizationCommand({}));
  const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
  await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
  const member = (await org.send(new CreateAccountCommand({ Email: 'm@example.com', AccountName: 'm' }))).CreateAccountStatus?.AccountId ?? '';
  const root = iamClient(node(0).endpoint);
  await root.send(new CreateUserCommand({ UserName: 'admin' }));
  await root.send(new PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'all', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }));
  const created = await root.send(new CreateAccessKeyCommand({ UserName: 'admin' }));
  const admin = { accessKeyId: created.AccessKey?.AccessKeyId ?? '', secretAccessKey: created.AccessKey?.SecretAccessKey ?? '' };
  await propagated(0, 1);
  const session = keyOf((await stsClient(node(1).endpoint, admin).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'ops' }))).Credentials);
  const onB = iamClient(node(1).endpoint, session);
  const onA = iamClient(node(0).endpoint, session);
  // Compiled on B before the SCP exists: the cached decision must not outlive the attachment.
  await onB.send(new ListRolesCommand({}));

  const scp = (await org.send(new CreatePolicyCommand({
    Name: 'no-roles-list',
    Description: '',
    Type: 'SERVICE_CONTROL_POLICY',
    Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:ListRoles', Resource: '*' }] }),
  }))).Policy?.PolicySummary?.Id ?? '';
  await org.send(new AttachPolicyCommand({ PolicyId: scp, TargetId: member }));
  await propagated(0, 1);
  const denied = await failure(onB.send(new ListRolesCommand({})));
  assert.equal(denied.name, 'AccessDenied');
  assert.match(denied.message, / with an explicit deny in a service control policy$/);

  await onA.send(new ListRolesCommand({})).then(
    () => assert.fail('node A must deny too'),
    (error: Error) => assert.equal(error.name, 'AccessDenied'),
  );
  await organizationsClient(node(1).endpoint).send(new DetachPolicyCommand({ PolicyId: scp, TargetId: member }));
  await propagated(1, 0);
  assert.deepEqual((await onA.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName), ['OrganizationAccountAccessRole']);
});

test('an RCP attached through node A refuses an AssumeRole on node B at its next request; a CloseAccount through A ends B’s sessions', async () => {
  const org = organizationsClient(node(0).endpoint);
  const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
  await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' }));
  const member = (await org.send(new CreateAccountCommand({ Email: 'r@example.com', AccountName: 'r' }))).CreateAccountStatus?.AccountId ?? '';
  const root = iamClient(node(0).endpoint);
  await root.send(new CreateUserCommand({ UserName: 'rcp-admin' }));
  await root.send(new PutUserPolicyCommand({ UserName: 'rcp-admin', PolicyName: 'all', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }));
  const created = await root.send(new CreateAccessKeyCommand({ UserName: 'rcp-admin' }));
  const admin = { accessKeyId: created.AccessKey?.AccessKeyId ?? '', secretAccessKey: created.AccessKey?.SecretAccessKey ?? '' };
  const roleArn = `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`;
  await propagated(0, 1);
  // Decided (and cached) on B before the RCP exists.
  const session = keyOf((await stsClient(node(1).endpoint, admin).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'before' }))).Credentials);

  const rcp = (await org.send(new CreatePolicyCommand({
    Name: 'no-assume',
    Description: '',
    Type: 'RESOURCE_CONTROL_POLICY',
    Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' }] }),
  }))).Policy?.PolicySummary?.Id ?? '';
  await org.send(new AttachPolicyCommand({ PolicyId: rcp, TargetId: member }));
  await propagated(0, 1);
  const denied = await failure(stsClient(node(1).endpoint, admin).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'after' })));
  assert.equal(denied.name, 'AccessDenied');
  assert.match(denied.message, / with an explicit deny in a resource control policy$/);

  // The session issued before still works on B, until the account is closed through A.
  assert.deepEqual((await iamClient(node(1).endpoint, session).send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName), ['OrganizationAccountAccessRole']);
  await org.send(new CloseAccountCommand({ AccountId: member }));
  await propagated(0, 1);
  assert.equal((await failure(iamClient(node(1).endpoint, session).send(new ListRolesCommand({})))).name, 'InvalidClientTokenId');
});
