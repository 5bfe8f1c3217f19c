import { quotaExceeded } from './quotas.js';
import { tagEntity, untagEntity, listEntityTags, tagRequestKeys, untagRequestKeys } from './tagging.js';
import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import type { EntityRecord } from '../../store/store.js';
import { DuplicateKeyError } from '../../store/store.js';
import { iamArn, rootArn } from '../arns.js';
import { deleteConflict, entityAlreadyExists, noSuchEntity, ServiceError } from '../errors.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { findConsecutive, findStep, newSeed, otpauthUri, timeStep } from '../sts/totp.js';
import {
  checkTags,
  list,
  mustGet,
  pageMembers,
  paginate,
  req,
  str,
  type Tag,
} from './common.js';
import { accountCreateDate } from './account-creation.js';
import { targetUserName } from './implicit-target.js';
import { KIND } from './kinds.js';
import { getUser, mfaSerialsOf, userResource, userView } from './users.js';

/**
 * Virtual MFA devices, keyed by serial number (the device ARN, so two devices may share a name under different
 * paths). An assigned device's owner is its user's unique ID, not the name, so renaming the user keeps it assigned.
 */
export const MFA_DEVICE_KIND = 'virtual-mfa-device';

/**
 * The owner of a device assigned to the account's root user. Users' unique IDs start AIDA, so this cannot be one.
 * AWS assigns root's devices only through its console (EnableMFADevice requires a UserName); Gatehouse's console does
 * it through its root security credentials endpoint (sts/root-credentials.ts).
 */
export const ROOT_MFA_OWNER = 'root';

/** IAM allows up to eight MFA devices of any type per user. */
const MAX_DEVICES_PER_USER = 8;

// How far from the server's clock a device may be, in 30-second steps. Enabling takes the two codes the person just
// read (the second may be the one showing now or one a step old, typed slowly); resynchronizing exists for devices
// that drifted, so it looks ten minutes either way; a sign-in code may be one step off after the learned drift.
const ENABLE_WINDOW = { behind: 2, ahead: 1 };
const RESYNC_WINDOW = 20;
const VERIFY_WINDOW = 1;

/** The issuer an authenticator app shows beside the account: Gatehouse's, so its codes are not mistaken for AWS's. */
const ISSUER = 'Gatehouse';

export const mfaArn = (account: string, path: string, name: string): string => iamArn(account, 'mfa', path, name);

/** The ARN the Service Authorization Reference's `mfa` resource names for a serial number. */
function serialResource(ctx: OperationContext, serial: string): string {
  return serial.startsWith('arn:') ? serial : mfaArn(ctx.account, '/', serial);
}

// AWS's texts for these are not documented; these are Gatehouse's, in IAM's usual phrasing.
const noSuchDevice = (serial: string): ServiceError => noSuchEntity(`MFA device with serial number ${serial} cannot be found.`);
const notAssigned = (serial: string, user: string): ServiceError => noSuchEntity(`MFA device with serial number ${serial} is not enabled for user ${user}.`);
/** AWS's text when the two codes do not check out. */
const invalidCodes = (): ServiceError => new ServiceError('InvalidAuthenticationCode', 'Authentication code for device is not valid.', 403);

interface DeviceData {
  readonly seed: string;
  readonly tags: Tag[];
  readonly enableDate?: string;
  /** The last time step whose code was accepted: that code, and older ones, never work again. */
  readonly lastStep?: number;
  /** Steps the device's clock runs ahead (+) or behind (−) the server's, as ResyncMFADevice learned. */
  readonly drift?: number;
}

const dataOf = (record: EntityRecord): DeviceData => record.data as unknown as DeviceData;

/**
 * Where a code is checked, for the throttle: signing in (STS), or managing the device (EnableMFADevice and
 * ResyncMFADevice, which need IAM permissions on the user and take two consecutive codes).
 */
type CodeUse = 'sign-in' | 'manage';

/**
 * The throttle's keys for a guess at a device's codes: the address it comes from and, once the device is known, the
 * device (by its unique ID, so its keys cannot be multiplied by spelling the serial differently). Every use counts
 * against the same device; addresses are counted per use, so an administrator's mistyped enable codes do not hold up
 * the sign-ins of everyone behind the same address.
 */
