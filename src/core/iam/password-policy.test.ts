import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { defineOperations, type Params } from '../operation.js';
import { runner, TEST_ACCOUNT, rejects } from '../testing.js';
import { PASSWORD_POLICY_OPERATIONS } from './password-policy.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([...PASSWORD_POLICY_OPERATIONS, ...USER_OPERATIONS]);

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
});

afterEach(() => store.close());


const NO_POLICY = `The Password Policy with domain name ${TEST_ACCOUNT} cannot be found.`;

test('GetAccountPasswordPolicy and DeleteAccountPasswordPolicy answer NoSuchEntity when none is set', async () => {
  await rejects(iam.run('GetAccountPasswordPolicy', {}), 'NoSuchEntity', 404, NO_POLICY);
  await rejects(iam.run('DeleteAccountPasswordPolicy', {}), 'NoSuchEntity', 404, NO_POLICY);
});

const updates: ReadonlyArray<[string, Params, Record<string, unknown>]> = [
  [
    'no members: every default',
    {},
    {
      MinimumPasswordLength: 6,
      RequireSymbols: false,
      RequireNumbers: false,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false,
      ExpirePasswords: false,
    },
  ],
  [
    'every member',
    {
      MinimumPasswordLength: 14,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
      AllowUsersToChangePassword: true,
      MaxPasswordAge: 90,
      PasswordReusePrevention: 24,
      HardExpiry: true,
    },
    {
      MinimumPasswordLength: 14,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
      AllowUsersToChangePassword: true,
      ExpirePasswords: true,
      MaxPasswordAge: 90,
      PasswordReusePrevention: 24,
      HardExpiry: true,
    },
  ],
  [
    'some members',
    { RequireNumbers: true, PasswordReusePrevention: 3 },
    {
      MinimumPasswordLength: 6,
      RequireSymbols: false,
      RequireNumbers: true,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false,
      ExpirePasswords: false,
      PasswordReusePrevention: 3,
    },
  ],
];
for (const [name, params, expected] of updates) {
  test(`UpdateAccountPasswordPolicy, ${name}`, async () => {
    assert.deepEqual(await iam.run('UpdateAccountPasswordPolicy', params), {});
    assert.deepEqual(await iam.run('GetAccountPasswordPolicy', {}), { PasswordPolicy: expected });
  });
}

test('UpdateAccountPasswordPolicy replaces the whole policy: members left out revert to defaults', async () => {
  await iam.run('UpdateAccountPasswordPolicy', { MinimumPasswordLength: 20, RequireSymbols: true, MaxPasswordAge: 30 });
  await iam.run('UpdateAccountPasswordPolicy', { RequireNumbers: true });
  const policy = (await iam.run('GetAccountPasswordPolicy', {}))['PasswordPolicy'] as Record<string, unknown>;
  assert.equal(policy['MinimumPasswordLength'], 6);
  assert.equal(policy['RequireSymbols'], false);
  assert.equal(policy['RequireNumbers'], true);
  assert.equal(policy['ExpirePasswords'], false);
  assert.equal(policy['MaxPasswordAge'], undefined);
});

test('DeleteAccountPasswordPolicy removes the policy', async () => {
  await iam.run('UpdateAccountPasswordPolicy', {});
  assert.deepEqual(await iam.run('DeleteAccountPasswordPolicy', {}), {});
  await rejects(iam.run('GetAccountPasswordPolicy', {}), 'NoSuchEntity', 404, NO_POLICY);
});

test('policies are per account', async () => {
  await iam.run('UpdateAccountPasswordPolicy', {});
  const other = { kind: 'root', account: '444455556666', arn: 'arn:aws:iam::444455556666:root', userId: '444455556666', accessKeyId: 'AKIAOTHER' } as const;
  await rejects(iam.run('GetAccountPasswordPolicy', {}, other), 'NoSuchEntity', 404, 'The Password Policy with domain name 444455556666 cannot be found.');
});

test('the operations are authorized against "*"', () => {
  for (const op of PASSWORD_POLICY_OPERATIONS) assert.equal(op.resource({} as never, {}), '*', op.name);
});
