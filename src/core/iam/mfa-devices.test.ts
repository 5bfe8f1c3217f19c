import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { ServiceError } from '../errors.js';
import { defineOperations, type OperationContext, type Params } from '../operation.js';
import { codeAt, timeStep } from '../sts/totp.js';
import { ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { MFA_DEVICE_KIND, MFA_DEVICE_OPERATIONS, useMfaCode } from './mfa-devices.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([...MFA_DEVICE_OPERATIONS, ...USER_OPERATIONS]);
const NOW = new Date('2026-11-25T12:00:10Z');
const STEP = timeStep(NOW);
const SERIAL = `arn:aws:iam::${TEST_ACCOUNT}:mfa/dev`;

let store: Store;
let r: ReturnType<typeof runner>;
let seed: string;
let aliceId: string;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  r = runner(store, OPERATIONS);
  r.setClock(NOW);
  const user = await r.run('CreateUser', { UserName: 'alice' });
  aliceId = (user['User'] as { UserId: string }).UserId;
  const created = await r.run('CreateVirtualMFADevice', { VirtualMFADeviceName: 'dev' });
  seed = Buffer.from((created['VirtualMFADevice'] as { Base32StringSeed: Buffer }).Base32StringSeed).toString('ascii');
});
afterEach(async () => {
  await store.close();
});

async function fails(promise: Promise<unknown>): Promise<{ code: string; message: string; status: number }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ServiceError, String(error));
    return { code: error.code, message: error.message, status: error.status };
  }
  throw new Error('expected a ServiceError');
}

const enable = (first: number, second: number, extra: Params = {}) =>
  r.run('EnableMFADevice', { UserName: 'alice', SerialNumber: SERIAL, AuthenticationCode1: codeAt(seed, first), AuthenticationCode2: codeAt(seed, second), ...extra });

const INVALID = { code: 'InvalidAuthenticationCode', message: 'Authentication code for device is not valid.', status: 403 };

const enableCases: ReadonlyArray<[string, number, number, boolean]> = [
  ['the previous and the current code', STEP - 1, STEP, true],
  ['two codes read slowly (the second a step old)', STEP - 2, STEP - 1, true],
  ['the current and the next code (device a little fast)', STEP, STEP + 1, true],
  ['the same code twice', STEP, STEP, false],
  ['codes in the wrong order', STEP, STEP - 1, false],
  ['codes a step apart', STEP - 2, STEP, false],
  ['codes from five minutes ago', STEP - 11, STEP - 10, false],
];

for (const [name, first, second, ok] of enableCases) {
  test(`EnableMFADevice: ${name}`, async () => {
    if (ok) {
      await enable(first, second);
      const listed = await r.run('ListMFADevices', { UserName: 'alice' });
      assert.deepEqual(listed['MFADevices'], [{ UserName: 'alice', SerialNumber: SERIAL, EnableDate: NOW }]);
    } else {
      assert.deepEqual(await fails(enable(first, second)), INVALID);
    }
  });
}

