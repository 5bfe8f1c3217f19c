// Invitations between accounts of one Gatehouse, end to end: an account outside the organization is invited (by
// account ID and by email), sees the invitation, accepts or declines it; the management account lists and cancels;
// the member leaves on its own; AWS's errors for duplicates, wrong parties and impossible transitions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AcceptHandshakeCommand,
  CancelHandshakeCommand,
  CreateOrganizationCommand,
  DeclineHandshakeCommand,
  DeleteOrganizationCommand,
  DescribeHandshakeCommand,
  DescribeOrganizationCommand,
  InviteAccountToOrganizationCommand,
  LeaveOrganizationCommand,
  ListAccountsCommand,
  ListHandshakesForAccountCommand,
  ListHandshakesForOrganizationCommand,
  ListTagsForResourceCommand,
  RemoveAccountFromOrganizationCommand,
} from '@aws-sdk/client-organizations';
import { awsCli } from './helpers/aws-cli.js';
import { failure, organizationsClient, type Key } from './helpers/clients.js';
import { accessRoleSession, ALLOW_ALL, createMember, userWith } from './helpers/organizations.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

async function reason(promise: Promise<unknown>): Promise<[string, string | undefined]> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; Reason?: string };
    return [e.name, e.Reason];
  }
  throw new Error('expected the call to fail');
}

