import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { defineOperations, type Params } from '../operation.js';
import { ROOT_CALLER, runner, TEST_ACCOUNT, rejects } from '../testing.js';
import { KIND } from './kinds.js';
import { checkPassword, LOGIN_PROFILE_OPERATIONS } from './login-profiles.js';
import { PASSWORD_POLICY_OPERATIONS, type PasswordPolicyData } from './password-policy.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([...LOGIN_PROFILE_OPERATIONS, ...PASSWORD_POLICY_OPERATIONS, ...USER_OPERATIONS]);

const ALICE: Caller = {
  kind: 'user',
  account: TEST_ACCOUNT,
  arn: `arn:aws:iam::${TEST_ACCOUNT}:user/alice`,
  userId: 'AIDAALICE',
  userName: 'alice',
  accessKeyId: 'AKIAALICE',
};

const STRONG = 'Correct-Horse-9';

// ---- checkPassword ----

const LOOSE: PasswordPolicyData = {
  MinimumPasswordLength: 6,
  RequireSymbols: false,
  RequireNumbers: false,
  RequireUppercaseCharacters: false,
  RequireLowercaseCharacters: false,
  AllowUsersToChangePassword: false,
};
const STRICT: PasswordPolicyData = { ...LOOSE, MinimumPasswordLength: 12, RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true };
const NONCONFORMING = 'Password does not conform to the account password policy.';

const passwords: ReadonlyArray<[string, PasswordPolicyData | undefined, string, string | undefined]> = [
  ['default: too short', undefined, 'Ab1!', 'Password should have a minimum length of 8'],
  ['default: three classes suffice', undefined, 'abcdEFGH1', undefined],
  ['default: all four classes', undefined, 'abcdEF1!', undefined],
  ['default: lowercase and number only', undefined, 'abcdefg1', 'Password should meet 1 more of the following requirements: Password should have at least one uppercase letter, Password should have at least one symbol'],
  [
    'default: one class only',
    undefined,
    'abcdefgh',
    'Password should meet 2 more of the following requirements: Password should have at least one uppercase letter, Password should have at least one number, Password should have at least one symbol',
  ],
  ['default: symbols are those IAM lists', undefined, "abcdefg1'", undefined],
  ['default: a dot is not a counted symbol', undefined, 'abcdefg1.', 'Password should meet 1 more of the following requirements: Password should have at least one uppercase letter, Password should have at least one symbol'],
  ['loose policy: six lowercase letters', LOOSE, 'abcdef', undefined],
  ['loose policy: too short', LOOSE, 'abcde', NONCONFORMING],
  ['strict policy: passes', STRICT, 'Abcdefghij1!', undefined],
  ['strict policy: too short', STRICT, 'Abcdefghi1!', NONCONFORMING],
  ['strict policy: no symbol', STRICT, 'Abcdefghijk1', NONCONFORMING],
  ['strict policy: no number', STRICT, 'Abcdefghijk!', NONCONFORMING],
  ['strict policy: no uppercase', STRICT, 'abcdefghij1!', NONCONFORMING],
  ['strict policy: no lowercase', STRICT, 'ABCDEFGHIJ1!', NONCONFORMING],
];
for (const [name, policy, password, expected] of passwords) {
  test(`checkPassword, ${name}`, () => {
    assert.equal(checkPassword(policy, password), expected);
  });
}

// ---- operations ----

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
  await iam.run('CreateUser', { UserName: 'alice' });
});

afterEach(() => store.close());


const NO_PROFILE = 'Login Profile for User alice cannot be found.';

test('CreateLoginProfile stores only a hash and returns the profile', async () => {
  const out = await iam.run('CreateLoginProfile', { UserName: 'alice', Password: STRONG, PasswordResetRequired: true });
  const expected = { UserName: 'alice', CreateDate: new Date('2026-11-25T12:00:00Z'), PasswordResetRequired: true };
  assert.deepEqual(out, { LoginProfile: expected });
  assert.deepEqual(await iam.run('GetLoginProfile', { UserName: 'alice' }), { LoginProfile: expected });
  await store.transaction(async (tx) => {
    const record = await tx.get(KIND.loginProfile, TEST_ACCOUNT, 'alice');
    assert.equal(record?.data['passwordHash'], `hash:${STRONG}`);
    assert.ok(!JSON.stringify(record?.data).includes(`"${STRONG}"`));
  });
});

