// The policies in force for a caller, read from the store: the one gathering that the server's enforcement
// (authorize.ts) and IAM's policy simulators (iam/simulator/) both use, so a simulation decides with exactly the
// policies a real request would meet.
import type { OrganizationPolicies, PolicySet } from '../policy/engine.js';
import type { StoreTx } from '../store/store.js';
import type { Caller } from './caller.js';
import { boundaryDocument, storedBoundary } from './iam/boundaries.js';
import { attachmentKey, inlineOwner, KIND, REL, type PrincipalEntityType } from './iam/kinds.js';
import { managedPolicyDocument } from './iam/policy-lookup.js';
import type { AwsManagedPolicyCatalog } from './operation.js';
import { principalOrganization } from './organizations/effective.js';

// A federation token the root user issued: AWS gives it the root user's permissions, limited by the session policy.
export const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
// A policy must have a statement; this one matches no action, so as a boundary it allows nothing.
export const ALLOW_NOTHING = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotAction: '*', Resource: '*' }] });
/** The names scope-down policies get in the compiled set (and its explanations): `limit:0`, `limit:1`… */
export const LIMIT_PREFIX = 'limit:';

/**
 * Services whose resources RCPs bind, from AWS's "List of AWS services that support RCPs": STS (AssumeRole and the
 * other actions on roles) served here, and S3, KMS, SQS and Secrets Manager, whose requests other services decide
 * through the authorize API (the AWS Control Tower control reference lists these five as RCP-covered). IAM and
 * Organizations are not on the list, so RCPs never bind their actions.
 */
export const RCP_SERVICES: ReadonlySet<string> = new Set(['sts', 's3', 'kms', 'sqs', 'secretsmanager']);

export interface NamedPolicy {
  /** `inline:<type>/<entity>/<policy>` for inline policies, the policy's ARN for managed ones and boundaries. */
  readonly name: string;
  readonly document: string;
}

