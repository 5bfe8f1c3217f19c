// What the simulators read from the store: the policies of the user, group or role PolicySourceArn names (gathered
// as the server gathers them for its own enforcement), and each resource's side: a registered resource policy or a
// role's trust policy for sts:AssumeRole* (of the caller's own account), and the RCPs of the resource's account.
import type { OrganizationPolicies } from '../../../policy/engine.js';
import type { EntityRecord } from '../../../store/store.js';
import { getResourcePolicy } from '../../authorize-api/resource-policies.js';
import type { Caller } from '../../caller.js';
import { invalidInput, noSuchEntity, ServiceError } from '../../errors.js';
import type { OperationContext } from '../../operation.js';
import { principalOrganization, resourceOrganization } from '../../organizations/effective.js';
import { entityPolicies, gatherPolicies, RCP_SERVICES, type NamedPolicy } from '../../principal-policy-set.js';
import { groupArn, roleArn, userArn } from '../../arns.js';
import { KIND } from '../kinds.js';
import { currentTrustPolicy } from '../trust-principals.js';
import type { PolicySourceType, ResourceSide, SourcedPolicy } from './evaluate.js';

const SOURCE_ARN = /^arn:aws:iam::(\d{12}):(user|group|role)(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]+)$/;

export interface PolicySource {
  readonly type: 'user' | 'group' | 'role';
  /** The entity's ARN as IAM spells it (its stored name and path). */
  readonly arn: string;
  readonly name: string;
  readonly id: string;
  readonly record: EntityRecord;
}

// IAM's texts for a missing user, group or role.
const noSuchSource = (type: string, name: string): ServiceError => noSuchEntity(`The ${type} with name ${name} cannot be found.`);

/** The user, group or role PolicySourceArn names, in the caller's account; NoSuchEntity when there is none. */
export async function findPolicySource(ctx: OperationContext, arn: string): Promise<PolicySource> {
  const match = SOURCE_ARN.exec(arn);
  if (match === null) throw invalidInput(`Invalid PolicySourceArn ${arn}: it must be the ARN of an IAM user, group or role.`);
  const [, account, type, path, name] = match as unknown as [string, string, 'user' | 'group' | 'role', string, string];
  // IAM is per account: another account's entities are not the caller's to simulate, whether or not they exist.
  if (account !== ctx.account) throw noSuchSource(type, name);
  const record = await ctx.tx.get(type === 'user' ? KIND.user : type === 'group' ? KIND.group : KIND.role, account, name);
  if (record === undefined || record.path !== path) throw noSuchSource(type, name);
  const canonical = (type === 'user' ? userArn : type === 'group' ? groupArn : roleArn)(account, record.path, record.key);
  return { type, arn: canonical, name: record.key, id: record.id, record };
}

/** How MatchedStatements names a stored policy: an inline policy by its name and owner type, a managed one by name. */
export function sourcedOf(policy: NamedPolicy): SourcedPolicy {
  if (policy.name.startsWith('inline:')) {
    const [type, owner, name] = policy.name.slice('inline:'.length).split('/') as [PolicySourceType, string, string];
    return { id: name, type, document: policy.document, ref: { owner } };
  }
  const managed = /^arn:aws:iam::(aws|\d{12}):policy\/(?:.*\/)?([^/]+)$/.exec(policy.name);
  if (managed !== null) return { id: managed[2] as string, type: managed[1] === 'aws' ? 'aws-managed' : 'user-managed', document: policy.document, ref: { arn: policy.name } };
  return { id: policy.name, type: 'none', document: policy.document };
}

export interface SourcePolicies {
  readonly identity: SourcedPolicy[];
  readonly boundary?: SourcedPolicy;
  readonly scp: Array<{ target: string; policies: SourcedPolicy[] }>;
  readonly managementAccountId?: string;
  /** aws:PrincipalTag/…, aws:PrincipalOrgID and aws:PrincipalOrgPaths, as the server derives them. */
  readonly context: Record<string, string | readonly string[]>;
}

function scpLevels(levels: readonly OrganizationPolicies[] | undefined): Array<{ target: string; policies: SourcedPolicy[] }> {
  // Another level of the organization's policies: named by their IDs, their text not disclosed to the member account.
  return (levels ?? []).map((level) => ({
    target: level.target,
    policies: level.policies.map((p) => {
      const named = p as NamedPolicy;
      return { id: named.name, type: 'none' as const, document: named.document, disclose: false, ref: { policyId: named.name } };
    }),
  }));
}

/** Every policy that binds the source: its own, its groups' (for a user), its boundary and its organization's SCPs. */
export async function sourcePolicies(ctx: OperationContext, source: PolicySource): Promise<SourcePolicies> {
  const awsPolicies = ctx.services.awsManagedPolicies.bind(ctx.services);
  if (source.type === 'group') {
    const identity = await entityPolicies(ctx.tx, ctx.account, awsPolicies, 'group', source.name);
    const org = await principalOrganization(ctx.tx, ctx.account);
    return {
      identity: identity.map(sourcedOf),
      scp: scpLevels(org?.scp),
      ...(org !== undefined ? { managementAccountId: org.management } : {}),
      context: org === undefined ? {} : { 'aws:PrincipalOrgID': org.orgId, 'aws:PrincipalOrgPaths': [org.path] },
    };
  }
  // The same gathering as a request by this user, or by a session of this role, meets.
  const caller: Caller =
    source.type === 'user'
      ? { kind: 'user', account: ctx.account, arn: source.arn, userId: source.id, userName: source.name, accessKeyId: '' }
      : { kind: 'assumedRole', account: ctx.account, arn: source.arn, userId: `${source.id}:simulation`, roleName: source.name, roleArn: source.arn, accessKeyId: '' };
  const gathered = await gatherPolicies(ctx.tx, caller, awsPolicies, undefined, undefined);
  const { set } = gathered;
  return {
    identity: set.identityPolicies.map(sourcedOf),
    ...(set.permissionsBoundary !== undefined ? { boundary: sourcedOf(set.permissionsBoundary) } : {}),
    scp: scpLevels(set.serviceControlPolicies),
    ...(set.managementAccountId !== undefined ? { managementAccountId: set.managementAccountId } : {}),
    context: { ...gathered.principalTags, ...gathered.orgKeys },
  };
}

