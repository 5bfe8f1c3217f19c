// Object operations of the example store, run once Gatehouse has allowed the request.
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { aclFromGrantHeaders, cannedAcl, canonicalUserId, checkAclAllowed, formatAccessControlPolicy, parseAccessControlPolicy, type S3Acl } from 'gatehouse-iam';
import { readVerifiedBody } from './body.js';
import { flatHeaders, header, userMetadata, type Ctx } from './context.js';
import type { BucketRecord, ObjectRecord } from './disk.js';
import { errors, S3Error, sendXml } from './xml.js';

export const md5Etag = (data: Buffer): string => `"${createHash('md5').update(data).digest('hex')}"`;

function bucketOf(ctx: Ctx): BucketRecord {
  if (ctx.bucket === undefined) throw errors.noSuchBucket(ctx.route.bucket);
  return ctx.bucket;
}

export function checkKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') > 1024) throw new S3Error('KeyTooLongError', 'Your key is too long', 400);
}

/**
 * Who owns a new object and its ACL, as Object Ownership decides: the bucket owner under BucketOwnerEnforced (ACLs
 * disabled: only none, private or bucket-owner-full-control get through) and under BucketOwnerPreferred with
 * bucket-owner-full-control; the writer otherwise.
 */
export function newObjectAcl(ctx: Ctx, bucket: BucketRecord): { owner: string; acl: S3Acl } {
  const bucketOwner = canonicalUserId(bucket.account);
  const writer = ctx.caller.canonicalId ?? bucketOwner;
  const headers = flatHeaders(ctx.req);
  const canned = headers['x-amz-acl'];
  const provisional = aclFromGrantHeaders(headers, writer);
  checkAclAllowed(bucket.ownership, provisional ?? canned, bucketOwner);
  if (bucket.ownership === 'BucketOwnerEnforced') return { owner: bucketOwner, acl: cannedAcl('private', bucketOwner) };
  const owner = bucket.ownership === 'BucketOwnerPreferred' && canned === 'bucket-owner-full-control' ? bucketOwner : writer;
  const granted = aclFromGrantHeaders(headers, owner);
  return { owner, acl: granted ?? cannedAcl(canned ?? 'private', owner, bucketOwner) };
}

export function checksumHeaders(record: { checksum?: { algorithm: string; value: string } }): Record<string, string> {
  return record.checksum !== undefined ? { [`x-amz-checksum-${record.checksum.algorithm}`]: record.checksum.value } : {};
}

export async function putObject(ctx: Ctx): Promise<void> {
  const bucket = bucketOf(ctx);
  checkKey(ctx.route.key);
  const { owner, acl } = newObjectAcl(ctx, bucket);
  const body = await readVerifiedBody(ctx.req, ctx.answer, ctx.settings.maxBodySize);
  const record = await ctx.disk.putObject(
    bucket.name,
    {
      key: ctx.route.key,
      size: body.data.length,
      etag: md5Etag(body.data),
      lastModified: new Date().toISOString(),
      contentType: header(ctx.req, 'content-type') ?? 'binary/octet-stream',
      metadata: userMetadata(ctx.req),
      owner,
      acl,
      ...(body.checksum !== undefined ? { checksum: body.checksum } : {}),
    },
    body.data,
  );
  ctx.res.writeHead(200, { etag: record.etag, ...checksumHeaders(record), 'x-amz-request-id': ctx.requestId, 'content-length': '0' }).end();
}

const RESPONSE_OVERRIDES = ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding'];

/** The inclusive byte range a Range header asks for; undefined for none or one S3 would ignore. */
function rangeOf(value: string | undefined, size: number): { start: number; end: number } | undefined {
  const match = value === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (match === null || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
    if (suffix === 0) start = size;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== '' && Number(match[2]) < start) return undefined;
  }
  if (start >= size) throw new S3Error('InvalidRange', 'The requested range is not satisfiable', 416, { RangeRequested: value as string, ActualObjectSize: String(size) });
  return { start, end };
}

export async function getObject(ctx: Ctx, record: ObjectRecord): Promise<void> {
  const bucket = bucketOf(ctx);
  const query = ctx.route.query;
  const overrides = RESPONSE_OVERRIDES.filter((name) => query.has(`response-${name}`));
  if (overrides.length > 0 && ctx.caller.account === undefined) throw errors.invalidRequest('Request specific response headers cannot be used for anonymous GET requests.');
  const range = rangeOf(header(ctx.req, 'range'), record.size);
  const headers: Record<string, string> = {
    'content-type': record.contentType,
    'content-length': String(range === undefined ? record.size : range.end - range.start + 1),
    etag: record.etag,
    'last-modified': new Date(record.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    'x-amz-request-id': ctx.requestId,
    ...record.metadata,
  };
  // A checksum describes the whole object: sent only for it, and when asked for.
  if (range === undefined && header(ctx.req, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') Object.assign(headers, checksumHeaders(record));
  if (range !== undefined) headers['content-range'] = `bytes ${range.start}-${range.end}/${record.size}`;
  for (const name of overrides) headers[name] = query.get(`response-${name}`) as string;
  ctx.res.writeHead(range === undefined ? 200 : 206, headers);
  if (ctx.req.method === 'HEAD' || record.size === 0) {
    ctx.res.end();
    return;
  }
  await pipeline(ctx.disk.read(bucket.name, record, range), ctx.res);
}

export async function deleteObject(ctx: Ctx): Promise<void> {
  await ctx.disk.deleteObject(bucketOf(ctx).name, ctx.route.key);
  ctx.res.writeHead(204, { 'x-amz-request-id': ctx.requestId }).end();
}

export async function putObjectAcl(ctx: Ctx, record: ObjectRecord): Promise<void> {
  const bucket = bucketOf(ctx);
  const bucketOwner = canonicalUserId(bucket.account);
  const body = (await readVerifiedBody(ctx.req, ctx.answer, 64 * 1024)).data;
  const headers = flatHeaders(ctx.req);
  const granted = aclFromGrantHeaders(headers, record.owner);
  const canned = headers['x-amz-acl'];
  if (body.length > 0 && (granted !== undefined || canned !== undefined)) throw errors.invalidRequest('Specifying both Canned ACLs and Header Grants is not allowed');
  if (body.length === 0 && granted === undefined && canned === undefined) throw new S3Error('MissingSecurityHeader', 'Your request was missing a required header', 400, { MissingHeaderName: 'x-amz-acl' });
  const acl = body.length > 0 ? parseAccessControlPolicy(body.toString('utf8')) : (granted ?? cannedAcl(canned as string, record.owner, bucketOwner));
  checkAclAllowed(bucket.ownership, granted === undefined && body.length === 0 ? canned : acl, bucketOwner);
  // The object keeps its owner; the ACL sets its grants.
  record.acl = { owner: { id: record.owner }, grants: acl.grants };
  await ctx.disk.saveObjectAcl(bucket.name, record);
  ctx.res.writeHead(200, { 'x-amz-request-id': ctx.requestId, 'content-length': '0' }).end();
}

export function getObjectAcl(ctx: Ctx, record: ObjectRecord): void {
  const bucket = bucketOf(ctx);
  const acl = bucket.ownership === 'BucketOwnerEnforced' ? cannedAcl('private', canonicalUserId(bucket.account)) : record.acl;
  sendXml(ctx.res, 200, formatAccessControlPolicy(acl).replace(/^<\?xml[^>]*>\n/, ''), { 'x-amz-request-id': ctx.requestId });
}


