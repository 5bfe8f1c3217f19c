// Member accounts: CreateAccount (+ DescribeCreateAccountStatus, ListCreateAccountStatus), ListAccounts,
// ListAccountsForParent, DescribeAccount, MoveAccount, CloseAccount, RemoveAccountFromOrganization.
import type { EntityRecord } from '../../store/store.js';
import { list, req, requestTagKeys, str, type Tag } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { createAccountNamespace, DEFAULT_ACCESS_ROLE, emailTaken, unusedAccountId } from './account-namespace.js';
import { attachDefaults } from './attachments.js';
import { markAccountRecordClosed } from './closed.js';
import { accountsCounted, MAX_ACCOUNTS } from './handshakes.js';
import { arnOfId, callerOrganization, findNode, findParent, requireManagement, type Organization } from './context.js';
import {
  accountAlreadyClosed,
  accountNotFound,
  constraintViolation,
  createAccountStatusNotFound,
  destinationParentNotFound,
  duplicateAccount,
  parentNotFound,
  sourceParentNotFound,
} from './errors.js';
import { ServiceError } from '../errors.js';
import { accountArn, membershipId, newCreateAccountRequestId, ORG_KIND, ORG_REL } from './kinds.js';
import { MEMBERSHIP_STATUS } from './organization.js';
import { page } from './paging.js';
import { checkNewTags, storedTags } from './tags.js';
import { nodeResource } from './units.js';

export function accountView(org: Organization, record: EntityRecord): Record<string, unknown> {
  const status = record.data['status'] as string;
  return {
    Id: record.key,
    Arn: accountArn(org.management, org.id, record.key),
    Email: record.data['email'] as string,
    Name: record.data['name'] as string,
    Status: status,
    State: status,
    JoinedMethod: record.data['joinedMethod'] as string,
    JoinedTimestamp: new Date(record.data['joinedTimestamp'] as string),
  };
}

function statusView(record: EntityRecord): Record<string, unknown> {
  const d = record.data;
  return {
    Id: record.key,
    AccountName: d['accountName'] as string,
    State: d['state'] as string,
    RequestedTimestamp: new Date(d['requested'] as string),
    ...(d['completed'] !== undefined ? { CompletedTimestamp: new Date(d['completed'] as string) } : {}),
    ...(d['accountId'] !== undefined ? { AccountId: d['accountId'] as string } : {}),
    ...(d['failureReason'] !== undefined ? { FailureReason: d['failureReason'] as string } : {}),
  };
}

const paged = (name: string, all: readonly unknown[], p: Params): Record<string, unknown> => {
  const { items, NextToken } = page(all, p);
  return { [name]: items, ...(NextToken !== undefined ? { NextToken } : {}) };
};

/**
 * AWS creates the account in the background and reports it through DescribeCreateAccountStatus; here it exists
 * when CreateAccount answers, so the status is final at once: SUCCEEDED with the account's ID, or FAILED
 * (EMAIL_ALREADY_EXISTS) for an address another account created here has, as AWS reports it.
 */
async function createAccount(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const email = req(p, 'Email');
  const name = req(p, 'AccountName');
  const tags = list<Tag>(p, 'Tags');
  checkNewTags(tags);
  const now = ctx.now.toISOString();
  const requestId = newCreateAccountRequestId();
  let outcome: Record<string, unknown>;
  // AWS's default quota: 10 accounts in an organization, the management account, closed accounts and open invitations
  // included.
  if ((await accountsCounted(ctx.tx, org, ctx.now)) >= (ctx.services.maxOrganizationAccounts ?? MAX_ACCOUNTS)) throw constraintViolation('ACCOUNT_NUMBER_LIMIT_EXCEEDED');
  if (await emailTaken(ctx.tx, email)) {
    outcome = { state: 'FAILED', failureReason: 'EMAIL_ALREADY_EXISTS' };
  } else {
    const id = await unusedAccountId(ctx.tx);
    await createAccountNamespace(ctx.tx, { id, name, email, management: org.management, roleName: str(p, 'RoleName') ?? DEFAULT_ACCESS_ROLE, created: now });
    await ctx.tx.insert({
      kind: ORG_KIND.account,
      account: org.management,
      key: id,
      id: membershipId(id),
      path: '/',
      owner: org.rootId,
      created: now,
      data: { name, email, status: MEMBERSHIP_STATUS.active, joinedMethod: 'CREATED', joinedTimestamp: now, tags: storedTags(tags) },
    });
    await attachDefaults(ctx, org, id);
    outcome = { state: 'SUCCEEDED', accountId: id };
  }
  const record: EntityRecord = {
    kind: ORG_KIND.createAccountStatus,
    account: org.management,
    key: requestId,
    id: requestId,
    path: '/',
    owner: '',
    created: now,
    data: { accountName: name, requested: now, completed: now, ...outcome },
  };
  await ctx.tx.insert(record);
  return { CreateAccountStatus: statusView(record) };
}

async function describeCreateAccountStatus(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const id = req(p, 'CreateAccountRequestId');
  const record = await ctx.tx.get(ORG_KIND.createAccountStatus, org.management, id);
  if (record === undefined || record.key !== id) throw createAccountStatusNotFound();
  return { CreateAccountStatus: statusView(record) };
}

