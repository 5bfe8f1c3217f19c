// Login profiles, the account password policy and ChangePassword through the AWS SDK for JavaScript v3 against a real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ChangePasswordCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteAccountPasswordPolicyCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  GetAccountPasswordPolicyCommand,
  GetLoginProfileCommand,
  PutUserPolicyCommand,
  UpdateAccountPasswordPolicyCommand,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam';
import { failure, iamClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer();

const STRONG = 'Correct-Horse-7';
const NO_POLICY = { name: 'NoSuchEntityException', message: `The Password Policy with domain name ${TEST_ACCOUNT_ID} cannot be found.`, status: 404 };
const NONCONFORMING = { name: 'PasswordPolicyViolationException', message: 'Password does not conform to the account password policy.', status: 400 };

async function keyFor(userName: string): Promise<Key> {
  const key = (await iamClient(server.endpoint).send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey;
  assert.ok(key?.AccessKeyId !== undefined && key.SecretAccessKey !== undefined);
  return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
}

describe('login profiles', () => {
  test('create, get, update, delete', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateUserCommand({ UserName: 'lena' }));
    const created = await iam.send(new CreateLoginProfileCommand({ UserName: 'lena', Password: STRONG, PasswordResetRequired: true }));
    assert.equal(created.LoginProfile?.UserName, 'lena');
    assert.equal(created.LoginProfile?.PasswordResetRequired, true);
    assert.ok(created.LoginProfile?.CreateDate instanceof Date);
    // The password is never returned.
    assert.deepEqual(Object.keys(created.LoginProfile ?? {}).sort(), ['CreateDate', 'PasswordResetRequired', 'UserName']);

    const got = await iam.send(new GetLoginProfileCommand({ UserName: 'LENA' }));
    assert.equal(got.LoginProfile?.UserName, 'lena');
    assert.equal(got.LoginProfile?.PasswordResetRequired, true);

    await iam.send(new UpdateLoginProfileCommand({ UserName: 'lena', PasswordResetRequired: false }));
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: 'lena' }))).LoginProfile?.PasswordResetRequired, false);
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'lena', Password: 'Another-Pass-9' }));
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: 'lena' }))).LoginProfile?.PasswordResetRequired, false);

    assert.deepEqual(await failure(iam.send(new CreateLoginProfileCommand({ UserName: 'lena', Password: STRONG }))), {
      name: 'EntityAlreadyExistsException',
      message: 'Login Profile for user lena already exists.',
      status: 409,
    });
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'lena' }));
    const missing = { name: 'NoSuchEntityException', message: 'Login Profile for User lena cannot be found.', status: 404 };
    assert.deepEqual(await failure(iam.send(new GetLoginProfileCommand({ UserName: 'lena' }))), missing);
    assert.deepEqual(await failure(iam.send(new UpdateLoginProfileCommand({ UserName: 'lena', Password: STRONG }))), missing);
    assert.deepEqual(await failure(iam.send(new DeleteLoginProfileCommand({ UserName: 'lena' }))), missing);
    assert.deepEqual(await failure(iam.send(new CreateLoginProfileCommand({ UserName: 'ghost', Password: STRONG }))), {
      name: 'NoSuchEntityException',
      message: 'The user with name ghost cannot be found.',
      status: 404,
    });
    await iam.send(new DeleteUserCommand({ UserName: 'lena' }));
  });

  test('without an account policy, IAM\'s default rules apply', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateUserCommand({ UserName: 'dflt' }));
    assert.deepEqual(await failure(iam.send(new CreateLoginProfileCommand({ UserName: 'dflt', Password: 'short' }))), {
      name: 'PasswordPolicyViolationException',
      message: 'Password should have a minimum length of 8',
      status: 400,
    });
    await iam.send(new CreateLoginProfileCommand({ UserName: 'dflt', Password: STRONG }));
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'dflt' }));
    await iam.send(new DeleteUserCommand({ UserName: 'dflt' }));
  });

  test('a user without permission is denied GetLoginProfile with AWS message', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'noprofile' }));
    const user = iamClient(server.endpoint, await keyFor('noprofile'));
    const arn = `arn:aws:iam::${TEST_ACCOUNT_ID}:user/noprofile`;
    assert.deepEqual(await failure(user.send(new GetLoginProfileCommand({ UserName: 'noprofile' }))), {
      name: 'AccessDenied',
      message: `User: ${arn} is not authorized to perform: iam:GetLoginProfile on resource: ${arn} because no identity-based policy allows the iam:GetLoginProfile action`,
      status: 403,
    });
  });
});

