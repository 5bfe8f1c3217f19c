import { randomBytes } from 'node:crypto';
import type { EntityRecord } from '../../store/store.js';
import { userArn } from '../arns.js';
import { invalidInput, noSuchEntity, ServiceError, validationError } from '../errors.js';
import { newId } from '../ids.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { bool, num, pageMembers, paginate, req, str } from './common.js';
import { targetUserName } from './implicit-target.js';
import { KIND } from './kinds.js';
import { quotaExceeded } from './quotas.js';
import { getUser, userResource } from './users.js';

// Service-specific credentials: a user name and password IAM generates for one service (CodeCommit's Git
// credentials, Amazon Keyspaces), or a long-term API key (Amazon Bedrock). Gatehouse serves none of those services:
// it keeps the credentials, sealed, for the IAM API's sake only, and nothing here ever authenticates a request.

/**
 * The services IAM issues these credentials for, and what it issues: a password credential has a ServiceUserName
 * and ServicePassword; an API key a ServiceCredentialAlias and ServiceCredentialSecret, and may expire
 * (CredentialAgeDays).
 */
const SERVICES: Readonly<Record<string, 'password' | 'api-key'>> = {
  'codecommit.amazonaws.com': 'password',
  'cassandra.amazonaws.com': 'password',
  'bedrock.amazonaws.com': 'api-key',
};

/** IAM allows two credentials per user for each service. */
export const CREDENTIALS_PER_USER_PER_SERVICE = 2;

const DAY_MS = 86_400_000;

type Status = 'Active' | 'Inactive';

/**
 * A credential's stored data. The entity's key and id are both the credential ID (ACCA…), its owner the user's name.
 * The password or API key secret is only ever stored sealed by CoreServices.encryptSecret.
 */
export interface ServiceSpecificCredentialData {
  readonly service: string;
  readonly status: Status;
  readonly serviceUserName?: string;
  readonly alias?: string;
  readonly secret: string;
  /** ISO 8601; only API keys created with CredentialAgeDays expire. */
  readonly expires?: string;
}

const dataOf = (record: EntityRecord): ServiceSpecificCredentialData => record.data as unknown as ServiceSpecificCredentialData;

export const noSuchCredential = (id: string): ServiceError => noSuchEntity(`The Service Specific Credential with id ${id} cannot be found.`);

export const serviceNotSupported = (): ServiceError =>
  new ServiceError('NotSupportedService', 'The specified service does not support service-specific credentials.', 404);

function supported(service: string): 'password' | 'api-key' {
  const kind = SERVICES[service];
  if (kind === undefined) throw serviceNotSupported();
  return kind;
}

/** A password as IAM generates them for Git and Keyspaces: 32 random bytes in base64 (44 characters). */
const newServicePassword = (): string => randomBytes(32).toString('base64');

/** The secret of an API key: the alias it belongs to, then 32 random bytes, as one opaque base64 token. */
const newApiKeySecret = (alias: string): string => `ABSK${Buffer.from(`${alias}:${randomBytes(32).toString('base64')}`).toString('base64')}`;

/** Expired is read-only: an API key past its ExpirationDate reads as Expired whatever status it was given. */
function statusAt(data: ServiceSpecificCredentialData, now: Date): 'Active' | 'Inactive' | 'Expired' {
  return data.expires !== undefined && new Date(data.expires).getTime() <= now.getTime() ? 'Expired' : data.status;
}

/** The ServiceSpecificCredentialMetadata structure (List): never the password or secret. */
function metadataView(record: EntityRecord, now: Date): Record<string, unknown> {
  const data = dataOf(record);
  return {
    UserName: record.owner,
    Status: statusAt(data, now),
    ...(data.serviceUserName !== undefined ? { ServiceUserName: data.serviceUserName } : {}),
    ...(data.alias !== undefined ? { ServiceCredentialAlias: data.alias } : {}),
    CreateDate: new Date(record.created),
    ...(data.expires !== undefined ? { ExpirationDate: new Date(data.expires) } : {}),
    ServiceSpecificCredentialId: record.key,
    ServiceName: data.service,
  };
}

