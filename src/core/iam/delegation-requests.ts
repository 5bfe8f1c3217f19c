import { randomBytes } from 'node:crypto';
import type { EntityRecord } from '../../store/store.js';
import { accessDenied, invalidInput, noSuchEntity, ServiceError } from '../errors.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { wholeSeconds } from '../sts/credentials.js';
import { checkSessionPolicyDocument } from '../sts/session-policy.js';
import { bool, num, paginate, req, str } from './common.js';
import { renderPolicyTemplate, TemplateRenderError, type PolicyParameter } from './delegation-templates.js';
import { approverOf, newTradeInToken, type DelegationApprover } from './delegation-tokens.js';
import { KIND } from './kinds.js';

// IAM temporary delegation: a partner (the requestor) creates a request for temporary access, a customer associates
// it with its account, reviews it (or forwards it for approval), then accepts or rejects it; the exchange token is
// finally sent to the partner's notification channel. The states and transitions are the IAM User Guide's
// ("Understanding the Request Lifecycle"). A request lives in its requestor's account until it is associated, then
// in its owner's, so that ListDelegationRequests in the owner's account finds it; getById finds it wherever it is.

export type DelegationState = 'UNASSIGNED' | 'ASSIGNED' | 'PENDING_APPROVAL' | 'ACCEPTED' | 'FINALIZED' | 'REJECTED' | 'EXPIRED';

export interface DelegationRequestData {
  readonly state: DelegationState;
  readonly requestorId: string;
  /** The account the requestor targeted at creation, or the owner's account once associated. */
  readonly ownerAccountId?: string;
  /** The ARN of the identity that associated the request. */
  readonly ownerId?: string;
  readonly approverId?: string;
  readonly description: string;
  readonly requestMessage?: string;
  readonly permissions: Readonly<Record<string, unknown>>;
  readonly requestorWorkflowId: string;
  readonly redirectUrl?: string;
  readonly notificationChannel: string;
  readonly sessionDuration: number;
  readonly onlySendByOwner: boolean;
  readonly notes?: string;
  readonly rejectionReason?: string;
  readonly updated: string;
  /** Recorded at acceptance: the identity the delegated credentials act as. */
  readonly approver?: DelegationApprover;
  /** Recorded at acceptance: the policy template rendered with the request's parameters, what is delegated. */
  readonly renderedPolicy?: string;
  /** Recorded at acceptance instead, when the template could not be rendered: why. */
  readonly renderError?: string;
  /** When SendDelegationToken released the token (the delegation period begins), and the token's SHA-256. */
  readonly finalized?: string;
  readonly tokenHash?: string;
}

const dataOf = (record: EntityRecord): DelegationRequestData => record.data as unknown as DelegationRequestData;

export const noSuchDelegationRequest = (id: string): ServiceError => noSuchEntity(`The delegation request with id ${id} cannot be found.`);

const invalidState = (id: string, state: DelegationState, action: string): ServiceError =>
  invalidInput(`The delegation request with id ${id} is in state ${state} and cannot be ${action}.`);

/** Which states each transition leaves from (User Guide, "State Transitions"). */
export const TRANSITIONS: Readonly<Record<string, { readonly from: readonly DelegationState[]; readonly to: DelegationState; readonly verb: string }>> = {
  associate: { from: ['UNASSIGNED'], to: 'ASSIGNED', verb: 'associated' },
  update: { from: ['ASSIGNED', 'PENDING_APPROVAL'], to: 'PENDING_APPROVAL', verb: 'updated' },
  accept: { from: ['ASSIGNED', 'PENDING_APPROVAL'], to: 'ACCEPTED', verb: 'accepted' },
  // A user may still reject an accepted request until its token is sent (SendDelegationToken's documentation).
  reject: { from: ['ASSIGNED', 'PENDING_APPROVAL', 'ACCEPTED'], to: 'REJECTED', verb: 'rejected' },
  send: { from: ['ACCEPTED'], to: 'FINALIZED', verb: 'finalized' },
};

