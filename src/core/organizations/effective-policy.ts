// DescribeEffectivePolicy: an account's effective management policy (tag, backup, AI services opt-out, chat
// applications, declarative, Security Hub… policies), merged from the root down by the inheritance rules of
// inheritance.ts. Authorization policies (SCPs, RCPs) have none: their type is outside the operation's enum, which the
// protocol layer answers with InvalidInputException (INVALID_ENUM_POLICY_TYPE).
import type { StoreTx } from '../../store/store.js';
import { req, str } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { actsAsManagement, ancestry, arnOfId, callerOrganization, findNode, requireOrganization, type Organization } from './context.js';
import { enabledTypes } from './attachments.js';
import { effectivePolicyNotFound, notManagement, targetNotFound } from './errors.js';
import { effectivePolicy, type Inherited, type LevelPolicy } from './inheritance.js';
import { ORG_REL, targetTypeOf } from './kinds.js';
import { findPolicy } from './policies.js';

export interface AccountEffectivePolicy extends Inherited {
  /** The latest change among the policies that contributed: an edit or an attachment. */
  readonly lastUpdated: string;
}

/** The effective policy of `account` (a member of `org`) for `type`, or undefined when the type is not enabled. */
export async function accountEffectivePolicy(tx: StoreTx, org: Organization, account: string, type: string): Promise<AccountEffectivePolicy | undefined> {
  if (!(await enabledTypes(tx, org)).some((t) => t.Type === type)) return undefined;
  const node = await findNode(tx, org, account);
  if (node === undefined) return undefined;
  let lastUpdated = '';
  const levels: LevelPolicy[][] = [];
  for (const target of await ancestry(tx, org, node)) {
    const attached = (await tx.links(ORG_REL.attached, org.management, { to: target })).sort((a, b) => a.created.localeCompare(b.created) || a.from.localeCompare(b.from));
    const level: LevelPolicy[] = [];
    for (const link of attached) {
      const policy = await findPolicy(tx, org, link.from);
      if (policy?.type !== type) continue;
      level.push({ id: policy.id, content: policy.content });
      const edited = (policy.record?.data['updated'] as string | undefined) ?? policy.record?.created ?? '';
      for (const t of [link.created, edited]) if (t > lastUpdated) lastUpdated = t;
    }
    levels.push(level);
  }
  return { ...effectivePolicy(levels), lastUpdated };
}

async function describeEffectivePolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireOrganization(ctx);
  const type = req(p, 'PolicyType');
  const targetId = str(p, 'TargetId') ?? ctx.account;
  // A member account sees its own effective policy only; the management account (or a delegate) any account's.
  if (!actsAsManagement(ctx, org) && targetId !== ctx.account) throw notManagement();
  // Roots and OUs have no effective policy: only accounts are targets.
  if (targetTypeOf(targetId) !== 'ACCOUNT' || (await findNode(ctx.tx, org, targetId)) === undefined) throw targetNotFound();
  const found = await accountEffectivePolicy(ctx.tx, org, targetId, type);
  if (found?.effective === undefined) throw effectivePolicyNotFound();
  return {
    EffectivePolicy: {
      PolicyContent: JSON.stringify(found.effective),
      LastUpdatedTimestamp: new Date(found.lastUpdated),
      TargetId: targetId,
      PolicyType: type,
    },
  };
}

export const EFFECTIVE_POLICY_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'organizations',
    name: 'DescribeEffectivePolicy',
    resource: async (ctx, p) => {
      const org = await callerOrganization(ctx);
      return org === undefined ? '*' : arnOfId(org, str(p, 'TargetId') ?? ctx.account);
    },
    conditionKeys: (_ctx, p) => ({ 'organizations:PolicyType': req(p, 'PolicyType') }),
    run: describeEffectivePolicy,
  },
];
