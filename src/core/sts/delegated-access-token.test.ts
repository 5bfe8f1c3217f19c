import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { Authorizer } from '../authorize.js';
import type { Caller } from '../caller.js';
import { DELEGATION_REQUEST_OPERATIONS } from '../iam/delegation-requests.js';
import { INLINE_POLICY_OPERATIONS } from '../iam/inline-policies.js';
import { ROLE_OPERATIONS } from '../iam/roles.js';
import { USER_OPERATIONS } from '../iam/users.js';
import { defineOperations, type CoreServices, type DelegationTokenDelivery, type Params } from '../operation.js';
import { rejects, ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { DELEGATED_ACCESS_TOKEN_OPERATIONS } from './delegated-access-token.js';
import { SCOPED_CREDENTIALS_OPERATIONS } from './scoped-credentials.js';
import { callerFromClaims, callerRestriction } from './session-caller.js';
import { createKeyRing, openSessionToken, sealSessionToken, type SessionClaims } from './session-token.js';

const OPERATIONS = defineOperations([
  ...USER_OPERATIONS,
  ...ROLE_OPERATIONS,
  ...INLINE_POLICY_OPERATIONS,
  ...DELEGATION_REQUEST_OPERATIONS,
  ...DELEGATED_ACCESS_TOKEN_OPERATIONS,
  ...SCOPED_CREDENTIALS_OPERATIONS,
]);
const ring = createKeyRing([{ id: 'k1', key: randomBytes(32), created: '2026-01-01T00:00:00Z' }]);
const T0 = new Date('2026-11-25T12:00:00Z');
const PARTNER = '444455556666';
const partner: Caller = { ...ROOT_CALLER, account: PARTNER, arn: `arn:aws:iam::${PARTNER}:root`, userId: PARTNER };
const TEMPLATE_ARN = 'arn:aws:iam::aws:policy-template/ReadBucket';
const TEMPLATE = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::@{bucket}/*' },
    { Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' },
  ],
};
const doc = (action: string | string[]): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

let store: Store;
let iam: ReturnType<typeof runner>;
let authorizer: Authorizer;
let delivered: DelegationTokenDelivery[];
let templates: Map<string, unknown>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  delivered = [];
  templates = new Map<string, unknown>([[TEMPLATE_ARN, TEMPLATE], ['arn:aws:iam::aws:policy-template/Huge', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '@{many}' }] }]]);
  const services: CoreServices = {
    ...testServices(),
    sealSessionToken: (claims) => sealSessionToken(ring, claims),
    delegationTemplate: (arn) => templates.get(arn),
    deliverDelegationToken: (delivery) => void delivered.push(delivery),
  };
  iam = runner(store, OPERATIONS, services);
  iam.setClock(T0);
  authorizer = new Authorizer(store, services.awsManagedPolicies);
});
afterEach(() => store.close());

/** A user of the customer account with these permissions, as a long-term caller. */
async function customerUser(name: string, actions: string[]): Promise<Caller> {
  const user = (await iam.run('CreateUser', { UserName: name }))['User'] as Record<string, string>;
  await iam.run('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: doc(actions) });
  return { kind: 'user', account: TEST_ACCOUNT, arn: user['Arn'] as string, userId: user['UserId'] as string, userName: name, accessKeyId: 'AKIACUSTOMER' };
}

/** A request created by the partner, associated and accepted by `approver`, its token sent: the delivery. */
async function finalized(approver: Caller, permissions: Params = { PolicyTemplateArn: TEMPLATE_ARN, Parameters: [{ Name: 'bucket', Values: ['logs'], Type: 'string' }] }): Promise<DelegationTokenDelivery> {
  const id = (await iam.run('CreateDelegationRequest', {
    Description: 'Read the logs',
    Permissions: permissions,
    RequestorWorkflowId: 'wf-1234',
    NotificationChannel: `arn:aws:sns:us-east-1:${PARTNER}:delegation`,
    SessionDuration: 3600,
  }, partner))['DelegationRequestId'] as string;
  await iam.run('AssociateDelegationRequest', { DelegationRequestId: id }, approver);
  await iam.run('AcceptDelegationRequest', { DelegationRequestId: id }, approver);
  await iam.run('SendDelegationToken', { DelegationRequestId: id }, approver);
  const delivery = delivered.at(-1);
  assert.equal(delivery?.delegationRequestId, id);
  return delivery as DelegationTokenDelivery;
}

async function exchange(token: string, caller: Caller = partner): Promise<{ out: Record<string, unknown>; claims: SessionClaims; caller: Caller }> {
  const out = await iam.run('GetDelegatedAccessToken', { TradeInToken: token }, caller);
  const claims = openSessionToken(ring, (out['Credentials'] as { SessionToken: string }).SessionToken);
  assert.ok(claims !== undefined);
  return { out, claims, caller: callerFromClaims(claims) };
}

const allowed = async (caller: Caller, action: string, resource = '*'): Promise<boolean> =>
  (await store.read((tx) => authorizer.decide({ caller, action, resource, now: T0 }, tx))).decision === 'Allowed';

describe('the delegation flow: create, associate, accept, send, exchange', () => {
  test('the delivery names the request, the partner and the period; the request is FINALIZED', async () => {
    const alice = await customerUser('alice', ['iam:*', 's3:*']);
    const delivery = await finalized(alice);
    assert.equal(delivery.requestorAccountId, PARTNER);
    assert.equal(delivery.requestorWorkflowId, 'wf-1234');
    assert.equal(delivery.ownerAccountId, TEST_ACCOUNT);
    assert.deepEqual(delivery.expiration, new Date(T0.getTime() + 3_600_000));
    assert.match(delivery.tradeInToken, /^dr-[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/);
    const got = (await iam.run('GetDelegationRequest', { DelegationRequestId: delivery.delegationRequestId }))['DelegationRequest'] as Record<string, unknown>;
    assert.equal(got['State'], 'FINALIZED');
    assert.equal(JSON.stringify(got).includes(delivery.tradeInToken.split('.')[1] as string), false, 'the token is never shown');
  });

  test('credentials act as the accepting user, within the rendered template, until the delegation period ends', async () => {
    const alice = await customerUser('alice', ['iam:*', 's3:*']);
    const delivery = await finalized(alice);
    iam.setClock(new Date(T0.getTime() + 600_000));
    const { out, claims, caller } = await exchange(delivery.tradeInToken);
    assert.equal(out['AssumedPrincipal'], alice.arn);
    assert.equal(out['PackedPolicySize'], undefined);
    assert.deepEqual((out['Credentials'] as { Expiration: Date }).Expiration, delivery.expiration);
    assert.equal(claims.kind, 'delegatedSession');
    assert.deepEqual([caller.kind, caller.arn, caller.userId, caller.account], ['user', alice.arn, alice.userId, TEST_ACCOUNT]);
    assert.equal(await allowed(caller, 's3:GetObject', 'arn:aws:s3:::logs/today'), true);
    assert.equal(await allowed(caller, 's3:GetObject', 'arn:aws:s3:::secrets/key'), false, 'outside the rendered template');
    assert.equal(await allowed(caller, 'iam:GetUser'), true);
    assert.equal(await allowed(caller, 'iam:DeleteUser'), false, 'alice may, the delegation may not');
    assert.equal(await allowed(alice, 'iam:DeleteUser'), true);
    assert.equal(callerRestriction(caller, 'iam', 'GetUser', '*'), undefined, 'a delegated session reaches IAM without MFA');
  });

  test('the template cannot grant what the accepting identity lacks', async () => {
    const bob = await customerUser('bob', ['iam:GetUser']);
    const { caller } = await exchange((await finalized(bob)).tradeInToken);
    assert.equal(await allowed(caller, 'iam:GetUser'), true);
    assert.equal(await allowed(caller, 's3:GetObject', 'arn:aws:s3:::logs/x'), false);
  });

  test('accepted by a role session: the role, with the session\'s own limits and the template', async () => {
    const role = (await iam.run('CreateRole', { RoleName: 'admin', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: TEST_ACCOUNT }, Action: 'sts:AssumeRole' }] }) }))['Role'] as Record<string, string>;
    await iam.run('PutRolePolicy', { RoleName: 'admin', PolicyName: 'p', PolicyDocument: doc(['iam:*', 's3:*']) });
    const session = callerFromClaims({
      kind: 'assumedRole', account: TEST_ACCOUNT, arn: `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/admin/carol`, userId: `${role['RoleId']}:carol`,
      roleArn: role['Arn'] as string, roleName: 'admin', sessionName: 'carol', accessKeyId: 'ASIACAROL', secretAccessKey: 's',
      sessionPolicy: doc(['iam:*', 'iam:AcceptDelegationRequest']), issued: T0.toISOString(), expires: new Date(T0.getTime() + 3_600_000).toISOString(),
    });
    const { out, caller } = await exchange((await finalized(session)).tradeInToken);
    assert.equal(out['AssumedPrincipal'], role['Arn']);
    assert.deepEqual([caller.kind, caller.arn, caller.roleName], ['assumedRole', session.arn, 'admin']);
    assert.equal(await allowed(caller, 'iam:GetUser'), true);
    assert.equal(await allowed(caller, 's3:GetObject', 'arn:aws:s3:::logs/x'), false, "the accepting session's own session policy allows no s3");
  });

  test('accepted by the root user: the root user, bound by the template', async () => {
    const { out, caller } = await exchange((await finalized(ROOT_CALLER)).tradeInToken);
    assert.equal(out['AssumedPrincipal'], `arn:aws:iam::${TEST_ACCOUNT}:root`);
    assert.equal(caller.kind, 'root');
    assert.equal(await allowed(caller, 'iam:GetUser'), true);
    assert.equal(await allowed(caller, 'iam:CreateUser'), false);
  });

  test('a delegated session may scope itself down further, never up', async () => {
    const alice = await customerUser('alice', ['iam:*', 's3:*', 'sts:GetScopedCredentials']);
    templates.set(TEMPLATE_ARN, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListUsers', 'sts:GetScopedCredentials'], Resource: '*' }] });
    const { caller } = await exchange((await finalized(alice)).tradeInToken);
    const scoped = await iam.run('GetScopedCredentials', { Policy: doc(['iam:GetUser', 'iam:DeleteUser']) }, caller);
    assert.equal(scoped['ScopedPoliciesCount'], 1);
    const narrowed = callerFromClaims(openSessionToken(ring, (scoped['Credentials'] as { SessionToken: string }).SessionToken) as SessionClaims);
    assert.equal(await allowed(narrowed, 'iam:GetUser'), true);
    assert.equal(await allowed(narrowed, 'iam:ListUsers'), false);
    assert.equal(await allowed(narrowed, 'iam:DeleteUser'), false);
  });
});

