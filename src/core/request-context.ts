import type { EntityRecord } from '../store/store.js';
import { storedBoundary } from './iam/boundaries.js';
import { tagsOf } from './iam/common.js';
import { KIND } from './iam/kinds.js';
import type { OperationContext } from './operation.js';

// The condition keys every request carries whatever its action (the "AWS global condition context keys"), and those
// that come from the existing resource an action is on. An operation's own keys (aws:RequestTag/…, iam:PolicyARN…)
// come from its conditionKeys().

export type ContextKeys = Record<string, string | string[]>;

/** IAM is a global service: AWS evaluates every IAM request in us-east-1, whatever Region the client signed for. */
export const IAM_REGION = 'us-east-1';

/**
 * aws:RequestedRegion: us-east-1 for the global services (IAM, Organizations), the signed Region for STS (a regional
 * endpoint keeps its Region).
 */
export function requestedRegion(service: 'iam' | 'sts' | 'organizations' | 'cloudtrail', signedRegion: string): string {
  return service === 'sts' || service === 'cloudtrail' ? signedRegion : IAM_REGION;
}

/**
 * Adds the keys taken from the HTTP request itself to `keys`: aws:SourceIp (the peer, an IPv4-mapped address as
 * IPv4), aws:UserAgent and aws:Referer when the client sent those headers, and aws:ViaAWSService (no AWS service
 * calls Gatehouse on a principal's behalf). `headers` are lower-cased name/value pairs.
 */
export function addRequestKeys(keys: ContextKeys, headers: ReadonlyArray<readonly [string, string]>, remoteAddress: string | undefined): ContextKeys {
  if (remoteAddress !== undefined) keys['aws:SourceIp'] = remoteAddress.replace(/^::ffff:/, '');
  for (const [name, value] of headers) {
    if (name === 'user-agent' && keys['aws:UserAgent'] === undefined) keys['aws:UserAgent'] = value;
    else if (name === 'referer' && keys['aws:Referer'] === undefined) keys['aws:Referer'] = value;
  }
  keys['aws:ViaAWSService'] = 'false';
  return keys;
}

/**
 * Actions whose Service Authorization Reference entry lists iam:PermissionsBoundary for the boundary the user or role
 * already has (Put…PermissionsBoundary and Create… set it from the request instead, in their own conditionKeys).
 */
export const EXISTING_BOUNDARY_ACTIONS: ReadonlySet<string> = new Set([
  'iam:DeleteUserPermissionsBoundary',
  'iam:AttachUserPolicy',
  'iam:DetachUserPolicy',
  'iam:PutUserPolicy',
  'iam:DeleteUserPolicy',
  'iam:GetRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
]);

interface TaggedType {
  readonly kind: string;
  /** Users and roles also give iam:ResourceTag/…; the other taggable IAM resources only aws:ResourceTag/…. */
  readonly iamKeys: boolean;
  /** The store key of the entity the rest of the ARN (after `type/`) names, and the path it must have if any. */
  readonly locate: (rest: string, arn: string) => { readonly key: string; readonly path?: string };
}

/** `path/name` as IAM writes it in ARNs: the name after the last slash, the path with its slashes around. */
function pathAndName(rest: string): { key: string; path: string } {
  const slash = rest.lastIndexOf('/');
  return { key: rest.slice(slash + 1), path: slash === -1 ? '/' : `/${rest.slice(0, slash + 1)}` };
}

// The IAM resource types the Service Authorization Reference gives aws:ResourceTag/…. Kinds are spelled out here:
// their modules import this one.
const TAGGED: Readonly<Record<string, TaggedType>> = {
  user: { kind: KIND.user, iamKeys: true, locate: pathAndName },
  role: { kind: KIND.role, iamKeys: true, locate: pathAndName },
  policy: { kind: KIND.policy, iamKeys: false, locate: pathAndName },
  'instance-profile': { kind: KIND.instanceProfile, iamKeys: false, locate: pathAndName },
  'oidc-provider': { kind: 'oidc-provider', iamKeys: false, locate: (rest) => ({ key: rest }) },
  'saml-provider': { kind: 'saml-provider', iamKeys: false, locate: (rest) => ({ key: rest }) },
  'server-certificate': { kind: 'server-certificate', iamKeys: false, locate: pathAndName },
  // A virtual MFA device is stored under its serial number, which is its ARN.
  mfa: { kind: 'virtual-mfa-device', iamKeys: false, locate: (_rest, arn) => ({ key: arn }) },
};

const IAM_RESOURCE = /^arn:aws:iam::(\d{12}):([a-z-]+)\/(.+)$/;

// Records an operation's resource() read already, by the ARN it returned: no second read for the common operations.
const noted = new WeakMap<OperationContext, Map<string, EntityRecord>>();

/** Notes the entity a resource() found, so its condition keys need no second read of the store. */
export function noteResource(ctx: OperationContext, arn: string, record: EntityRecord): void {
  let byArn = noted.get(ctx);
  if (byArn === undefined) noted.set(ctx, (byArn = new Map()));
  byArn.set(arn, record);
}

/**
 * The keys that come from the existing resource `arn` names: aws:ResourceTag/… (and iam:ResourceTag/… for users and
 * roles) for its tags, and iam:PermissionsBoundary for the actions that read the boundary a user or role has. Nothing
 * for a resource that does not exist (yet), or one of a type without tags. Synchronous when resource() noted the
 * record, so the common path takes no extra turn.
 */
export function resourceKeys(ctx: OperationContext, action: string, arn: string): ContextKeys | Promise<ContextKeys> {
  const known = noted.get(ctx)?.get(arn);
  if (known !== undefined) return keysOf(known, action, { iamKeys: known.kind === KIND.user || known.kind === KIND.role });
  const m = IAM_RESOURCE.exec(arn);
  if (m === null) return {};
  const type = TAGGED[m[2] as string];
  if (type === undefined) return {};
  const where = type.locate(m[3] as string, arn);
  if (where.key === '') return {};
  return ctx.tx.get(type.kind, m[1] as string, where.key).then((record) => {
    // The store compares keys without case; the path (and an OIDC provider's case-sensitive URL path) must match.
    if (record === undefined || (where.path !== undefined ? record.path !== where.path : record.key !== where.key)) return {};
    return keysOf(record, action, type);
  });
}

function keysOf(record: EntityRecord, action: string, type: Pick<TaggedType, 'iamKeys'>): ContextKeys {
  const keys: ContextKeys = {};
  for (const tag of tagsOf(record)) {
    keys[`aws:ResourceTag/${tag.Key}`] = tag.Value;
    if (type.iamKeys) keys[`iam:ResourceTag/${tag.Key}`] = tag.Value;
  }
  if (EXISTING_BOUNDARY_ACTIONS.has(action)) {
    const boundary = storedBoundary(record);
    if (boundary !== undefined) keys['iam:PermissionsBoundary'] = boundary.arn;
  }
  return keys;
}