function guessKeys(ctx: OperationContext, use: CodeUse, device?: EntityRecord): string[] {
  const keys = ctx.sourceIp === undefined ? [] : [`mfa-${use}-source:${ctx.sourceIp}`];
  if (device !== undefined) keys.push(`mfa-device:${device.id}`);
  return keys;
}

/**
 * Runs a code check under the throttle: refused (Throttling) while the device or the address backs off, the outcome
 * counted otherwise. Synchronous from the check to the count, so concurrent guesses cannot all slip past the check.
 */
function throttledCheck<T>(ctx: OperationContext, use: CodeUse, device: EntityRecord, verify: () => T | undefined): T | undefined {
  const limiter = ctx.services.guessLimiter;
  const keys = guessKeys(ctx, use, device);
  limiter.check(keys, ctx.now);
  const outcome = verify();
  if (outcome === undefined) limiter.recordFailure(keys, ctx.now);
  // Only the device is forgiven: a right code says nothing of other guesses from the same address.
  else limiter.recordSuccess(guessKeys({ ...ctx, sourceIp: undefined }, use, device));
  return outcome;
}

function getDevice(ctx: OperationContext, serial: string): Promise<EntityRecord> {
  return mustGet(ctx.tx, MFA_DEVICE_KIND, ctx.account, serial, () => noSuchDevice(serial));
}

/** The user a request names, or the calling user when it names none (a user managing its own devices). */
function deviceUserName(ctx: OperationContext, p: Params): string | undefined {
  return targetUserName(ctx.caller, str(p, 'UserName'));
}

async function setUserDevices(ctx: OperationContext, user: EntityRecord, change: (serials: string[]) => string[]): Promise<void> {
  const serials = mfaSerialsOf(user);
  // DeleteUser refuses while this list is non-empty (AWS: "must delete MFA device first").
  await ctx.tx.update({ ...user, data: { ...user.data, mfaDevices: change([...serials]) } });
}

async function createVirtualMfaDevice(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const name = req(p, 'VirtualMFADeviceName');
  const path = str(p, 'Path') ?? '/';
  const tags = list<Tag>(p, 'Tags').map((t) => ({ Key: t.Key, Value: t.Value }));
  checkTags(tags);
  const serial = mfaArn(ctx.account, path, name);
  const seed = newSeed();
  const record: EntityRecord = {
    kind: MFA_DEVICE_KIND,
    account: ctx.account,
    key: serial,
    id: `mfa-${randomUUID()}`,
    path,
    owner: '',
    created: ctx.now.toISOString(),
    // The seed is the device: whoever reads it can produce every code, so it is stored sealed like passwords' peers.
    data: { seed: ctx.services.encryptSecret(seed), tags } satisfies DeviceData,
  };
  try {
    await ctx.tx.insert(record);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw entityAlreadyExists('MFADevice entity at the same path and name already exists.');
    throw error;
  }
  const alias = (await ctx.tx.list(KIND.accountAlias, ctx.account))[0]?.key;
  // AWS documents the QR code's text as otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String.
  const uri = otpauthUri(seed, ISSUER, `${name}@${alias ?? ctx.account}`);
  const png = await QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: 'M' });
  return {
    VirtualMFADevice: {
      SerialNumber: serial,
      // Blobs: the protocol layer base64-encodes the bytes, so clients decode back to the Base32 text and the PNG.
      Base32StringSeed: Buffer.from(seed, 'ascii'),
      QRCodePNG: png,
      ...(tags.length > 0 ? { Tags: tags } : {}),
    },
  };
}

/**
 * Assigns the unassigned device at `serial` to `owner` (a user's unique ID, or ROOT_MFA_OWNER) once two consecutive
 * codes of it check out: NoSuchEntity, EntityAlreadyExists when it is in use, LimitExceeded past eight devices,
 * InvalidAuthenticationCode (throttled per device and address). Returns the device as assigned.
 */