describe('GetDelegatedAccessToken refusals', () => {
  test('an expired token: ExpiredTradeInTokenException (400) from the end of the delegation period', async () => {
    const delivery = await finalized(await customerUser('alice', ['iam:*']));
    iam.setClock(new Date(T0.getTime() + 3_599_000));
    await exchange(delivery.tradeInToken);
    iam.setClock(delivery.expiration);
    await rejects(iam.run('GetDelegatedAccessToken', { TradeInToken: delivery.tradeInToken }, partner), 'ExpiredTradeInTokenException', 400, 'The trade-in token has expired and can no longer be exchanged for credentials.');
  });

  test('forged, altered, foreign-account and unfinalized tokens all get the same AccessDenied', async () => {
    const delivery = await finalized(await customerUser('alice', ['iam:*']));
    const [id, secret] = delivery.tradeInToken.split('.') as [string, string];
    const altered = `${id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    const other = 'dr-' + '0'.repeat(32) + '.' + secret;
    for (const [token, caller] of [[altered, partner], [other, partner], ['garbage', partner], [delivery.tradeInToken, ROOT_CALLER]] as const) {
      await rejects(iam.run('GetDelegatedAccessToken', { TradeInToken: token }, caller), 'AccessDenied', 403, 'The trade-in token is not valid.');
    }
  });

  test('a rendered template over 2,048 characters: PackedPolicyTooLarge', async () => {
    const many = Array.from({ length: 90 }, (_, i) => `arn:aws:s3:::bucket-number-${i}/*`);
    const delivery = await finalized(await customerUser('alice', ['s3:*']), { PolicyTemplateArn: 'arn:aws:iam::aws:policy-template/Huge', Parameters: [{ Name: 'many', Values: many, Type: 'stringList' }] });
    await assert.rejects(iam.run('GetDelegatedAccessToken', { TradeInToken: delivery.tradeInToken }, partner), { code: 'PackedPolicyTooLarge', status: 400 });
  });

  test('no token is released for a template Gatehouse does not know; the request stays ACCEPTED', async () => {
    const alice = await customerUser('alice', ['iam:*']);
    const id = (await iam.run('CreateDelegationRequest', {
      Description: 'x', Permissions: { PolicyTemplateArn: 'arn:aws:iam::aws:policy-template/Unknown' }, RequestorWorkflowId: 'wf-9999',
      NotificationChannel: `arn:aws:sns:us-east-1:${PARTNER}:d`, SessionDuration: 900,
    }, partner))['DelegationRequestId'] as string;
    await iam.run('AssociateDelegationRequest', { DelegationRequestId: id }, alice);
    await iam.run('AcceptDelegationRequest', { DelegationRequestId: id }, alice);
    await rejects(
      iam.run('SendDelegationToken', { DelegationRequestId: id }, alice),
      'InvalidInput', 400,
      `The delegation request with id ${id} cannot be finalized: its policy template arn:aws:iam::aws:policy-template/Unknown is not registered with Gatehouse.`,
    );
    assert.equal(delivered.length, 0);
    assert.equal(((await iam.run('GetDelegationRequest', { DelegationRequestId: id }, alice))['DelegationRequest'] as Record<string, unknown>)['State'], 'ACCEPTED');
  });

  test('a failed delivery leaves the request ACCEPTED', async () => {
    const alice = await customerUser('alice', ['iam:*']);
    const services: CoreServices = { ...testServices(), sealSessionToken: (c) => sealSessionToken(ring, c), delegationTemplate: (arn) => templates.get(arn), deliverDelegationToken: () => { throw new Error('disk full'); } };
    const failing = runner(store, OPERATIONS, services);
    const id = (await iam.run('CreateDelegationRequest', {
      Description: 'x', Permissions: { PolicyTemplateArn: TEMPLATE_ARN, Parameters: [{ Name: 'bucket', Values: ['b'], Type: 'string' }] }, RequestorWorkflowId: 'wf-5555',
      NotificationChannel: `arn:aws:sns:us-east-1:${PARTNER}:d`, SessionDuration: 900,
    }, partner))['DelegationRequestId'] as string;
    await iam.run('AssociateDelegationRequest', { DelegationRequestId: id }, alice);
    await iam.run('AcceptDelegationRequest', { DelegationRequestId: id }, alice);
    await assert.rejects(failing.run('SendDelegationToken', { DelegationRequestId: id }, alice), /disk full/);
    assert.equal(((await iam.run('GetDelegationRequest', { DelegationRequestId: id }, alice))['DelegationRequest'] as Record<string, unknown>)['State'], 'ACCEPTED');
  });
});