/**
 * A role session's role ARN (with its path) for aws:PrincipalArn; the root path when the role is not found, or is
 * another account's (whose roles' paths are not the caller's to learn).
 */
export async function sessionRoleArn(ctx: OperationContext, account: string, roleName: string): Promise<string> {
  const role = account === ctx.account ? await ctx.tx.get(KIND.role, account, roleName) : undefined;
  return role !== undefined ? roleArn(account, role.path, role.key) : roleArn(account, '/', roleName);
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]+)$/;
const ACCOUNT_OF = /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/;

export interface SideOptions {
  /** The request's ResourcePolicy: when given, it is the resource's policy for every resource. */
  readonly given?: SourcedPolicy;
  /** ResourceOwner, for resources whose ARN names no account. */
  readonly owner?: string;
  /** Whether the RCPs of the resource's account are included (SimulatePrincipalPolicy). */
  readonly rcp: boolean;
  /** RCPs (by ID) left out by PolicyExclusionList. */
  readonly rcpExcluded?: (policyId: string) => boolean;
}

/** Each (action, resource)'s resource side, read once per pair before the synchronous simulation runs. */
export async function resourceSides(
  ctx: OperationContext,
  actions: readonly string[],
  resources: readonly string[],
  options: SideOptions,
): Promise<(action: string, resource: string) => ResourceSide> {
  const sides = new Map<string, ResourceSide>();
  const rcpByAccount = new Map<string, readonly OrganizationPolicies[]>();
  // Each resource's trust or registered policy is read once, whatever the number of actions.
  const lookups = new Map<string, { account: string; policy: SourcedPolicy } | undefined>();
  for (const resource of resources.length === 0 ? ['*'] : resources) {
    for (const action of actions) {
      let account = ACCOUNT_OF.exec(resource)?.[1] ?? options.owner ?? ctx.account;
      let policy = options.given;
      if (policy === undefined && resource !== '*') {
        const trust = /^sts:AssumeRole/i.test(action);
        const key = `${trust ? 'trust' : 'registry'}\n${resource}`;
        if (!lookups.has(key)) lookups.set(key, trust ? await trustPolicy(ctx, resource) : await registeredPolicy(ctx, resource));
        const found = lookups.get(key);
        if (found !== undefined) {
          account = found.account;
          policy = found.policy;
        }
      }
      let rcp: readonly OrganizationPolicies[] | undefined;
      if (options.rcp && RCP_SERVICES.has(action.slice(0, action.indexOf(':')).toLowerCase())) {
        if (!rcpByAccount.has(account)) {
          const levels = (await resourceOrganization(ctx.tx, account))?.rcp ?? [];
          const excluded = options.rcpExcluded;
          // An excluded RCP leaves its level: a level left without an Allow denies, as detaching it would.
          rcpByAccount.set(account, excluded === undefined ? levels : levels.map((level) => ({ ...level, policies: level.policies.filter((p) => !excluded((p as NamedPolicy).name)) })));
        }
        rcp = rcpByAccount.get(account);
      }
      sides.set(`${action}\n${resource}`, { account, ...(policy !== undefined ? { policy } : {}), ...(rcp !== undefined && rcp.length > 0 ? { rcp } : {}) });
    }
  }
  return (action, resource) => sides.get(`${action}\n${resource}`) ?? { account: ctx.account };
}

/*
 * Only the caller's own account's trust and registered policies are read: another tenant's would let anyone allowed to
 * simulate probe, with any CallerArn, which principals that account's policies let in. Another account's resource
 * policy must be given as ResourcePolicy, as AWS's simulator always asks.
 */

/** A role's trust policy (Gatehouse's extension), for a role of the caller's account. */
async function trustPolicy(ctx: OperationContext, resource: string): Promise<{ account: string; policy: SourcedPolicy } | undefined> {
  const match = ROLE_ARN.exec(resource);
  if (match === null || match[1] !== ctx.account) return undefined;
  const [, account, path, name] = match as unknown as [string, string, string, string];
  const role = await ctx.tx.get(KIND.role, account, name);
  if (role === undefined || role.path !== path) return undefined;
  const document = await currentTrustPolicy(ctx.tx, role);
  return { account, policy: { id: 'ResourcePolicy', type: 'resource', document } };
}

/** A policy of the authorize API's resource-policy registry (Gatehouse's extension), for the caller's account's resources. */
async function registeredPolicy(ctx: OperationContext, resource: string): Promise<{ account: string; policy: SourcedPolicy } | undefined> {
  let record;
  try {
    record = await getResourcePolicy(ctx.tx, resource);
  } catch (error) {
    // An ARN the registry cannot hold has no registered policy.
    if (error instanceof ServiceError) return undefined;
    throw error;
  }
  if (record?.policy === undefined || record.account !== ctx.account) return undefined;
  return { account: record.account, policy: { id: 'ResourcePolicy', type: 'resource', document: record.policy } };
}
