// Virtual MFA devices and MFA-authenticated STS sessions, through the AWS SDK for JavaScript v3 against a real
// server. Codes are computed from the seed the server returned, as an authenticator app would.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetMFADeviceCommand,
  GetUserCommand,
  ListMFADeviceTagsCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  ResyncMFADeviceCommand,
  TagMFADeviceCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { codeAt, timeStep } from '../src/core/sts/totp.js';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const doc = (statement: object | object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });
const MFA_ROLE = `arn:aws:iam::${A}:role/needs-mfa`;
const INVALID_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code.';
const UNKNOWN_DEVICE = 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.';

/** A person with an IAM user, access key and an authenticator app holding one device's seed. */
interface Person {
  readonly name: string;
  readonly key: Key;
  readonly serial: string;
  readonly seed: string;
  /** The last step whose code was sent: the server takes each code once, so the next one must be later. */
  lastStep: number;
}

/** The code a person would type now, or the next one when the current one was already used (the window allows +1). */
function nextCode(person: Person): string {
  const step = Math.max(timeStep(new Date()), person.lastStep + 1);
  person.lastStep = step;
  return codeAt(person.seed, step);
}

/** Six digits that are none of the codes the server would accept now. */
function wrongCode(person: Person): string {
  const now = timeStep(new Date());
  const valid = new Set([-2, -1, 0, 1, 2].map((d) => codeAt(person.seed, now + d)));
  return ['000000', '111111', '222222'].find((c) => !valid.has(c)) as string;
}

