// The console's routes over HTTP, without a browser: the static files' headers, the /console redirect, and the
// sign-in endpoint's console session used through the AWS SDK as any client would.
import assert from 'node:assert/strict';
import { afterEach, before, describe, test } from 'node:test';
import {
  ChangePasswordCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeleteUserCommand,
  DeleteLoginProfileCommand,
  EnableMFADeviceCommand,
  GetAccountPasswordPolicyCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  UpdateAccountPasswordPolicyCommand,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeAt, timeStep } from '../src/core/sts/totp.js';
import { startServer } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { ensureConsoleBuilt } from './helpers/browser.js';
import { failure, iamClient, stsClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const PASSWORD = 'Console-password-1';
// The server's clock runs `offsetMs` ahead: set only after the SDK's setup calls, whose signatures it would find stale.
let offsetMs = 0;
const ROOT_PASSWORD = 'Root-console-password-1';
const server = useTestServer({ GATEHOUSE_ROOT_PASSWORD: ROOT_PASSWORD }, { clock: () => new Date(Date.now() + offsetMs) });
const SIGN_IN = '/_gatehouse/console/sign-in';
const GENERIC = { error: 'SignInFailed', message: 'Your authentication information is incorrect. Please try again.' };

before(ensureConsoleBuilt);

afterEach(() => {
  offsetMs = 0;
});

async function signIn(body: unknown, contentType = 'application/json'): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.endpoint}${SIGN_IN}`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function keyOf(body: Record<string, unknown>): Key {
  const c = body['credentials'] as { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
}

async function newUser(name: string, policy?: object): Promise<void> {
  const iam = iamClient(server.endpoint);
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: PASSWORD }));
  if (policy !== undefined) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) }));
}

const allow = (action: string | string[], condition?: object) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*', ...(condition !== undefined ? { Condition: condition } : {}) }] });

describe('console routes', () => {
  test('/console redirects to the console, whose files carry a strict CSP and nosniff', async () => {
    for (const path of ['/console', '/console/', '/console?x=1']) {
      const response = await fetch(`${server.endpoint}${path}`, { redirect: 'manual' });
      assert.equal(response.status, 302, path);
      assert.equal(response.headers.get('location'), '/_gatehouse/console/');
    }
    for (const [path, type] of [
      ['/_gatehouse/console/', 'text/html; charset=utf-8'],
      ['/_gatehouse/console/app.js', 'text/javascript; charset=utf-8'],
      ['/_gatehouse/console/styles.css', 'text/css; charset=utf-8'],
      ['/_gatehouse/console/access-levels.json', 'application/json'],
    ] as const) {
      const response = await fetch(`${server.endpoint}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('content-type'), type);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      const csp = response.headers.get('content-security-policy') ?? '';
      for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) assert.ok(csp.includes(directive), `${path}: ${directive}`);
      assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
    }
    const html = await (await fetch(`${server.endpoint}/_gatehouse/console/`)).text();
    assert.doesNotMatch(html, /<script>|<style|\sstyle=|\son[a-z]+=/i, 'nothing inline in the page');
    assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin');
    for (const path of ['/_gatehouse/console/index.js', '/_gatehouse/console/.hidden.js', '/_gatehouse/console/%2e%2e/app.js', '/_gatehouse/console/sub/app.js']) {
      assert.equal((await fetch(`${server.endpoint}${path}`)).status, 404, path);
    }
    assert.equal((await fetch(`${server.endpoint}/_gatehouse/console/`, { method: 'POST' })).status, 405);
  });

  test('the sign-in takes JSON only, and a well-formed body', async () => {
    const form = await fetch(`${server.endpoint}${SIGN_IN}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'account=1&userName=a&password=b' });
    assert.equal(form.status, 415);
    assert.equal((await fetch(`${server.endpoint}${SIGN_IN}`)).status, 405);
    assert.equal((await signIn('{not json')).status, 400);
    assert.equal((await signIn({ account: TEST_ACCOUNT_ID, userName: 'x' })).status, 400);
    assert.equal((await signIn({ account: TEST_ACCOUNT_ID, userName: 'x', password: 'y'.repeat(20_000) })).status, 413);
  });
});

describe('console sessions', () => {
  test('act as the IAM user itself, with its own permissions only, not limited like GetSessionToken without MFA', async () => {
    await newUser('carol', allow('iam:ListUsers'));
    const answer = await signIn({ account: TEST_ACCOUNT_ID, userName: 'carol', password: PASSWORD });
    assert.equal(answer.status, 200);
    assert.equal(answer.body['arn'], `arn:aws:iam::${TEST_ACCOUNT_ID}:user/carol`);
    const key = keyOf(answer.body);
    assert.match(key.accessKeyId, /^ASIA/);
    const who = await stsClient(server.endpoint, key).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:user/carol`);
    const iam = iamClient(server.endpoint, key);
    assert.ok((await iam.send(new ListUsersCommand({}))).Users?.some((u) => u.UserName === 'carol'));
    // Nothing beyond the user's own policy.
    assert.equal((await failure(iam.send(new CreateUserCommand({ UserName: 'escalated' })))).name, 'AccessDenied');
    // Session credentials cannot mint more sessions.
    assert.equal((await failure(stsClient(server.endpoint, key).send(new GetSessionTokenCommand({})))).name, 'AccessDenied');
    // A namesake created after the user's deletion is another principal: the session has no permissions any more.
    const root = iamClient(server.endpoint);
    await root.send(new DeleteLoginProfileCommand({ UserName: 'carol' }));
    const { DeleteUserPolicyCommand } = await import('@aws-sdk/client-iam');
    await root.send(new DeleteUserPolicyCommand({ UserName: 'carol', PolicyName: 'p' }));
    await root.send(new DeleteUserCommand({ UserName: 'carol' }));
    await root.send(new CreateUserCommand({ UserName: 'carol' }));
    await root.send(new PutUserPolicyCommand({ UserName: 'carol', PolicyName: 'p', PolicyDocument: JSON.stringify(allow('iam:*')) }));
    assert.equal((await failure(iam.send(new ListUsersCommand({})))).name, 'AccessDenied');
  });

  test('a password that must be reset allows only ChangePassword and GetAccountPasswordPolicy', async () => {
    await newUser('dave', allow(['iam:*', 'sts:*']));
    await iamClient(server.endpoint).send(new UpdateLoginProfileCommand({ UserName: 'dave', PasswordResetRequired: true }));
    const answer = await signIn({ account: TEST_ACCOUNT_ID, userName: 'dave', password: PASSWORD });
    assert.equal(answer.body['passwordResetRequired'], true);
    const key = keyOf(answer.body);
    const iam = iamClient(server.endpoint, key);
    assert.equal((await failure(iam.send(new ListUsersCommand({})))).name, 'AccessDenied');
    assert.equal((await failure(stsClient(server.endpoint, key).send(new GetCallerIdentityCommand({})))).name, 'AccessDenied');
    assert.equal((await failure(iam.send(new GetAccountPasswordPolicyCommand({})))).name, 'NoSuchEntityException');
    await iam.send(new ChangePasswordCommand({ OldPassword: PASSWORD, NewPassword: 'Console-password-2' }));
    // Still a reset-only session: the new password gives a full one.
    assert.equal((await failure(iam.send(new ListUsersCommand({})))).name, 'AccessDenied');
    const again = await signIn({ account: TEST_ACCOUNT_ID, userName: 'dave', password: 'Console-password-2' });
    assert.equal(again.body['passwordResetRequired'], false);
    await iamClient(server.endpoint, keyOf(again.body)).send(new ListUsersCommand({}));
  });

  test('with an MFA device the code is asked for, and the session carries the MFA context', async () => {
    await newUser('erin', allow('iam:ListUsers', { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }));
    const root = iamClient(server.endpoint);
    const device = (await root.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'erin' }))).VirtualMFADevice;
    const seed = Buffer.from(device?.Base32StringSeed ?? new Uint8Array()).toString('ascii');
    const step = timeStep(new Date());
    await root.send(new EnableMFADeviceCommand({ UserName: 'erin', SerialNumber: device?.SerialNumber, AuthenticationCode1: codeAt(seed, step - 2), AuthenticationCode2: codeAt(seed, step - 1) }));
    const first = await signIn({ account: TEST_ACCOUNT_ID, userName: 'erin', password: PASSWORD });
    assert.deepEqual([first.status, first.body['error']], [401, 'MfaRequired']);
    const wrongPassword = await signIn({ account: TEST_ACCOUNT_ID, userName: 'erin', password: 'nope' });
    assert.deepEqual(wrongPassword.body, GENERIC);
    const wrongCode = await signIn({ account: TEST_ACCOUNT_ID, userName: 'erin', password: PASSWORD, mfaCode: codeAt(seed, step - 5) });
    assert.deepEqual(wrongCode.body, GENERIC);
    const answer = await signIn({ account: TEST_ACCOUNT_ID, userName: 'erin', password: PASSWORD, mfaCode: codeAt(seed, timeStep(new Date())) });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body['mfaAuthenticated'], true);
    await iamClient(server.endpoint, keyOf(answer.body)).send(new ListUsersCommand({}));
  });

  test('an account alias names the account; a role session cannot be had from a reset-only session', async () => {
    const root = iamClient(server.endpoint);
    const { CreateAccountAliasCommand } = await import('@aws-sdk/client-iam');
    await root.send(new CreateAccountAliasCommand({ AccountAlias: 'console-test' }));
    await newUser('gina');
    const answer = await signIn({ account: 'Console-Test', userName: 'GINA', password: PASSWORD });
    assert.equal(answer.status, 200);
    assert.equal(answer.body['account'], TEST_ACCOUNT_ID);
    assert.equal(answer.body['userName'], 'gina');
    await root.send(new UpdateLoginProfileCommand({ UserName: 'gina', PasswordResetRequired: true }));
    const reset = keyOf((await signIn({ account: TEST_ACCOUNT_ID, userName: 'gina', password: PASSWORD })).body);
    const denied = await failure(stsClient(server.endpoint, reset).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/any`, RoleSessionName: 'session' })));
    assert.equal(denied.name, 'AccessDenied');
  });
});

describe('password expiry', () => {
  test('past MaxPasswordAge the password must be changed; with HardExpiry the user is kept out, with its own message', async () => {
    await newUser('henry');
    const root = iamClient(server.endpoint);
    await root.send(new UpdateAccountPasswordPolicyCommand({ MaxPasswordAge: 1, AllowUsersToChangePassword: true }));
    const credentials = { account: TEST_ACCOUNT_ID, userName: 'henry', password: PASSWORD };
    assert.equal((await signIn(credentials)).body['passwordResetRequired'], false);
    offsetMs = 2 * 86_400_000;
    assert.equal((await signIn(credentials)).body['passwordResetRequired'], true);
    offsetMs = 0;
    await root.send(new UpdateAccountPasswordPolicyCommand({ MaxPasswordAge: 1, HardExpiry: true }));
    offsetMs = 2 * 86_400_000;
    assert.deepEqual(await signIn(credentials), { status: 403, body: { error: 'PasswordExpired', message: 'Your password has expired. Ask your administrator to reset it.' } });
    assert.deepEqual((await signIn({ ...credentials, password: 'wrong' })).body, GENERIC);
  });
});

describe('root sign-in', () => {
  test('GATEHOUSE_ROOT_PASSWORD signs the root user in: a root session that may do everything in its account', async () => {
    const answer = await signIn({ account: TEST_ACCOUNT_ID, root: true, password: ROOT_PASSWORD });
    assert.equal(answer.status, 200);
    assert.deepEqual([answer.body['arn'], answer.body['root']], [`arn:aws:iam::${TEST_ACCOUNT_ID}:root`, true]);
    const key = keyOf(answer.body);
    assert.equal((await stsClient(server.endpoint, key).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:root`);
    await iamClient(server.endpoint, key).send(new CreateUserCommand({ UserName: 'made-by-root-console' }));
    assert.deepEqual((await signIn({ account: TEST_ACCOUNT_ID, root: true, password: 'Root-console-password-2' })).body, GENERIC);
    // The root password is no IAM user's, whatever the user is called.
    assert.deepEqual((await signIn({ account: TEST_ACCOUNT_ID, userName: 'root', password: ROOT_PASSWORD })).body, GENERIC);
  });

  test('without GATEHOUSE_ROOT_PASSWORD one is generated at first start, shown once, and kept across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-root-password-'));
    const env = { GATEHOUSE_LOG_LEVEL: 'warn', GATEHOUSE_ACCOUNT_ID: TEST_ACCOUNT_ID };
    try {
      const first = await startServer(loadConfig({ port: 0, dataDir, host: '127.0.0.1' }, env));
      const generated = first.generatedRootPassword;
      await first.close();
      assert.ok(generated !== undefined && generated.length >= 32);
      assert.equal(JSON.parse(readFileSync(join(dataDir, 'root-credentials.json'), 'utf8')).consolePassword, generated);
      const second = await startServer(loadConfig({ port: 0, dataDir, host: '127.0.0.1' }, env));
      try {
        assert.equal(second.generatedRootPassword, undefined);
        const response = await fetch(`http://127.0.0.1:${second.port}${SIGN_IN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: TEST_ACCOUNT_ID, root: true, password: generated }) });
        assert.equal(response.status, 200);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
