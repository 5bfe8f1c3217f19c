import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { rejects, TEST_ACCOUNT } from '../testing.js';
import { orgFixture, rootOf, type OrgFixture } from './testing.js';

let f: OrgFixture;
beforeEach(() => {
  f = orgFixture();
});
afterEach(() => f.store.close());

interface Handshake {
  Id: string;
  Arn: string;
  Action: string;
  State: string;
  Parties: Array<{ Id: string; Type: string }>;
  Resources: Array<{ Type: string; Value: string; Resources?: Array<{ Type: string; Value: string }> }>;
}

const DENIED: [string, number, string] = ['AccessDeniedException', 403, "You don't have permissions to access this resource."];
const TRANSITION: [string, number, string] = [
  'InvalidHandshakeTransitionException',
  409,
  "You can't perform the operation on the handshake in its current state. For example, you can't cancel a handshake that was already accepted or accept a handshake that was already declined.",
];

async function createdAccount(name: string): Promise<string> {
  const out = (await f.run('CreateAccount', { Email: `${name}@example.com`, AccountName: name })) as { CreateAccountStatus: { AccountId: string } };
  return out.CreateAccountStatus.AccountId;
}

/** A consolidated-billing organization with one created member and two invited ones. */
async function billingOrganization(): Promise<{ orgId: string; created: string; invited: string[] }> {
  const { Organization } = (await f.run('CreateOrganization', { FeatureSet: 'CONSOLIDATED_BILLING' })) as { Organization: { Id: string } };
  const created = await createdAccount('created');
  const invited: string[] = [];
  for (const name of ['guest-a', 'guest-b']) {
    const account = await createdAccount(name);
    await f.run('RemoveAccountFromOrganization', { AccountId: account });
    const { Handshake } = (await f.run('InviteAccountToOrganization', { Target: { Id: account, Type: 'ACCOUNT' } })) as { Handshake: Handshake };
    await f.run('AcceptHandshake', { HandshakeId: Handshake.Id }, rootOf(account));
    invited.push(account);
  }
  return { orgId: Organization.Id, created, invited };
}

const handshakesOf = async (account: string): Promise<Handshake[]> => ((await f.run('ListHandshakesForAccount', {}, rootOf(account))) as { Handshakes: Handshake[] }).Handshakes;

test('EnableAllFeatures: invited members approve, then the management account finalizes', async () => {
  const { orgId, created, invited } = await billingOrganization();
  const { rootId } = { rootId: ((await f.run('ListRoots')) as { Roots: Array<{ Id: string }> }).Roots[0]?.Id as string };
  await rejects(f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }), 'PolicyTypeNotAvailableForOrganizationException', 409, "You can't use a policy type that isn't available in the organization's feature set.");

  const { Handshake: request } = (await f.run('EnableAllFeatures')) as { Handshake: Handshake };
  assert.equal(request.Action, 'ENABLE_ALL_FEATURES');
  assert.equal(request.State, 'REQUESTED');
  assert.equal(request.Arn, `arn:aws:organizations::${TEST_ACCOUNT}:handshake/${orgId}/enable_all_features/${request.Id}`);
  assert.deepEqual(request.Parties, [{ Id: orgId, Type: 'ORGANIZATION' }]);
  assert.deepEqual(request.Resources, [{ Type: 'ORGANIZATION', Value: orgId }]);

  // Each invited member has an approval naming the request; the created member has none.
  assert.deepEqual(await handshakesOf(created), []);
  const approvals: Handshake[] = [];
  for (const account of invited) {
    const [approval, ...rest] = (await handshakesOf(account)).filter((h) => h.Action === 'APPROVE_ALL_FEATURES');
    assert.ok(approval !== undefined && rest.length === 0);
    assert.equal(approval.State, 'OPEN');
    assert.deepEqual(approval.Parties, [{ Id: orgId, Type: 'ORGANIZATION' }, { Id: account, Type: 'ACCOUNT' }]);
    assert.deepEqual(approval.Resources.slice(1), [{ Type: 'ACCOUNT', Value: account }, { Type: 'PARENT_HANDSHAKE', Value: request.Id }]);
    approvals.push(approval);
  }
  const children = (await f.run('ListHandshakesForOrganization', { Filter: { ParentHandshakeId: request.Id } })) as { Handshakes: Handshake[] };
  assert.deepEqual(children.Handshakes.map((h) => h.Id).sort(), approvals.map((h) => h.Id).sort());
  const mine = (await f.run('ListHandshakesForAccount', { Filter: { ActionType: 'ENABLE_ALL_FEATURES' } })) as { Handshakes: Handshake[] };
  assert.deepEqual(mine.Handshakes.map((h) => h.Id), [request.Id]);

  // No invitation while the change is pending; no second request.
  await rejects(f.run('InviteAccountToOrganization', { Target: { Id: '000000000077', Type: 'ACCOUNT' } }), 'HandshakeConstraintViolationException', 409,
    "You can't issue new invitations to join an organization while it's in the process of enabling all features. You can resume inviting accounts after you finalize the process when all accounts have agreed to the change.");
  await rejects(f.run('EnableAllFeatures'), 'HandshakeConstraintViolationException', 409, 'The handshake request is invalid because the organization has already started the process to enable all features.');

  // Only the member approves its own; the management account cannot finalize before every approval.
  await rejects(f.run('AcceptHandshake', { HandshakeId: approvals[0]?.Id }), ...DENIED);
  await rejects(f.run('AcceptHandshake', { HandshakeId: approvals[0]?.Id }, rootOf(invited[1] as string)), 'HandshakeNotFoundException', 404, "We can't find a handshake with the HandshakeId that you specified.");
  await rejects(f.run('AcceptHandshake', { HandshakeId: request.Id }, rootOf(invited[0] as string)), 'HandshakeNotFoundException', 404, "We can't find a handshake with the HandshakeId that you specified.");
  await f.run('AcceptHandshake', { HandshakeId: approvals[0]?.Id }, rootOf(invited[0] as string));
  await rejects(f.run('AcceptHandshake', { HandshakeId: request.Id }), ...TRANSITION);
  assert.equal(((await f.run('DescribeHandshake', { HandshakeId: request.Id })) as { Handshake: Handshake }).Handshake.State, 'REQUESTED');
  await f.run('AcceptHandshake', { HandshakeId: approvals[1]?.Id }, rootOf(invited[1] as string));
  assert.equal(((await f.run('DescribeHandshake', { HandshakeId: request.Id })) as { Handshake: Handshake }).Handshake.State, 'OPEN');
  await rejects(f.run('AcceptHandshake', { HandshakeId: request.Id }, rootOf(created)), 'HandshakeNotFoundException', 404, "We can't find a handshake with the HandshakeId that you specified.");

  const accepted = (await f.run('AcceptHandshake', { HandshakeId: request.Id })) as { Handshake: Handshake };
  assert.equal(accepted.Handshake.State, 'ACCEPTED');
  assert.equal(((await f.run('DescribeOrganization')) as { Organization: { FeatureSet: string } }).Organization.FeatureSet, 'ALL');
  await f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
  await rejects(f.run('EnableAllFeatures'), 'HandshakeConstraintViolationException', 409, 'The handshake request is invalid because the organization has already enabled all features.');
});

