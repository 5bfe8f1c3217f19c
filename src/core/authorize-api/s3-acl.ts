import { ServiceError, validationError } from '../errors.js';

/** S3's ACL permissions (the `Permission` of a grant). */
export type S3Permission = 'FULL_CONTROL' | 'WRITE' | 'WRITE_ACP' | 'READ' | 'READ_ACP';

export type S3Grantee = { type: 'CanonicalUser'; id: string } | { type: 'Group'; uri: string } | { type: 'AmazonCustomerByEmail'; emailAddress: string };

export interface S3Grant {
  grantee: S3Grantee;
  permission: S3Permission;
}

/** An S3 access control list: the resource's owner (by canonical user ID) and up to 100 grants. */
export type S3Acl = { owner: { id: string; displayName?: string }; grants: S3Grant[] };

export const S3_PERMISSIONS: readonly S3Permission[] = ['FULL_CONTROL', 'WRITE', 'WRITE_ACP', 'READ', 'READ_ACP'];

/** The predefined groups S3 grants to. */
export const S3_GROUPS = {
  allUsers: 'http://acs.amazonaws.com/groups/global/AllUsers',
  authenticatedUsers: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
  logDelivery: 'http://acs.amazonaws.com/groups/s3/LogDelivery',
} as const;

const GROUP_URIS: ReadonlySet<string> = new Set(Object.values(S3_GROUPS));

/** S3 takes at most 100 grants in one ACL. */
export const MAX_GRANTS = 100;

const CANONICAL_ID = /^[0-9a-fA-F]{64}$/;

/** S3's answers to a bad ACL. */
export const S3_ACL_ERRORS = {
  malformed: (): ServiceError => new ServiceError('MalformedACLError', 'The XML you provided was not well-formed or did not validate against our published schema', 400),
  invalidArgument: (message: string, name: string, value: string): ServiceError =>
    new ServiceError('InvalidArgument', message, 400, 'Sender', { ArgumentName: name, ArgumentValue: value.slice(0, 256) }),
  /** S3 ended grants by email address on 1 October 2025: such requests answer 405. */
  emailGrantee: (): ServiceError => new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405),
  cannedAndGrants: (): ServiceError => new ServiceError('InvalidRequest', 'Specifying both Canned ACLs and Header Grants is not allowed', 400),
} as const;

export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
] as const;
export type S3CannedAcl = (typeof CANNED_ACLS)[number];

const owner = (id: string): S3Grant => ({ grantee: { type: 'CanonicalUser', id }, permission: 'FULL_CONTROL' });
const group = (uri: string, permission: S3Permission): S3Grant => ({ grantee: { type: 'Group', uri }, permission });

/**
 * The ACL a canned ACL stands for, as S3 expands it (User Guide, "Canned ACL"). `ownerCanonicalId` is the owner of the
 * bucket or object it is set on; `bucketOwnerCanonicalId` the bucket's owner for the bucket-owner-* ACLs of an object
 * (S3 ignores those two on a bucket: the owner alone gets FULL_CONTROL). aws-exec-read's EC2 grant names an AWS-internal
 * account that no Gatehouse principal can be, so it is left out. Unknown names answer S3's InvalidArgument.
 */
export function cannedAcl(name: string, ownerCanonicalId: string, bucketOwnerCanonicalId?: string): S3Acl {
  const grants: S3Grant[] = [owner(ownerCanonicalId)];
  switch (name) {
    case 'private':
    case 'aws-exec-read':
      break;
    case 'public-read':
      grants.push(group(S3_GROUPS.allUsers, 'READ'));
      break;
    case 'public-read-write':
      grants.push(group(S3_GROUPS.allUsers, 'READ'), group(S3_GROUPS.allUsers, 'WRITE'));
      break;
    case 'authenticated-read':
      grants.push(group(S3_GROUPS.authenticatedUsers, 'READ'));
      break;
    case 'bucket-owner-read':
      if (bucketOwnerCanonicalId !== undefined && bucketOwnerCanonicalId !== ownerCanonicalId) grants.push({ grantee: { type: 'CanonicalUser', id: bucketOwnerCanonicalId }, permission: 'READ' });
      break;
    case 'bucket-owner-full-control':
      if (bucketOwnerCanonicalId !== undefined && bucketOwnerCanonicalId !== ownerCanonicalId) grants.push(owner(bucketOwnerCanonicalId));
      break;
    case 'log-delivery-write':
      grants.push(group(S3_GROUPS.logDelivery, 'WRITE'), group(S3_GROUPS.logDelivery, 'READ_ACP'));
      break;
    default:
      throw S3_ACL_ERRORS.invalidArgument('', 'x-amz-acl', name);
  }
  return { owner: { id: ownerCanonicalId }, grants };
}

const GRANT_HEADERS: ReadonlyArray<readonly [string, S3Permission]> = [
  ['x-amz-grant-full-control', 'FULL_CONTROL'],
  ['x-amz-grant-write', 'WRITE'],
  ['x-amz-grant-write-acp', 'WRITE_ACP'],
  ['x-amz-grant-read', 'READ'],
  ['x-amz-grant-read-acp', 'READ_ACP'],
];

