import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { defineOperations, type Params } from '../operation.js';
import { rejects, ROOT_CALLER, runner, TEST_ACCOUNT } from '../testing.js';
import { DELEGATION_REQUEST_OPERATIONS } from './delegation-requests.js';

const OPERATIONS = defineOperations(DELEGATION_REQUEST_OPERATIONS);
const PARTNER = '444455556666';
const OTHER = '777788889999';
const partner: Caller = { ...ROOT_CALLER, account: PARTNER, arn: `arn:aws:iam::${PARTNER}:root`, userId: PARTNER };
const other: Caller = { ...ROOT_CALLER, account: OTHER, arn: `arn:aws:iam::${OTHER}:root`, userId: OTHER };
const alice: Caller = { kind: 'user', account: TEST_ACCOUNT, arn: `arn:aws:iam::${TEST_ACCOUNT}:user/alice`, userId: 'AIDAALICE', userName: 'alice', accessKeyId: 'AKIAALICE' };

const CREATE: Params = {
  Description: 'Deploy the monitoring stack',
  Permissions: { PolicyTemplateArn: 'arn:aws:iam::aws:policy-template/Monitoring', Parameters: [{ Name: 'bucket', Values: ['logs'], Type: 'string' }] },
  RequestorWorkflowId: 'workflow-1',
  NotificationChannel: `arn:aws:sns:us-east-1:${PARTNER}:delegation`,
  SessionDuration: 3600,
};

let store: Store;
let iam: ReturnType<typeof runner>;
beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
});
afterEach(() => store.close());

async function create(extra: Params = {}): Promise<string> {
  return (await iam.run('CreateDelegationRequest', { ...CREATE, ...extra }, partner))['DelegationRequestId'] as string;
}
const state = async (id: string, caller: Caller = ROOT_CALLER): Promise<unknown> =>
  ((await iam.run('GetDelegationRequest', { DelegationRequestId: id }, caller))['DelegationRequest'] as Record<string, unknown>)['State'];

test('the approval path: associate, update (pending approval), accept', async () => {
  const id = await create();
  assert.match(id, /^[\w-]{16,128}$/);
  assert.equal(await state(id, partner), 'UNASSIGNED');
  await iam.run('AssociateDelegationRequest', { DelegationRequestId: id }, alice);
  const got = (await iam.run('GetDelegationRequest', { DelegationRequestId: id }))['DelegationRequest'] as Record<string, unknown>;
  assert.equal(got['State'], 'ASSIGNED');
  assert.equal(got['OwnerId'], alice.arn);
  assert.equal(got['OwnerAccountId'], TEST_ACCOUNT);
  assert.equal(got['RequestorId'], PARTNER);
  await iam.run('UpdateDelegationRequest', { DelegationRequestId: id, Notes: 'needs an admin' }, alice);
  assert.equal(await state(id), 'PENDING_APPROVAL');
  await iam.run('AcceptDelegationRequest', { DelegationRequestId: id });
  const accepted = (await iam.run('GetDelegationRequest', { DelegationRequestId: id }, partner))['DelegationRequest'] as Record<string, unknown>;
  assert.equal(accepted['State'], 'ACCEPTED');
  assert.equal(accepted['ApproverId'], ROOT_CALLER.arn);
  assert.equal(accepted['Notes'], 'needs an admin');
});

test('an accepted request may still be rejected, and a rejected one can do nothing more', async () => {
  const id = await create();
  await iam.run('AssociateDelegationRequest', { DelegationRequestId: id });
  await iam.run('AcceptDelegationRequest', { DelegationRequestId: id });
  await iam.run('RejectDelegationRequest', { DelegationRequestId: id, Notes: 'changed my mind' });
  const got = (await iam.run('GetDelegationRequest', { DelegationRequestId: id }))['DelegationRequest'] as Record<string, unknown>;
  assert.deepEqual([got['State'], got['RejectionReason']], ['REJECTED', 'changed my mind']);
  for (const [name, verb] of [['AcceptDelegationRequest', 'accepted'], ['UpdateDelegationRequest', 'updated'], ['RejectDelegationRequest', 'rejected'], ['SendDelegationToken', 'finalized'], ['AssociateDelegationRequest', 'associated']] as const) {
    await rejects(iam.run(name, { DelegationRequestId: id }), 'InvalidInput', 400, `The delegation request with id ${id} is in state REJECTED and cannot be ${verb}.`);
  }
});

test('invalid transitions: nothing before association, no token before acceptance', async () => {
  const id = await create();
  await rejects(iam.run('AcceptDelegationRequest', { DelegationRequestId: id }), 'InvalidInput', 400, `The delegation request with id ${id} is in state UNASSIGNED and cannot be changed before it is associated.`);
  await iam.run('AssociateDelegationRequest', { DelegationRequestId: id });
  await rejects(iam.run('SendDelegationToken', { DelegationRequestId: id }), 'InvalidInput', 400, `The delegation request with id ${id} is in state ASSIGNED and cannot be finalized.`);
  await rejects(iam.run('AssociateDelegationRequest', { DelegationRequestId: id }), 'InvalidInput', 400, `The delegation request with id ${id} is in state ASSIGNED and cannot be associated.`);
});

test('SendDelegationToken refuses rather than finalize a token it cannot deliver; OnlySendByOwner is enforced first', async () => {
  const id = await create({ OnlySendByOwner: true });
  await iam.run('AssociateDelegationRequest', { DelegationRequestId: id }, alice);
  await iam.run('AcceptDelegationRequest', { DelegationRequestId: id });
  await rejects(iam.run('SendDelegationToken', { DelegationRequestId: id }), 'AccessDenied', 403, `Only the owner of the delegation request with id ${id} (${alice.arn}) may send its delegation token.`);
  await assert.rejects(iam.run('SendDelegationToken', { DelegationRequestId: id }, alice), { code: 'NotImplemented', status: 501 });
  assert.equal(await state(id), 'ACCEPTED');
});

