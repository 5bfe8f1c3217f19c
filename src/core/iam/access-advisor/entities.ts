import type { EntityRecord, StoreTx } from '../../../store/store.js';
import { invalidInput } from '../../errors.js';
import type { OperationContext } from '../../operation.js';
import { arnOfGroup, noSuchGroup } from '../groups.js';
import { attachmentKey, inlineOwner, KIND, REL, type PrincipalEntityType } from '../kinds.js';
import { defaultDocument, findManagedPolicy, policyNotAttachable } from '../policy-lookup.js';
import { arnOfRole, noSuchRole } from '../roles.js';
import { arnOfUser, noSuchUser } from '../users.js';

// What an Access Advisor report is about: the IAM resource an ARN names, the permissions policies that decide which
// services it lists, and the users and roles whose attempts it reports (a group's members, a policy's holders).

export type ReportEntityType = 'USER' | 'GROUP' | 'ROLE';

/** A user or role whose recorded attempts count, as EntityInfo describes it. */
export interface ReportPrincipal {
  readonly type: 'USER' | 'ROLE';
  readonly name: string;
  readonly id: string;
  readonly arn: string;
  readonly path: string;
}

/** A permissions policy of the entity, as ListPoliciesGrantingServiceAccess names it. */
export interface EntityPolicy {
  readonly name: string;
  readonly type: 'INLINE' | 'MANAGED';
  readonly arn?: string;
  /** For inline policies: the user, group or role it is embedded in. */
  readonly entityType?: ReportEntityType;
  readonly entityName?: string;
  readonly document: string;
}

export interface ReportTarget {
  readonly kind: 'user' | 'group' | 'role' | 'policy';
  /** The resource's ARN as stored (the case IAM keeps), for the authorization check too. */
  readonly arn: string;
  readonly record?: EntityRecord;
}

const IAM_ARN = /^arn:aws:iam::(\d{12}|aws):(user|group|role|policy)(\/.*)?\/([^/]+)$/;

/** The user, group, role or managed policy an ARN names; InvalidInput when it names none of these. */
export function parseReportArn(arn: string): { account: string; kind: ReportTarget['kind']; name: string } {
  const m = IAM_ARN.exec(arn);
  if (m === null || (m[1] === 'aws' && m[2] !== 'policy')) throw invalidInput(`ARN ${arn} is not valid.`);
  return { account: m[1] as string, kind: m[2] as ReportTarget['kind'], name: m[4] as string };
}

const ENTITY_KIND = { user: KIND.user, group: KIND.group, role: KIND.role } as const;
const NOT_FOUND = { user: noSuchUser, group: noSuchGroup, role: noSuchRole } as const;
const ARN_OF = { user: arnOfUser, group: arnOfGroup, role: arnOfRole } as const;

/** The stored ARN of what `arn` names in the caller's account, or undefined when it names nothing there. */
export async function findReportTarget(ctx: Pick<OperationContext, 'tx' | 'account' | 'services'>, arn: string): Promise<ReportTarget | undefined> {
  const parsed = parseReportArn(arn);
  if (parsed.kind === 'policy') {
    const policy = await findManagedPolicy(ctx, arn);
    return policy === undefined ? undefined : { kind: 'policy', arn: policy.arn };
  }
  if (parsed.account !== ctx.account) return undefined;
  const record = await ctx.tx.get(ENTITY_KIND[parsed.kind], ctx.account, parsed.name);
  // The path is part of the ARN and compared exactly, as IAM compares paths; only the name folds case.
  if (record === undefined) return undefined;
  const stored = ARN_OF[parsed.kind](record);
  const cut = (text: string): number => text.lastIndexOf('/') + 1;
  if (stored.slice(0, cut(stored)) !== arn.slice(0, cut(arn)) || stored.slice(cut(stored)).toLowerCase() !== arn.slice(cut(arn)).toLowerCase()) return undefined;
  return { kind: parsed.kind, arn: ARN_OF[parsed.kind](record), record };
}

/** As findReportTarget, with IAM's NoSuchEntity when there is nothing. */
export async function mustFindReportTarget(ctx: OperationContext, arn: string): Promise<ReportTarget> {
  const target = await findReportTarget(ctx, arn);
  if (target !== undefined) return target;
  const parsed = parseReportArn(arn);
  if (parsed.kind === 'policy') throw policyNotAttachable(arn);
  throw NOT_FOUND[parsed.kind](parsed.name);
}