/** A grantee as the headers and the XML name it, checked as S3 checks it. */
export function checkGrantee(grantee: S3Grantee, argument: string): S3Grantee {
  switch (grantee.type) {
    case 'CanonicalUser':
      if (!CANONICAL_ID.test(grantee.id)) throw S3_ACL_ERRORS.invalidArgument('Invalid id', argument, grantee.id);
      return { type: 'CanonicalUser', id: grantee.id.toLowerCase() };
    case 'Group':
      if (!GROUP_URIS.has(grantee.uri)) throw S3_ACL_ERRORS.invalidArgument('Invalid group uri', argument, grantee.uri);
      return grantee;
    default:
      throw S3_ACL_ERRORS.emailGrantee();
  }
}

/**
 * One `type=value` item of a grant header. The API reference quotes values (`id="…"`); the AWS CLI's own examples send
 * them bare (`--grant-read uri=http://…,id=…`, `emailaddress=…`) and S3 takes both, the type in any case.
 */
const ITEM = /^\s*(id|uri|emailaddress)\s*=\s*(?:"([^"]*)"|([^\s",=]+))\s*$/i;

/**
 * The ACL that x-amz-grant-* headers set (PutObject, CreateBucket, Put*Acl): exactly the grants named, in the headers'
 * order, each `id="canonical user ID"` or `uri="group URI"` and comma-separated. Undefined when no grant header is
 * present. Values quoted or bare. With x-amz-acl as well, S3's InvalidRequest; a malformed item, an unknown group or a canonical ID that is
 * not one answer InvalidArgument, an email grantee 405 as S3 answers it since it ended them.
 */
export function aclFromGrantHeaders(headers: Record<string, string | undefined>, ownerCanonicalId: string): S3Acl | undefined {
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) lower.set(name.toLowerCase(), value);
  const present = GRANT_HEADERS.filter(([name]) => lower.has(name));
  if (present.length === 0) return undefined;
  if (lower.has('x-amz-acl')) throw S3_ACL_ERRORS.cannedAndGrants();
  const grants: S3Grant[] = [];
  for (const [name, permission] of present) {
    for (const item of (lower.get(name) as string).split(',')) {
      const match = ITEM.exec(item);
      if (match === null) throw S3_ACL_ERRORS.invalidArgument('Invalid argument', name, item.trim());
      const type = (match[1] as string).toLowerCase();
      const value = match[2] ?? (match[3] as string);
      const grantee: S3Grantee = type === 'id' ? { type: 'CanonicalUser', id: value } : type === 'uri' ? { type: 'Group', uri: value } : { type: 'AmazonCustomerByEmail', emailAddress: value };
      grants.push({ grantee: checkGrantee(grantee, match[1] as string), permission });
      if (grants.length > MAX_GRANTS) throw S3_ACL_ERRORS.malformed();
    }
  }
  return { owner: { id: ownerCanonicalId }, grants };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks an ACL handed over by a caller of the authorize API (its shape, not only its type: the HTTP route and
 * untyped library callers pass JSON) and returns a copy of it; a bad one is the call's ValidationError.
 */
export function checkAclShape(value: unknown, where: string): S3Acl {
  if (!isRecord(value) || !isRecord(value['owner']) || typeof value['owner']['id'] !== 'string') throw validationError(`${where}.Owner.ID is required`);
  const displayName = value['owner']['displayName'];
  if (displayName !== undefined && typeof displayName !== 'string') throw validationError(`${where}.Owner.DisplayName must be a string`);
  const grants = value['grants'];
  if (!Array.isArray(grants) || grants.length > MAX_GRANTS) throw validationError(`${where}.Grants must list up to ${MAX_GRANTS} grants`);
  const checked = grants.map((grant: unknown, i): S3Grant => {
    const at = `${where}.Grants[${i}]`;
    if (!isRecord(grant) || !isRecord(grant['grantee'])) throw validationError(`${at}.Grantee is required`);
    const permission = grant['permission'];
    if (typeof permission !== 'string' || !(S3_PERMISSIONS as readonly string[]).includes(permission)) throw validationError(`${at}.Permission must be one of ${S3_PERMISSIONS.join(', ')}`);
    const g = grant['grantee'];
    let grantee: S3Grantee;
    if (g['type'] === 'CanonicalUser' && typeof g['id'] === 'string') grantee = { type: 'CanonicalUser', id: g['id'] };
    else if (g['type'] === 'Group' && typeof g['uri'] === 'string') grantee = { type: 'Group', uri: g['uri'] };
    else if (g['type'] === 'AmazonCustomerByEmail' && typeof g['emailAddress'] === 'string') grantee = { type: 'AmazonCustomerByEmail', emailAddress: g['emailAddress'] };
    else throw validationError(`${at}.Grantee must be a CanonicalUser with an ID, a Group with a URI or an AmazonCustomerByEmail with an EmailAddress`);
    return { grantee, permission: permission as S3Permission };
  });
  return { owner: { id: value['owner']['id'], ...(displayName !== undefined ? { displayName } : {}) }, grants: checked };
}
