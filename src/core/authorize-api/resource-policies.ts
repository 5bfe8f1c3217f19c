import { createHash } from 'node:crypto';
import { createStaticCatalog } from '../../policy/catalog.js';
import { validatePolicy } from '../../policy/validate.js';
import type { StoreTx } from '../../store/store.js';
import { malformedPolicyDocument, ServiceError, validationError } from '../errors.js';
import { KIND } from '../iam/kinds.js';
import { validateBucketPolicy } from './s3-bucket-policy.js';

/**
 * The resource-policy registry: a resource-based policy and tags for any ARN, kept for services that authorize
 * through Gatehouse and would rather reference a resource's policy than send it with every request. One record per
 * ARN, in the resource's account; keyed by a hash of the ARN because the store compares keys without case and ARNs
 * (S3 object keys) are case-sensitive.
 */
export const RESOURCE_POLICY_KIND = KIND.resourcePolicy;

const NO_SERVICES = createStaticCatalog({ services: {} });
const ARN = /^arn:aws[\w-]*:([a-z0-9-]+):([a-z0-9-]*):([0-9]{12}|aws|):(.+)$/;
const MAX_TAGS = 50;

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface ResourcePolicyRecord {
  readonly arn: string;
  readonly account: string;
  readonly policy?: string;
  readonly tags: readonly Tag[];
}

export function resourcePolicyId(arn: string): string {
  return `rp-${createHash('sha256').update(arn).digest('hex')}`;
}

interface ParsedArn {
  service: string;
  account: string;
  resource: string;
}

function parseResourceArn(arn: string): ParsedArn {
  const match = arn.length <= 2048 ? ARN.exec(arn) : null;
  if (match === null) throw validationError(`${arn.slice(0, 100)} is not a valid ARN`);
  return { service: match[1] as string, account: match[3] as string, resource: match[4] as string };
}

/** The account that owns the resource: the ARN's own account when it names one, which must then be the one given. */
function ownerOf(parsed: ParsedArn, account: string | undefined): string {
  if (account !== undefined && !/^[0-9]{12}$/.test(account)) throw validationError('Account must be a 12-digit account ID');
  if (/^[0-9]{12}$/.test(parsed.account)) {
    if (account !== undefined && account !== parsed.account) throw validationError(`The ARN belongs to account ${parsed.account}, not ${account}`);
    return parsed.account;
  }
  if (account === undefined) throw validationError('Account is required for an ARN that names no account');
  return account;
}

/** Validates the policy as the service that owns the resource validates it. */
export function validateResourcePolicy(arn: string, policy: string): void {
  const parsed = parseResourceArn(arn);
  if (parsed.service === 's3' && !parsed.resource.includes('/')) {
    validateBucketPolicy(policy, parsed.resource);
    return;
  }
  const { iamError } = validatePolicy(policy, 'resource', NO_SERVICES);
  if (iamError !== undefined) throw malformedPolicyDocument(iamError.message);
}

function noPolicy(parsed: ParsedArn): ServiceError {
  return parsed.service === 's3'
    ? new ServiceError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404)
    : new ServiceError('ResourceNotFoundException', 'No resource-based policy is registered for this resource.', 404);
}

async function read(tx: StoreTx, arn: string): Promise<ResourcePolicyRecord | undefined> {
  const record = await tx.getById(RESOURCE_POLICY_KIND, resourcePolicyId(arn));
  if (record === undefined) return undefined;
  const policy = record.data['policy'];
  return { arn, account: record.account, ...(typeof policy === 'string' ? { policy } : {}), tags: (record.data['tags'] as Tag[] | undefined) ?? [] };
}

async function write(tx: StoreTx, parsed: ParsedArn, arn: string, account: string, change: { policy?: string | null; tags?: readonly Tag[] }, now: Date): Promise<void> {
  const id = resourcePolicyId(arn);
  const existing = await tx.getById(RESOURCE_POLICY_KIND, id);
  if (existing !== undefined && existing.account !== account) throw validationError(`The resource ${arn} belongs to another account`);
  const data: Record<string, unknown> = { ...(existing?.data ?? {}), arn, service: parsed.service };
  if (change.policy === null) delete data['policy'];
  else if (change.policy !== undefined) data['policy'] = change.policy;
  if (change.tags !== undefined) data['tags'] = change.tags;
  const empty = data['policy'] === undefined && ((data['tags'] as Tag[] | undefined) ?? []).length === 0;
  if (existing === undefined) {
    if (!empty) await tx.insert({ kind: RESOURCE_POLICY_KIND, account, key: id, id, path: '/', owner: '', created: now.toISOString(), data });
    return;
  }
  if (empty) await tx.delete(RESOURCE_POLICY_KIND, account, id);
  else await tx.update({ ...existing, data });
}

export async function getResourcePolicy(tx: StoreTx, arn: string): Promise<ResourcePolicyRecord | undefined> {
  parseResourceArn(arn);
  return read(tx, arn);
}

export async function putResourcePolicy(tx: StoreTx, input: { arn: string; account?: string; policy: string }, now: Date): Promise<ResourcePolicyRecord> {
  const parsed = parseResourceArn(input.arn);
  const account = ownerOf(parsed, input.account);
  if (typeof input.policy !== 'string' || input.policy.length === 0) throw validationError('Policy is required');
  if (input.policy.length > 20 * 1024) throw new ServiceError('PolicyTooLarge', 'The policy document exceeds the 20 KB limit.', 400);
  validateResourcePolicy(input.arn, input.policy);
  await write(tx, parsed, input.arn, account, { policy: input.policy }, now);
  return (await read(tx, input.arn)) as ResourcePolicyRecord;
}

export async function deleteResourcePolicy(tx: StoreTx, arn: string, now: Date): Promise<void> {
  const parsed = parseResourceArn(arn);
  const existing = await read(tx, arn);
  if (existing?.policy === undefined) throw noPolicy(parsed);
  await write(tx, parsed, arn, existing.account, { policy: null }, now);
}

function checkTags(tags: unknown): Tag[] {
  if (!Array.isArray(tags)) throw validationError('Tags must be a list of {Key, Value}');
  if (tags.length > MAX_TAGS) throw validationError(`A resource can have at most ${MAX_TAGS} tags`);
  const keys = new Set<string>();
  return tags.map((tag: unknown) => {
    const { Key: key, Value: value } = (tag ?? {}) as Record<string, unknown>;
    if (typeof key !== 'string' || key.length < 1 || key.length > 128 || key.startsWith('aws:')) throw validationError('Each tag needs a Key of 1 to 128 characters, not starting with aws:');
    if (typeof value !== 'string' || value.length > 256) throw validationError('Each tag Value is a string of at most 256 characters');
    if (keys.has(key)) throw validationError(`Duplicate tag key ${key}`);
    keys.add(key);
    return { Key: key, Value: value };
  });
}

/** Replaces the resource's tags (an empty list removes them). */
export async function putResourceTags(tx: StoreTx, input: { arn: string; account?: string; tags: unknown }, now: Date): Promise<ResourcePolicyRecord | undefined> {
  const parsed = parseResourceArn(input.arn);
  const account = ownerOf(parsed, input.account);
  await write(tx, parsed, input.arn, account, { tags: checkTags(input.tags) }, now);
  return read(tx, input.arn);
}