/** SNS topic ARNs are the only notification channel IAM accepts (CreateDelegationRequest's NotificationChannel). */
const SNS_TOPIC_ARN = /^arn:aws(?:-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;

const newDelegationRequestId = (): string => `dr-${randomBytes(16).toString('hex')}`;

export const delegationRequestArn = (account: string, id: string): string => `arn:aws:iam::${account}:delegation-request/${id}`;

/**
 * The request as the caller may see it: its requestor's account, its owner's account, or, while no owner account is
 * set, any account (GetDelegationRequest's documentation). Anything else answers as missing, so that an ID does not
 * reveal another customer's request.
 */
export async function visibleRequest(ctx: OperationContext, id: string): Promise<EntityRecord> {
  const record = await ctx.tx.getById(KIND.delegationRequest, id);
  if (record === undefined) throw noSuchDelegationRequest(id);
  const data = dataOf(record);
  const visible = data.requestorId === ctx.account || data.ownerAccountId === undefined || data.ownerAccountId === ctx.account;
  if (!visible) throw noSuchDelegationRequest(id);
  return record;
}

/** A request the caller's account owns (associated with it): only its owner account reviews and decides. */
async function ownedRequest(ctx: OperationContext, id: string): Promise<EntityRecord> {
  const record = await visibleRequest(ctx, id);
  const data = dataOf(record);
  if (data.ownerId === undefined || data.ownerAccountId !== ctx.account) {
    // Still unassigned: the only move is AssociateDelegationRequest.
    if (data.state === 'UNASSIGNED' && (data.ownerAccountId === undefined || data.ownerAccountId === ctx.account)) throw invalidState(id, data.state, 'changed before it is associated');
    throw noSuchDelegationRequest(id);
  }
  return record;
}

function checkTransition(record: EntityRecord, transition: keyof typeof TRANSITIONS): DelegationState {
  const rule = TRANSITIONS[transition] as (typeof TRANSITIONS)[string];
  const state = dataOf(record).state;
  if (!rule.from.includes(state)) throw invalidState(record.key, state, rule.verb);
  return rule.to;
}

async function save(ctx: OperationContext, record: EntityRecord, changes: Partial<DelegationRequestData>): Promise<void> {
  await ctx.tx.update({ ...record, data: { ...record.data, ...changes, updated: ctx.now.toISOString() } });
}

export function requestView(record: EntityRecord): Record<string, unknown> {
  const d = dataOf(record);
  return {
    DelegationRequestId: record.key,
    OwnerAccountId: d.ownerAccountId,
    Description: d.description,
    RequestMessage: d.requestMessage,
    Permissions: d.permissions,
    RolePermissionRestrictionArns: undefined,
    OwnerId: d.ownerId,
    ApproverId: d.approverId,
    State: d.state,
    RequestorId: d.requestorId,
    CreateDate: new Date(record.created),
    SessionDuration: d.sessionDuration,
    RedirectUrl: d.redirectUrl,
    Notes: d.notes,
    RejectionReason: d.rejectionReason,
    OnlySendByOwner: d.onlySendByOwner,
    UpdatedTime: new Date(d.updated),
  };
}

async function createDelegationRequest(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const channel = req(p, 'NotificationChannel');
  if (!SNS_TOPIC_ARN.test(channel)) throw invalidInput(`Invalid NotificationChannel: ${channel}. Only Amazon SNS topic ARNs are accepted.`);
  const permissions = (p['Permissions'] ?? {}) as Record<string, unknown>;
  const id = newDelegationRequestId();
  const data: DelegationRequestData = {
    state: 'UNASSIGNED',
    requestorId: ctx.account,
    ...(str(p, 'OwnerAccountId') === undefined ? {} : { ownerAccountId: str(p, 'OwnerAccountId') }),
    description: req(p, 'Description'),
    ...(str(p, 'RequestMessage') === undefined ? {} : { requestMessage: str(p, 'RequestMessage') }),
    permissions,
    requestorWorkflowId: req(p, 'RequestorWorkflowId'),
    ...(str(p, 'RedirectUrl') === undefined ? {} : { redirectUrl: str(p, 'RedirectUrl') }),
    notificationChannel: channel,
    sessionDuration: num(p, 'SessionDuration') as number,
    onlySendByOwner: bool(p, 'OnlySendByOwner') ?? false,
    updated: ctx.now.toISOString(),
  };
  await ctx.tx.insert({ kind: KIND.delegationRequest, account: ctx.account, key: id, id, path: '/', owner: '', created: ctx.now.toISOString(), data: { ...data } });
  // No ConsoleDeepLink: Gatehouse has no console to review the request in; the customer uses the API.
  return { DelegationRequestId: id };
}

async function getDelegationRequest(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await visibleRequest(ctx, req(p, 'DelegationRequestId'));
  // The permission check compares the caller's permissions with a policy template's, which only AWS holds: the
  // answer is AWS's own "could not tell", never a guess.
  const check = bool(p, 'DelegationPermissionCheck') === true ? { PermissionCheckStatus: 'FAILED' } : {};
  return { DelegationRequest: requestView(record), ...check };
}

async function listDelegationRequests(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const ownerId = str(p, 'OwnerId');
  // Requests without an owner are not listed, even when they target this account (the API reference).
  const records = (await ctx.tx.list(KIND.delegationRequest, ctx.account)).filter((r) => {
    const d = dataOf(r);
    return d.ownerId !== undefined && d.ownerAccountId === ctx.account && (ownerId === undefined || d.ownerId === ownerId);
  });
  const page = paginate(records, p);
  return { DelegationRequests: page.page.map(requestView), ...(page.Marker === undefined ? { isTruncated: false } : { isTruncated: true, Marker: page.Marker }) };
}

async function associateDelegationRequest(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const id = req(p, 'DelegationRequestId');
  const record = await visibleRequest(ctx, id);
  const data = dataOf(record);
  // A request targeted at another account can only be associated by that account's identities.
  if (data.ownerAccountId !== undefined && data.ownerAccountId !== ctx.account) throw noSuchDelegationRequest(id);
  const state = checkTransition(record, 'associate');
  const moved: EntityRecord = {
    ...record,
    account: ctx.account,
    data: { ...record.data, state, ownerAccountId: ctx.account, ownerId: ctx.caller.arn, updated: ctx.now.toISOString() },
  };
  // It moves into the owner's account, where ListDelegationRequests looks.
  await ctx.tx.delete(KIND.delegationRequest, record.account, record.key);
  await ctx.tx.insert(moved);
  return {};
}

async function updateDelegationRequest(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await ownedRequest(ctx, req(p, 'DelegationRequestId'));
  const state = checkTransition(record, 'update');
  const notes = str(p, 'Notes');
  await save(ctx, record, { state, ...(notes === undefined ? {} : { notes }) });
  return {};
}

/**
 * What the request delegates: its policy template (one the operator registered) rendered with its parameters, and
 * checked as a session policy. A request whose template Gatehouse cannot render is still accepted, as AWS records the
 * decision, but its token is never released (SendDelegationToken names the reason).
 */
function renderDelegatedPolicy(ctx: OperationContext, data: DelegationRequestData): { renderedPolicy: string } | { renderError: string } {
  const arn = data.permissions['PolicyTemplateArn'];
  if (typeof arn !== 'string') return { renderError: 'it names no policy template.' };
  const template = ctx.services.delegationTemplate?.(arn);
  if (template === undefined) return { renderError: `its policy template ${arn} is not registered with Gatehouse.` };
  const given = Array.isArray(data.permissions['Parameters']) ? (data.permissions['Parameters'] as Array<Record<string, unknown>>) : [];
  const parameters: PolicyParameter[] = given.map((q) => ({
    Name: typeof q['Name'] === 'string' ? q['Name'] : '',
    Values: Array.isArray(q['Values']) ? q['Values'].filter((v): v is string => typeof v === 'string') : [],
    Type: typeof q['Type'] === 'string' ? q['Type'] : 'string',
  }));
  try {
    const renderedPolicy = renderPolicyTemplate(template, parameters);
    checkSessionPolicyDocument(renderedPolicy);
    return { renderedPolicy };
  } catch (error) {
    if (error instanceof TemplateRenderError || error instanceof ServiceError) return { renderError: `its policy template does not render to a policy: ${error.message}` };
    throw error;
  }
}

async function acceptDelegationRequest(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await ownedRequest(ctx, req(p, 'DelegationRequestId'));
  const state = checkTransition(record, 'accept');
  const approver = approverOf(ctx.caller);
  const { renderedPolicy: _policy, renderError: _error, ...rest } = dataOf(record);
  const rendered = renderDelegatedPolicy(ctx, rest as DelegationRequestData);
  await ctx.tx.update({ ...record, data: { ...rest, state, approverId: ctx.caller.arn, approver: { ...approver }, ...rendered, updated: ctx.now.toISOString() } });
  return {};
}

async function rejectDelegationRequest(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await ownedRequest(ctx, req(p, 'DelegationRequestId'));
  const state = checkTransition(record, 'reject');
  const notes = str(p, 'Notes');
  await save(ctx, record, { state, ...(notes === undefined ? {} : { rejectionReason: notes }) });
  return {};
}

/**
 * Releases the exchange (trade-in) token and finalizes the request: the delegation period, SessionDuration long,
 * begins now. AWS publishes the token to the requestor's SNS topic; Gatehouse hands it to its delivery (the
 * delegation outbox) in the same transaction, so that a token not delivered leaves the request ACCEPTED. Without a
 * delivery configured it refuses rather than finalize a request whose token nobody could receive.
 */
async function sendDelegationToken(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const id = req(p, 'DelegationRequestId');
  const record = await ownedRequest(ctx, id);
  const data = dataOf(record);
  checkTransition(record, 'send');
  if (data.onlySendByOwner && data.ownerId !== ctx.caller.arn) {
    throw accessDenied(`Only the owner of the delegation request with id ${id} (${data.ownerId}) may send its delegation token.`);
  }
  const deliver = ctx.services.deliverDelegationToken;
  if (deliver === undefined) {
    throw new ServiceError(
      'NotImplemented',
      `SendDelegationToken cannot deliver the exchange token: Gatehouse does not publish to Amazon SNS (${data.notificationChannel}) and no delegation outbox is configured (gatehouse serve --delegation-outbox). The delegation request stays ACCEPTED.`,
      501,
      'Receiver',
    );
  }
  if (data.renderedPolicy === undefined || data.approver === undefined) {
    throw invalidInput(`The delegation request with id ${id} cannot be finalized: ${data.renderError ?? 'what it delegates was not recorded when it was accepted.'}`);
  }
  const state = checkTransition(record, 'send');
  const { token, hash } = newTradeInToken(id);
  // Whole seconds, as the credentials' Expiration is reported.
  const finalized = wholeSeconds(ctx.now);
  await save(ctx, record, { state, finalized: finalized.toISOString(), tokenHash: hash });
  deliver({
    delegationRequestId: id,
    requestorAccountId: data.requestorId,
    requestorWorkflowId: data.requestorWorkflowId,
    notificationChannel: data.notificationChannel,
    ownerAccountId: record.account,
    tradeInToken: token,
    expiration: new Date(finalized.getTime() + data.sessionDuration * 1000),
  });
  return {};
}

/** The owner resource() found for the request, for iam:DelegationRequestOwner (the resource type's condition key). */
const ownerOfRequest = new WeakMap<OperationContext, string>();

/**
 * The ARN a delegation request action is authorized against (in the caller's account, as the request is found by its
 * ID wherever it lives), noting the request's owner for iam:DelegationRequestOwner.
 */
export async function delegationRequestResource(ctx: OperationContext, id: string): Promise<string> {
  const record = await ctx.tx.getById(KIND.delegationRequest, id);
  const data = record === undefined ? undefined : dataOf(record);
  // Only a request this account may see lends its owner to the decision: another's stays as missing as run() says.
  if (data?.ownerId !== undefined && (data.requestorId === ctx.account || data.ownerAccountId === undefined || data.ownerAccountId === ctx.account)) {
    ownerOfRequest.set(ctx, data.ownerId);
  }
  return delegationRequestArn(ctx.account, id);
}

const byId = (ctx: OperationContext, p: Params): Promise<string> => delegationRequestResource(ctx, str(p, 'DelegationRequestId') ?? '*');

/** iam:DelegationRequestOwner, when the request resource() found has an owner the caller may see. */
export const delegationOwnerKeys = (ctx: OperationContext): Record<string, string> => {
  const owner = ownerOfRequest.get(ctx);
  return owner === undefined ? {} : { 'iam:DelegationRequestOwner': owner };
};

const op = (name: string, run: OperationDefinition['run'], extra: Partial<OperationDefinition> = {}): OperationDefinition =>
  operationsOf('iam', byId)(name, run, { conditionKeys: delegationOwnerKeys, ...extra });

export const DELEGATION_REQUEST_OPERATIONS: readonly OperationDefinition[] = [
  op('CreateDelegationRequest', createDelegationRequest, {
    // The ID is not known before creation: the grant is on the account's delegation requests.
    resource: (ctx) => delegationRequestArn(ctx.account, '*'),
    conditionKeys: (_ctx, p) => {
      const template = (p['Permissions'] as Record<string, unknown> | undefined)?.['PolicyTemplateArn'];
      return {
        'iam:DelegationDuration': String(num(p, 'SessionDuration') ?? ''),
        'iam:NotificationChannel': str(p, 'NotificationChannel') ?? '',
        ...(typeof template === 'string' ? { 'iam:TemplateArn': template } : {}),
      };
    },
  }),
  op('GetDelegationRequest', getDelegationRequest),
  op('ListDelegationRequests', listDelegationRequests, {
    // The Service Authorization Reference names no resource for the action.
    resource: () => '*',
    conditionKeys: (_ctx, p): Record<string, string> => (str(p, 'OwnerId') === undefined ? {} : { 'iam:DelegationRequestOwner': str(p, 'OwnerId') as string }),
  }),
  op('AssociateDelegationRequest', associateDelegationRequest),
  op('UpdateDelegationRequest', updateDelegationRequest),
  op('AcceptDelegationRequest', acceptDelegationRequest),
  op('RejectDelegationRequest', rejectDelegationRequest),
  op('SendDelegationToken', sendDelegationToken),
];