export async function assignMfaDevice(ctx: OperationContext, owner: string, serial: string, code1: string, code2: string): Promise<EntityRecord> {
  const device = await getDevice(ctx, serial);
  if (device.owner !== '') throw entityAlreadyExists('MFA device is already in use.');
  if ((await ctx.tx.count(MFA_DEVICE_KIND, ctx.account, { owner })) >= MAX_DEVICES_PER_USER) {
    throw quotaExceeded('MFADevicesPerUser', MAX_DEVICES_PER_USER);
  }
  const data = dataOf(device);
  const now = timeStep(ctx.now);
  const step = throttledCheck(ctx, 'manage', device, () => {
    const found = findConsecutive(ctx.services.decryptSecret(data.seed), code1, code2, now - ENABLE_WINDOW.behind, now + ENABLE_WINDOW.ahead);
    return found === undefined || found - 1 <= (data.lastStep ?? -Infinity) ? undefined : found;
  });
  if (step === undefined) throw invalidCodes();
  const { drift: _forgotten, ...rest } = data;
  const assigned: EntityRecord = { ...device, owner, data: { ...rest, enableDate: ctx.now.toISOString(), lastStep: step } };
  await ctx.tx.update(assigned);
  return assigned;
}

/** Unassigns a device from `owner` and deletes it (the console's "Remove"): NoSuchEntity when it is not theirs. */
export async function removeMfaDevice(ctx: OperationContext, owner: string, serial: string): Promise<void> {
  const device = await ctx.tx.get(MFA_DEVICE_KIND, ctx.account, serial);
  if (device === undefined || device.owner !== owner) throw noSuchDevice(serial);
  await ctx.tx.delete(MFA_DEVICE_KIND, ctx.account, device.key);
}

/** The devices assigned to `owner`, the earliest enabled first (the one a sign-in asks for by default). */
export async function devicesOf(ctx: Pick<OperationContext, 'tx' | 'account'>, owner: string): Promise<EntityRecord[]> {
  return (await ctx.tx.list(MFA_DEVICE_KIND, ctx.account, { owner })).sort((a, b) => String(dataOf(a).enableDate ?? '').localeCompare(String(dataOf(b).enableDate ?? '')));
}

async function enableMfaDevice(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const user = await getUser(ctx, req(p, 'UserName'));
  const device = await assignMfaDevice(ctx, user.id, req(p, 'SerialNumber'), req(p, 'AuthenticationCode1'), req(p, 'AuthenticationCode2'));
  await setUserDevices(ctx, user, (serials) => [...serials, device.key]);
  return {};
}

/** The device at `serial` when it is assigned to `user`; NoSuchEntity otherwise. */
async function assignedDevice(ctx: OperationContext, user: EntityRecord, serial: string): Promise<EntityRecord> {
  const device = await ctx.tx.get(MFA_DEVICE_KIND, ctx.account, serial);
  if (device === undefined || device.owner !== user.id) throw notAssigned(serial, user.key);
  return device;
}

async function resyncMfaDevice(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const user = await getUser(ctx, req(p, 'UserName'));
  const device = await assignedDevice(ctx, user, req(p, 'SerialNumber'));
  const data = dataOf(device);
  const now = timeStep(ctx.now);
  const step = throttledCheck(ctx, 'manage', device, () => {
    const found = findConsecutive(ctx.services.decryptSecret(data.seed), req(p, 'AuthenticationCode1'), req(p, 'AuthenticationCode2'), now - RESYNC_WINDOW, now + RESYNC_WINDOW);
    return found === undefined || found - 1 <= (data.lastStep ?? -Infinity) ? undefined : found;
  });
  if (step === undefined) throw invalidCodes();
  await ctx.tx.update({ ...device, data: { ...data, lastStep: step, drift: step - now } });
  return {};
}

async function deactivateMfaDevice(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const serial = req(p, 'SerialNumber');
  const name = deviceUserName(ctx, p);
  // Only an AssumeRoot session (IAMDeleteRootUserCredentials) reaches the root user's devices through the API.
  if (name === undefined) return deactivateRootDevice(ctx, serial);
  const user = await getUser(ctx, name);
  const device = await assignedDevice(ctx, user, serial);
  // The device stays, unassigned, with its seed: it can be enabled again (for anyone) or deleted.
  const { enableDate: _enabled, drift: _drift, ...rest } = dataOf(device);
  await ctx.tx.update({ ...device, owner: '', data: rest });
  await setUserDevices(ctx, user, (serials) => serials.filter((s) => s.toLowerCase() !== device.key.toLowerCase()));
  return {};
}