async function listCreateAccountStatus(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const states = list<string>(p, 'States');
  const all = (await ctx.tx.list(ORG_KIND.createAccountStatus, org.management)).filter((r) => states.length === 0 || states.includes(r.data['state'] as string));
  // Oldest request first.
  all.sort((a, b) => a.created.localeCompare(b.created) || a.key.localeCompare(b.key));
  return paged('CreateAccountStatuses', all.map(statusView), p);
}

async function listAccounts(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  return paged('Accounts', (await ctx.tx.list(ORG_KIND.account, org.management)).map((r) => accountView(org, r)), p);
}

async function listAccountsForParent(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const parent = await findParent(ctx.tx, org, req(p, 'ParentId'));
  if (parent === undefined) throw parentNotFound();
  const accounts = (await ctx.tx.list(ORG_KIND.account, org.management, { owner: parent.record.key })).filter((a) => a.owner === parent.record.key);
  return paged('Accounts', accounts.map((r) => accountView(org, r)), p);
}

/** The member account the request's AccountId names. */
async function requestedAccount(ctx: OperationContext, p: Params): Promise<{ org: Organization; record: EntityRecord }> {
  const org = await requireManagement(ctx);
  const node = await findNode(ctx.tx, org, req(p, 'AccountId'));
  if (node?.type !== 'ACCOUNT') throw accountNotFound();
  return { org, record: node.record };
}

async function describeAccount(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { org, record } = await requestedAccount(ctx, p);
  return { Account: accountView(org, record) };
}

async function moveAccount(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { org, record } = await requestedAccount(ctx, p);
  const source = await findParent(ctx.tx, org, req(p, 'SourceParentId'));
  if (source === undefined || source.record.key !== record.owner) throw sourceParentNotFound();
  const destination = await findParent(ctx.tx, org, req(p, 'DestinationParentId'));
  if (destination === undefined) throw destinationParentNotFound();
  if (destination.record.key === record.owner) throw duplicateAccount();
  await ctx.tx.update({ ...record, owner: destination.record.key });
  return {};
}

/**
 * A closed account stays in the organization, SUSPENDED (AWS keeps it 90 days before it is gone). The management
 * account cannot be closed this way.
 */
async function closeAccount(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { org, record } = await requestedAccount(ctx, p);
  if (record.key === org.management) throw constraintViolation('CANNOT_CLOSE_MANAGEMENT_ACCOUNT');
  if (record.data['status'] === MEMBERSHIP_STATUS.suspended) throw accountAlreadyClosed();
  await ctx.tx.update({ ...record, data: { ...record.data, status: MEMBERSHIP_STATUS.suspended, closedTimestamp: ctx.now.toISOString() } });
  await markAccountRecordClosed(ctx.tx, record.key, ctx.now.toISOString());
  return {};
}

/** The account leaves and goes on standalone: its users, roles and keys stay; its policy attachments go. */
async function removeAccountFromOrganization(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { org, record } = await requestedAccount(ctx, p);
  if (record.key === org.management) {
    throw new ServiceError(
      'MasterCannotLeaveOrganizationException',
      "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.",
      409,
    );
  }
  const delegated = await ctx.tx.list(ORG_KIND.delegatedAdministrator, org.management, { owner: record.key });
  if (delegated.some((d) => d.owner === record.key)) throw constraintViolation('CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG');
  await ctx.tx.unlinkAll(ORG_REL.attached, org.management, { to: record.key });
  await ctx.tx.delete(ORG_KIND.account, org.management, record.key);
  return {};
}

const accountResource = nodeResource('AccountId');

/** MoveAccount needs the action on the account, the source parent and the destination parent. */
async function moveAlso(ctx: OperationContext, p: Params): Promise<Array<{ action: string; resource: string }>> {
  const org = await callerOrganization(ctx);
  if (org === undefined) return [];
  return ['SourceParentId', 'DestinationParentId'].map((member) => ({ action: 'organizations:MoveAccount', resource: arnOfId(org, req(p, member)) }));
}

export const ACCOUNT_OPERATIONS: readonly OperationDefinition[] = [
  { service: 'organizations', name: 'CreateAccount', resource: () => '*', conditionKeys: (_ctx, p) => requestTagKeys(list<Tag>(p, 'Tags')), run: createAccount },
  { service: 'organizations', name: 'DescribeCreateAccountStatus', resource: () => '*', run: describeCreateAccountStatus },
  { service: 'organizations', name: 'ListCreateAccountStatus', resource: () => '*', run: listCreateAccountStatus },
  { service: 'organizations', name: 'ListAccounts', resource: () => '*', run: listAccounts },
  { service: 'organizations', name: 'ListAccountsForParent', resource: nodeResource('ParentId'), run: listAccountsForParent },
  { service: 'organizations', name: 'DescribeAccount', resource: accountResource, run: describeAccount },
  { service: 'organizations', name: 'MoveAccount', resource: accountResource, alsoRequires: moveAlso, run: moveAccount },
  { service: 'organizations', name: 'CloseAccount', resource: accountResource, run: closeAccount },
  { service: 'organizations', name: 'RemoveAccountFromOrganization', resource: accountResource, run: removeAccountFromOrganization },
];

