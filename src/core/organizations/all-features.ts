// EnableAllFeatures: an organization created with consolidated billing only moves to all features. The management
// account's request is an ENABLE_ALL_FEATURES handshake; every member account that joined by invitation gets an
// APPROVE_ALL_FEATURES handshake (its child) and accepts or declines it. Once every such account still in the
// organization has accepted, the request reads OPEN and the management account accepts it: the feature set becomes
// ALL (policy types can then be enabled). Accounts created by the organization (CreateAccount) need not approve,
// as in AWS. While the request is pending, no invitation can be sent.
import type { EntityRecord, StoreTx } from '../../store/store.js';
import type { OperationContext, OperationDefinition } from '../operation.js';
import { requireManagement, type Organization } from './context.js';
import { handshakeConstraintViolation, invalidHandshakeTransition, notManagement } from './errors.js';
import { ACTION, actionOf, approvalsOf, EXPIRY_MS, handshakeView, OPEN_STATES, stateOf, storedState, transition, type Found } from './handshake-records.js';
import { newHandshakeId, ORG_KIND } from './kinds.js';

/** The organization's ENABLE_ALL_FEATURES handshake still awaiting approvals or finalization, if any. */
export async function pendingAllFeatures(tx: StoreTx, org: Organization, now: Date): Promise<EntityRecord | undefined> {
  return (await tx.list(ORG_KIND.handshake, org.management)).find((h) => actionOf(h) === ACTION.enableAllFeatures && OPEN_STATES.has(storedState(h, now)));
}

async function enableAllFeatures(ctx: OperationContext): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  if (org.record.data['featureSet'] === 'ALL') throw handshakeConstraintViolation('ORGANIZATION_ALREADY_HAS_ALL_FEATURES');
  if ((await pendingAllFeatures(ctx.tx, org, ctx.now)) !== undefined) throw handshakeConstraintViolation('ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION');
  const created = ctx.now.toISOString();
  const expires = new Date(ctx.now.getTime() + EXPIRY_MS).toISOString();
  const management = await ctx.tx.get(ORG_KIND.account, org.management, org.management);
  const identity = {
    managementEmail: (management?.data['email'] as string | undefined) ?? `${org.management}@gatehouse.invalid`,
    managementName: (management?.data['name'] as string | undefined) ?? org.management,
  };
  const parentId = newHandshakeId();
  const parent: EntityRecord = {
    kind: ORG_KIND.handshake,
    account: org.management,
    key: parentId,
    id: `org-handshake:${parentId}`,
    path: '/',
    owner: org.management,
    created,
    data: { action: ACTION.enableAllFeatures, state: 'REQUESTED', expires, ...identity },
  };
  await ctx.tx.insert(parent);
  await inbox(ctx, org, org.management, parentId, created);
  const invited = (await ctx.tx.list(ORG_KIND.account, org.management)).filter((m) => m.key !== org.management && m.data['joinedMethod'] === 'INVITED');
  for (const member of invited) {
    const id = newHandshakeId();
    await ctx.tx.insert({
      kind: ORG_KIND.handshake,
      account: org.management,
      key: id,
      id: `org-handshake:${id}`,
      path: '/',
      owner: member.key,
      created,
      data: { action: ACTION.approveAllFeatures, state: 'OPEN', expires, parent: parentId, ...identity },
    });
    await inbox(ctx, org, member.key, id, created);
  }
  return { Handshake: handshakeView(org, parent, await stateOf(ctx.tx, org, parent, ctx.now)) };
}

/** The recipient's pointer to a handshake (see handshakes.ts): how ListHandshakesForAccount finds it. */
async function inbox(ctx: OperationContext, org: Organization, account: string, id: string, created: string): Promise<void> {
  await ctx.tx.insert({ kind: ORG_KIND.handshakeInbox, account, key: id, id: `org-handshake-inbox:${id}`, path: '/', owner: '', created, data: { management: org.management } });
}

/**
 * AcceptHandshake of the two all-features actions: APPROVE_ALL_FEATURES by the member account it was sent to only,
 * ENABLE_ALL_FEATURES by the management account only and once it reads OPEN.
 */
export async function acceptAllFeatures(ctx: OperationContext, found: Found & { asInvited: boolean }): Promise<Record<string, unknown>> {
  const action = actionOf(found.record);
  if (action === ACTION.approveAllFeatures) {
    if (!found.asInvited) throw notManagement();
    return transition(ctx, found, 'ACCEPTED');
  }
  if (found.asInvited || ctx.account !== found.org.management) throw notManagement();
  const state = await stateOf(ctx.tx, found.org, found.record, ctx.now);
  // Still waiting for approvals: the request cannot be finalized yet.
  if (state === 'REQUESTED') throw invalidHandshakeTransition();
  const out = await transition(ctx, found, 'ACCEPTED');
  const org = await ctx.tx.get(ORG_KIND.organization, found.org.management, found.org.id);
  if (org !== undefined) await ctx.tx.update({ ...org, data: { ...org.data, featureSet: 'ALL' } });
  return out;
}

/** Withdraws the open approvals of a canceled request. */
export async function cancelApprovals(ctx: OperationContext, org: Organization, parentId: string): Promise<void> {
  for (const approval of await approvalsOf(ctx.tx, org, parentId)) {
    if (OPEN_STATES.has(storedState(approval, ctx.now))) await ctx.tx.update({ ...approval, data: { ...approval.data, state: 'CANCELED' } });
  }
}

export const ALL_FEATURES_OPERATIONS: readonly OperationDefinition[] = [{ service: 'organizations', name: 'EnableAllFeatures', resource: () => '*', run: enableAllFeatures }];