describe('account password policy', () => {
  test('update, get, enforce, replace, delete', async () => {
    const iam = iamClient(server.endpoint);
    assert.deepEqual(await failure(iam.send(new GetAccountPasswordPolicyCommand({}))), NO_POLICY);

    await iam.send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: 12,
        RequireNumbers: true,
        RequireSymbols: true,
        AllowUsersToChangePassword: true,
        MaxPasswordAge: 90,
        PasswordReusePrevention: 3,
      }),
    );
    assert.deepEqual((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy, {
      MinimumPasswordLength: 12,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: true,
      ExpirePasswords: true,
      MaxPasswordAge: 90,
      PasswordReusePrevention: 3,
    });

    await iam.send(new CreateUserCommand({ UserName: 'enforced' }));
    assert.deepEqual(await failure(iam.send(new CreateLoginProfileCommand({ UserName: 'enforced', Password: 'Short-1' }))), NONCONFORMING);
    assert.deepEqual(await failure(iam.send(new CreateLoginProfileCommand({ UserName: 'enforced', Password: 'long-but-no-digits!' }))), NONCONFORMING);
    await iam.send(new CreateLoginProfileCommand({ UserName: 'enforced', Password: 'long-enough-4-sure!' }));
    assert.deepEqual(await failure(iam.send(new UpdateLoginProfileCommand({ UserName: 'enforced', Password: 'Short-2' }))), NONCONFORMING);

    // The whole policy is replaced: members left out take their defaults.
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8 }));
    assert.deepEqual((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy, {
      MinimumPasswordLength: 8,
      RequireSymbols: false,
      RequireNumbers: false,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false,
      ExpirePasswords: false,
    });
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'enforced', Password: 'eightlow' }));

    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    assert.deepEqual(await failure(iam.send(new GetAccountPasswordPolicyCommand({}))), NO_POLICY);
    assert.deepEqual(await failure(iam.send(new DeleteAccountPasswordPolicyCommand({}))), NO_POLICY);
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'enforced' }));
    await iam.send(new DeleteUserCommand({ UserName: 'enforced' }));
  });

  test('a user without permission is denied UpdateAccountPasswordPolicy with AWS message', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'nopolicy' }));
    const user = iamClient(server.endpoint, await keyFor('nopolicy'));
    assert.deepEqual(await failure(user.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 6 }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/nopolicy is not authorized to perform: iam:UpdateAccountPasswordPolicy on resource: * because no identity-based policy allows the iam:UpdateAccountPasswordPolicy action`,
      status: 403,
    });
  });
});

describe('ChangePassword', () => {
  test('a user changes its own password, with no grant when the policy allows users to', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'pat', Path: '/self/' }));
    await root.send(new CreateLoginProfileCommand({ UserName: 'pat', Password: 'Initial-Pass-1', PasswordResetRequired: true }));
    const pat = iamClient(server.endpoint, await keyFor('pat'));
    const arn = `arn:aws:iam::${TEST_ACCOUNT_ID}:user/self/pat`;

    // Without a password policy allowing it, and without any grant, the user is denied.
    assert.deepEqual(await failure(pat.send(new ChangePasswordCommand({ OldPassword: 'Initial-Pass-1', NewPassword: 'Second-Pass-2' }))), {
      name: 'AccessDenied',
      message: `User: ${arn} is not authorized to perform: iam:ChangePassword on resource: ${arn} because no identity-based policy allows the iam:ChangePassword action`,
      status: 403,
    });
    await root.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 10, AllowUsersToChangePassword: false }));
    assert.equal((await failure(pat.send(new ChangePasswordCommand({ OldPassword: 'Initial-Pass-1', NewPassword: 'Second-Pass-2' })))).name, 'AccessDenied');

    // AllowUsersToChangePassword grants iam:ChangePassword on the user itself and iam:GetAccountPasswordPolicy.
    await root.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 10, AllowUsersToChangePassword: true, PasswordReusePrevention: 1 }));
    assert.equal((await pat.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.MinimumPasswordLength, 10);

    assert.deepEqual(await failure(pat.send(new ChangePasswordCommand({ OldPassword: 'not-my-password', NewPassword: 'Second-Pass-2' }))), {
      name: 'InvalidUserTypeException',
      message: 'The old password is incorrect.',
      status: 400,
    });
    assert.deepEqual(await failure(pat.send(new ChangePasswordCommand({ OldPassword: 'Initial-Pass-1', NewPassword: 'short' }))), NONCONFORMING);
    assert.deepEqual(await failure(pat.send(new ChangePasswordCommand({ OldPassword: 'Initial-Pass-1', NewPassword: 'Initial-Pass-1' }))), {
      name: 'PasswordPolicyViolationException',
      message: 'Policy constraint violation with password reuse prevention during password change.',
      status: 400,
    });

    await pat.send(new ChangePasswordCommand({ OldPassword: 'Initial-Pass-1', NewPassword: 'Second-Pass-2' }));
    // Changing the password clears the reset requirement.
    assert.equal((await root.send(new GetLoginProfileCommand({ UserName: 'pat' }))).LoginProfile?.PasswordResetRequired, false);
    // The old password no longer is the current one; the new one is.
    assert.equal((await failure(pat.send(new ChangePasswordCommand({ OldPassword: 'Initial-Pass-1', NewPassword: 'Third-Pass-3' })))).name, 'InvalidUserTypeException');
    await pat.send(new ChangePasswordCommand({ OldPassword: 'Second-Pass-2', NewPassword: 'Third-Pass-3' }));

    // The grant is the user's own password only: other operations stay denied.
    assert.equal((await failure(pat.send(new GetLoginProfileCommand({ UserName: 'pat' })))).name, 'AccessDenied');
    await root.send(new DeleteAccountPasswordPolicyCommand({}));
  });

  test('with an iam:ChangePassword grant, a user changes its password without the account setting', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'granted' }));
    await root.send(new CreateLoginProfileCommand({ UserName: 'granted', Password: 'Initial-Pass-1' }));
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ChangePassword', Resource: 'arn:aws:iam::*:user/${aws:username}' }] });
    await root.send(new PutUserPolicyCommand({ UserName: 'granted', PolicyName: 'own-password', PolicyDocument: document }));
    const user = iamClient(server.endpoint, await keyFor('granted'));
    await user.send(new ChangePasswordCommand({ OldPassword: 'Initial-Pass-1', NewPassword: 'Second-Pass-2' }));
    // No account password policy: IAM's default rules apply to the new password.
    assert.deepEqual(await failure(user.send(new ChangePasswordCommand({ OldPassword: 'Second-Pass-2', NewPassword: 'short' }))), {
      name: 'PasswordPolicyViolationException',
      message: 'Password should have a minimum length of 8',
      status: 400,
    });
  });

  test('the root user cannot use ChangePassword; a user without a login profile gets NoSuchEntity', async () => {
    const root = iamClient(server.endpoint);
    assert.deepEqual(await failure(root.send(new ChangePasswordCommand({ OldPassword: 'whatever-1', NewPassword: 'Whatever-Pass-2' }))), {
      name: 'InvalidUserTypeException',
      message: 'Only IAM Users can change their own password.',
      status: 400,
    });
    await root.send(new CreateUserCommand({ UserName: 'noconsole' }));
    await root.send(new UpdateAccountPasswordPolicyCommand({ AllowUsersToChangePassword: true }));
    const user = iamClient(server.endpoint, await keyFor('noconsole'));
    assert.deepEqual(await failure(user.send(new ChangePasswordCommand({ OldPassword: 'whatever-1', NewPassword: 'Whatever-Pass-2' }))), {
      name: 'NoSuchEntityException',
      message: 'Login Profile for User noconsole cannot be found.',
      status: 404,
    });
    await root.send(new DeleteAccountPasswordPolicyCommand({}));
  });
});
