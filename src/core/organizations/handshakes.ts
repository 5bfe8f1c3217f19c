// Invitations between accounts of the same Gatehouse: InviteAccountToOrganization, AcceptHandshake, DeclineHandshake,
// CancelHandshake, DescribeHandshake, ListHandshakesForAccount, ListHandshakesForOrganization, and LeaveOrganization.
// A handshake lives under the management account; the invited account keeps a pointer to it (its "inbox"), which is
// how it finds invitations without knowing who sent them. Who may act on a handshake comes from the store: its
// management account, or the account it was sent to (by ID, or the account this server created with that email).
// The all-features handshakes (EnableAllFeatures) are in all-features.ts; how any handshake reads, in
// handshake-records.ts.
import { DuplicateKeyError, type EntityRecord, type StoreTx } from '../../store/store.js';
import { list, req, str, type Tag } from '../iam/common.js';
import { KIND } from '../iam/kinds.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { accountRecordId, emailId } from './account-namespace.js';
import { attachDefaults } from './attachments.js';
import { callerOrganization, organizationManagedBy, requireManagement, requireOrganization, type Organization } from './context.js';
import {
  constraintViolation,
  duplicateHandshake,
  handshakeAlreadyInState,
  handshakeConstraintViolation,
  handshakeNotFound,
  invalidHandshakeTransition,
  masterCannotLeave,
  notManagement,
} from './errors.js';
import { handshakeArn, membershipId, newHandshakeId, ORG_KIND, ORG_REL } from './kinds.js';
import { acceptAllFeatures, cancelApprovals, pendingAllFeatures } from './all-features.js';
import { ACTION, actionOf, currentView, EXPIRY_MS, handshakeView, OPEN_STATES, storedState, transition, type Found } from './handshake-records.js';
import { MEMBERSHIP_STATUS } from './organization.js';
import { page } from './paging.js';
import { checkNewTags, storedTags } from './tags.js';

/** "Default maximum number of accounts" of the Organizations quotas. */
export const MAX_ACCOUNTS = 10;

/** The account an invitation reaches: the ID named, or the account created here with the email named. */
async function invitedAccount(tx: StoreTx, type: string, id: string): Promise<string | undefined> {
  if (type === 'ACCOUNT') return /^\d{12}$/.test(id) ? id : undefined;
  const byEmail = await tx.getById(ORG_KIND.accountEmail, emailId(id));
  return byEmail?.data['account'] as string | undefined;
}

/** Members plus open invitations: AWS counts invitations against the account quota until they are answered. */
export async function accountsCounted(tx: StoreTx, org: Organization, now: Date): Promise<number> {
  const members = await tx.count(ORG_KIND.account, org.management);
  const open = (await tx.list(ORG_KIND.handshake, org.management)).filter((h) => actionOf(h) === ACTION.invite && OPEN_STATES.has(storedState(h, now))).length;
  return members + open;
}

async function inviteAccountToOrganization(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const target = p['Target'] as { Id: string; Type: string };
  const tags = list<Tag>(p, 'Tags');
  checkNewTags(tags);
  const account = await invitedAccount(ctx.tx, target.Type, target.Id);
  if (account !== undefined && (await ctx.tx.getById(ORG_KIND.account, membershipId(account))) !== undefined) throw handshakeConstraintViolation('ALREADY_IN_AN_ORGANIZATION');
  if ((await pendingAllFeatures(ctx.tx, org, ctx.now)) !== undefined) throw handshakeConstraintViolation('INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES');
  const handshakes = (await ctx.tx.list(ORG_KIND.handshake, org.management)).filter((h) => actionOf(h) === ACTION.invite);
  const targetKey = (h: EntityRecord): string => `${h.data['targetType'] as string}:${(h.data['targetId'] as string).toLowerCase()}`;
  const wanted = `${target.Type}:${target.Id.toLowerCase()}`;
  if (handshakes.some((h) => OPEN_STATES.has(storedState(h, ctx.now)) && (targetKey(h) === wanted || (account !== undefined && h.owner === account)))) throw duplicateHandshake();
  if ((await accountsCounted(ctx.tx, org, ctx.now)) >= (ctx.services.maxOrganizationAccounts ?? MAX_ACCOUNTS)) throw handshakeConstraintViolation('ACCOUNT_NUMBER_LIMIT_EXCEEDED');
  const membership = await ctx.tx.get(ORG_KIND.account, org.management, org.management);
  const id = newHandshakeId();
  const created = ctx.now.toISOString();
  const notes = str(p, 'Notes');
  const record: EntityRecord = {
    kind: ORG_KIND.handshake,
    account: org.management,
    key: id,
    id: `org-handshake:${id}`,
    path: '/',
    owner: account ?? '',
    created,
    data: {
      action: ACTION.invite,
      state: 'OPEN',
      targetType: target.Type,
      targetId: target.Id,
      expires: new Date(ctx.now.getTime() + EXPIRY_MS).toISOString(),
      managementEmail: (membership?.data['email'] as string | undefined) ?? `${org.management}@gatehouse.invalid`,
      managementName: (membership?.data['name'] as string | undefined) ?? org.management,
      tags: storedTags(tags),
      ...(notes !== undefined ? { notes } : {}),
    },
  };
  await ctx.tx.insert(record);
  if (account !== undefined) {
    await ctx.tx.insert({ kind: ORG_KIND.handshakeInbox, account, key: id, id: `org-handshake-inbox:${id}`, path: '/', owner: '', created, data: { management: org.management } });
  }
  return { Handshake: handshakeView(org, record, 'OPEN') };
}

