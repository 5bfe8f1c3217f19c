import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { ServiceError } from '../errors.js';
import { MFA_DEVICE_OPERATIONS } from '../iam/mfa-devices.js';
import { USER_OPERATIONS } from '../iam/users.js';
import { defineOperations, type CoreServices, type OperationContext } from '../operation.js';
import { runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { verifyMfaParameters } from './mfa.js';
import { codeAt, timeStep } from './totp.js';

const OPERATIONS = defineOperations([...MFA_DEVICE_OPERATIONS, ...USER_OPERATIONS]);
const NOW = new Date('2026-11-25T12:00:10Z');
const STEP = timeStep(NOW);
const INVALID = 'MultiFactorAuthentication failed with invalid MFA one time pass code.';
const UNKNOWN = 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.';

interface Person {
  readonly caller: Caller;
  readonly serial: string;
  readonly seed: string;
}

let store: Store;
let services: CoreServices;
let people: Record<'alice' | 'bob', Person>;

async function newPerson(r: ReturnType<typeof runner>, name: string): Promise<Person> {
  const user = (await r.run('CreateUser', { UserName: name }))['User'] as { UserId: string; Arn: string };
  const device = (await r.run('CreateVirtualMFADevice', { VirtualMFADeviceName: name }))['VirtualMFADevice'] as { SerialNumber: string; Base32StringSeed: Buffer };
  const seed = Buffer.from(device.Base32StringSeed).toString('ascii');
  await r.run('EnableMFADevice', { UserName: name, SerialNumber: device.SerialNumber, AuthenticationCode1: codeAt(seed, STEP - 2), AuthenticationCode2: codeAt(seed, STEP - 1) });
  const caller: Caller = { kind: 'user', account: TEST_ACCOUNT, arn: user.Arn, userId: user.UserId, userName: name, accessKeyId: `AKIA${name.toUpperCase()}` };
  return { caller, serial: device.SerialNumber, seed };
}

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  services = testServices();
  const r = runner(store, OPERATIONS, services);
  r.setClock(NOW);
  people = { alice: await newPerson(r, 'alice'), bob: await newPerson(r, 'bob') };
  // Enabling went through the limiter too (from no address): start every test from a clean slate of failures.
  services = { ...services, guessLimiter: testServices().guessLimiter };
});
afterEach(async () => {
  await store.close();
});

/** What verifying the code for `serial` as `who`, from `address` at `at`, answers: 'ok' or the error's code and text. */
async function attempt(who: Person, serial: string, code: string, address: string, at = NOW): Promise<string> {
  try {
    await store.transaction((tx) => {
      const ctx: OperationContext = { caller: who.caller, account: TEST_ACCOUNT, tx, now: at, requestId: 't', services, sourceIp: address };
      return verifyMfaParameters(ctx, { SerialNumber: serial, TokenCode: code });
    });
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof ServiceError, String(error));
    return `${error.code}: ${error.message}`;
  }
}

const wrong = (p: Person, step = STEP): string => ['000000', '111111', '222222'].find((c) => ![-2, -1, 0, 1, 2].some((d) => codeAt(p.seed, step + d) === c)) as string;

test('five wrong codes throttle the device from every address, and the address for every device', async () => {
  const { alice, bob } = people;
  for (let i = 0; i < 5; i++) assert.equal(await attempt(alice, alice.serial, wrong(alice), '192.0.2.1'), `AccessDenied: ${INVALID}`);
  assert.equal(await attempt(alice, alice.serial, codeAt(alice.seed, STEP), '192.0.2.1'), 'Throttling: Rate exceeded', 'same device, same address');
  assert.equal(await attempt(alice, alice.serial, codeAt(alice.seed, STEP), '198.51.100.7'), 'Throttling: Rate exceeded', 'same device, another address');
  assert.equal(await attempt(bob, bob.serial, codeAt(bob.seed, STEP), '192.0.2.1'), 'Throttling: Rate exceeded', 'another device, same address');
  assert.equal(await attempt(bob, bob.serial, codeAt(bob.seed, STEP), '198.51.100.7'), 'ok', 'another device, another address');
  // The first back-off is 30 seconds by default.
  const later = new Date(NOW.getTime() + 30_000);
  assert.equal(await attempt(alice, alice.serial, codeAt(alice.seed, timeStep(later)), '198.51.100.7', later), 'ok');
});

test('naming devices that are not the caller\'s counts against the address only', async () => {
  const { alice, bob } = people;
  for (let i = 0; i < 5; i++) assert.equal(await attempt(alice, bob.serial, codeAt(bob.seed, STEP), '192.0.2.1'), `AccessDenied: ${UNKNOWN}`);
  assert.equal(await attempt(alice, `arn:aws:iam::${TEST_ACCOUNT}:mfa/none`, '123456', '192.0.2.1'), 'Throttling: Rate exceeded');
  assert.equal(await attempt(bob, bob.serial, codeAt(bob.seed, STEP), '198.51.100.7'), 'ok', 'bob\'s device itself was not throttled');
});

test('a right code clears the device, not the address', async () => {
  const { alice, bob } = people;
  for (let i = 0; i < 4; i++) assert.equal(await attempt(alice, alice.serial, wrong(alice), '192.0.2.1'), `AccessDenied: ${INVALID}`);
  assert.equal(await attempt(alice, alice.serial, codeAt(alice.seed, STEP), '192.0.2.1'), 'ok');
  // The address's fifth failure, on another device, throttles the address; alice's device starts afresh elsewhere.
  assert.equal(await attempt(bob, bob.serial, wrong(bob), '192.0.2.1'), `AccessDenied: ${INVALID}`);
  assert.equal(await attempt(bob, bob.serial, codeAt(bob.seed, STEP), '192.0.2.1'), 'Throttling: Rate exceeded');
  // Twenty seconds later: without the clearing, these would be the device's sixth to ninth failures in the window.
  const next = new Date(NOW.getTime() + 20_000);
  for (let i = 0; i < 4; i++) assert.equal(await attempt(alice, alice.serial, wrong(alice, STEP + 1), '198.51.100.7', next), `AccessDenied: ${INVALID}`);
  assert.equal(await attempt(alice, alice.serial, codeAt(alice.seed, STEP + 1), '198.51.100.7', next), 'ok');
});