/** The ServiceSpecificCredential structure (Create, Reset): the metadata and the plain secret, this once. */
function credentialView(record: EntityRecord, plain: string, now: Date): Record<string, unknown> {
  const data = dataOf(record);
  const secret = data.alias !== undefined ? { ServiceCredentialSecret: plain } : { ServicePassword: plain };
  return { ...metadataView(record, now), ...secret };
}

/** A fresh secret for a credential: a password, or an API key secret tied to its alias. */
function newSecret(data: Pick<ServiceSpecificCredentialData, 'alias'>): string {
  return data.alias !== undefined ? newApiKeySecret(data.alias) : newServicePassword();
}

async function createCredential(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const user = await getUser(ctx, req(p, 'UserName'));
  const service = req(p, 'ServiceName');
  const kind = supported(service);
  const ageDays = num(p, 'CredentialAgeDays');
  if (ageDays !== undefined && kind !== 'api-key') {
    throw invalidInput(`CredentialAgeDays is not supported for service ${service}.`);
  }
  const existing = await ctx.tx.list(KIND.serviceSpecificCredential, ctx.account, { owner: user.key });
  if (existing.filter((r) => dataOf(r).service === service).length >= CREDENTIALS_PER_USER_PER_SERVICE) {
    throw quotaExceeded('ServiceSpecificCredentialsPerUserPerService', CREDENTIALS_PER_USER_PER_SERVICE);
  }
  const id = newId('ACCA');
  // API key aliases carry the user name and a version and creation suffix, as AWS describes them.
  const shape =
    kind === 'password'
      ? { serviceUserName: `${user.key}-at-${ctx.account}` }
      : { alias: `${user.key}+1-${Math.floor(ctx.now.getTime() / 1000)}-at-${ctx.account}` };
  const plain = newSecret(shape);
  const data: ServiceSpecificCredentialData = {
    service,
    status: 'Active',
    ...shape,
    secret: ctx.services.encryptSecret(plain),
    ...(ageDays !== undefined ? { expires: new Date(ctx.now.getTime() + ageDays * DAY_MS).toISOString() } : {}),
  };
  const record: EntityRecord = {
    kind: KIND.serviceSpecificCredential,
    account: ctx.account,
    key: id,
    id,
    path: '/',
    owner: user.key,
    created: ctx.now.toISOString(),
    data: { ...data },
  };
  await ctx.tx.insert(record);
  return { ServiceSpecificCredential: credentialView(record, plain, ctx.now) };
}

/**
 * The user whose credentials a request manages: UserName when given (it must exist), else the calling IAM user.
 * The root user has no service-specific credentials: it owns none (undefined).
 */
async function credentialOwner(ctx: OperationContext, p: Params): Promise<string | undefined> {
  const name = targetUserName(ctx.caller, str(p, 'UserName'));
  if (name === undefined) return undefined;
  return (await getUser(ctx, name)).key;
}

/** The credential with this ID among the owner's; another user's is answered as missing. */
async function ownedCredential(ctx: OperationContext, p: Params): Promise<EntityRecord> {
  const owner = await credentialOwner(ctx, p);
  const id = req(p, 'ServiceSpecificCredentialId');
  const record = await ctx.tx.get(KIND.serviceSpecificCredential, ctx.account, id);
  if (record === undefined || owner === undefined || record.owner.toLowerCase() !== owner.toLowerCase()) throw noSuchCredential(id);
  return record;
}