test('a request targeted at an account is invisible to, and cannot be associated by, any other', async () => {
  const id = await create({ OwnerAccountId: TEST_ACCOUNT });
  await rejects(iam.run('GetDelegationRequest', { DelegationRequestId: id }, other), 'NoSuchEntity', 404, `The delegation request with id ${id} cannot be found.`);
  await rejects(iam.run('AssociateDelegationRequest', { DelegationRequestId: id }, other), 'NoSuchEntity', 404, `The delegation request with id ${id} cannot be found.`);
  await iam.run('AssociateDelegationRequest', { DelegationRequestId: id });
  // Once owned, only the owner's account decides.
  await rejects(iam.run('AcceptDelegationRequest', { DelegationRequestId: id }, other), 'NoSuchEntity', 404, `The delegation request with id ${id} cannot be found.`);
  await rejects(iam.run('RejectDelegationRequest', { DelegationRequestId: id }, partner), 'NoSuchEntity', 404, `The delegation request with id ${id} cannot be found.`);
});

test('an untargeted request is associated by whoever claims it first, then hidden from the rest', async () => {
  const id = await create();
  await iam.run('AssociateDelegationRequest', { DelegationRequestId: id }, other);
  await rejects(iam.run('GetDelegationRequest', { DelegationRequestId: id }), 'NoSuchEntity', 404, `The delegation request with id ${id} cannot be found.`);
  await rejects(iam.run('AssociateDelegationRequest', { DelegationRequestId: id }), 'NoSuchEntity', 404, `The delegation request with id ${id} cannot be found.`);
});

test('ListDelegationRequests lists the account\'s owned requests only, filtered by OwnerId', async () => {
  const unowned = await create({ OwnerAccountId: TEST_ACCOUNT });
  const a = await create();
  const b = await create();
  await iam.run('AssociateDelegationRequest', { DelegationRequestId: a }, alice);
  await iam.run('AssociateDelegationRequest', { DelegationRequestId: b });
  const all = await iam.run('ListDelegationRequests', {});
  const ids = (all['DelegationRequests'] as Array<Record<string, unknown>>).map((r) => r['DelegationRequestId']);
  assert.deepEqual([...ids].sort(), [a, b].sort());
  assert.ok(!ids.includes(unowned));
  assert.equal(all['isTruncated'], false);
  const mine = await iam.run('ListDelegationRequests', { OwnerId: alice.arn });
  assert.deepEqual((mine['DelegationRequests'] as Array<Record<string, unknown>>).map((r) => r['DelegationRequestId']), [a]);
  const page = await iam.run('ListDelegationRequests', { MaxItems: 1 });
  assert.equal(page['isTruncated'], true);
  assert.deepEqual((await iam.run('ListDelegationRequests', {}, partner))['DelegationRequests'], []);
});

test('CreateDelegationRequest takes only an SNS topic ARN as its notification channel', async () => {
  for (const channel of ['https://example.com/hook', 'arn:aws:sqs:us-east-1:444455556666:queue', 'sns-topic']) {
    await rejects(iam.run('CreateDelegationRequest', { ...CREATE, NotificationChannel: channel }, partner), 'InvalidInput', 400, `Invalid NotificationChannel: ${channel}. Only Amazon SNS topic ARNs are accepted.`);
  }
});

test('GetDelegationRequest with a permission check answers FAILED rather than guess; unknown IDs are NoSuchEntity', async () => {
  const id = await create();
  const got = await iam.run('GetDelegationRequest', { DelegationRequestId: id, DelegationPermissionCheck: true }, partner);
  assert.equal(got['PermissionCheckStatus'], 'FAILED');
  assert.equal(got['PermissionCheckResult'], undefined);
  await rejects(iam.run('GetDelegationRequest', { DelegationRequestId: 'dr-00000000000000000000' }), 'NoSuchEntity', 404, 'The delegation request with id dr-00000000000000000000 cannot be found.');
});

// The Service Authorization Reference lists iam:DelegationRequestOwner for the delegation-request resource type: the
// decision on an existing request carries its owner, once there is one, and only for a request the caller may see.
test('iam:DelegationRequestOwner is the owner of the stored request resource() found, once associated', async () => {
  const id = await create();
  const keysFor = async (name: string, caller: Caller): Promise<Record<string, string | string[]> | undefined> =>
    store.read(async (tx) => {
      const ctx = { caller, account: caller.account, tx, now: new Date(), requestId: 't', services: {} } as never;
      const op = OPERATIONS.get(`iam:${name}`);
      await op?.resource(ctx, { DelegationRequestId: id });
      return op?.conditionKeys?.(ctx, { DelegationRequestId: id });
    });
  assert.deepEqual(await keysFor('GetDelegationRequest', ROOT_CALLER), {});
  await iam.run('AssociateDelegationRequest', { DelegationRequestId: id }, alice);
  for (const name of ['GetDelegationRequest', 'UpdateDelegationRequest', 'AcceptDelegationRequest', 'RejectDelegationRequest', 'SendDelegationToken']) {
    assert.deepEqual(await keysFor(name, ROOT_CALLER), { 'iam:DelegationRequestOwner': alice.arn }, name);
  }
  // The partner that made it sees it too; an unrelated account gets no owner from it.
  assert.deepEqual(await keysFor('GetDelegationRequest', partner), { 'iam:DelegationRequestOwner': alice.arn });
  assert.deepEqual(await keysFor('GetDelegationRequest', other), {});
});