async function deactivateRootDevice(ctx: OperationContext, serial: string): Promise<Record<string, unknown>> {
  const device = ctx.caller.session?.kind === 'rootTaskSession' ? await ctx.tx.get(MFA_DEVICE_KIND, ctx.account, serial) : undefined;
  if (device === undefined || device.owner !== ROOT_MFA_OWNER) throw noSuchDevice(serial);
  const { enableDate: _enabled, drift: _drift, ...rest } = dataOf(device);
  await ctx.tx.update({ ...device, owner: '', data: rest });
  return {};
}

async function deleteVirtualMfaDevice(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const device = await getDevice(ctx, req(p, 'SerialNumber'));
  if (device.owner !== '') throw deleteConflict('Cannot delete an MFA device that is enabled for a user: deactivate it first.');
  await ctx.tx.delete(MFA_DEVICE_KIND, ctx.account, device.key);
  return {};
}

function mfaDeviceView(device: EntityRecord, user: EntityRecord): Record<string, unknown> {
  return { UserName: user.key, SerialNumber: device.key, EnableDate: new Date(dataOf(device).enableDate ?? device.created) };
}

async function listMfaDevices(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const name = deviceUserName(ctx, p);
  if (name === undefined) {
    // The root user's own devices. It has no user name: the entries leave it out, as GetUser does for root.
    const page = paginate(await ctx.tx.list(MFA_DEVICE_KIND, ctx.account, { owner: ROOT_MFA_OWNER }), p);
    return { MFADevices: page.page.map((d) => ({ SerialNumber: d.key, EnableDate: new Date(dataOf(d).enableDate ?? d.created) })), ...pageMembers(page) };
  }
  const user = await getUser(ctx, name);
  const devices = await ctx.tx.list(MFA_DEVICE_KIND, ctx.account, { owner: user.id });
  const page = paginate(devices, p);
  return { MFADevices: page.page.map((d) => mfaDeviceView(d, user)), ...pageMembers(page) };
}

async function getMfaDevice(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const serial = req(p, 'SerialNumber');
  const name = deviceUserName(ctx, p);
  if (name === undefined) throw noSuchDevice(serial);
  const user = await getUser(ctx, name);
  const { UserName, SerialNumber, EnableDate } = mfaDeviceView(await assignedDevice(ctx, user, serial), user);
  return { UserName, SerialNumber, EnableDate };
}

const ASSIGNMENT = new Set(['Assigned', 'Unassigned', 'Any']);

async function listVirtualMfaDevices(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  // AWS: without AssignmentStatus the operation lists every device (Any).
  const status = str(p, 'AssignmentStatus') ?? 'Any';
  if (!ASSIGNMENT.has(status)) throw new ServiceError('ValidationError', `1 validation error detected: Value '${status}' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Assigned, Unassigned, Any]`);
  const devices = (await ctx.tx.list(MFA_DEVICE_KIND, ctx.account)).filter((d) => status === 'Any' || (status === 'Assigned') === (d.owner !== ''));
  const page = paginate(devices, p);
  const views = [];
  for (const device of page.page) {
    const enabled = { EnableDate: new Date(dataOf(device).enableDate ?? device.created) };
    if (device.owner === ROOT_MFA_OWNER) {
      // AWS names the root user by its ARN here (compliance checks look for `:root`), with the account's identity.
      const root = { UserId: ctx.account, Arn: rootArn(ctx.account), CreateDate: await accountCreateDate(ctx.tx, ctx.account) };
      views.push({ SerialNumber: device.key, User: root, ...enabled });
      continue;
    }
    const user = device.owner === '' ? undefined : await ctx.tx.getById(KIND.user, device.owner);
    views.push({ SerialNumber: device.key, ...(user !== undefined ? { User: userView(user, false), ...enabled } : {}) });
  }
  return { VirtualMFADevices: views, ...pageMembers(page) };
}