test('CreateLoginProfile refuses a second profile', async () => {
  await iam.run('CreateLoginProfile', { UserName: 'alice', Password: STRONG });
  await rejects(iam.run('CreateLoginProfile', { UserName: 'alice', Password: STRONG }), 'EntityAlreadyExists', 409, 'Login Profile for user alice already exists.');
});

test('CreateLoginProfile applies the default rules without a policy, the account policy with one', async () => {
  await rejects(iam.run('CreateLoginProfile', { UserName: 'alice', Password: 'short' }), 'PasswordPolicyViolation', 400, 'Password should have a minimum length of 8');
  await iam.run('UpdateAccountPasswordPolicy', { MinimumPasswordLength: 16 });
  await rejects(iam.run('CreateLoginProfile', { UserName: 'alice', Password: STRONG }), 'PasswordPolicyViolation', 400, NONCONFORMING);
  await iam.run('CreateLoginProfile', { UserName: 'alice', Password: 'sixteen-letters!' });
});

test('without UserName an IAM user means itself', async () => {
  await iam.run('CreateLoginProfile', { Password: STRONG }, ALICE);
  assert.equal(((await iam.run('GetLoginProfile', {}, ALICE))['LoginProfile'] as Record<string, unknown>)['UserName'], 'alice');
  await iam.run('DeleteLoginProfile', {}, ALICE);
  await rejects(iam.run('GetLoginProfile', {}, ALICE), 'NoSuchEntity', 404, NO_PROFILE);
});

const noProfile: ReadonlyArray<[string, Params]> = [
  ['GetLoginProfile', { UserName: 'alice' }],
  ['UpdateLoginProfile', { UserName: 'alice', Password: STRONG }],
  ['DeleteLoginProfile', { UserName: 'alice' }],
];
for (const [name, params] of noProfile) {
  test(`${name} answers NoSuchEntity without a profile`, async () => {
    await rejects(iam.run(name, params), 'NoSuchEntity', 404, NO_PROFILE);
  });
}

const noUser: ReadonlyArray<[string, Params]> = [
  ['CreateLoginProfile', { UserName: 'ghost', Password: STRONG }],
  ['GetLoginProfile', { UserName: 'ghost' }],
  ['UpdateLoginProfile', { UserName: 'ghost', Password: STRONG }],
  ['DeleteLoginProfile', { UserName: 'ghost' }],
];
for (const [name, params] of noUser) {
  test(`${name} answers NoSuchEntity without the user`, async () => {
    await rejects(iam.run(name, params), 'NoSuchEntity', 404, 'The user with name ghost cannot be found.');
  });
}

test('UpdateLoginProfile changes the password and the reset flag independently', async () => {
  await iam.run('CreateLoginProfile', { UserName: 'alice', Password: STRONG });
  await iam.run('UpdateLoginProfile', { UserName: 'alice', PasswordResetRequired: true });
  assert.equal(((await iam.run('GetLoginProfile', { UserName: 'alice' }))['LoginProfile'] as Record<string, unknown>)['PasswordResetRequired'], true);
  await rejects(iam.run('UpdateLoginProfile', { UserName: 'alice', Password: 'weak' }), 'PasswordPolicyViolation', 400, 'Password should have a minimum length of 8');
  await iam.run('UpdateLoginProfile', { UserName: 'alice', Password: 'Another-Pass-7' });
  await store.transaction(async (tx) => {
    const data = (await tx.get(KIND.loginProfile, TEST_ACCOUNT, 'alice'))?.data;
    assert.equal(data?.['passwordHash'], 'hash:Another-Pass-7');
    assert.equal(data?.['passwordResetRequired'], true);
    assert.deepEqual(data?.['previousHashes'], [`hash:${STRONG}`]);
  });
});

test('DeleteLoginProfile removes the profile', async () => {
  await iam.run('CreateLoginProfile', { UserName: 'alice', Password: STRONG });
  assert.deepEqual(await iam.run('DeleteLoginProfile', { UserName: 'alice' }), {});
  await rejects(iam.run('GetLoginProfile', { UserName: 'alice' }), 'NoSuchEntity', 404, NO_PROFILE);
});

test('ChangePassword: the caller changes its own password and clears the reset flag', async () => {
  await iam.run('CreateLoginProfile', { UserName: 'alice', Password: STRONG, PasswordResetRequired: true });
  assert.deepEqual(await iam.run('ChangePassword', { OldPassword: STRONG, NewPassword: 'Brand-New-Pass-1' }, ALICE), {});
  await store.transaction(async (tx) => {
    const data = (await tx.get(KIND.loginProfile, TEST_ACCOUNT, 'alice'))?.data;
    assert.equal(data?.['passwordHash'], 'hash:Brand-New-Pass-1');
    assert.equal(data?.['passwordResetRequired'], false);
  });
});