/** The handshake as the caller may see it: its organization's management account's, or the invited account's. */
async function findHandshake(ctx: OperationContext, id: string): Promise<Found & { asInvited: boolean }> {
  const own = await callerOrganization(ctx);
  if (own !== undefined && own.management === ctx.account) {
    const record = await ctx.tx.get(ORG_KIND.handshake, own.management, id);
    if (record !== undefined && record.key === id) return { org: own, record, asInvited: false };
  }
  const inbox = await ctx.tx.get(ORG_KIND.handshakeInbox, ctx.account, id);
  if (inbox !== undefined && inbox.key === id) {
    const org = await organizationManagedBy(ctx.tx, inbox.data['management'] as string);
    const record = org === undefined ? undefined : await ctx.tx.get(ORG_KIND.handshake, org.management, id);
    // The pointer is the inbox's own; the handshake must still name this account.
    if (org !== undefined && record !== undefined && record.key === id && record.owner === ctx.account) return { org, record, asInvited: true };
  }
  throw handshakeNotFound();
}

const handshakeResource = async (ctx: OperationContext, p: Params): Promise<string> => {
  const id = req(p, 'HandshakeId');
  try {
    const { org, record } = await findHandshake(ctx, id);
    return handshakeArn(org.management, org.id, id, actionOf(record));
  } catch {
    return '*';
  }
};

async function acceptHandshake(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const found = await findHandshake(ctx, req(p, 'HandshakeId'));
  if (actionOf(found.record) !== ACTION.invite) return acceptAllFeatures(ctx, found);
  if (!found.asInvited) throw notManagement();
  const state = storedState(found.record, ctx.now);
  if (state === 'ACCEPTED') throw handshakeAlreadyInState();
  if (!OPEN_STATES.has(state)) throw invalidHandshakeTransition();
  if ((await ctx.tx.getById(ORG_KIND.account, membershipId(ctx.account))) !== undefined) throw handshakeConstraintViolation('ALREADY_IN_AN_ORGANIZATION');
  const { org } = found;
  const own = await ctx.tx.getById(ORG_KIND.accountRecord, accountRecordId(ctx.account));
  const [alias] = await ctx.tx.list(KIND.accountAlias, ctx.account);
  const now = ctx.now.toISOString();
  await insertMembership(ctx, {
    kind: ORG_KIND.account,
    account: org.management,
    key: ctx.account,
    id: membershipId(ctx.account),
    path: '/',
    owner: org.rootId,
    created: now,
    data: {
      name: (own?.data['name'] as string | undefined) ?? alias?.key ?? ctx.account,
      email: (own?.data['email'] as string | undefined) ?? `${ctx.account}@gatehouse.invalid`,
      status: MEMBERSHIP_STATUS.active,
      joinedMethod: 'INVITED',
      joinedTimestamp: now,
      tags: (found.record.data['tags'] as unknown[] | undefined) ?? [],
    },
  });
  await attachDefaults(ctx, org, ctx.account);
  return transition(ctx, found, 'ACCEPTED');
}

/** The membership's entity ID is unique per account: a concurrent join elsewhere fails here, as AWS refuses it. */
async function insertMembership(ctx: OperationContext, record: EntityRecord): Promise<void> {
  try {
    await ctx.tx.insert(record);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw handshakeConstraintViolation('ALREADY_IN_AN_ORGANIZATION');
    throw error;
  }
}

