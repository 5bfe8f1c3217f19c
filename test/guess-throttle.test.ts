// Guessing MFA codes and passwords is throttled: after a few failures in a short window even the right secret is
// answered with AWS's Throttling error until a back-off passes. Each suite has its own server (the throttle is per
// process, and every request here comes from 127.0.0.1), with a one-second first back-off so the tests can wait it out.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import {
  ChangePasswordCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  PutUserPolicyCommand,
  ResyncMFADeviceCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import type { GuessLimits } from '../src/core/guess-limiter.js';
import { codeAt, timeStep } from '../src/core/sts/totp.js';
import { failure, iamClient, stsClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer, type TestServerHandle } from './helpers/server.js';

const LIMITS: Partial<GuessLimits> = { maxFailures: 5, windowMs: 30_000, firstBackoffMs: 1_000, maxBackoffMs: 4_000, quietMs: 60_000 };
const BACKOFF = 1_100;
const THROTTLED = { name: 'Throttling', message: 'Rate exceeded', status: 400 };
const INVALID_CODE = { name: 'AccessDenied', message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.', status: 403 };
const INVALID_CODES = { name: 'InvalidAuthenticationCodeException', message: 'Authentication code for device is not valid.', status: 403 };
const doc = (statement: object): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });
const MFA_ROLE = `arn:aws:iam::${TEST_ACCOUNT_ID}:role/needs-mfa`;

interface Person {
  readonly key: Key;
  readonly serial: string;
  readonly seed: string;
}

/** The code an authenticator app shows now (each test uses one, once). */
const codeNow = (person: Person): string => codeAt(person.seed, timeStep(new Date()));

/** Six digits that are none of the codes the server could accept now. */
function wrongCode(person: Person): string {
  const now = timeStep(new Date());
  const valid = new Set([-2, -1, 0, 1, 2].map((d) => codeAt(person.seed, now + d)));
  return ['000000', '111111', '222222'].find((c) => !valid.has(c)) as string;
}

/** A user with an access key, allowed to assume roles and change its password, and a virtual MFA device (enabled unless told). */
async function newPerson(server: TestServerHandle, name: string, enable = true): Promise<Person> {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: name }));
  await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: ['sts:AssumeRole', 'iam:ChangePassword'], Resource: '*' }) }));
  const key = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  const device = (await root.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${name}-phone` }))).VirtualMFADevice;
  const person = {
    key: { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' },
    serial: device?.SerialNumber ?? '',
    seed: Buffer.from(device?.Base32StringSeed ?? new Uint8Array()).toString('ascii'),
  };
  if (enable) {
    // Two steps back, so the code showing now is still unused for the test.
    const now = timeStep(new Date());
    await root.send(new EnableMFADeviceCommand({ UserName: name, SerialNumber: person.serial, AuthenticationCode1: codeAt(person.seed, now - 2), AuthenticationCode2: codeAt(person.seed, now - 1) }));
  }
  return person;
}

describe('MFA codes for GetSessionToken', () => {
  const server = useTestServer({}, { guessLimits: LIMITS });

  test('after five wrong codes even the right one is throttled; after the back-off it works; the address is throttled for other devices', async () => {
    const alice = await newPerson(server, 'alice');
    const bob = await newPerson(server, 'bob');
    const sts = stsClient(server.endpoint, alice.key);
    const attempt = (person: Person, code: string) => stsClient(server.endpoint, person.key).send(new GetSessionTokenCommand({ SerialNumber: person.serial, TokenCode: code }));
    for (let i = 0; i < 5; i++) assert.deepEqual(await failure(attempt(alice, wrongCode(alice))), INVALID_CODE, `wrong code ${i + 1}`);
    const right = codeNow(alice);
    assert.deepEqual(await failure(attempt(alice, right)), THROTTLED, 'the right code while backing off');
    assert.deepEqual(await failure(attempt(bob, codeNow(bob))), THROTTLED, 'another device from the same address');
    // Plain GetSessionToken without MFA checks no secret and is not throttled.
    assert.ok((await sts.send(new GetSessionTokenCommand({}))).Credentials?.AccessKeyId);
    await sleep(BACKOFF);
    const out = await attempt(alice, right);
    assert.ok(out.Credentials?.AccessKeyId?.startsWith('ASIA'));
  });
});

describe('MFA codes for AssumeRole', () => {
  const server = useTestServer({}, { guessLimits: LIMITS }, async () => {
    await iamClient(server.endpoint).send(new CreateRoleCommand({
      RoleName: 'needs-mfa',
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:root` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
    }));
  });

  test('wrong codes throttle the right one, a further failure after the back-off doubles it, and then the right code works', async () => {
    const carol = await newPerson(server, 'carol');
    const sts = stsClient(server.endpoint, carol.key);
    const attempt = (code: string) => sts.send(new AssumeRoleCommand({ RoleArn: MFA_ROLE, RoleSessionName: 'guess', SerialNumber: carol.serial, TokenCode: code }));
    for (let i = 0; i < 5; i++) assert.deepEqual(await failure(attempt(wrongCode(carol))), INVALID_CODE);
    assert.deepEqual(await failure(attempt(codeNow(carol))), THROTTLED);
    await sleep(BACKOFF);
    // One more wrong code after the first back-off earns a two-second one at once.
    assert.deepEqual(await failure(attempt(wrongCode(carol))), INVALID_CODE);
    assert.deepEqual(await failure(attempt(codeNow(carol))), THROTTLED);
    await sleep(BACKOFF);
    assert.deepEqual(await failure(attempt(codeNow(carol))), THROTTLED, 'still inside the doubled back-off');
    await sleep(BACKOFF);
    const out = await attempt(codeNow(carol));
    assert.match(out.AssumedRoleUser?.Arn ?? '', /:assumed-role\/needs-mfa\/guess$/);
  });
});