test('a declined approval keeps the request waiting until the account leaves; canceling withdraws the approvals', async () => {
  const { invited } = await billingOrganization();
  const [a, b] = invited as [string, string];
  const { Handshake: first } = (await f.run('EnableAllFeatures')) as { Handshake: Handshake };
  const approvalOf = async (account: string, parent: string): Promise<Handshake> =>
    (await handshakesOf(account)).find((h) => h.Action === 'APPROVE_ALL_FEATURES' && h.Resources.some((r) => r.Type === 'PARENT_HANDSHAKE' && r.Value === parent)) as Handshake;

  // Canceling the request cancels the approvals still open; a member cannot cancel.
  await rejects(f.run('CancelHandshake', { HandshakeId: (await approvalOf(a, first.Id)).Id }, rootOf(a)), ...DENIED);
  await f.run('CancelHandshake', { HandshakeId: first.Id });
  assert.equal((await approvalOf(a, first.Id)).State, 'CANCELED');
  await rejects(f.run('AcceptHandshake', { HandshakeId: (await approvalOf(a, first.Id)).Id }, rootOf(a)), ...TRANSITION);

  const { Handshake: second } = (await f.run('EnableAllFeatures')) as { Handshake: Handshake };
  await f.run('AcceptHandshake', { HandshakeId: (await approvalOf(a, second.Id)).Id }, rootOf(a));
  await f.run('DeclineHandshake', { HandshakeId: (await approvalOf(b, second.Id)).Id }, rootOf(b));
  assert.equal(((await f.run('DescribeHandshake', { HandshakeId: second.Id })) as { Handshake: Handshake }).Handshake.State, 'REQUESTED');
  await rejects(f.run('AcceptHandshake', { HandshakeId: second.Id }), ...TRANSITION);
  // The account that declined leaves the organization: the others have all approved.
  await f.run('RemoveAccountFromOrganization', { AccountId: b });
  assert.equal(((await f.run('DescribeHandshake', { HandshakeId: second.Id })) as { Handshake: Handshake }).Handshake.State, 'OPEN');
  await f.run('AcceptHandshake', { HandshakeId: second.Id });
  assert.equal(((await f.run('DescribeOrganization')) as { Organization: { FeatureSet: string } }).Organization.FeatureSet, 'ALL');
});

test('an organization of created accounts only: the request is OPEN at once; members and outsiders cannot ask', async () => {
  await f.run('CreateOrganization', { FeatureSet: 'CONSOLIDATED_BILLING' });
  const member = await createdAccount('m');
  await rejects(f.run('EnableAllFeatures', {}, rootOf(member)), ...DENIED);
  await rejects(f.run('EnableAllFeatures', {}, rootOf('999999999999')), 'AWSOrganizationsNotInUseException', 404, 'Your account is not a member of an organization.');
  const { Handshake } = (await f.run('EnableAllFeatures')) as { Handshake: Handshake };
  assert.equal(Handshake.State, 'OPEN');
  await rejects(f.run('DeclineHandshake', { HandshakeId: Handshake.Id }), ...DENIED);
  await f.run('AcceptHandshake', { HandshakeId: Handshake.Id });
  await rejects(f.run('AcceptHandshake', { HandshakeId: Handshake.Id }), 'HandshakeAlreadyInStateException', 409, "The specified handshake is already in the requested state. For example, you can't accept a handshake that was already accepted.");
});