async function newPerson(name: string, enable = true): Promise<Person> {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: name }));
  await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'assume', PolicyDocument: doc({ Effect: 'Allow', Action: ['sts:AssumeRole', 'iam:GetUser'], Resource: '*' }) }));
  const key = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  const device = (await root.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${name}-phone` }))).VirtualMFADevice;
  const person: Person = {
    name,
    key: { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' },
    serial: device?.SerialNumber ?? '',
    seed: Buffer.from(device?.Base32StringSeed ?? new Uint8Array()).toString('ascii'),
    lastStep: 0,
  };
  if (enable) {
    const now = timeStep(new Date());
    await root.send(new EnableMFADeviceCommand({ UserName: name, SerialNumber: person.serial, AuthenticationCode1: codeAt(person.seed, now - 1), AuthenticationCode2: codeAt(person.seed, now) }));
    person.lastStep = now;
  }
  return person;
}

const server = useTestServer({}, {}, async () => {
  const root = iamClient(server.endpoint);
  await root.send(new CreateRoleCommand({
    RoleName: 'needs-mfa',
    AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
  }));
  await root.send(new PutRolePolicyCommand({ RoleName: 'needs-mfa', PolicyName: 'read', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }) }));
});

describe('virtual MFA devices', () => {
  test('CreateVirtualMFADevice returns the Base32 seed and a PNG QR code; a duplicate path and name is refused', async () => {
    const root = iamClient(server.endpoint);
    const out = await root.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'lonely', Path: '/spare/', Tags: [{ Key: 'team', Value: 'a' }] }));
    const device = out.VirtualMFADevice;
    assert.equal(device?.SerialNumber, `arn:aws:iam::${A}:mfa/spare/lonely`);
    assert.match(Buffer.from(device?.Base32StringSeed ?? new Uint8Array()).toString('ascii'), /^[A-Z2-7]{64}$/);
    assert.deepEqual([...(device?.QRCodePNG ?? new Uint8Array()).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.deepEqual(device?.Tags, [{ Key: 'team', Value: 'a' }]);
    const again = await failure(root.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'lonely', Path: '/spare/' })));
    assert.deepEqual(again, { name: 'EntityAlreadyExistsException', message: 'MFADevice entity at the same path and name already exists.', status: 409 });
    const unassigned = await root.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned' }));
    assert.ok(unassigned.VirtualMFADevices?.some((d) => d.SerialNumber === device?.SerialNumber && d.User === undefined));
    await root.send(new TagMFADeviceCommand({ SerialNumber: device?.SerialNumber, Tags: [{ Key: 'env', Value: 'dev' }] }));
    assert.deepEqual((await root.send(new ListMFADeviceTagsCommand({ SerialNumber: device?.SerialNumber }))).Tags, [{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'dev' }]);
  });

  test('EnableMFADevice needs two consecutive codes: AWS code, status and text otherwise', async () => {
    const carol = await newPerson('carol', false);
    const root = iamClient(server.endpoint);
    const now = timeStep(new Date());
    for (const [one, two] of [[now, now], [now, now - 1], ['000000', '000000']]) {
      const out = await failure(root.send(new EnableMFADeviceCommand({
        UserName: 'carol',
        SerialNumber: carol.serial,
        AuthenticationCode1: typeof one === 'number' ? codeAt(carol.seed, one) : one,
        AuthenticationCode2: typeof two === 'number' ? codeAt(carol.seed, two) : two,
      })));
      assert.deepEqual(out, { name: 'InvalidAuthenticationCodeException', message: 'Authentication code for device is not valid.', status: 403 });
    }
    await root.send(new EnableMFADeviceCommand({ UserName: 'carol', SerialNumber: carol.serial, AuthenticationCode1: codeAt(carol.seed, now - 1), AuthenticationCode2: codeAt(carol.seed, now) }));
    const listed = await root.send(new ListMFADevicesCommand({ UserName: 'carol' }));
    assert.equal(listed.MFADevices?.length, 1);
    assert.equal(listed.MFADevices?.[0]?.SerialNumber, carol.serial);
    assert.ok(listed.MFADevices?.[0]?.EnableDate instanceof Date);
    const got = await root.send(new GetMFADeviceCommand({ UserName: 'carol', SerialNumber: carol.serial }));
    assert.equal(got.UserName, 'carol');
    const assigned = await root.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }));
    assert.equal(assigned.VirtualMFADevices?.find((d) => d.SerialNumber === carol.serial)?.User?.UserName, 'carol');
    // The device is now in use: enabling it for another user is refused.
    await root.send(new CreateUserCommand({ UserName: 'dave' }));
    const taken = await failure(root.send(new EnableMFADeviceCommand({ UserName: 'dave', SerialNumber: carol.serial, AuthenticationCode1: codeAt(carol.seed, now), AuthenticationCode2: codeAt(carol.seed, now + 1) })));
    assert.equal(taken.name, 'EntityAlreadyExistsException');
    // ResyncMFADevice: bad codes refused, two fresh consecutive ones accepted.
    const bad = await failure(root.send(new ResyncMFADeviceCommand({ UserName: 'carol', SerialNumber: carol.serial, AuthenticationCode1: '000000', AuthenticationCode2: '000000' })));
    assert.equal(bad.name, 'InvalidAuthenticationCodeException');
    await root.send(new ResyncMFADeviceCommand({ UserName: 'carol', SerialNumber: carol.serial, AuthenticationCode1: codeAt(carol.seed, now + 1), AuthenticationCode2: codeAt(carol.seed, now + 2) }));
  });

  test('DeleteUser and DeleteVirtualMFADevice conflict while enabled; DeactivateMFADevice frees both', async () => {
    const erin = await newPerson('erin');
    const root = iamClient(server.endpoint);
    assert.deepEqual(await failure(root.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: erin.serial }))), {
      name: 'DeleteConflictException',
      message: 'Cannot delete an MFA device that is enabled for a user: deactivate it first.',
      status: 409,
    });
    await root.send(new PutUserPolicyCommand({ UserName: 'erin', PolicyName: 'x', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }) }));
    await root.send(new DeactivateMFADeviceCommand({ UserName: 'erin', SerialNumber: erin.serial }));
    assert.deepEqual((await root.send(new ListMFADevicesCommand({ UserName: 'erin' }))).MFADevices, []);
    const gone = await failure(root.send(new GetMFADeviceCommand({ UserName: 'erin', SerialNumber: erin.serial })));
    assert.equal(gone.name, 'NoSuchEntityException');
    await root.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: erin.serial }));
    assert.equal((await failure(root.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: erin.serial })))).name, 'NoSuchEntityException');
    const stillDeleting = await failure(root.send(new DeleteUserCommand({ UserName: 'erin' })));
    // The user has other things (a policy, a key) left; the MFA device is no longer among them.
    assert.notEqual(stillDeleting.message, 'Cannot delete entity, must delete MFA device first.');
  });

  test('DeleteUser refuses while an MFA device is enabled, with AWS text', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'frank' }));
    const device = (await root.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'frank' }))).VirtualMFADevice;
    const seed = Buffer.from(device?.Base32StringSeed ?? new Uint8Array()).toString('ascii');
    const now = timeStep(new Date());
    await root.send(new EnableMFADeviceCommand({ UserName: 'frank', SerialNumber: device?.SerialNumber, AuthenticationCode1: codeAt(seed, now - 1), AuthenticationCode2: codeAt(seed, now) }));
    assert.deepEqual(await failure(root.send(new DeleteUserCommand({ UserName: 'frank' }))), { name: 'DeleteConflictException', message: 'Cannot delete entity, must delete MFA device first.', status: 409 });
  });

  test('a user without IAM permissions is denied on the mfa resource', async () => {
    const gina = await newPerson('gina', false);
    const out = await failure(iamClient(server.endpoint, gina.key).send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'mine' })));
    assert.equal(out.name, 'AccessDenied');
    assert.match(out.message, new RegExp(`iam:CreateVirtualMFADevice on resource: arn:aws:iam::${A}:mfa/mine`));
  });
});

describe('STS with MFA', () => {
  test('AssumeRole: a trust policy requiring MFA denies without it and allows with a valid code, once', async () => {
    const alice = await newPerson('alice');
    const sts = stsClient(server.endpoint, alice.key);
    const without = await failure(sts.send(new AssumeRoleCommand({ RoleArn: MFA_ROLE, RoleSessionName: 'mfa-session' })));
    assert.equal(without.name, 'AccessDenied');
    assert.match(without.message, /is not authorized to perform: sts:AssumeRole/);
    const wrong = wrongCode(alice);
    const code = nextCode(alice);
    assert.deepEqual(await failure(sts.send(new AssumeRoleCommand({ RoleArn: MFA_ROLE, RoleSessionName: 'mfa-session', SerialNumber: alice.serial, TokenCode: wrong }))), {
      name: 'AccessDenied',
      message: INVALID_CODE,
      status: 403,
    });
    const ok = await sts.send(new AssumeRoleCommand({ RoleArn: MFA_ROLE, RoleSessionName: 'mfa-session', SerialNumber: alice.serial, TokenCode: code }));
    assert.equal(ok.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/needs-mfa/mfa-session`);
    const who = await stsClient(server.endpoint, keyOf(ok.Credentials)).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, ok.AssumedRoleUser?.Arn);
    // The same code again, within its 30 seconds: already used.
    const replay = await failure(sts.send(new AssumeRoleCommand({ RoleArn: MFA_ROLE, RoleSessionName: 'mfa-session', SerialNumber: alice.serial, TokenCode: code })));
    assert.deepEqual(replay, { name: 'AccessDenied', message: INVALID_CODE, status: 403 });
  });

  test('AssumeRole: a device that is not the caller\'s, or half the MFA parameters, is AccessDenied with AWS text', async () => {
    const henry = await newPerson('henry');
    const ivan = await newPerson('ivan');
    const sts = stsClient(server.endpoint, henry.key);
    const others = await failure(sts.send(new AssumeRoleCommand({ RoleArn: MFA_ROLE, RoleSessionName: 'mfa-session', SerialNumber: ivan.serial, TokenCode: nextCode(ivan) })));
    assert.deepEqual(others, { name: 'AccessDenied', message: UNKNOWN_DEVICE, status: 403 });
    const half = await failure(sts.send(new AssumeRoleCommand({ RoleArn: MFA_ROLE, RoleSessionName: 'mfa-session', TokenCode: nextCode(henry) })));
    assert.equal(half.name, 'AccessDenied');
    assert.match(half.message, /^MultiFactorAuthentication failed/);
  });

  test('GetSessionToken with MFA: the session may call IAM and assume the MFA role without another code', async () => {
    const bob = await newPerson('bob');
    const plain = keyOf((await stsClient(server.endpoint, bob.key).send(new GetSessionTokenCommand({}))).Credentials);
    const denied = await failure(iamClient(server.endpoint, plain).send(new GetUserCommand({})));
    assert.equal(denied.name, 'InvalidClientTokenId');
    const wrong = await failure(stsClient(server.endpoint, bob.key).send(new GetSessionTokenCommand({ SerialNumber: bob.serial, TokenCode: wrongCode(bob) })));
    assert.deepEqual(wrong, { name: 'AccessDenied', message: INVALID_CODE, status: 403 });
    const out = await stsClient(server.endpoint, bob.key).send(new GetSessionTokenCommand({ SerialNumber: bob.serial, TokenCode: nextCode(bob) }));
    const session = keyOf(out.Credentials);
    const me = await iamClient(server.endpoint, session).send(new GetUserCommand({}));
    assert.equal(me.User?.UserName, 'bob');
    const role = await stsClient(server.endpoint, session).send(new AssumeRoleCommand({ RoleArn: MFA_ROLE, RoleSessionName: 'via-session' }));
    assert.equal(role.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/needs-mfa/via-session`);
    // aws:MultiFactorAuthAge counts from the code's check: a role wanting MFA within the hour admits the session.
    await iamClient(server.endpoint).send(new CreateRoleCommand({
      RoleName: 'recent-mfa',
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } }),
    }));
    const recent = `arn:aws:iam::${A}:role/recent-mfa`;
    assert.ok((await stsClient(server.endpoint, session).send(new AssumeRoleCommand({ RoleArn: recent, RoleSessionName: 'recent' }))).Credentials);
    assert.equal((await failure(stsClient(server.endpoint, plain).send(new AssumeRoleCommand({ RoleArn: recent, RoleSessionName: 'recent' })))).name, 'AccessDenied');
    // The plain session carries no MFA: the role stays closed to it.
    assert.equal((await failure(stsClient(server.endpoint, plain).send(new AssumeRoleCommand({ RoleArn: MFA_ROLE, RoleSessionName: 'plain-session' })))).name, 'AccessDenied');
  });
});