async function declineHandshake(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const found = await findHandshake(ctx, req(p, 'HandshakeId'));
  // The recipient declines: the invited or approving account; the management account cancels instead.
  if (!found.asInvited) throw notManagement();
  return transition(ctx, found, 'DECLINED');
}

async function cancelHandshake(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const found = await findHandshake(ctx, req(p, 'HandshakeId'));
  if (found.asInvited) throw notManagement();
  const out = await transition(ctx, found, 'CANCELED');
  // Canceling the request to enable all features withdraws the approvals it asked for.
  if (actionOf(found.record) === ACTION.enableAllFeatures) await cancelApprovals(ctx, found.org, found.record.key);
  return out;
}

async function describeHandshake(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const found = await findHandshake(ctx, req(p, 'HandshakeId'));
  return { Handshake: await currentView(ctx.tx, found.org, found.record, ctx.now) };
}

function filtered(p: Params): (h: EntityRecord) => boolean {
  const filter = p['Filter'] as { ActionType?: string; ParentHandshakeId?: string } | undefined;
  return (h) =>
    (filter?.ActionType === undefined || filter.ActionType === actionOf(h)) && (filter?.ParentHandshakeId === undefined || filter.ParentHandshakeId === h.data['parent']);
}

const paged = (all: Record<string, unknown>[], p: Params): Record<string, unknown> => {
  const { items, NextToken } = page(all, p);
  return { Handshakes: items, ...(NextToken !== undefined ? { NextToken } : {}) };
};

async function listHandshakesForAccount(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const out: Record<string, unknown>[] = [];
  const keep = filtered(p);
  for (const inbox of await ctx.tx.list(ORG_KIND.handshakeInbox, ctx.account)) {
    const org = await organizationManagedBy(ctx.tx, inbox.data['management'] as string);
    const record = org === undefined ? undefined : await ctx.tx.get(ORG_KIND.handshake, org.management, inbox.key);
    if (org !== undefined && record !== undefined && record.owner === ctx.account && keep(record)) out.push(await currentView(ctx.tx, org, record, ctx.now));
  }
  return paged(out, p);
}

async function listHandshakesForOrganization(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const keep = filtered(p);
  const all = (await ctx.tx.list(ORG_KIND.handshake, org.management)).filter(keep).sort((a, b) => a.created.localeCompare(b.created) || a.key.localeCompare(b.key));
  const views: Record<string, unknown>[] = [];
  for (const h of all) views.push(await currentView(ctx.tx, org, h, ctx.now));
  return paged(views, p);
}

/** A member account leaves on its own: as RemoveAccountFromOrganization, asked by the account itself. */
async function leaveOrganization(ctx: OperationContext): Promise<Record<string, unknown>> {
  const org = await requireOrganization(ctx);
  if (ctx.account === org.management) throw masterCannotLeave();
  const delegated = await ctx.tx.list(ORG_KIND.delegatedAdministrator, org.management, { owner: ctx.account });
  if (delegated.some((d) => d.owner === ctx.account)) throw constraintViolation('CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG');
  await ctx.tx.unlinkAll(ORG_REL.attached, org.management, { to: ctx.account });
  await ctx.tx.delete(ORG_KIND.account, org.management, ctx.account);
  return {};
}

export const HANDSHAKE_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'organizations',
    name: 'InviteAccountToOrganization',
    resource: () => '*',
    conditionKeys: (_ctx, p) => {
      const tags = list<Tag>(p, 'Tags');
      return tags.length === 0 ? {} : { ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value])), 'aws:TagKeys': tags.map((t) => t.Key) };
    },
    run: inviteAccountToOrganization,
  },
  { service: 'organizations', name: 'AcceptHandshake', resource: handshakeResource, run: acceptHandshake },
  { service: 'organizations', name: 'DeclineHandshake', resource: handshakeResource, run: declineHandshake },
  { service: 'organizations', name: 'CancelHandshake', resource: handshakeResource, run: cancelHandshake },
  { service: 'organizations', name: 'DescribeHandshake', resource: handshakeResource, run: describeHandshake },
  { service: 'organizations', name: 'ListHandshakesForAccount', resource: () => '*', run: listHandshakesForAccount },
  { service: 'organizations', name: 'ListHandshakesForOrganization', resource: () => '*', run: listHandshakesForOrganization },
  { service: 'organizations', name: 'LeaveOrganization', resource: () => '*', run: leaveOrganization },
];
