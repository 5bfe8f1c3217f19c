import type { EntityRecord, StoreTx } from '../../store/store.js';
import { invalidInput, limitExceeded, ServiceError } from '../errors.js';
import type { OperationContext, Params } from '../operation.js';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export function str(params: Params, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

/** A required string member; the protocol layer has already answered ValidationError when it is missing. */
export function req(params: Params, name: string): string {
  const value = params[name];
  if (typeof value !== 'string') throw new ServiceError('ValidationError', `Value null at '${name[0]?.toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

export function num(params: Params, name: string): number | undefined {
  const value = params[name];
  return typeof value === 'number' ? value : undefined;
}

export function bool(params: Params, name: string): boolean | undefined {
  const value = params[name];
  return typeof value === 'boolean' ? value : undefined;
}

export function list<T = unknown>(params: Params, name: string): T[] {
  const value = params[name];
  return Array.isArray(value) ? (value as T[]) : [];
}

/** IAM answers with this many items per page unless MaxItems says otherwise. */
const DEFAULT_MAX_ITEMS = 100;

/** Where a Marker/MaxItems page starts and how long it is. */
export function pageWindow(params: Params): { start: number; max: number } {
  const max = num(params, 'MaxItems') ?? DEFAULT_MAX_ITEMS;
  const marker = str(params, 'Marker');
  let start = 0;
  if (marker !== undefined) {
    const decoded = /^p(\d+)$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
    if (decoded === null || !Number.isSafeInteger(Number(decoded[1]))) throw invalidInput('Invalid Marker.');
    start = Number(decoded[1]);
  }
  return { start, max };
}

/**
 * Marker/MaxItems/IsTruncated pagination over a full, ordered list. The marker is opaque to clients: here the
 * position of the next item, so a list that changes between pages may skip or repeat, as AWS's may.
 */
export function paginate<T>(items: readonly T[], params: Params): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const { start, max } = pageWindow(params);
  return windowPage(items.slice(start, start + max + 1), start, max);
}

/**
 * The page of a window read from the store at the page's start with room for one item more than the page (so
 * whether more follow is known without counting them all): the same markers as paginate.
 */
export function windowPage<T>(window: readonly T[], start: number, max: number): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const page = window.slice(0, max);
  return window.length > max
    ? { page, IsTruncated: true, Marker: Buffer.from(`p${start + page.length}`, 'utf8').toString('base64url') }
    : { page, IsTruncated: false };
}

/** Reads one Marker/MaxItems page of a kind straight from the store (PathPrefix applied there too). */
export async function listPage(tx: StoreTx, kind: string, account: string, params: Params): Promise<{ page: EntityRecord[]; IsTruncated: boolean; Marker?: string }> {
  const { start, max } = pageWindow(params);
  const prefix = str(params, 'PathPrefix');
  const window = await tx.list(kind, account, { ...(prefix !== undefined ? { pathPrefix: prefix } : {}), offset: start, limit: max + 1 });
  return windowPage(window, start, max);
}

/** A list result's Marker/IsTruncated members. */
export function pageMembers(page: { IsTruncated: boolean; Marker?: string }): Record<string, unknown> {
  return page.Marker === undefined ? { IsTruncated: false } : { IsTruncated: true, Marker: page.Marker };
}

export function filterPath(records: readonly EntityRecord[], params: Params): EntityRecord[] {
  const prefix = str(params, 'PathPrefix');
  return prefix === undefined ? [...records] : records.filter((r) => r.path.startsWith(prefix));
}

const MAX_TAGS = 50;

/** Tags of an entity's data. */
export function tagsOf(record: EntityRecord): Tag[] {
  return (record.data['tags'] as Tag[] | undefined) ?? [];
}

/** Checks a Tags parameter: keys are unique without regard to case, as IAM requires. */
export function checkTags(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = tag.Key.toLowerCase();
    if (seen.has(key)) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key);
  }
  if (tags.length > MAX_TAGS) throw limitExceeded(`The number of tags has reached the maximum limit.`);
}

/** Tags after TagX: new keys added, existing keys (compared without case) replaced. */
export function mergeTags(current: readonly Tag[], added: readonly Tag[]): Tag[] {
  checkTags(added);
  const out = current.filter((t) => !added.some((a) => a.Key.toLowerCase() === t.Key.toLowerCase()));
  out.push(...added.map((t) => ({ Key: t.Key, Value: t.Value })));
  if (out.length > MAX_TAGS) throw limitExceeded('The number of tags has reached the maximum limit.');
  return out;
}

export function removeTags(current: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys.map((k) => k.toLowerCase()));
  return current.filter((t) => !drop.has(t.Key.toLowerCase()));
}

/** `aws:RequestTag/…` and `aws:TagKeys` for tagging operations. */
export function requestTagKeys(tags: readonly Tag[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const tag of tags) out[`aws:RequestTag/${tag.Key}`] = tag.Value;
  if (tags.length > 0) out['aws:TagKeys'] = tags.map((t) => t.Key);
  return out;
}

/** IAM counts policy size without white space. */
export function policySize(document: string): number {
  return document.replace(/\s/g, '').length;
}

export async function mustGet(tx: StoreTx, kind: string, account: string, key: string, notFound: () => Error): Promise<EntityRecord> {
  const record = await tx.get(kind, account, key);
  if (record === undefined) throw notFound();
  return record;
}

export function isoDate(value: string): Date {
  return new Date(value);
}

/**
 * IAM returns policy documents URL-encoded as RFC 3986 says: encodeURIComponent leaves `!'()*` as they are, so
 * those are escaped too.
 */
export function encodeDocument(document: string): string {
  return encodeURIComponent(document).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// What an operation's resource() resolved, for its condition keys: the gateway calls resource() and then
// conditionKeys() with the same context (one request, one transaction), and conditionKeys cannot read the store.
const resolvedByRequest = new WeakMap<OperationContext, Map<string, string>>();

/** Notes the ARN, as stored, of the entity a request member named. */
export function rememberResolved(ctx: OperationContext, member: string, arn: string): void {
  let resolved = resolvedByRequest.get(ctx);
  if (resolved === undefined) resolvedByRequest.set(ctx, (resolved = new Map()));
  resolved.set(member, arn);
}

/** The ARN resource() resolved a request member to; the member as sent when it named nothing that exists. */
export function resolvedOr(ctx: OperationContext, member: string, given: string): string {
  return resolvedByRequest.get(ctx)?.get(member) ?? given;
}
