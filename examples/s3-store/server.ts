// The example S3-compatible store: node:http, path-style requests, files on disk, and every request decided by
// Gatehouse's authorize API over HTTP, called as the store's own service principal. The store never checks a
// signature or a policy itself; it tells Gatehouse what the request is (action, resource, the bucket's owner, its
// ACL and Object Ownership, a reference to its bucket policy in Gatehouse's registry) and acts on the answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  aclJson,
  cannedAcl,
  canonicalUserId,
  createAuthorizeClient,
  forwardedRequestOf,
  ServiceError,
  type AuthorizeClient,
  type AuthorizeResponseBody,
  type ForwardedAction,
  type S3Acl,
} from 'gatehouse-iam';
import * as buckets from './bucket-ops.js';
import { aclConditionKeys, setsAclByHeader, type Caller, type Ctx, type StoreSettings } from './context.js';
import { Disk, type BucketRecord, type ObjectRecord } from './disk.js';
import * as multipart from './multipart.js';
import * as objects from './object-ops.js';
import { ACTION, checkBucketName, isAnonymous, routeOf, type Operation, type Route } from './route.js';
import { errors, newRequestId, S3Error, sendError } from './xml.js';

export interface S3StoreOptions {
  /** Gatehouse's endpoint, e.g. http://127.0.0.1:4566. */
  readonly gatehouse: string;
  /** The store's own Gatehouse credentials (gatehouse:Authorize, GetChunkSigningKey and the registry's actions). */
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Where buckets and objects are kept. */
  readonly dataDir: string;
  readonly host?: string;
  readonly port?: number;
  readonly region?: string;
  /** The largest PutObject or UploadPart body, in bytes (64 MiB unless given). */
  readonly maxBodySize?: number;
  /** Serve HTTPS with this PEM certificate and key (clients then stream uploads aws-chunked, unsigned, with a trailing checksum). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

export interface RunningS3Store {
  readonly endpoint: string;
  readonly disk: Disk;
  /** Gatehouse's last 1 000 answers, last one last (for tests and logs), chunk signing keys withheld. */
  readonly answers: AuthorizeResponseBody[];
  close(): Promise<void>;
}

/** Operations on an object that must exist: when it does not, S3 answers NoSuchKey only to callers who may list. */
const READS_OBJECT: ReadonlySet<Operation> = new Set(['GetObject', 'HeadObject', 'GetObjectAcl', 'PutObjectAcl']);
/** Operations with no bucket to decide against: the caller's own account is the resource's. */
const NO_BUCKET: ReadonlySet<Operation> = new Set(['ListBuckets', 'CreateBucket']);

/** The ACL S3 consults for the operation: the bucket's, or the object's (none yet: the bucket owner's alone). */
function consultedAcl(operation: Operation, bucket: BucketRecord, object: ObjectRecord | undefined): S3Acl | undefined {
  const which = ACTION[operation].acl;
  if (which === 'bucket') return bucket.acl;
  if (which === 'object') return object?.acl ?? cannedAcl('private', canonicalUserId(bucket.account));
  return undefined;
}

