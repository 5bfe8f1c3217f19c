// Bucket operations of the example store, run once Gatehouse has allowed the request.
import {
  aclFromGrantHeaders,
  AuthorizeCallError,
  bucketPolicyIsPublic,
  cannedAcl,
  canonicalUserId,
  checkAclAllowed,
  checkOwnershipChange,
  DEFAULT_OBJECT_OWNERSHIP,
  formatAccessControlPolicy,
  parseAccessControlPolicy,
  type S3ObjectOwnership,
} from 'gatehouse-iam';
import { readVerifiedBody } from './body.js';
import { flatHeaders, header, type Ctx } from './context.js';
import type { BucketRecord } from './disk.js';
import { listObjects } from './list.js';
import { childElements, childText, el, errors, parseBody, S3_XMLNS, S3Error, sendXml } from './xml.js';

const OWNERSHIPS: readonly S3ObjectOwnership[] = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'];
/** Small XML and JSON documents: a bucket policy is at most 20 KB, an ACL of 100 grants far less. */
const SMALL_BODY = 64 * 1024;

export const bucketArn = (name: string): string => `arn:aws:s3:::${name}`;

function existing(ctx: Ctx): BucketRecord {
  if (ctx.bucket === undefined) throw errors.noSuchBucket(ctx.route.bucket);
  return ctx.bucket;
}

/** An error of the registry call (MalformedPolicy, NoSuchBucketPolicy…) is S3's own error, passed on as it came. */
function fromRegistry(error: unknown): never {
  if (error instanceof AuthorizeCallError) throw new S3Error(error.code, error.message, error.status);
  throw error;
}

function ownershipHeader(ctx: Ctx): S3ObjectOwnership | undefined {
  const value = header(ctx.req, 'x-amz-object-ownership');
  if (value === undefined) return undefined;
  if (!(OWNERSHIPS as readonly string[]).includes(value)) throw errors.invalidArgument('Invalid x-amz-object-ownership header', 'x-amz-object-ownership', value);
  return value as S3ObjectOwnership;
}

export async function createBucket(ctx: Ctx): Promise<void> {
  const account = ctx.caller.account as string;
  const ownerId = canonicalUserId(account);
  const ownership = ownershipHeader(ctx) ?? DEFAULT_OBJECT_OWNERSHIP;
  const headers = flatHeaders(ctx.req);
  const acl = aclFromGrantHeaders(headers, ownerId) ?? cannedAcl(headers['x-amz-acl'] ?? 'private', ownerId);
  checkOwnershipChange(ownership, acl, ownerId);
  const body = (await readVerifiedBody(ctx.req, ctx.answer, SMALL_BODY)).data;
  if (body.length > 0) {
    const location = childText(parseBody(body.toString('utf8'), 'CreateBucketConfiguration'), 'LocationConstraint');
    if (location !== undefined && location !== '' && location !== ctx.settings.region) {
      throw new S3Error('IllegalLocationConstraintException', `The ${location} location constraint is incompatible for the region specific endpoint this request was sent to.`, 400);
    }
  }
  const taken = ctx.disk.bucket(ctx.route.bucket);
  if (taken === undefined && (await ctx.disk.createBucket({ name: ctx.route.bucket, account, created: new Date().toISOString(), ownership, acl }))) {
    ctx.res.writeHead(200, { location: `/${ctx.route.bucket}`, 'x-amz-request-id': ctx.requestId, 'content-length': '0' }).end();
    return;
  }
  if ((taken ?? ctx.disk.bucket(ctx.route.bucket))?.account === account) throw new S3Error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, { BucketName: ctx.route.bucket });
  throw new S3Error('BucketAlreadyExists', 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.', 409, { BucketName: ctx.route.bucket });
}

export async function deleteBucket(ctx: Ctx): Promise<void> {
  const bucket = existing(ctx);
  if (!(await ctx.disk.deleteBucket(bucket.name))) throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: bucket.name });
  // The policy goes with the bucket: a bucket of that name created later, by anyone, starts without one.
  try {
    await ctx.gatehouse.deleteResourcePolicy(bucketArn(bucket.name));
  } catch (error) {
    if (!(error instanceof AuthorizeCallError && error.code === 'NoSuchBucketPolicy')) throw error;
  }
  ctx.res.writeHead(204, { 'x-amz-request-id': ctx.requestId }).end();
}

export function headBucket(ctx: Ctx): void {
  existing(ctx);
  ctx.res.writeHead(200, { 'x-amz-bucket-region': ctx.settings.region, 'x-amz-request-id': ctx.requestId, 'content-length': '0' }).end();
}

export function getBucketLocation(ctx: Ctx): void {
  existing(ctx);
  // us-east-1 is the empty LocationConstraint, as S3 answers it.
  const region = ctx.settings.region === 'us-east-1' ? '' : ctx.settings.region;
  sendXml(ctx.res, 200, `<LocationConstraint xmlns="${S3_XMLNS}">${region}</LocationConstraint>`, { 'x-amz-request-id': ctx.requestId });
}

export function listBuckets(ctx: Ctx): void {
  const buckets = ctx.disk
    .bucketsOf(ctx.caller.account as string)
    .map((b) => `<Bucket>${el('Name', b.name)}${el('CreationDate', b.created)}${el('BucketRegion', ctx.settings.region)}</Bucket>`)
    .join('');
  sendXml(ctx.res, 200, `<ListAllMyBucketsResult xmlns="${S3_XMLNS}"><Owner>${el('ID', ctx.caller.canonicalId)}</Owner><Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`, { 'x-amz-request-id': ctx.requestId });
}