describe('MFA codes for EnableMFADevice', () => {
  const server = useTestServer({}, { guessLimits: LIMITS });

  test('wrong code pairs throttle the device, right ones included, until the back-off passes', async () => {
    const dave = await newPerson(server, 'dave', false);
    const root = iamClient(server.endpoint);
    const enable = (one: string, two: string) => root.send(new EnableMFADeviceCommand({ UserName: 'dave', SerialNumber: dave.serial, AuthenticationCode1: one, AuthenticationCode2: two }));
    for (let i = 0; i < 5; i++) assert.deepEqual(await failure(enable(wrongCode(dave), wrongCode(dave))), INVALID_CODES);
    const now = timeStep(new Date());
    assert.deepEqual(await failure(enable(codeAt(dave.seed, now - 1), codeAt(dave.seed, now))), THROTTLED);
    await sleep(BACKOFF);
    const later = timeStep(new Date());
    await enable(codeAt(dave.seed, later - 1), codeAt(dave.seed, later));
  });
});

describe('MFA codes for ResyncMFADevice', () => {
  const server = useTestServer({}, { guessLimits: LIMITS });

  test('wrong code pairs throttle the device, right ones included, until the back-off passes', async () => {
    const fay = await newPerson(server, 'fay');
    const root = iamClient(server.endpoint);
    const resync = (one: string, two: string) => root.send(new ResyncMFADeviceCommand({ UserName: 'fay', SerialNumber: fay.serial, AuthenticationCode1: one, AuthenticationCode2: two }));
    for (let i = 0; i < 5; i++) assert.deepEqual(await failure(resync(wrongCode(fay), wrongCode(fay))), INVALID_CODES);
    const now = timeStep(new Date());
    assert.deepEqual(await failure(resync(codeAt(fay.seed, now), codeAt(fay.seed, now + 1))), THROTTLED);
    await sleep(BACKOFF);
    await resync(codeAt(fay.seed, now), codeAt(fay.seed, now + 1));
  });
});

describe('ChangePassword', () => {
  const server = useTestServer({}, { guessLimits: LIMITS });

  test('wrong old passwords throttle the right one until the back-off passes', async () => {
    const erin = await newPerson(server, 'erin', false);
    await iamClient(server.endpoint).send(new CreateLoginProfileCommand({ UserName: 'erin', Password: 'Correct-Horse-7' }));
    const iam = iamClient(server.endpoint, erin.key);
    const change = (old: string) => iam.send(new ChangePasswordCommand({ OldPassword: old, NewPassword: 'Battery-Staple-8' }));
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(await failure(change(`wrong-${i}`)), { name: 'InvalidUserTypeException', message: 'The old password is incorrect.', status: 400 });
    }
    assert.deepEqual(await failure(change('Correct-Horse-7')), THROTTLED);
    await sleep(BACKOFF);
    await change('Correct-Horse-7');
  });
});