/** The actions to decide: the operation's own, and those S3 also requires for what the request sets. */
function actionsOf(route: Route, req: IncomingMessage, bucket: BucketRecord | undefined, object: ObjectRecord | undefined): ForwardedAction[] {
  const bucketArn = `arn:aws:s3:::${route.bucket}`;
  const objectArn = `${bucketArn}/${route.key}`;
  const { action } = ACTION[route.operation];
  const resource = route.operation === 'ListBuckets' ? '*' : route.key !== '' ? objectArn : bucketArn;
  const context: Record<string, string> = {};
  if (route.operation === 'ListObjects' || route.operation === 'ListObjectsV2') {
    for (const name of ['prefix', 'delimiter', 'max-keys']) {
      const value = route.query.get(name);
      if (value !== null) context[`s3:${name}`] = value;
    }
  }
  const setsAcl = setsAclByHeader(req);
  if (setsAcl) Object.assign(context, aclConditionKeys(req));
  const acl = bucket === undefined ? undefined : consultedAcl(route.operation, bucket, object);
  const first: ForwardedAction = { Action: action, Resource: resource, ...(acl !== undefined ? { Acl: aclJson(acl) } : {}), Context: context };
  const actions = [first];
  // An ACL set with the request needs the permission to set it (S3 asks s3:PutObjectAcl / s3:PutBucketAcl too).
  if (setsAcl && (route.operation === 'PutObject' || route.operation === 'CreateMultipartUpload')) actions.push({ ...first, Action: 's3:PutObjectAcl' });
  if (setsAcl && route.operation === 'CreateBucket') actions.push({ ...first, Action: 's3:PutBucketAcl' });
  if (route.operation === 'CreateBucket' && req.headers['x-amz-object-ownership'] !== undefined) actions.push({ ...first, Action: 's3:PutBucketOwnershipControls' });
  if (bucket !== undefined && object === undefined && READS_OBJECT.has(route.operation)) actions.push({ Action: 's3:ListBucket', Resource: bucketArn, Acl: aclJson(bucket.acl), Context: {} });
  return actions;
}

function accessDenied(message: string | undefined): S3Error {
  return new S3Error('AccessDenied', message ?? 'Access Denied', 403);
}

async function dispatch(ctx: Ctx, object: ObjectRecord | undefined): Promise<void> {
  const found = (): ObjectRecord => {
    if (object === undefined) throw errors.noSuchKey(ctx.route.key);
    return object;
  };
  switch (ctx.route.operation) {
    case 'ListBuckets':
      return buckets.listBuckets(ctx);
    case 'CreateBucket':
      return buckets.createBucket(ctx);
    case 'DeleteBucket':
      return buckets.deleteBucket(ctx);
    case 'HeadBucket':
      return buckets.headBucket(ctx);
    case 'ListObjects':
      return buckets.listBucketObjects(ctx, false);
    case 'ListObjectsV2':
      return buckets.listBucketObjects(ctx, true);
    case 'GetBucketLocation':
      return buckets.getBucketLocation(ctx);
    case 'PutBucketPolicy':
      return buckets.putBucketPolicy(ctx);
    case 'GetBucketPolicy':
      return buckets.getBucketPolicy(ctx);
    case 'DeleteBucketPolicy':
      return buckets.deleteBucketPolicy(ctx);
    case 'GetBucketPolicyStatus':
      return buckets.getBucketPolicyStatus(ctx);
    case 'PutBucketOwnershipControls':
      return buckets.putBucketOwnershipControls(ctx);
    case 'GetBucketOwnershipControls':
      return buckets.getBucketOwnershipControls(ctx);
    case 'DeleteBucketOwnershipControls':
      throw errors.notImplemented();
    case 'PutBucketAcl':
      return buckets.putBucketAcl(ctx);
    case 'GetBucketAcl':
      return buckets.getBucketAcl(ctx);
    case 'PutObject':
      return objects.putObject(ctx);
    case 'GetObject':
    case 'HeadObject':
      return objects.getObject(ctx, found());
    case 'DeleteObject':
      return objects.deleteObject(ctx);
    case 'PutObjectAcl':
      return objects.putObjectAcl(ctx, found());
    case 'GetObjectAcl':
      return objects.getObjectAcl(ctx, found());
    case 'CreateMultipartUpload':
      return multipart.createMultipartUpload(ctx);
    case 'UploadPart':
      return multipart.uploadPart(ctx);
    case 'CompleteMultipartUpload':
      return multipart.completeMultipartUpload(ctx);
    case 'AbortMultipartUpload':
      return multipart.abortMultipartUpload(ctx);
  }
}