export function listBucketObjects(ctx: Ctx, v2: boolean): void {
  const bucket = existing(ctx);
  sendXml(ctx.res, 200, listObjects(ctx.disk, bucket, ctx.route.query, v2), { 'x-amz-request-id': ctx.requestId });
}

export async function putBucketPolicy(ctx: Ctx): Promise<void> {
  const bucket = existing(ctx);
  const text = (await readVerifiedBody(ctx.req, ctx.answer, SMALL_BODY)).data.toString('utf8');
  // Gatehouse validates the policy as S3 does and answers MalformedPolicy in S3's words; nothing is kept then.
  await ctx.gatehouse.putResourcePolicy(bucketArn(bucket.name), bucket.account, text).catch(fromRegistry);
  ctx.res.writeHead(204, { 'x-amz-request-id': ctx.requestId }).end();
}

async function policyOf(ctx: Ctx, bucket: BucketRecord): Promise<string> {
  const entry = await ctx.gatehouse.getResourcePolicy(bucketArn(bucket.name)).catch(fromRegistry);
  if (entry?.Policy === undefined) throw new S3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, { BucketName: bucket.name });
  return entry.Policy;
}

export async function getBucketPolicy(ctx: Ctx): Promise<void> {
  const policy = await policyOf(ctx, existing(ctx));
  ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(policy), 'x-amz-request-id': ctx.requestId }).end(policy);
}

export async function deleteBucketPolicy(ctx: Ctx): Promise<void> {
  const bucket = existing(ctx);
  try {
    await ctx.gatehouse.deleteResourcePolicy(bucketArn(bucket.name));
  } catch (error) {
    // S3's DeleteBucketPolicy succeeds on a bucket that has none.
    if (!(error instanceof AuthorizeCallError && error.code === 'NoSuchBucketPolicy')) fromRegistry(error);
  }
  ctx.res.writeHead(204, { 'x-amz-request-id': ctx.requestId }).end();
}

export async function getBucketPolicyStatus(ctx: Ctx): Promise<void> {
  const policy = await policyOf(ctx, existing(ctx));
  sendXml(ctx.res, 200, `<PolicyStatus xmlns="${S3_XMLNS}">${el('IsPublic', bucketPolicyIsPublic(policy))}</PolicyStatus>`, { 'x-amz-request-id': ctx.requestId });
}

export async function putBucketOwnershipControls(ctx: Ctx): Promise<void> {
  const bucket = existing(ctx);
  const root = parseBody((await readVerifiedBody(ctx.req, ctx.answer, SMALL_BODY)).data.toString('utf8'), 'OwnershipControls');
  const rules = childElements(root, 'Rule');
  if (rules.length !== 1) throw errors.malformedXml();
  const ownership = childText(rules[0] as (typeof rules)[number], 'ObjectOwnership');
  if (ownership === undefined || !(OWNERSHIPS as readonly string[]).includes(ownership)) throw errors.malformedXml();
  // Moving to BucketOwnerEnforced with a bucket ACL that grants others: InvalidBucketAclWithObjectOwnership.
  checkOwnershipChange(ownership as S3ObjectOwnership, bucket.acl, canonicalUserId(bucket.account));
  bucket.ownership = ownership as S3ObjectOwnership;
  await ctx.disk.saveBucket(bucket);
  ctx.res.writeHead(200, { 'x-amz-request-id': ctx.requestId, 'content-length': '0' }).end();
}

export function getBucketOwnershipControls(ctx: Ctx): void {
  const bucket = existing(ctx);
  sendXml(ctx.res, 200, `<OwnershipControls xmlns="${S3_XMLNS}"><Rule>${el('ObjectOwnership', bucket.ownership)}</Rule></OwnershipControls>`, { 'x-amz-request-id': ctx.requestId });
}

export async function putBucketAcl(ctx: Ctx): Promise<void> {
  const bucket = existing(ctx);
  const ownerId = canonicalUserId(bucket.account);
  const body = (await readVerifiedBody(ctx.req, ctx.answer, SMALL_BODY)).data;
  const headers = flatHeaders(ctx.req);
  const granted = aclFromGrantHeaders(headers, ownerId);
  const canned = headers['x-amz-acl'];
  if (body.length > 0 && (granted !== undefined || canned !== undefined)) throw errors.invalidRequest('Specifying both Canned ACLs and Header Grants is not allowed');
  if (body.length === 0 && granted === undefined && canned === undefined) throw new S3Error('MissingSecurityHeader', 'Your request was missing a required header', 400, { MissingHeaderName: 'x-amz-acl' });
  const acl = body.length > 0 ? parseAccessControlPolicy(body.toString('utf8')) : (granted ?? cannedAcl(canned as string, ownerId));
  checkAclAllowed(bucket.ownership, granted === undefined && body.length === 0 ? canned : acl, ownerId);
  // The owner stays the bucket's: an ACL names grantees, it does not hand the bucket over.
  bucket.acl = { owner: { id: ownerId }, grants: acl.grants };
  await ctx.disk.saveBucket(bucket);
  ctx.res.writeHead(200, { 'x-amz-request-id': ctx.requestId, 'content-length': '0' }).end();
}

export function getBucketAcl(ctx: Ctx): void {
  const bucket = existing(ctx);
  const ownerId = canonicalUserId(bucket.account);
  // With ACLs disabled, reading one shows the bucket owner's full control, whatever was kept.
  const acl = bucket.ownership === 'BucketOwnerEnforced' ? cannedAcl('private', ownerId) : bucket.acl;
  sendXml(ctx.res, 200, formatAccessControlPolicy(acl).replace(/^<\?xml[^>]*>\n/, ''), { 'x-amz-request-id': ctx.requestId });
}