test('ChangePassword refuses the root user', async () => {
  await rejects(iam.run('ChangePassword', { OldPassword: STRONG, NewPassword: STRONG }, ROOT_CALLER), 'InvalidUserType', 400, 'Only IAM Users can change their own password.');
});

test('ChangePassword without a login profile', async () => {
  await rejects(iam.run('ChangePassword', { OldPassword: STRONG, NewPassword: STRONG }, ALICE), 'NoSuchEntity', 404, NO_PROFILE);
});

test('ChangePassword checks the old password', async () => {
  await iam.run('CreateLoginProfile', { UserName: 'alice', Password: STRONG });
  await rejects(iam.run('ChangePassword', { OldPassword: 'wrong-one', NewPassword: 'Brand-New-Pass-1' }, ALICE), 'InvalidUserType', 400, 'The old password is incorrect.');
});

test('ChangePassword checks the new password against the policy', async () => {
  await iam.run('CreateLoginProfile', { UserName: 'alice', Password: STRONG });
  await rejects(iam.run('ChangePassword', { OldPassword: STRONG, NewPassword: 'abc' }, ALICE), 'PasswordPolicyViolation', 400, 'Password should have a minimum length of 8');
  await iam.run('UpdateAccountPasswordPolicy', { RequireSymbols: true });
  await rejects(iam.run('ChangePassword', { OldPassword: STRONG, NewPassword: 'NoSymbols1' }, ALICE), 'PasswordPolicyViolation', 400, NONCONFORMING);
});

const REUSED = 'Policy constraint violation with password reuse prevention during password change.';

test('ChangePassword enforces PasswordReusePrevention over the current and earlier passwords', async () => {
  await iam.run('UpdateAccountPasswordPolicy', { PasswordReusePrevention: 2 });
  await iam.run('CreateLoginProfile', { UserName: 'alice', Password: 'first-pass' });
  await rejects(iam.run('ChangePassword', { OldPassword: 'first-pass', NewPassword: 'first-pass' }, ALICE), 'PasswordPolicyViolation', 400, REUSED);
  await iam.run('ChangePassword', { OldPassword: 'first-pass', NewPassword: 'second-pass' }, ALICE);
  await rejects(iam.run('ChangePassword', { OldPassword: 'second-pass', NewPassword: 'first-pass' }, ALICE), 'PasswordPolicyViolation', 400, REUSED);
  await iam.run('ChangePassword', { OldPassword: 'second-pass', NewPassword: 'third-pass' }, ALICE);
  // Two back is now outside the window of 2 (third, second): the first may come back.
  await iam.run('ChangePassword', { OldPassword: 'third-pass', NewPassword: 'first-pass' }, ALICE);
});

test('without reuse prevention the same password may be set again', async () => {
  await iam.run('UpdateAccountPasswordPolicy', {});
  await iam.run('CreateLoginProfile', { UserName: 'alice', Password: 'first-pass' });
  await iam.run('ChangePassword', { OldPassword: 'first-pass', NewPassword: 'first-pass' }, ALICE);
});

test('renaming a user keeps its login profile', async () => {
  await iam.run('CreateLoginProfile', { UserName: 'alice', Password: STRONG });
  await iam.run('UpdateUser', { UserName: 'alice', NewUserName: 'alicia' });
  assert.equal(((await iam.run('GetLoginProfile', { UserName: 'alicia' }))['LoginProfile'] as Record<string, unknown>)['UserName'], 'alicia');
});

test('resources: the named user, or the caller itself for ChangePassword', async () => {
  const byName = new Map(LOGIN_PROFILE_OPERATIONS.map((o) => [o.name, o]));
  await store.transaction(async (tx) => {
    const ctx = (caller: Caller) => ({ caller, account: TEST_ACCOUNT, tx, now: new Date(), requestId: 'r', services: {} }) as never;
    const aliceArn = `arn:aws:iam::${TEST_ACCOUNT}:user/alice`;
    assert.equal(await byName.get('CreateLoginProfile')?.resource(ctx(ROOT_CALLER), { UserName: 'alice' }), aliceArn);
    assert.equal(await byName.get('GetLoginProfile')?.resource(ctx(ALICE), {}), aliceArn);
    assert.equal(await byName.get('ChangePassword')?.resource(ctx(ALICE), {}), aliceArn);
  });
});
