// EnableAllFeatures end to end: an organization created with consolidated billing only, a member that joined by
// invitation approves with the AWS CLI, the management account finalizes with boto3; SCPs can then be enabled.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AcceptHandshakeCommand,
  CreateOrganizationCommand,
  DescribeOrganizationCommand,
  EnableAllFeaturesCommand,
  EnablePolicyTypeCommand,
  InviteAccountToOrganizationCommand,
  ListHandshakesForAccountCommand,
  ListRootsCommand,
  RemoveAccountFromOrganizationCommand,
} from '@aws-sdk/client-organizations';
import { awsCli } from './helpers/aws-cli.js';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, organizationsClient, type Key } from './helpers/clients.js';
import { accessRoleSession, ALLOW_ALL, createMember, userWith } from './helpers/organizations.js';
import { useTestServer } from './helpers/server.js';

describe('enabling all features', () => {
  const server = useTestServer();
  let guestAdmin: Key;
  let requestId = '';

  test('setup: a consolidated-billing organization with a member that joined by invitation', async () => {
    const org = organizationsClient(server.endpoint);
    const created = (await org.send(new CreateOrganizationCommand({ FeatureSet: 'CONSOLIDATED_BILLING' }))).Organization;
    assert.equal(created?.FeatureSet, 'CONSOLIDATED_BILLING');
    const guest = await createMember(org, 'guest');
    const admin = await userWith(server.endpoint, 'admin', [ALLOW_ALL]);
    guestAdmin = await userWith(server.endpoint, 'guest-admin', [ALLOW_ALL], await accessRoleSession(server.endpoint, admin, guest));
    await org.send(new RemoveAccountFromOrganizationCommand({ AccountId: guest }));
    const invitation = (await org.send(new InviteAccountToOrganizationCommand({ Target: { Id: guest, Type: 'ACCOUNT' } }))).Handshake;
    await organizationsClient(server.endpoint, guestAdmin).send(new AcceptHandshakeCommand({ HandshakeId: invitation?.Id }));
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id;
    assert.equal((await failure(org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' })))).name, 'PolicyTypeNotAvailableForOrganizationException');
  });

  test('SDK: the management account requests all features; the request waits for the member', async () => {
    const request = (await organizationsClient(server.endpoint).send(new EnableAllFeaturesCommand({}))).Handshake;
    assert.equal(request?.Action, 'ENABLE_ALL_FEATURES');
    assert.equal(request?.State, 'REQUESTED');
    requestId = request?.Id ?? '';
    const early = await failure(organizationsClient(server.endpoint).send(new AcceptHandshakeCommand({ HandshakeId: requestId })));
    assert.deepEqual([early.name, early.status], ['InvalidHandshakeTransitionException', 409]);
  });

  test('AWS CLI v2: the member finds its approval and accepts it', async () => {
    const listed = await awsCli(server.endpoint, ['organizations', 'list-handshakes-for-account', '--filter', 'ActionType=APPROVE_ALL_FEATURES'], guestAdmin);
    assert.equal(listed.code, 0, listed.stderr);
    const [approval] = (JSON.parse(listed.stdout) as { Handshakes: Array<{ Id: string; Resources: Array<{ Type: string; Value: string }> }> }).Handshakes;
    assert.ok(approval?.Resources.some((r) => r.Type === 'PARENT_HANDSHAKE' && r.Value === requestId));
    const accepted = await awsCli(server.endpoint, ['organizations', 'accept-handshake', '--handshake-id', approval?.Id ?? ''], guestAdmin);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.equal((JSON.parse(accepted.stdout) as { Handshake: { State: string } }).Handshake.State, 'ACCEPTED');
    // The SDK sees the same from the member's side.
    const seen = await organizationsClient(server.endpoint, guestAdmin).send(new ListHandshakesForAccountCommand({}));
    assert.ok(seen.Handshakes?.some((h) => h.Id === approval?.Id && h.State === 'ACCEPTED'));
  });

  test('boto3: the management account finalizes; the organization has all features', async () => {
    const seen = await runBoto3Script<Record<string, unknown>>('boto3_all_features.py', server.endpoint);
    assert.deepEqual(seen, { states: ['OPEN'], accepted: 'ACCEPTED', feature_set: 'ALL', again: { code: 'HandshakeConstraintViolationException', reason: 'ORGANIZATION_ALREADY_HAS_ALL_FEATURES' } });
    const org = organizationsClient(server.endpoint);
    assert.equal((await org.send(new DescribeOrganizationCommand({}))).Organization?.FeatureSet, 'ALL');
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id;
    const root = (await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }))).Root;
    assert.deepEqual(root?.PolicyTypes, [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }]);
  });
});
