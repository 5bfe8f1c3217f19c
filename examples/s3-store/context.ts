// What an operation handler of the example store receives: the request, the bucket, who Gatehouse says is calling.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthorizeClient, AuthorizeResponseBody } from 'gatehouse-iam';
import type { BucketRecord, Disk } from './disk.js';
import type { Route } from './route.js';

export interface StoreSettings {
  /** The Region the store answers for (buckets are created in it). */
  readonly region: string;
  /** The largest body of one PutObject or UploadPart, in bytes. */
  readonly maxBodySize: number;
}

export interface Caller {
  /** The account and its canonical user ID, as Gatehouse resolved them; undefined for the anonymous principal. */
  readonly account?: string;
  readonly canonicalId?: string;
  readonly arn: string;
}

export interface Ctx {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly route: Route;
  readonly disk: Disk;
  readonly gatehouse: AuthorizeClient;
  readonly settings: StoreSettings;
  /** The bucket the request names, when it exists. */
  readonly bucket: BucketRecord | undefined;
  readonly answer: AuthorizeResponseBody;
  readonly caller: Caller;
  readonly requestId: string;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The request's headers as one string each (repeated ones joined), for the ACL helpers. */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(',') : value;
  return out;
}

const GRANT_HEADERS = ['x-amz-grant-full-control', 'x-amz-grant-read', 'x-amz-grant-read-acp', 'x-amz-grant-write', 'x-amz-grant-write-acp'];

/** Whether the request sets an ACL by header (x-amz-acl or x-amz-grant-*). */
export function setsAclByHeader(req: IncomingMessage): boolean {
  return req.headers['x-amz-acl'] !== undefined || GRANT_HEADERS.some((name) => req.headers[name] !== undefined);
}

/** The condition keys S3 adds for an ACL a request sets (s3:x-amz-acl, s3:x-amz-grant-*). */
export function aclConditionKeys(req: IncomingMessage): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const name of ['x-amz-acl', ...GRANT_HEADERS]) {
    const value = header(req, name);
    if (value !== undefined) keys[`s3:${name}`] = value;
  }
  return keys;
}

/** x-amz-meta-* headers, kept with the object and sent back with it. */
export function userMetadata(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (name.startsWith('x-amz-meta-') && value !== undefined) out[name] = Array.isArray(value) ? value.join(',') : value;
  return out;
}
