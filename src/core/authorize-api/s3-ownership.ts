import { ServiceError, validationError } from '../errors.js';
import { S3_GROUPS, type S3Acl } from './s3-acl.js';

/**
 * A bucket's Object Ownership. BucketOwnerEnforced, the default for buckets created since April 2023, disables ACLs:
 * the bucket owner owns every object and only policies decide. The two others keep ACLs in force; they differ in who
 * owns an object another account uploads (the bucket owner with bucket-owner-full-control, or always the writer).
 */
export type S3ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

export const OBJECT_OWNERSHIPS: readonly S3ObjectOwnership[] = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'];
export const DEFAULT_OBJECT_OWNERSHIP: S3ObjectOwnership = 'BucketOwnerEnforced';

export const accessControlListNotSupported = (): ServiceError => new ServiceError('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400);
export const invalidBucketAclWithObjectOwnership = (): ServiceError =>
  new ServiceError('InvalidBucketAclWithObjectOwnership', "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", 400);

export function isObjectOwnership(value: unknown): value is S3ObjectOwnership {
  return typeof value === 'string' && (OBJECT_OWNERSHIPS as readonly string[]).includes(value);
}

export function checkObjectOwnership(value: unknown, where: string): S3ObjectOwnership {
  if (!isObjectOwnership(value)) throw validationError(`${where} must be one of ${OBJECT_OWNERSHIPS.join(', ')}`);
  return value;
}

/**
 * Whether an ACL only gives FULL_CONTROL to the bucket's owner (and to the ACL's own owner, who under
 * BucketOwnerEnforced is the bucket owner anyway): the "bucket owner full control" ACLs S3 still accepts when ACLs are
 * disabled. Without the bucket owner's ID, the ACL's owner stands for it.
 */
export function isBucketOwnerFullControl(acl: S3Acl, bucketOwnerCanonicalId?: string): boolean {
  const bucketOwner = (bucketOwnerCanonicalId ?? acl.owner.id).toLowerCase();
  const owners = new Set([bucketOwner, acl.owner.id.toLowerCase()]);
  let bucketOwnerHasIt = false;
  for (const grant of acl.grants) {
    if (grant.grantee.type !== 'CanonicalUser' || grant.permission !== 'FULL_CONTROL') return false;
    const id = grant.grantee.id.toLowerCase();
    if (!owners.has(id)) return false;
    if (id === bucketOwner) bucketOwnerHasIt = true;
  }
  return bucketOwnerHasIt;
}

/**
 * What S3 does with an ACL a request sets (PutObject, CreateMultipartUpload, CopyObject, CreateBucket, Put*Acl) on a
 * bucket of this ownership: under BucketOwnerEnforced, only no ACL, `bucket-owner-full-control`, `private` or their
 * XML equivalent (FULL_CONTROL to the bucket owner alone) pass; anything else throws AccessControlListNotSupported
 * (400, "The bucket does not allow ACLs"). Under the two other settings every ACL passes.
 */
export function checkAclAllowed(ownership: S3ObjectOwnership | undefined, acl: S3Acl | string | undefined, bucketOwnerCanonicalId?: string): void {
  if ((ownership ?? DEFAULT_OBJECT_OWNERSHIP) !== 'BucketOwnerEnforced' || acl === undefined) return;
  if (typeof acl === 'string') {
    if (acl === 'bucket-owner-full-control' || acl === 'private') return;
    throw accessControlListNotSupported();
  }
  if (!isBucketOwnerFullControl(acl, bucketOwnerCanonicalId)) throw accessControlListNotSupported();
}

/**
 * PutBucketOwnershipControls (or CreateBucket) setting BucketOwnerEnforced on a bucket whose ACL grants anyone but the
 * bucket owner: S3's InvalidBucketAclWithObjectOwnership (the grants must move to a bucket policy first).
 */
export function checkOwnershipChange(ownership: S3ObjectOwnership, bucketAcl: S3Acl | undefined, bucketOwnerCanonicalId?: string): void {
  if (ownership !== 'BucketOwnerEnforced' || bucketAcl === undefined) return;
  const bucketOwner = (bucketOwnerCanonicalId ?? bucketAcl.owner.id).toLowerCase();
  const foreign = bucketAcl.grants.some((g) => g.grantee.type !== 'CanonicalUser' || g.grantee.id.toLowerCase() !== bucketOwner);
  if (foreign) throw invalidBucketAclWithObjectOwnership();
}

/** Whether an ACL grants anything to everyone (for GetBucketPolicyStatus-style answers and warnings). */
export function aclIsPublic(acl: S3Acl): boolean {
  return acl.grants.some((g) => g.grantee.type === 'Group' && (g.grantee.uri === S3_GROUPS.allUsers || g.grantee.uri === S3_GROUPS.authenticatedUsers));
}