export async function startS3Store(options: S3StoreOptions): Promise<RunningS3Store> {
  const disk = await Disk.open(options.dataDir);
  const gatehouse: AuthorizeClient = createAuthorizeClient({ endpoint: options.gatehouse, credentials: options.credentials, region: options.region ?? 'us-east-1' });
  const settings: StoreSettings = { region: options.region ?? 'us-east-1', maxBodySize: options.maxBodySize ?? 64 * 1024 * 1024 };
  const answers: AuthorizeResponseBody[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const route = routeOf(req);
    if (route.operation === 'CreateBucket') checkBucketName(route.bucket);
    const bucket = route.bucket === '' ? undefined : disk.bucket(route.bucket);
    const object = bucket === undefined || route.key === '' ? undefined : disk.object(bucket.name, route.key);
    const anonymous = isAnonymous(req);
    // Nothing to decide against: no bucket (or none yet). The anonymous principal is refused outright; a signed
    // request is still authenticated first, so a bad signature is told apart from a missing bucket.
    if (bucket === undefined && !NO_BUCKET.has(route.operation) && anonymous) throw errors.noSuchBucket(route.bucket);
    if (bucket === undefined && NO_BUCKET.has(route.operation) && anonymous) throw accessDenied(undefined);
    const answer = await gatehouse.authorize({
      Request: forwardedRequestOf(req),
      Regions: [settings.region],
      Actions: actionsOf(route, req, bucket, object),
      ...(bucket !== undefined ? { ResourceAccount: bucket.account, ResourcePolicyArn: `arn:aws:s3:::${bucket.name}`, ObjectOwnership: bucket.ownership } : {}),
      Context: { 'aws:SourceIp': (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''), 'aws:SecureTransport': options.tls !== undefined ? 'true' : 'false' },
      IncludeChunkSigningKey: true,
    });
    // Kept for tests and logs without the chunk signing key: it signs as the caller for a day and is for this upload only.
    answers.push(answer.Streaming?.SigningKey === undefined ? answer : { ...answer, Streaming: { ...answer.Streaming, SigningKey: '(withheld)' } });
    if (answers.length > 1000) answers.shift();
    if (answer.Error !== undefined) throw new S3Error(answer.Error.Code, answer.Error.Message, answer.Error.Status);
    if (bucket === undefined && !NO_BUCKET.has(route.operation)) throw errors.noSuchBucket(route.bucket);
    const denied = answer.Results.find((r) => !r.Allowed);
    if (denied !== undefined) throw accessDenied(denied.Message);
    // A client that names the account it expects to own the bucket is refused any other's (S3's confused-deputy guard).
    const expected = req.headers['x-amz-expected-bucket-owner'];
    if (bucket !== undefined && expected !== undefined && expected !== bucket.account) throw accessDenied(undefined);
    const principal = answer.Principal;
    const caller: Caller = {
      arn: principal?.Arn ?? 'anonymous',
      ...(principal !== undefined && principal.Type !== 'Anonymous' ? { account: principal.Account, canonicalId: principal.CanonicalUserId ?? canonicalUserId(principal.Account) } : {}),
    };
    // A client waiting on Expect: 100-continue sends its body only now, once the request is allowed.
    if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
    await dispatch({ req, res, route, disk, gatehouse, settings, bucket, answer, caller, requestId }, object);
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = newRequestId();
    handle(req, res, requestId).catch((error: unknown) => {
      const s3 =
        error instanceof S3Error
          ? error
          : error instanceof ServiceError
            ? new S3Error(error.code, error.message, error.status, Object.fromEntries(Object.entries(error.fields ?? {}).map(([k, v]) => [k, String(v)])))
            : new S3Error('InternalError', 'We encountered an internal error. Please try again.', 500);
      if (s3.status === 500) console.error(error);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A body the request never got to send is not read: the connection closes after the answer.
      if (!req.complete) res.setHeader('connection', 'close');
      sendError(res, req.method ?? 'GET', s3, req.url?.split('?')[0] ?? '/', requestId);
      if (!req.complete) req.resume();
    });
  };
  const server: Server = options.tls !== undefined ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createServer(listener);
  // Left to itself node:http answers 100 Continue at once; taken here, a refused upload is never sent at all.
  server.on('checkContinue', listener);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    endpoint: `${options.tls !== undefined ? 'https' : 'http'}://${options.host ?? '127.0.0.1'}:${address.port}`,
    disk,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