describe('invitations and handshakes', () => {
  const server = useTestServer();
  let orgId = '';
  let guest = '';
  let member = '';
  let guestAdmin: Key;
  let memberAdmin: Key;
  let handshakeId = '';

  test('setup: an account of this Gatehouse outside the organization, with an administrator of its own', async () => {
    const org = organizationsClient(server.endpoint);
    orgId = (await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization?.Id ?? '';
    guest = await createMember(org, 'guest');
    member = await createMember(org, 'member');
    const admin = await userWith(server.endpoint, 'admin', [ALLOW_ALL]);
    guestAdmin = await userWith(server.endpoint, 'guest-admin', [ALLOW_ALL], await accessRoleSession(server.endpoint, admin, guest));
    memberAdmin = await userWith(server.endpoint, 'member-admin', [ALLOW_ALL], await accessRoleSession(server.endpoint, admin, member));
    await org.send(new RemoveAccountFromOrganizationCommand({ AccountId: guest }));
    assert.equal((await failure(organizationsClient(server.endpoint, guestAdmin).send(new DescribeOrganizationCommand({})))).name, 'AWSOrganizationsNotInUseException');
  });

  test('the management account invites by account ID; the invitation reads as AWS’s; a second one is a duplicate', async () => {
    const org = organizationsClient(server.endpoint);
    const handshake = (await org.send(new InviteAccountToOrganizationCommand({ Target: { Id: guest, Type: 'ACCOUNT' }, Notes: 'welcome', Tags: [{ Key: 'team', Value: 'guests' }] }))).Handshake;
    handshakeId = handshake?.Id ?? '';
    assert.match(handshakeId, /^h-[0-9a-z]{32}$/);
    assert.equal(handshake?.Arn, `arn:aws:organizations::${TEST_ACCOUNT_ID}:handshake/${orgId}/invite/${handshakeId}`);
    assert.deepEqual([handshake?.State, handshake?.Action], ['OPEN', 'INVITE']);
    assert.deepEqual(handshake?.Parties, [{ Id: orgId, Type: 'ORGANIZATION' }, { Id: guest, Type: 'ACCOUNT' }]);
    assert.deepEqual(handshake?.Resources?.map((r) => r.Type), ['ORGANIZATION', 'ACCOUNT', 'NOTES']);
    const days = ((handshake?.ExpirationTimestamp?.getTime() ?? 0) - (handshake?.RequestedTimestamp?.getTime() ?? 0)) / 86_400_000;
    assert.equal(days, 15);
    assert.deepEqual(await reason(org.send(new InviteAccountToOrganizationCommand({ Target: { Id: guest, Type: 'ACCOUNT' } }))), ['DuplicateHandshakeException', undefined]);
    assert.deepEqual(await reason(org.send(new InviteAccountToOrganizationCommand({ Target: { Id: member, Type: 'ACCOUNT' } }))), ['HandshakeConstraintViolationException', 'ALREADY_IN_AN_ORGANIZATION']);
    const listed = await org.send(new ListHandshakesForOrganizationCommand({}));
    assert.deepEqual(listed.Handshakes?.map((h) => h.Id), [handshakeId]);
  });

  test('only the invited account sees and answers it; the management account cannot accept for it', async () => {
    const guestOrg = organizationsClient(server.endpoint, guestAdmin);
    assert.deepEqual((await guestOrg.send(new ListHandshakesForAccountCommand({}))).Handshakes?.map((h) => h.Id), [handshakeId]);
    assert.equal((await guestOrg.send(new DescribeHandshakeCommand({ HandshakeId: handshakeId }))).Handshake?.State, 'OPEN');
    assert.deepEqual(await failure(organizationsClient(server.endpoint, memberAdmin).send(new DescribeHandshakeCommand({ HandshakeId: handshakeId }))), {
      name: 'HandshakeNotFoundException',
      message: "We can't find a handshake with the HandshakeId that you specified.",
      status: 404,
    });
    assert.equal((await failure(organizationsClient(server.endpoint).send(new AcceptHandshakeCommand({ HandshakeId: handshakeId })))).name, 'AccessDeniedException');
    assert.equal((await failure(organizationsClient(server.endpoint, memberAdmin).send(new AcceptHandshakeCommand({ HandshakeId: handshakeId })))).name, 'HandshakeNotFoundException');
  });

  test('the AWS CLI accepts it: the account joins at the root, INVITED, with the invitation’s tags', async () => {
    const accepted = await awsCli(server.endpoint, ['organizations', 'accept-handshake', '--handshake-id', handshakeId], guestAdmin);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.equal((JSON.parse(accepted.stdout) as { Handshake: { State: string } }).Handshake.State, 'ACCEPTED');
    const accounts = (await organizationsClient(server.endpoint).send(new ListAccountsCommand({}))).Accounts ?? [];
    assert.equal(accounts.find((a) => a.Id === guest)?.JoinedMethod, 'INVITED');
    assert.deepEqual((await organizationsClient(server.endpoint).send(new ListTagsForResourceCommand({ ResourceId: guest }))).Tags, [{ Key: 'team', Value: 'guests' }]);
    assert.equal((await organizationsClient(server.endpoint, guestAdmin).send(new DescribeOrganizationCommand({}))).Organization?.Id, orgId);
    const guestOrg = organizationsClient(server.endpoint, guestAdmin);
    assert.deepEqual(await failure(guestOrg.send(new AcceptHandshakeCommand({ HandshakeId: handshakeId }))), {
      name: 'HandshakeAlreadyInStateException',
      message: "The specified handshake is already in the requested state. For example, you can't accept a handshake that was already accepted.",
      status: 409,
    });
    assert.equal((await failure(guestOrg.send(new DeclineHandshakeCommand({ HandshakeId: handshakeId })))).name, 'InvalidHandshakeTransitionException');
  });

  test('the member leaves on its own; the management account cannot', async () => {
    await organizationsClient(server.endpoint, guestAdmin).send(new LeaveOrganizationCommand({}));
    assert.equal((await failure(organizationsClient(server.endpoint, guestAdmin).send(new DescribeOrganizationCommand({})))).name, 'AWSOrganizationsNotInUseException');
    assert.equal((await failure(organizationsClient(server.endpoint).send(new LeaveOrganizationCommand({})))).name, 'MasterCannotLeaveOrganizationException');
  });

  test('invited again: cancelled by the management account, then by email and declined', async () => {
    const org = organizationsClient(server.endpoint);
    const again = (await org.send(new InviteAccountToOrganizationCommand({ Target: { Id: guest, Type: 'ACCOUNT' } }))).Handshake?.Id ?? '';
    assert.equal((await org.send(new CancelHandshakeCommand({ HandshakeId: again }))).Handshake?.State, 'CANCELED');
    assert.equal((await failure(organizationsClient(server.endpoint, guestAdmin).send(new AcceptHandshakeCommand({ HandshakeId: again })))).name, 'InvalidHandshakeTransitionException');
    const byEmail = (await org.send(new InviteAccountToOrganizationCommand({ Target: { Id: 'guest@example.com', Type: 'EMAIL' } }))).Handshake;
    assert.deepEqual(byEmail?.Parties?.[1], { Id: 'guest@example.com', Type: 'EMAIL' });
    const declined = await organizationsClient(server.endpoint, guestAdmin).send(new DeclineHandshakeCommand({ HandshakeId: byEmail?.Id }));
    assert.equal(declined.Handshake?.State, 'DECLINED');
    const states = (await org.send(new ListHandshakesForOrganizationCommand({}))).Handshakes?.map((h) => h.State);
    assert.deepEqual(states, ['ACCEPTED', 'CANCELED', 'DECLINED']);
  });
});

describe('an organization deleted and created again', () => {
  const server = useTestServer();

  test('an invitation of the deleted organization cannot be accepted into the new one', async () => {
    const org = organizationsClient(server.endpoint);
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const guest = await createMember(org, 'returning');
    const admin = await userWith(server.endpoint, 'admin', [ALLOW_ALL]);
    const guestAdmin = await userWith(server.endpoint, 'guest-admin', [ALLOW_ALL], await accessRoleSession(server.endpoint, admin, guest));
    await org.send(new RemoveAccountFromOrganizationCommand({ AccountId: guest }));
    const stale = (await org.send(new InviteAccountToOrganizationCommand({ Target: { Id: guest, Type: 'ACCOUNT' } }))).Handshake?.Id ?? '';
    await org.send(new DeleteOrganizationCommand({}));
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    assert.equal((await failure(organizationsClient(server.endpoint, guestAdmin).send(new AcceptHandshakeCommand({ HandshakeId: stale })))).name, 'HandshakeNotFoundException');
    assert.deepEqual((await organizationsClient(server.endpoint, guestAdmin).send(new ListHandshakesForAccountCommand({}))).Handshakes, []);
  });
});
