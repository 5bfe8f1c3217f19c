import { S3_GROUPS, type S3Acl, type S3Grant, type S3Permission } from './s3-acl.js';

/**
 * Which ACL permission lets an action through, for a bucket ACL and an object ACL (S3 User Guide, "Mapping of ACL
 * permissions and access policy permissions"). FULL_CONTROL covers all four. WRITE exists on buckets only, and is
 * what S3 checks for writing and deleting the bucket's objects: for s3:PutObject and s3:DeleteObject the service
 * hands over the bucket's ACL; for reading an object or its ACL, the object's.
 */
const BUCKET_ACTIONS: Readonly<Record<Exclude<S3Permission, 'FULL_CONTROL'>, readonly string[]>> = {
  READ: ['s3:listbucket', 's3:listbucketversions', 's3:listbucketmultipartuploads'],
  WRITE: ['s3:putobject', 's3:deleteobject'],
  READ_ACP: ['s3:getbucketacl'],
  WRITE_ACP: ['s3:putbucketacl'],
};
const OBJECT_ACTIONS: Readonly<Record<Exclude<S3Permission, 'FULL_CONTROL'>, readonly string[]>> = {
  READ: ['s3:getobject', 's3:getobjectversion', 's3:getobjecttorrent'],
  WRITE: ['s3:putobject', 's3:deleteobject'],
  READ_ACP: ['s3:getobjectacl', 's3:getobjectversionacl'],
  WRITE_ACP: ['s3:putobjectacl', 's3:putobjectversionacl'],
};
/** WRITE on a bucket ACL also lets the bucket owner delete any version (the User Guide's note on WRITE). */
const OWNER_WRITE_EXTRA = 's3:deleteobjectversion';

/** Whether `resource` is an object's ARN (arn:aws:s3:::bucket/key) rather than a bucket's. */
function isObjectArn(resource: string): boolean {
  const rest = resource.startsWith('arn:') ? resource.split(':').slice(5).join(':') : resource;
  return rest.includes('/');
}

/** Whether `permission` granted to a grantee covers `action` (lower case) on `resource`. */
export function permissionCovers(permission: S3Permission, actionLower: string, resource: string, granteeIsBucketOwner: boolean): boolean {
  const table = isObjectArn(resource) ? OBJECT_ACTIONS : BUCKET_ACTIONS;
  const permissions = permission === 'FULL_CONTROL' ? (['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP'] as const) : [permission];
  for (const p of permissions) {
    if (table[p].includes(actionLower)) return true;
    if (p === 'WRITE' && granteeIsBucketOwner && actionLower === OWNER_WRITE_EXTRA) return true;
  }
  return false;
}

/** How an explanation names a grant: its position (from 1), permission and grantee. */
export function describeGrant(grant: S3Grant, index: number): string {
  const g = grant.grantee;
  const who = g.type === 'CanonicalUser' ? `canonical user ${g.id}` : g.type === 'Group' ? `group ${g.uri.slice(g.uri.lastIndexOf('/') + 1)}` : `email ${g.emailAddress}`;
  return `S3 ACL grant ${index + 1}: ${grant.permission} to ${who}`;
}

export interface AclSubject {
  readonly actionLower: string;
  readonly resource: string;
  /** The caller's account and its canonical user ID; undefined for the anonymous principal. */
  readonly callerAccount: string | undefined;
  readonly callerCanonicalId: string | undefined;
  /** The canonical user ID of the resource's (bucket's) account. */
  readonly resourceOwnerCanonicalId: string;
}

type Statement = { Sid: string; Effect: 'Allow'; Principal: '*' | { AWS: string }; Action: string; Resource: '*' };

/**
 * The ACL's grants that reach this caller for this action, as resource-policy Allow statements, so that they sit
 * next to the bucket policy as AWS places them: a grant to an account names the account (its users still need their
 * identity policy: an ACL grants to accounts, never to one IAM user), AllUsers is everyone, AuthenticatedUsers every
 * signed principal. Explicit denies, the cross-account rule (both sides must allow), SCPs and RCPs then apply as
 * they do to any resource policy. The object's owner may always read and write its ACL. Grants to the LogDelivery
 * group or by email reach no principal Gatehouse authenticates.
 */
export function aclStatements(acl: S3Acl, subject: AclSubject): Statement[] {
  const statements: Statement[] = [];
  const account = subject.callerAccount;
  const own = subject.callerCanonicalId?.toLowerCase();
  const ownerOnly = /^s3:(?:get|put)(?:bucket|object|objectversion)acl$/;
  if (own !== undefined && account !== undefined && acl.owner.id.toLowerCase() === own && ownerOnly.test(subject.actionLower)) {
    statements.push({ Sid: 'S3 ACL owner: READ_ACP and WRITE_ACP', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: subject.actionLower, Resource: '*' });
  }
  acl.grants.forEach((grant, index) => {
    const g = grant.grantee;
    let principal: Statement['Principal'] | undefined;
    if (g.type === 'CanonicalUser') {
      if (own !== undefined && account !== undefined && g.id.toLowerCase() === own) principal = { AWS: `arn:aws:iam::${account}:root` };
    } else if (g.type === 'Group') {
      if (g.uri === S3_GROUPS.allUsers || (g.uri === S3_GROUPS.authenticatedUsers && account !== undefined)) principal = '*';
    }
    if (principal === undefined) return;
    const bucketOwner = g.type === 'CanonicalUser' && g.id.toLowerCase() === subject.resourceOwnerCanonicalId.toLowerCase();
    if (!permissionCovers(grant.permission, subject.actionLower, subject.resource, bucketOwner)) return;
    statements.push({ Sid: describeGrant(grant, index), Effect: 'Allow', Principal: principal, Action: subject.actionLower, Resource: '*' });
  });
  return statements;
}

/**
 * The resource policy the decision evaluates: the bucket policy with the ACL's statements appended (one document, so
 * the engine weighs them as one resource-based policy). A policy that is not a JSON object is passed on unchanged, for
 * the engine to refuse in its own words.
 */
export function withAclStatements(policy: string | undefined, statements: readonly Statement[]): string | undefined {
  if (statements.length === 0) return policy;
  if (policy === undefined) return JSON.stringify({ Version: '2012-10-17', Statement: statements });
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    return policy;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return policy;
  const document = parsed as Record<string, unknown>;
  const existing = document['Statement'];
  const list = Array.isArray(existing) ? existing : existing === undefined ? [] : [existing];
  return JSON.stringify({ ...document, Statement: [...list, ...statements] });
}
