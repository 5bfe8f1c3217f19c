import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { defineOperations, type OperationContext, type Params } from '../operation.js';
import { ROOT_CALLER, rejects, runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { ACCESS_KEY_OPERATIONS } from './access-keys.js';
import { implicitTarget, type ImplicitTarget } from './implicit-target.js';
import { KIND } from './kinds.js';
import { LOGIN_PROFILE_OPERATIONS } from './login-profiles.js';
import { MFA_DEVICE_OPERATIONS } from './mfa-devices.js';
import { USER_OPERATIONS } from './users.js';

const NON_USER = 'Must specify userName when calling with non-User credentials';
const claims = { account: TEST_ACCOUNT, issued: '2026-11-25T12:00:00Z', expires: '2026-11-25T13:00:00Z' };

const ALICE: Caller = { kind: 'user', account: TEST_ACCOUNT, arn: `arn:aws:iam::${TEST_ACCOUNT}:user/alice`, userId: 'AIDAALICE', userName: 'alice', accessKeyId: 'AKIAALICE' };
const ALICE_SESSION: Caller = { ...ALICE, accessKeyId: 'ASIAALICE', session: { ...claims, kind: 'userSession', arn: ALICE.arn, userId: ALICE.userId, accessKeyId: 'ASIAALICE', userName: 'alice' } } as Caller;
const ROOT_SESSION: Caller = { ...ROOT_CALLER, accessKeyId: 'ASIAROOT', session: { ...claims, kind: 'rootSession', arn: ROOT_CALLER.arn, userId: TEST_ACCOUNT, accessKeyId: 'ASIAROOT' } } as Caller;
const ROLE_SESSION: Caller = {
  kind: 'assumedRole',
  account: TEST_ACCOUNT,
  arn: `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/rotator/s`,
  userId: 'AROAROTATOR:s',
  accessKeyId: 'ASIAROLE',
  roleName: 'rotator',
  roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/rotator`,
};
// A federation token carries the name of the IAM user that asked for it.
const FEDERATED: Caller = { kind: 'federatedUser', account: TEST_ACCOUNT, arn: `arn:aws:sts::${TEST_ACCOUNT}:federated-user/fed`, userId: `${TEST_ACCOUNT}:fed`, userName: 'alice', accessKeyId: 'ASIAFED' };
const ANONYMOUS: Caller = { kind: 'anonymous', account: '', arn: 'anonymous', userId: 'anonymous', accessKeyId: '' };
// A user-kind caller that somehow lacks a name is not taken for root.
const NAMELESS_USER: Caller = { ...ALICE, userName: undefined } as unknown as Caller;

describe('implicitTarget', () => {
  const cases: ReadonlyArray<[string, Caller, ImplicitTarget | undefined]> = [
    ['an IAM user is itself', ALICE, { kind: 'user', name: 'alice' }],
    ["an IAM user's GetSessionToken session is that user", ALICE_SESSION, { kind: 'user', name: 'alice' }],
    ['the root user is root', ROOT_CALLER, { kind: 'root' }],
    ["root's GetSessionToken session is root", ROOT_SESSION, { kind: 'root' }],
    ['a role session must name a user', ROLE_SESSION, undefined],
    ['a federated user is not the user that issued its token', FEDERATED, undefined],
    ['an unsigned caller must name a user', ANONYMOUS, undefined],
    ['a user without a name is not root', NAMELESS_USER, undefined],
  ];
  for (const [name, caller, expected] of cases) {
    test(name, () => {
      if (expected !== undefined) assert.deepEqual(implicitTarget(caller), expected);
      else assert.throws(() => implicitTarget(caller), { code: 'ValidationError', status: 400, message: NON_USER });
    });
  }
});

const OPERATIONS = defineOperations([...ACCESS_KEY_OPERATIONS, ...USER_OPERATIONS, ...MFA_DEVICE_OPERATIONS, ...LOGIN_PROFILE_OPERATIONS]);
const SERIAL = `arn:aws:iam::${TEST_ACCOUNT}:mfa/none`;

// Every implemented operation whose UserName the API model leaves optional, with its other required members.
const IMPLICIT: ReadonlyArray<[string, (rootKey: string) => Params]> = [
  ['CreateAccessKey', () => ({})],
  ['ListAccessKeys', () => ({})],
  ['UpdateAccessKey', (rootKey) => ({ AccessKeyId: rootKey, Status: 'Inactive' })],
  ['DeleteAccessKey', (rootKey) => ({ AccessKeyId: rootKey })],
  ['GetUser', () => ({})],
  ['ListMFADevices', () => ({})],
  ['GetMFADevice', () => ({ SerialNumber: SERIAL })],
  ['DeactivateMFADevice', () => ({ SerialNumber: SERIAL })],
  ['GetLoginProfile', () => ({})],
  ['CreateLoginProfile', () => ({ Password: 'Correct-Horse-9' })],
  ['DeleteLoginProfile', () => ({})],
];

describe('operations without UserName, for callers that are neither a user nor root', () => {
  let store: Store;
  let iam: ReturnType<typeof runner>;
  let rootKey: string;

  beforeEach(async () => {
    store = openSqliteStore({ path: ':memory:' });
    iam = runner(store, OPERATIONS);
    await iam.run('CreateUser', { UserName: 'alice' });
    await iam.run('CreateAccessKey', { UserName: 'alice' });
    rootKey = ((await iam.run('CreateAccessKey', {}))['AccessKey'] as Record<string, string>)['AccessKeyId'] as string;
  });
  afterEach(() => store.close());

  const keys = (owner: string) => store.read((tx) => tx.list(KIND.accessKey, TEST_ACCOUNT, { owner }));

  for (const [caller, who] of [[ROLE_SESSION, 'a role session'], [FEDERATED, "a federated user (alice's token)"]] as const) {
    for (const [name, params] of IMPLICIT) {
      test(`${name} by ${who}: ValidationError, in the resource the request is authorized against and in the operation`, async () => {
        const before = { root: await keys(''), alice: await keys('alice') };
        const op = OPERATIONS.get(`iam:${name}`);
        assert.ok(op !== undefined);
        await rejects(
          store.read(async (tx) => op.resource({ caller, account: TEST_ACCOUNT, tx, now: new Date(), requestId: 't', services: testServices() } satisfies OperationContext, params(rootKey))),
          'ValidationError',
          400,
          NON_USER,
        );
        await rejects(iam.run(name, params(rootKey), caller), 'ValidationError', 400, NON_USER);
        assert.deepEqual({ root: await keys(''), alice: await keys('alice') }, before);
      });
    }
  }
});
