import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store, StoreTx } from '../../store/store.js';
import type { OperationContext } from '../operation.js';
import { rejects, ROOT_CALLER, TEST_ACCOUNT as A, testServices } from '../testing.js';
import { KIND } from './kinds.js';
import { bindTrustPrincipals, renderTrustPolicy, type TrustBindings } from './trust-principals.js';

const ALICE_ID = 'AIDAALICEALICEALICE1';
const OPS_ID = 'AROAOPSOPSOPSOPSOPS1';
const OTHER_ACCOUNT_USER_ID = 'AIDAOTHEROTHEROTHER1';

let store: Store;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  await store.transaction(async (tx) => {
    const entity = { owner: '', created: '2026-01-01T00:00:00Z', data: {} };
    await tx.insert({ ...entity, kind: KIND.user, account: A, key: 'alice', id: ALICE_ID, path: '/' });
    await tx.insert({ ...entity, kind: KIND.role, account: A, key: 'ops', id: OPS_ID, path: '/team/' });
    await tx.insert({ ...entity, kind: KIND.group, account: A, key: 'devs', id: 'AGPADEVSDEVSDEVSDEV1', path: '/' });
    await tx.insert({ ...entity, kind: KIND.user, account: '444455556666', key: 'bob', id: OTHER_ACCOUNT_USER_ID, path: '/' });
  });
});

afterEach(() => store.close());

const trust = (aws: unknown, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole', ...extra }] });

function bind(document: string): Promise<TrustBindings> {
  return store.transaction((tx) => {
    const ctx: OperationContext = { caller: ROOT_CALLER, account: A, tx, now: new Date(), requestId: 'test', services: testServices() };
    return bindTrustPrincipals(ctx, document);
  });
}

const render = (document: string, bindings: TrustBindings): Promise<string> => store.read((tx: StoreTx) => renderTrustPolicy(tx, A, document, bindings));

const BOUND: Array<[string, string, TrustBindings]> = [
  ['a user of the account', `arn:aws:iam::${A}:user/alice`, { [`arn:aws:iam::${A}:user/alice`]: { kind: 'user', id: ALICE_ID } }],
  ['a role with its path', `arn:aws:iam::${A}:role/team/ops`, { [`arn:aws:iam::${A}:role/team/ops`]: { kind: 'role', id: OPS_ID } }],
  ['the unique ID of a user of the account', ALICE_ID, { [ALICE_ID]: { kind: 'user', id: ALICE_ID } }],
  ['the unique ID of a deleted entity', 'AIDAGONEGONEGONEGONE1', {}],
  ['the unique ID of another account\'s user', OTHER_ACCOUNT_USER_ID, {}],
  ['*', '*', {}],
  ['an account ID', A, {}],
  ['an account root', `arn:aws:iam::${A}:root`, {}],
  ['a role session', `arn:aws:sts::${A}:assumed-role/ops/session`, {}],
  ['a federated user', `arn:aws:sts::${A}:federated-user/fed`, {}],
  ['a user of an account this server does not hold', 'arn:aws:iam::444455556666:user/bob', {}],
  ['a role in another partition', `arn:aws-cn:iam::${A}:role/ops`, {}],
];

for (const [name, value, expected] of BOUND) {
  test(`binds ${name}`, async () => {
    assert.deepEqual({ ...(await bind(trust(value))) }, expected);
  });
}

const REFUSED: Array<[string, string]> = [
  ['a user that does not exist', `arn:aws:iam::${A}:user/nobody`],
  ['a role under another path', `arn:aws:iam::${A}:role/ops`],
  ['a user name in another case', `arn:aws:iam::${A}:user/ALICE`],
  ['a group', `arn:aws:iam::${A}:group/devs`],
  ['an STS ARN that is not a session', `arn:aws:sts::${A}:role/x`],
  ['a session without a session name', `arn:aws:sts::${A}:assumed-role/ops`],
  ['an IAM ARN with a region', `arn:aws:iam:us-east-1:${A}:user/alice`],
  ['an account that is not 12 digits', 'arn:aws:iam::1234:root'],
  ['an unknown partition', `arn:aws-moon:iam::${A}:root`],
  ['another service', 'arn:aws:s3:::bucket'],
  ['an empty path segment', `arn:aws:iam::${A}:user//alice`],
];

for (const [name, value] of REFUSED) {
  test(`refuses ${name}`, async () => {
    await rejects(bind(trust(['*', value])), 'MalformedPolicyDocument', 400, `Invalid principal in policy: "AWS":"${value}"`);
  });
}

test('a document whose principals all read as written is returned as the same text', async () => {
  const document = trust([`arn:aws:iam::${A}:user/alice`, A]).replace(/,/g, ', ');
  assert.equal(await render(document, await bind(document)), document);
});

test('a deleted principal reads as its unique ID in the Principal element only, whatever the statement shape', async () => {
  const arn = `arn:aws:iam::${A}:user/alice`;
  const document = JSON.stringify({
    Version: '2012-10-17',
    Statement: { Effect: 'Allow', Principal: { AWS: [arn, A] }, Action: 'sts:AssumeRole', Condition: { ArnNotEquals: { 'aws:PrincipalArn': arn } } },
  });
  const bindings = await bind(document);
  await store.transaction((tx) => tx.delete(KIND.user, A, 'alice').then(() => undefined));
  assert.deepEqual(JSON.parse(await render(document, bindings)), {
    Version: '2012-10-17',
    Statement: { Effect: 'Allow', Principal: { AWS: [ALICE_ID, A] }, Action: 'sts:AssumeRole', Condition: { ArnNotEquals: { 'aws:PrincipalArn': arn } } },
  });
});

test('a user recreated under the same name does not take the old binding; a renamed one keeps it', async () => {
  const document = trust(`arn:aws:iam::${A}:user/alice`);
  const bindings = await bind(document);
  await store.transaction(async (tx) => {
    const alice = await tx.get(KIND.user, A, 'alice');
    assert.ok(alice !== undefined);
    await tx.delete(KIND.user, A, 'alice');
    await tx.insert({ ...alice, id: 'AIDANEWALICENEWALIC1' });
  });
  assert.equal(await render(document, bindings), trust(ALICE_ID));
  const byId = await bind(trust('AIDANEWALICENEWALIC1'));
  await store.transaction(async (tx) => {
    const alice = await tx.get(KIND.user, A, 'alice');
    assert.ok(alice !== undefined);
    await tx.delete(KIND.user, A, 'alice');
    await tx.insert({ ...alice, key: 'alicia', path: '/moved/' });
  });
  assert.equal(await render(trust('AIDANEWALICENEWALIC1'), byId), trust(`arn:aws:iam::${A}:user/moved/alicia`));
});

test('older roles without bindings read as written', async () => {
  const document = trust(`arn:aws:iam::${A}:user/nobody`);
  assert.equal(await store.read((tx) => renderTrustPolicy(tx, A, document, undefined)), document);
});
