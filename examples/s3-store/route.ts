// Which S3 operation a request is (path-style addressing: /bucket/key), and the IAM action(s) S3 authorizes it as
// (Service Authorization Reference, Amazon S3: the action and the resource each operation needs).
import type { IncomingMessage } from 'node:http';
import { errors, S3Error } from './xml.js';

export type Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'HeadBucket'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'GetBucketLocation'
  | 'PutBucketPolicy'
  | 'GetBucketPolicy'
  | 'DeleteBucketPolicy'
  | 'GetBucketPolicyStatus'
  | 'PutBucketOwnershipControls'
  | 'GetBucketOwnershipControls'
  | 'DeleteBucketOwnershipControls'
  | 'PutBucketAcl'
  | 'GetBucketAcl'
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'PutObjectAcl'
  | 'GetObjectAcl'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload';

export interface Route {
  readonly operation: Operation;
  readonly bucket: string;
  readonly key: string;
  readonly query: URLSearchParams;
}

/** The IAM action each operation is authorized as, and whether the bucket's ACL (not the object's) is consulted. */
export const ACTION: Readonly<Record<Operation, { action: string; acl: 'bucket' | 'object' | 'none' }>> = {
  ListBuckets: { action: 's3:ListAllMyBuckets', acl: 'none' },
  CreateBucket: { action: 's3:CreateBucket', acl: 'none' },
  DeleteBucket: { action: 's3:DeleteBucket', acl: 'none' },
  HeadBucket: { action: 's3:ListBucket', acl: 'bucket' },
  ListObjects: { action: 's3:ListBucket', acl: 'bucket' },
  ListObjectsV2: { action: 's3:ListBucket', acl: 'bucket' },
  GetBucketLocation: { action: 's3:GetBucketLocation', acl: 'none' },
  PutBucketPolicy: { action: 's3:PutBucketPolicy', acl: 'none' },
  GetBucketPolicy: { action: 's3:GetBucketPolicy', acl: 'none' },
  DeleteBucketPolicy: { action: 's3:DeleteBucketPolicy', acl: 'none' },
  GetBucketPolicyStatus: { action: 's3:GetBucketPolicyStatus', acl: 'none' },
  PutBucketOwnershipControls: { action: 's3:PutBucketOwnershipControls', acl: 'none' },
  GetBucketOwnershipControls: { action: 's3:GetBucketOwnershipControls', acl: 'none' },
  DeleteBucketOwnershipControls: { action: 's3:PutBucketOwnershipControls', acl: 'none' },
  PutBucketAcl: { action: 's3:PutBucketAcl', acl: 'bucket' },
  GetBucketAcl: { action: 's3:GetBucketAcl', acl: 'bucket' },
  PutObject: { action: 's3:PutObject', acl: 'bucket' },
  GetObject: { action: 's3:GetObject', acl: 'object' },
  HeadObject: { action: 's3:GetObject', acl: 'object' },
  DeleteObject: { action: 's3:DeleteObject', acl: 'bucket' },
  PutObjectAcl: { action: 's3:PutObjectAcl', acl: 'object' },
  GetObjectAcl: { action: 's3:GetObjectAcl', acl: 'object' },
  CreateMultipartUpload: { action: 's3:PutObject', acl: 'bucket' },
  UploadPart: { action: 's3:PutObject', acl: 'bucket' },
  CompleteMultipartUpload: { action: 's3:PutObject', acl: 'bucket' },
  AbortMultipartUpload: { action: 's3:AbortMultipartUpload', acl: 'bucket' },
};

// Subresources S3 has and this store does not serve: answered NotImplemented rather than taken for a plain GET/PUT.
const UNSERVED = [
  'accelerate', 'analytics', 'attributes', 'cors', 'delete', 'encryption', 'intelligent-tiering', 'inventory', 'legal-hold', 'lifecycle',
  'logging', 'metadataTable', 'metrics', 'notification', 'object-lock', 'publicAccessBlock', 'replication', 'requestPayment', 'restore',
  'retention', 'select', 'session', 'tagging', 'torrent', 'versioning', 'versions', 'website', 'renameObject',
];

function pick(query: URLSearchParams, method: string, table: Record<string, Operation | undefined>, fallback: Operation | undefined): Operation {
  for (const [sub, operation] of Object.entries(table)) if (query.has(sub)) return operation ?? notServed();
  if (UNSERVED.some((sub) => query.has(sub)) || fallback === undefined) return notServed(method);
  return fallback;
}

function notServed(method = ''): never {
  throw method === 'POST' || method === 'PATCH' || method === 'OPTIONS' ? errors.methodNotAllowed() : errors.notImplemented();
}

/** The operation of a path-style request; S3's InvalidURI for a path that does not decode. */
export function routeOf(req: IncomingMessage): Route {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const slash = path.indexOf('/', 1);
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(slash < 0 ? path.slice(1) : path.slice(1, slash));
    key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
  } catch {
    throw new S3Error('InvalidURI', "Couldn't parse the specified URI.", 400);
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const route = (operation: Operation): Route => ({ operation, bucket, key, query });
  if (bucket === '') {
    if (method === 'GET') return route('ListBuckets');
    return notServed(method);
  }
  if (key === '') {
    switch (method) {
      case 'PUT':
        return route(pick(query, method, { policy: 'PutBucketPolicy', ownershipControls: 'PutBucketOwnershipControls', acl: 'PutBucketAcl' }, 'CreateBucket'));
      case 'GET':
        return route(
          pick(
            query,
            method,
            { policyStatus: 'GetBucketPolicyStatus', policy: 'GetBucketPolicy', ownershipControls: 'GetBucketOwnershipControls', acl: 'GetBucketAcl', location: 'GetBucketLocation', uploads: undefined },
            query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects',
          ),
        );
      case 'DELETE':
        return route(pick(query, method, { policy: 'DeleteBucketPolicy', ownershipControls: 'DeleteBucketOwnershipControls' }, 'DeleteBucket'));
      case 'HEAD':
        return route('HeadBucket');
      default:
        return notServed(method);
    }
  }
  switch (method) {
    case 'PUT':
      if (req.headers['x-amz-copy-source'] !== undefined) return notServed();
      if (query.has('partNumber') || query.has('uploadId')) return route('UploadPart');
      return route(pick(query, method, { acl: 'PutObjectAcl' }, 'PutObject'));
    case 'GET':
      return route(pick(query, method, { acl: 'GetObjectAcl', uploadId: undefined }, 'GetObject'));
    case 'HEAD':
      return route('HeadObject');
    case 'DELETE':
      return route(query.has('uploadId') ? 'AbortMultipartUpload' : pick(query, method, {}, 'DeleteObject'));
    case 'POST':
      if (query.has('uploads')) return route('CreateMultipartUpload');
      if (query.has('uploadId')) return route('CompleteMultipartUpload');
      return notServed(method);
    default:
      return notServed(method);
  }
}

/** A request that carries no signature at all: the anonymous principal. */
export function isAnonymous(req: IncomingMessage): boolean {
  if (req.headers.authorization !== undefined) return false;
  const url = req.url ?? '';
  return !/[?&]X-Amz-(Signature|Credential|Algorithm)=/i.test(url);
}

/** S3's rules for bucket names (general purpose buckets). */
export function checkBucketName(name: string): void {
  const ok = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name) && !name.startsWith('xn--') && !name.endsWith('-s3alias');
  if (!ok) throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: name });
}