export interface GatheredPolicies {
  /** Identity policies, the boundary, session and scope-down policies, the resource policy and the organization's. */
  readonly set: PolicySet & { readonly identityPolicies: readonly NamedPolicy[]; readonly permissionsBoundary?: NamedPolicy };
  /** aws:PrincipalTag/… from the user's or role's own tags (a session's tags override them). */
  readonly principalTags: Readonly<Record<string, string>>;
  /** aws:PrincipalOrgID and aws:PrincipalOrgPaths when the caller's account is in an organization: nothing overrides them. */
  readonly orgKeys: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * The unique ID (AIDA…, AROA…) of the user or role whose policies the caller has: its own for an IAM user (and its
 * GetSessionToken sessions), the role's for a role session, the issuing user's for a federation token.
 */
export function principalOwnerId(caller: Caller): string | undefined {
  switch (caller.kind) {
    case 'user':
      return caller.userId;
    case 'assumedRole':
      return caller.userId.split(':')[0];
    case 'federatedUser':
      return caller.session?.issuerUserId;
    default:
      return undefined;
  }
}

/** Inline and attached policies of one user, group or role, named as the explanations name them. */
export async function entityPolicies(
  tx: StoreTx,
  account: string,
  awsPolicies: () => AwsManagedPolicyCatalog,
  type: PrincipalEntityType,
  name: string,
): Promise<NamedPolicy[]> {
  const out: NamedPolicy[] = [];
  for (const inline of await tx.list(KIND.inlinePolicy, account, { owner: inlineOwner(type, name) })) {
    out.push({ name: `inline:${inline.key}`, document: inline.data['document'] as string });
  }
  for (const link of await tx.links(REL.attached, account, { from: attachmentKey(type, name) })) {
    const document = await managedPolicyDocument({ tx, account, services: { awsManagedPolicies: awsPolicies } }, link.to);
    if (document !== undefined) out.push({ name: link.to, document });
  }
  return out;
}

/**
 * Reads every policy that binds `caller` (with this resource policy, and the RCPs of the resource's account when
 * given), uncompiled: the caller compiles it with the engine.
 */
export async function gatherPolicies(
  tx: StoreTx,
  caller: Caller,
  awsPolicies: () => AwsManagedPolicyCatalog,
  resourcePolicy: string | undefined,
  rcp: readonly OrganizationPolicies[] | undefined,
): Promise<GatheredPolicies> {
  const resource = resourcePolicy !== undefined ? { resourcePolicy: { name: 'resource', document: resourcePolicy } } : {};
  // SCPs bind every principal of a member account, its root user included; the engine exempts the management account.
  const org = await principalOrganization(tx, caller.account);
  const orgKeys: GatheredPolicies['orgKeys'] = org === undefined ? {} : { 'aws:PrincipalOrgID': org.orgId, 'aws:PrincipalOrgPaths': [org.path] };
  // RCPs bind whoever calls, inside the organization or not (the engine exempts AWS service principals), except a
  // service-linked role. `bound` is false only for one, as the serviceLinked flag only CreateServiceLinkedRole sets.
  const organization = (bound: boolean) => ({
    ...(org === undefined ? {} : { serviceControlPolicies: bound ? org.scp : [], managementAccountId: org.management }),
    ...(rcp !== undefined && bound ? { resourceControlPolicies: rcp } : {}),
  });
  // Scope-down policies bind every caller that has them, the root user's delegated or scoped sessions included.
  const limits = caller.limitPolicies !== undefined ? { limitingPolicies: caller.limitPolicies.map((document, i) => ({ name: `${LIMIT_PREFIX}${i}`, document })) } : {};
  if (caller.kind === 'root') return { set: { identityPolicies: [], ...resource, ...organization(true), ...limits }, principalTags: {}, orgKeys };
  const identity: NamedPolicy[] = [];
  const principalTags: Record<string, string> = {};
  const tagsOf = (record: { data: Record<string, unknown> }): void => {
    for (const tag of (record.data['tags'] as Array<{ Key: string; Value: string }> | undefined) ?? []) principalTags[`aws:PrincipalTag/${tag.Key}`] = tag.Value;
  };
  const add = async (type: PrincipalEntityType, name: string): Promise<void> => {
    identity.push(...(await entityPolicies(tx, caller.account, awsPolicies, type, name)));
  };
  // The user or role whose policies apply, when it is still the one the credentials were issued to: a namesake
  // created after a deletion is another principal (AWS binds credentials to the unique ID, AIDA… or AROA…).
  const ownerName = caller.kind === 'assumedRole' ? caller.roleName : caller.userName;
  const ownerKind = caller.kind === 'assumedRole' ? KIND.role : KIND.user;
  const owner = ownerName === undefined ? undefined : await tx.get(ownerKind, caller.account, ownerName);
  let boundary: NamedPolicy | undefined;
  if (owner !== undefined && owner.id === principalOwnerId(caller)) {
    tagsOf(owner);
    if (caller.kind === 'assumedRole') {
      await add('role', owner.key);
    } else {
      await add('user', owner.key);
      for (const membership of await tx.links(REL.groupMember, caller.account, { from: owner.key })) await add('group', membership.to);
    }
    const stored = storedBoundary(owner);
    if (stored !== undefined) {
      const resolved = await boundaryDocument({ tx, account: caller.account, services: { awsManagedPolicies: awsPolicies } }, stored);
      // A boundary that no longer resolves still binds: it allows nothing, rather than nothing limiting the principal.
      boundary = resolved === undefined ? { name: stored.arn, document: ALLOW_NOTHING } : { name: resolved.arn, document: resolved.document };
    }
  } else if (caller.kind === 'federatedUser' && caller.userName === undefined) {
    identity.push({ name: 'root', document: ALLOW_ALL });
  } else {
    // Credentials whose user or role is gone (or replaced): no identity policies, and a boundary that allows
    // nothing, so a resource policy naming the role or account cannot grant either.
    boundary = { name: 'none', document: ALLOW_NOTHING };
  }
  const set = {
    identityPolicies: identity,
    ...(boundary !== undefined ? { permissionsBoundary: boundary } : {}),
    ...(caller.sessionPolicy !== undefined ? { sessionPolicy: { name: 'session', document: caller.sessionPolicy } } : {}),
    ...limits,
    ...resource,
    // Service-linked roles act for their service: neither SCPs nor RCPs restrict them.
    ...organization(!(caller.kind === 'assumedRole' && owner?.data['serviceLinked'] === true)),
  };
  return { set, principalTags, orgKeys };
}