test('CreateVirtualMFADevice: seed, a real PNG, path in the serial; a duplicate path and name is refused', async () => {
  assert.match(seed, /^[A-Z2-7]{64}$/);
  const out = await r.run('CreateVirtualMFADevice', { VirtualMFADeviceName: 'dev', Path: '/team/' });
  const device = out['VirtualMFADevice'] as { SerialNumber: string; QRCodePNG: Buffer };
  assert.equal(device.SerialNumber, `arn:aws:iam::${TEST_ACCOUNT}:mfa/team/dev`);
  assert.deepEqual([...device.QRCodePNG.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.deepEqual(await fails(r.run('CreateVirtualMFADevice', { VirtualMFADeviceName: 'dev' })), {
    code: 'EntityAlreadyExists',
    message: 'MFADevice entity at the same path and name already exists.',
    status: 409,
  });
});

test('the seed is stored sealed', async () => {
  const record = await store.read((tx) => tx.get(MFA_DEVICE_KIND, TEST_ACCOUNT, SERIAL));
  assert.equal(record?.data['seed'], `sealed:${seed}`);
});

test('a device enabled for one user cannot be enabled again; DeleteUser and DeleteVirtualMFADevice conflict', async () => {
  await enable(STEP - 1, STEP);
  await r.run('CreateUser', { UserName: 'bob' });
  r.setClock(new Date(NOW.getTime() + 60_000));
  const again = await fails(r.run('EnableMFADevice', { UserName: 'bob', SerialNumber: SERIAL, AuthenticationCode1: codeAt(seed, STEP + 1), AuthenticationCode2: codeAt(seed, STEP + 2) }));
  assert.equal(again.code, 'EntityAlreadyExists');
  assert.deepEqual(await fails(r.run('DeleteUser', { UserName: 'alice' })), { code: 'DeleteConflict', message: 'Cannot delete entity, must delete MFA device first.', status: 409 });
  assert.equal((await fails(r.run('DeleteVirtualMFADevice', { SerialNumber: SERIAL }))).code, 'DeleteConflict');
  await r.run('DeactivateMFADevice', { UserName: 'alice', SerialNumber: SERIAL });
  assert.deepEqual((await r.run('ListMFADevices', { UserName: 'alice' }))['MFADevices'], []);
  await r.run('DeleteVirtualMFADevice', { SerialNumber: SERIAL });
  await r.run('DeleteUser', { UserName: 'alice' });
  assert.equal((await fails(r.run('DeleteVirtualMFADevice', { SerialNumber: SERIAL }))).code, 'NoSuchEntity');
});

test('ListVirtualMFADevices: Any by default, Assigned and Unassigned filter; an assigned one names its user', async () => {
  await r.run('CreateVirtualMFADevice', { VirtualMFADeviceName: 'spare' });
  await enable(STEP - 1, STEP);
  const serials = async (status?: string) =>
    ((await r.run('ListVirtualMFADevices', status === undefined ? {} : { AssignmentStatus: status }))['VirtualMFADevices'] as Array<{ SerialNumber: string }>).map((d) => d.SerialNumber);
  const spare = `arn:aws:iam::${TEST_ACCOUNT}:mfa/spare`;
  assert.deepEqual(await serials(), [SERIAL, spare]);
  assert.deepEqual(await serials('Any'), [SERIAL, spare]);
  assert.deepEqual(await serials('Assigned'), [SERIAL]);
  assert.deepEqual(await serials('Unassigned'), [spare]);
  const [assigned] = (await r.run('ListVirtualMFADevices', { AssignmentStatus: 'Assigned' }))['VirtualMFADevices'] as Array<{ User: { UserName: string }; EnableDate: Date }>;
  assert.equal(assigned?.User.UserName, 'alice');
  assert.deepEqual(assigned?.EnableDate, NOW);
});

test('renaming the user keeps the device assigned', async () => {
  await enable(STEP - 1, STEP);
  await r.run('UpdateUser', { UserName: 'alice', NewUserName: 'alicia' });
  assert.deepEqual(await r.run('GetMFADevice', { UserName: 'alicia', SerialNumber: SERIAL }), { UserName: 'alicia', SerialNumber: SERIAL, EnableDate: NOW });
});

test('GetMFADevice and ListMFADevices default to the calling user', async () => {
  await enable(STEP - 1, STEP);
  const alice: Caller = { kind: 'user', account: TEST_ACCOUNT, arn: `arn:aws:iam::${TEST_ACCOUNT}:user/alice`, userId: aliceId, userName: 'alice', accessKeyId: 'AKIAALICE' };
  assert.equal(((await r.run('ListMFADevices', {}, alice))['MFADevices'] as unknown[]).length, 1);
  assert.equal((await r.run('GetMFADevice', { SerialNumber: SERIAL }, alice))['UserName'], 'alice');
  assert.deepEqual((await r.run('ListMFADevices', {}, ROOT_CALLER))['MFADevices'], []);
});

async function check(code: string, at: Date, userId = aliceId): Promise<string> {
  return store.transaction((tx) => {
    const ctx: OperationContext = { caller: ROOT_CALLER, account: TEST_ACCOUNT, tx, now: at, requestId: 't', services: testServices() };
    return useMfaCode(ctx, userId, SERIAL, code);
  });
}

test('useMfaCode: current code accepted once; replay, an older code, another user and an unassigned device fail', async () => {
  assert.equal(await check(codeAt(seed, STEP), NOW), 'unknownDevice', 'not enabled yet');
  await enable(STEP - 2, STEP - 1);
  assert.equal(await check(codeAt(seed, STEP), NOW, 'AIDAOTHER'), 'unknownDevice');
  assert.equal(await check('000000' === codeAt(seed, STEP) ? '111111' : '000000', NOW), 'invalidCode');
  assert.equal(await check(codeAt(seed, STEP), NOW), 'accepted');
  assert.equal(await check(codeAt(seed, STEP), NOW), 'invalidCode', 'replay of the same code');
  assert.equal(await check(codeAt(seed, STEP - 1), new Date(NOW.getTime() + 1000)), 'invalidCode', 'an older code inside the window');
  assert.equal(await check(codeAt(seed, STEP + 1), new Date(NOW.getTime() + 30_000)), 'accepted', 'the next code');
  assert.equal(await check(codeAt(seed, STEP + 5), new Date(NOW.getTime() + 60_000)), 'invalidCode', 'too far ahead');
});

test('ResyncMFADevice learns drift: a device two minutes fast works afterwards; bad codes are refused', async () => {
  await enable(STEP - 1, STEP);
  const later = new Date(NOW.getTime() + 5 * 60_000);
  const now = timeStep(later);
  r.setClock(later);
  assert.equal(await check(codeAt(seed, now + 4), later), 'invalidCode');
  const resync = (a: number, b: number) => r.run('ResyncMFADevice', { UserName: 'alice', SerialNumber: SERIAL, AuthenticationCode1: codeAt(seed, a), AuthenticationCode2: codeAt(seed, b) });
  assert.deepEqual(await fails(resync(now + 4, now + 4)), INVALID);
  await resync(now + 3, now + 4);
  assert.equal(await check(codeAt(seed, now + 5), new Date(later.getTime() + 30_000)), 'accepted');
});

test('errors: unknown user, unknown device, a device not enabled for the user', async () => {
  assert.deepEqual(await fails(r.run('EnableMFADevice', { UserName: 'nobody', SerialNumber: SERIAL, AuthenticationCode1: '123456', AuthenticationCode2: '654321' })), {
    code: 'NoSuchEntity',
    message: 'The user with name nobody cannot be found.',
    status: 404,
  });
  const unknown = `arn:aws:iam::${TEST_ACCOUNT}:mfa/none`;
  assert.equal((await fails(r.run('EnableMFADevice', { UserName: 'alice', SerialNumber: unknown, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }))).code, 'NoSuchEntity');
  assert.equal((await fails(r.run('DeactivateMFADevice', { UserName: 'alice', SerialNumber: SERIAL }))).code, 'NoSuchEntity');
  assert.equal((await fails(r.run('GetMFADevice', { UserName: 'alice', SerialNumber: SERIAL }))).code, 'NoSuchEntity');
  assert.equal((await fails(r.run('ResyncMFADevice', { UserName: 'alice', SerialNumber: SERIAL, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }))).code, 'NoSuchEntity');
  assert.equal((await fails(r.run('ListMFADevices', { UserName: 'nobody' }))).code, 'NoSuchEntity');
});

test('a ninth device for one user exceeds the quota', async () => {
  for (let i = 0; i < 8; i++) {
    const out = await r.run('CreateVirtualMFADevice', { VirtualMFADeviceName: `d${i}` });
    const s = Buffer.from((out['VirtualMFADevice'] as { Base32StringSeed: Buffer }).Base32StringSeed).toString('ascii');
    const serial = `arn:aws:iam::${TEST_ACCOUNT}:mfa/d${i}`;
    await r.run('EnableMFADevice', { UserName: 'alice', SerialNumber: serial, AuthenticationCode1: codeAt(s, STEP - 1), AuthenticationCode2: codeAt(s, STEP) });
  }
  const ninth = await fails(enable(STEP - 1, STEP));
  assert.equal(ninth.code, 'LimitExceeded');
});

test('tags: TagMFADevice, ListMFADeviceTags, UntagMFADevice', async () => {
  await r.run('TagMFADevice', { SerialNumber: SERIAL, Tags: [{ Key: 'team', Value: 'a' }] });
  assert.deepEqual((await r.run('ListMFADeviceTags', { SerialNumber: SERIAL }))['Tags'], [{ Key: 'team', Value: 'a' }]);
  await r.run('UntagMFADevice', { SerialNumber: SERIAL, TagKeys: ['TEAM'] });
  assert.deepEqual((await r.run('ListMFADeviceTags', { SerialNumber: SERIAL }))['Tags'], []);
});
