// How a stored handshake reads: its state as of now and its shape in the API. Three actions are served:
// INVITE (an invitation to join), ENABLE_ALL_FEATURES (the management account's request to leave consolidated
// billing, finalized by the management account) and APPROVE_ALL_FEATURES (its child handshake, one per invited
// member account). Records written before the action was stored are invitations.
import type { EntityRecord, StoreTx } from '../../store/store.js';
import type { OperationContext } from '../operation.js';
import type { Organization } from './context.js';
import { handshakeAlreadyInState, invalidHandshakeTransition } from './errors.js';
import { handshakeArn, membershipId, ORG_KIND } from './kinds.js';

/** Handshakes expire after 15 days, as AWS's do. */
export const EXPIRY_MS = 15 * 24 * 3600 * 1000;
export const OPEN_STATES: ReadonlySet<string> = new Set(['OPEN', 'REQUESTED']);

export const ACTION = { invite: 'INVITE', enableAllFeatures: 'ENABLE_ALL_FEATURES', approveAllFeatures: 'APPROVE_ALL_FEATURES' } as const;

export const actionOf = (record: EntityRecord): string => (record.data['action'] as string | undefined) ?? ACTION.invite;

/** The stored state as of `now`: an open handshake past its expiry reads EXPIRED. */
export function storedState(record: EntityRecord, now: Date): string {
  const state = record.data['state'] as string;
  return OPEN_STATES.has(state) && now.getTime() >= Date.parse(record.data['expires'] as string) ? 'EXPIRED' : state;
}

/** The approvals an ENABLE_ALL_FEATURES handshake waits for: those of accounts still in the organization. */
export async function approvalsOf(tx: StoreTx, org: Organization, parentId: string): Promise<EntityRecord[]> {
  const out: EntityRecord[] = [];
  for (const h of await tx.list(ORG_KIND.handshake, org.management)) {
    if (h.data['parent'] !== parentId) continue;
    const membership = await tx.getById(ORG_KIND.account, membershipId(h.owner));
    if (membership?.account === org.management) out.push(h);
  }
  return out;
}

/**
 * The state the API shows. ENABLE_ALL_FEATURES stays REQUESTED until every invited member account still in the
 * organization has accepted its APPROVE_ALL_FEATURES handshake, and then reads OPEN: the management account may
 * finalize it.
 */
export async function stateOf(tx: StoreTx, org: Organization, record: EntityRecord, now: Date): Promise<string> {
  const state = storedState(record, now);
  if (actionOf(record) !== ACTION.enableAllFeatures || state !== 'REQUESTED') return state;
  const approvals = await approvalsOf(tx, org, record.key);
  return approvals.every((a) => storedState(a, now) === 'ACCEPTED') ? 'OPEN' : 'REQUESTED';
}

function partiesAndResources(org: Organization, record: EntityRecord): { Parties: unknown[]; Resources: unknown[] } {
  const d = record.data;
  const organizationParty = { Id: org.id, Type: 'ORGANIZATION' };
  const organizationResource = (extra: unknown[]): Record<string, unknown> => ({
    Type: 'ORGANIZATION',
    Value: org.id,
    ...(extra.length > 0 ? { Resources: extra } : {}),
  });
  const management = [
    { Type: 'MASTER_EMAIL', Value: d['managementEmail'] as string },
    { Type: 'MASTER_NAME', Value: d['managementName'] as string },
  ];
  switch (actionOf(record)) {
    case ACTION.enableAllFeatures:
      return { Parties: [organizationParty], Resources: [organizationResource([])] };
    case ACTION.approveAllFeatures:
      return {
        Parties: [organizationParty, { Id: record.owner, Type: 'ACCOUNT' }],
        Resources: [organizationResource(management), { Type: 'ACCOUNT', Value: record.owner }, { Type: 'PARENT_HANDSHAKE', Value: d['parent'] as string }],
      };
    default: {
      const notes = d['notes'] as string | undefined;
      return {
        Parties: [organizationParty, { Id: d['targetId'] as string, Type: d['targetType'] as string }],
        Resources: [
          organizationResource([...management, { Type: 'ORGANIZATION_FEATURE_SET', Value: org.record.data['featureSet'] === 'ALL' ? 'FULL' : 'CONSOLIDATED_BILLING' }]),
          { Type: d['targetType'] as string, Value: d['targetId'] as string },
          ...(notes !== undefined ? [{ Type: 'NOTES', Value: notes }] : []),
        ],
      };
    }
  }
}

export function handshakeView(org: Organization, record: EntityRecord, state: string): Record<string, unknown> {
  const action = actionOf(record);
  return {
    Id: record.key,
    Arn: handshakeArn(org.management, org.id, record.key, action),
    ...partiesAndResources(org, record),
    State: state,
    RequestedTimestamp: new Date(record.created),
    ExpirationTimestamp: new Date(record.data['expires'] as string),
    Action: action,
  };
}

export async function currentView(tx: StoreTx, org: Organization, record: EntityRecord, now: Date): Promise<Record<string, unknown>> {
  return handshakeView(org, record, await stateOf(tx, org, record, now));
}

export interface Found {
  readonly org: Organization;
  readonly record: EntityRecord;
}

/** Moves an open handshake to `to` (ACCEPTED, DECLINED, CANCELED), as AWS refuses any other transition. */
export async function transition(ctx: OperationContext, found: Found, to: string): Promise<Record<string, unknown>> {
  const state = await stateOf(ctx.tx, found.org, found.record, ctx.now);
  if (state === to) throw handshakeAlreadyInState();
  if (!OPEN_STATES.has(state)) throw invalidHandshakeTransition();
  const record = { ...found.record, data: { ...found.record.data, state: to } };
  await ctx.tx.update(record);
  return { Handshake: handshakeView(found.org, record, to) };
}