async function listCredentials(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const service = str(p, 'ServiceName');
  if (service !== undefined) supported(service);
  let records: EntityRecord[];
  if (bool(p, 'AllUsers') === true) {
    if (str(p, 'UserName') !== undefined) throw validationError('AllUsers and UserName cannot be specified together.');
    records = await ctx.tx.list(KIND.serviceSpecificCredential, ctx.account);
  } else {
    const owner = await credentialOwner(ctx, p);
    records = owner === undefined ? [] : await ctx.tx.list(KIND.serviceSpecificCredential, ctx.account, { owner });
  }
  const matching = service === undefined ? records : records.filter((r) => dataOf(r).service === service);
  const page = paginate(matching, p);
  return { ServiceSpecificCredentials: page.page.map((r) => metadataView(r, ctx.now)), ...pageMembers(page) };
}

async function resetCredential(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await ownedCredential(ctx, p);
  const plain = newSecret(dataOf(record));
  const updated: EntityRecord = { ...record, data: { ...record.data, secret: ctx.services.encryptSecret(plain) } };
  await ctx.tx.update(updated);
  return { ServiceSpecificCredential: credentialView(updated, plain, ctx.now) };
}

async function updateCredential(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const status = req(p, 'Status');
  // Expired is a state IAM reports, not one a caller can set.
  if (status !== 'Active' && status !== 'Inactive') throw validationError(`Status ${status} cannot be set manually; use Active or Inactive.`);
  const record = await ownedCredential(ctx, p);
  await ctx.tx.update({ ...record, data: { ...record.data, status } });
  return {};
}

async function deleteCredential(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await ownedCredential(ctx, p);
  await ctx.tx.delete(KIND.serviceSpecificCredential, ctx.account, record.key);
  return {};
}

// The service of the credential a request names, found by resource() for iam:ServiceSpecificCredentialServiceName
// (conditionKeys cannot read the store). Only the target user's own credential is noted: a key taken from another
// user's credential would let a Deny tell the caller that an ID it may not see exists.
const credentialService = new WeakMap<OperationContext, string>();

async function byTargetUser(ctx: OperationContext, p: Params): Promise<string> {
  const arn = await userResource(ctx, str(p, 'UserName'));
  const id = str(p, 'ServiceSpecificCredentialId');
  const owner = targetUserName(ctx.caller, str(p, 'UserName'));
  if (id !== undefined && owner !== undefined) {
    const record = await ctx.tx.get(KIND.serviceSpecificCredential, ctx.account, id);
    if (record !== undefined && record.owner.toLowerCase() === owner.toLowerCase()) credentialService.set(ctx, dataOf(record).service);
  }
  return arn;
}

function existingServiceKey(ctx: OperationContext): Record<string, string> {
  const service = credentialService.get(ctx);
  return service === undefined ? {} : { 'iam:ServiceSpecificCredentialServiceName': service };
}

function createKeys(_ctx: OperationContext, p: Params): Record<string, string> {
  const ageDays = num(p, 'CredentialAgeDays');
  return {
    'iam:ServiceSpecificCredentialServiceName': req(p, 'ServiceName'),
    ...(ageDays !== undefined ? { 'iam:ServiceSpecificCredentialAgeDays': String(ageDays) } : {}),
  };
}

/** AllUsers lists every user's credentials: authorized as ListUsers is, on the account's users. */
function listResource(ctx: OperationContext, p: Params): Promise<string> | string {
  return bool(p, 'AllUsers') === true && str(p, 'UserName') === undefined ? userArn(ctx.account, '/', '') : userResource(ctx, str(p, 'UserName'));
}

const op = operationsOf('iam', byTargetUser);

export const SERVICE_SPECIFIC_CREDENTIAL_OPERATIONS: readonly OperationDefinition[] = [
  op('CreateServiceSpecificCredential', createCredential, { conditionKeys: createKeys }),
  op('ListServiceSpecificCredentials', listCredentials, { resource: listResource }),
  op('ResetServiceSpecificCredential', resetCredential, { conditionKeys: existingServiceKey }),
  op('UpdateServiceSpecificCredential', updateCredential, { conditionKeys: existingServiceKey }),
  op('DeleteServiceSpecificCredential', deleteCredential, { conditionKeys: existingServiceKey }),
];