const TYPE_NAME: Record<PrincipalEntityType, ReportEntityType> = { user: 'USER', group: 'GROUP', role: 'ROLE' };

/** The inline and attached managed policies of one user, group or role. */
async function policiesOf(ctx: Pick<OperationContext, 'tx' | 'account' | 'services'>, type: PrincipalEntityType, name: string): Promise<EntityPolicy[]> {
  const out: EntityPolicy[] = [];
  const owner = inlineOwner(type, name);
  for (const inline of await ctx.tx.list(KIND.inlinePolicy, ctx.account, { owner })) {
    out.push({ name: inline.key.slice(owner.length + 1), type: 'INLINE', entityType: TYPE_NAME[type], entityName: name, document: inline.data['document'] as string });
  }
  for (const link of await ctx.tx.links(REL.attached, ctx.account, { from: attachmentKey(type, name) })) {
    const policy = await findManagedPolicy(ctx, link.to);
    if (policy !== undefined) out.push({ name: policy.name, type: 'MANAGED', arn: policy.arn, document: await defaultDocument(ctx, policy) });
  }
  return out;
}

/**
 * The permissions policies that decide what the target's report lists: a user's own and its groups', a group's or a
 * role's own, a managed policy's default version.
 */
export async function targetPolicies(ctx: Pick<OperationContext, 'tx' | 'account' | 'services'>, target: ReportTarget): Promise<EntityPolicy[]> {
  if (target.kind === 'policy') {
    const policy = await findManagedPolicy(ctx, target.arn);
    return policy === undefined ? [] : [{ name: policy.name, type: 'MANAGED', arn: policy.arn, document: await defaultDocument(ctx, policy) }];
  }
  const name = (target.record as EntityRecord).key;
  const own = await policiesOf(ctx, target.kind, name);
  if (target.kind !== 'user') return own;
  for (const membership of await ctx.tx.links(REL.groupMember, ctx.account, { from: name })) own.push(...(await policiesOf(ctx, 'group', membership.to)));
  return own;
}

function principalOf(record: EntityRecord, type: 'USER' | 'ROLE'): ReportPrincipal {
  return { type, name: record.key, id: record.id, arn: type === 'USER' ? arnOfUser(record) : arnOfRole(record), path: record.path };
}

async function groupMembers(tx: StoreTx, account: string, group: string): Promise<ReportPrincipal[]> {
  const members: ReportPrincipal[] = [];
  for (const link of await tx.links(REL.groupMember, account, { to: group })) {
    const user = await tx.get(KIND.user, account, link.from);
    if (user !== undefined) members.push(principalOf(user, 'USER'));
  }
  return members;
}

/** The users and roles whose attempts the target's report counts: itself, a group's members, a policy's holders. */
export async function targetPrincipals(ctx: Pick<OperationContext, 'tx' | 'account'>, target: ReportTarget): Promise<ReportPrincipal[]> {
  const { tx, account } = ctx;
  if (target.kind === 'user') return [principalOf(target.record as EntityRecord, 'USER')];
  if (target.kind === 'role') return [principalOf(target.record as EntityRecord, 'ROLE')];
  if (target.kind === 'group') return groupMembers(tx, account, (target.record as EntityRecord).key);
  const byId = new Map<string, ReportPrincipal>();
  for (const link of await tx.links(REL.attached, account, { to: target.arn })) {
    const slash = link.from.indexOf('/');
    const type = link.from.slice(0, slash);
    const name = link.from.slice(slash + 1);
    const found =
      type === 'user'
        ? [await tx.get(KIND.user, account, name)].filter((r): r is EntityRecord => r !== undefined).map((r) => principalOf(r, 'USER'))
        : type === 'role'
          ? [await tx.get(KIND.role, account, name)].filter((r): r is EntityRecord => r !== undefined).map((r) => principalOf(r, 'ROLE'))
          : await groupMembers(tx, account, name);
    for (const principal of found) byId.set(principal.id, principal);
  }
  return [...byId.values()];
}

/** ListPoliciesGrantingServiceAccess takes users, groups and roles only. */
export function assertIdentityTarget(target: ReportTarget): void {
  if (target.kind === 'policy') throw invalidInput(`ARN ${target.arn} is not valid.`);
}