async function tagMfaDevice(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return tagEntity(ctx, await getDevice(ctx, req(p, 'SerialNumber')), p);
}

async function untagMfaDevice(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return untagEntity(ctx, await getDevice(ctx, req(p, 'SerialNumber')), p);
}

async function listMfaDeviceTags(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return listEntityTags(await getDevice(ctx, req(p, 'SerialNumber')), p);
}

/** What checking a one-time code against a user's device found. */
export type MfaCodeCheck = 'accepted' | 'unknownDevice' | 'invalidCode';

/**
 * Checks a code for STS (AssumeRole, GetSessionToken): the device must be enabled for the user with this unique ID,
 * and the code must be that of a step near now (after the device's learned drift) later than any step used before.
 * An accepted code's step is remembered, so the same code cannot be replayed within its validity window. Guesses are
 * throttled (Throttling) per device and per source address; naming a device that is not the user's counts against the
 * address only.
 */
export async function useMfaCode(ctx: OperationContext, userId: string, serial: string, code: string): Promise<MfaCodeCheck> {
  const limiter = ctx.services.guessLimiter;
  limiter.check(guessKeys(ctx, 'sign-in'), ctx.now);
  const device = await ctx.tx.get(MFA_DEVICE_KIND, ctx.account, serial);
  if (device === undefined || device.owner === '' || device.owner !== userId) {
    // Checked again after the await: another request from the address may have earned it a back-off meanwhile.
    limiter.check(guessKeys(ctx, 'sign-in'), ctx.now);
    limiter.recordFailure(guessKeys(ctx, 'sign-in'), ctx.now);
    return 'unknownDevice';
  }
  const data = dataOf(device);
  const expected = timeStep(ctx.now) + (data.drift ?? 0);
  const step = throttledCheck(ctx, 'sign-in', device, () => {
    const found = findStep(ctx.services.decryptSecret(data.seed), code, expected - VERIFY_WINDOW, expected + VERIFY_WINDOW);
    return found === undefined || found <= (data.lastStep ?? -Infinity) ? undefined : found;
  });
  if (step === undefined) return 'invalidCode';
  await ctx.tx.update({ ...device, data: { ...data, lastStep: step } });
  return 'accepted';
}

const op = (name: string, run: OperationDefinition['run'], resource: OperationDefinition['resource'], extra: Partial<OperationDefinition> = {}): OperationDefinition => ({
  service: 'iam',
  name,
  resource,
  run,
  ...extra,
});

const byUser = (ctx: OperationContext, p: Params): Promise<string> => userResource(ctx, str(p, 'UserName'));
/** The device's serial as stored (the store finds it without regard to case): the decision must not depend on the case sent. */
const bySerial = async (ctx: OperationContext, p: Params): Promise<string> => {
  const serial = req(p, 'SerialNumber');
  return (await ctx.tx.get(MFA_DEVICE_KIND, ctx.account, serial))?.key ?? serialResource(ctx, serial);
};

export const MFA_DEVICE_OPERATIONS: readonly OperationDefinition[] = [
  op('CreateVirtualMFADevice', createVirtualMfaDevice, (ctx, p) => mfaArn(ctx.account, str(p, 'Path') ?? '/', req(p, 'VirtualMFADeviceName')), {
    conditionKeys: tagRequestKeys,
  }),
  op('EnableMFADevice', enableMfaDevice, byUser),
  op('ResyncMFADevice', resyncMfaDevice, byUser),
  op('DeactivateMFADevice', deactivateMfaDevice, byUser),
  op('DeleteVirtualMFADevice', deleteVirtualMfaDevice, bySerial),
  op('ListMFADevices', listMfaDevices, byUser),
  op('GetMFADevice', getMfaDevice, byUser),
  // The Service Authorization Reference names no resource type for ListVirtualMFADevices.
  op('ListVirtualMFADevices', listVirtualMfaDevices, () => '*'),
  op('TagMFADevice', tagMfaDevice, bySerial, { conditionKeys: tagRequestKeys }),
  op('UntagMFADevice', untagMfaDevice, bySerial, { conditionKeys: untagRequestKeys }),
  op('ListMFADeviceTags', listMfaDeviceTags, bySerial),
];
