import type { EntityRecord, StoreTx } from '../../store/store.js';
import { rootArn } from '../arns.js';
import { noSuchEntity } from '../errors.js';
import { newId, newSecretAccessKey } from '../ids.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { pageMembers, paginate, req, str } from './common.js';
import { targetUserName } from './implicit-target.js';
import { KIND, ROOT_KEY_OWNER } from './kinds.js';
import { QUOTAS, quotaExceeded } from './quotas.js';
import { accessKeyLastUsed, type AccessKeyUse, withAccessKeyUse } from './last-used.js';
import { getUser, userResource } from './users.js';

export type { AccessKeyUse } from './last-used.js';
export { ROOT_KEY_OWNER } from './kinds.js';

/**
 * An access key's stored data. The entity's key and id are both the access key ID (IDs are unique across
 * accounts, so the server finds a signing key with `getById(KIND.accessKey, id)`); the owner is the user's name,
 * or `''` for the root user's own keys. Its last use is kept beside these, read and written only through
 * last-used.ts.
 */
export interface AccessKeyData {
  /** The secret, only ever stored sealed by CoreServices.encryptSecret. */
  readonly secret: string;
  readonly status: 'Active' | 'Inactive' | 'Expired';
}

export const noSuchAccessKey = (id: string): Error => noSuchEntity(`The Access Key with id ${id} cannot be found.`);

export function accessKeyData(record: EntityRecord): AccessKeyData {
  return record.data as unknown as AccessKeyData;
}

/**
 * The user whose keys a request manages: UserName when given (it must exist), else the caller itself — an IAM user
 * by name, the root user as the root user. Anyone else (a role session, a federated user) must name a user.
 */
async function keyOwner(ctx: OperationContext, p: Params): Promise<string> {
  const name = targetUserName(ctx.caller, str(p, 'UserName'));
  if (name === undefined) return ROOT_KEY_OWNER;
  return (await getUser(ctx, name)).key;
}

/** The key with this ID among the owner's; other users' keys are answered as missing, as IAM does. */
async function ownedKey(ctx: OperationContext, owner: string, id: string): Promise<EntityRecord> {
  const record = await ctx.tx.get(KIND.accessKey, ctx.account, id);
  if (record === undefined || record.owner.toLowerCase() !== owner.toLowerCase()) throw noSuchAccessKey(id);
  return record;
}

/** UserName members are left out for the root user's keys: root has no IAM user name. */
const userNameMember = (owner: string): Record<string, unknown> => (owner === ROOT_KEY_OWNER ? {} : { UserName: owner });

function metadataView(record: EntityRecord): Record<string, unknown> {
  return {
    ...userNameMember(record.owner),
    AccessKeyId: record.key,
    Status: accessKeyData(record).status,
    CreateDate: new Date(record.created),
  };
}

async function createAccessKey(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const owner = await keyOwner(ctx, p);
  if ((await ctx.tx.count(KIND.accessKey, ctx.account, { owner })) >= QUOTAS.AccessKeysPerUserQuota) {
    throw quotaExceeded('AccessKeysPerUser', QUOTAS.AccessKeysPerUserQuota);
  }
  const id = newId('AKIA');
  const secret = newSecretAccessKey();
  const data: AccessKeyData = { secret: ctx.services.encryptSecret(secret), status: 'Active' };
  const record: EntityRecord = {
    kind: KIND.accessKey,
    account: ctx.account,
    key: id,
    id,
    path: '/',
    owner,
    created: ctx.now.toISOString(),
    data: { ...data },
  };
  await ctx.tx.insert(record);
  return { AccessKey: { ...userNameMember(owner), AccessKeyId: id, Status: 'Active', SecretAccessKey: secret, CreateDate: ctx.now } };
}

async function updateAccessKey(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await ownedKey(ctx, await keyOwner(ctx, p), req(p, 'AccessKeyId'));
  await ctx.tx.update({ ...record, data: { ...record.data, status: req(p, 'Status') } });
  return {};
}

async function deleteAccessKey(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await ownedKey(ctx, await keyOwner(ctx, p), req(p, 'AccessKeyId'));
  await ctx.tx.delete(KIND.accessKey, ctx.account, record.key);
  return {};
}

async function listAccessKeys(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const owner = await keyOwner(ctx, p);
  const page = paginate(await ctx.tx.list(KIND.accessKey, ctx.account, { owner }), p);
  return { AccessKeyMetadata: page.page.map(metadataView), ...pageMembers(page) };
}

async function getAccessKeyLastUsed(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const id = req(p, 'AccessKeyId');
  const record = await ctx.tx.get(KIND.accessKey, ctx.account, id);
  if (record === undefined) throw noSuchAccessKey(id);
  const used = accessKeyLastUsed(record);
  // A key never used is reported with N/A for service and region, and no date.
  const lastUsed =
    used === undefined
      ? { ServiceName: 'N/A', Region: 'N/A' }
      : { LastUsedDate: used.date, ServiceName: used.service, Region: used.region };
  return { ...userNameMember(record.owner), AccessKeyLastUsed: lastUsed };
}

/**
 * Records that a key signed a request. The server calls it off the request's path (batched, in its own
 * transaction), so a failure here never fails a request. An older use never overwrites a newer one, since
 * batches may commit out of order. False when the key no longer exists.
 */
export async function recordAccessKeyUse(tx: StoreTx, account: string, accessKeyId: string, use: AccessKeyUse): Promise<boolean> {
  const record = await tx.get(KIND.accessKey, account, accessKeyId);
  if (record === undefined) return false;
  const data = withAccessKeyUse(record, use);
  return data === undefined ? true : tx.update({ ...record, data });
}

/** The key's owner ARN (a user's, or the root user's for root keys); the caller's own for a key not found. */
async function keyResource(ctx: OperationContext, p: Params): Promise<string> {
  const record = await ctx.tx.get(KIND.accessKey, ctx.account, req(p, 'AccessKeyId'));
  if (record === undefined) return ctx.caller.arn;
  return record.owner === ROOT_KEY_OWNER ? rootArn(ctx.account) : userResource(ctx, record.owner);
}

const byUserName = (ctx: OperationContext, p: Params): Promise<string> => userResource(ctx, str(p, 'UserName'));

const op = operationsOf('iam', byUserName);

export const ACCESS_KEY_OPERATIONS: readonly OperationDefinition[] = [
  op('CreateAccessKey', createAccessKey),
  op('UpdateAccessKey', updateAccessKey),
  op('DeleteAccessKey', deleteAccessKey),
  op('ListAccessKeys', listAccessKeys),
  op('GetAccessKeyLastUsed', getAccessKeyLastUsed, { resource: keyResource }),
];
