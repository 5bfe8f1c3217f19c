// Trusted access for AWS services (EnableAWSServiceAccess, DisableAWSServiceAccess,
// ListAWSServiceAccessForOrganization) and delegated administrators (RegisterDelegatedAdministrator,
// DeregisterDelegatedAdministrator, ListDelegatedAdministrators, ListDelegatedServicesForAccount). Gatehouse serves
// one service that reads them: IAM (iam.amazonaws.com), whose centralized root access needs trusted access and may be
// run from its delegated administrator. Both live on the management account's side of the store.
import type { EntityRecord, StoreTx } from '../../store/store.js';
import { req, str } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { accountView } from './accounts.js';
import { findNode, requireManagement, type Organization } from './context.js';
import { accountAlreadyRegistered, accountNotFound, accountNotRegistered, constraintViolation } from './errors.js';
import { ORG_KIND } from './kinds.js';
import { MEMBERSHIP_STATUS } from './organization.js';
import { page } from './paging.js';
import { nodeResource } from './units.js';

interface ServiceAccess {
  readonly ServicePrincipal: string;
  readonly DateEnabled: string;
}

// Services AWS allows one delegated administrator at most (IAM's centralized root access among them).
const SINGLE_ADMINISTRATOR: ReadonlySet<string> = new Set(['iam.amazonaws.com']);

const accessOf = (org: Organization): ServiceAccess[] => [...((org.record.data['serviceAccess'] as ServiceAccess[] | undefined) ?? [])];

/** True when the organization has trusted access enabled for the service principal. */
export function serviceAccessEnabled(org: Organization, servicePrincipal: string): boolean {
  return accessOf(org).some((a) => a.ServicePrincipal === servicePrincipal);
}

const delegationKey = (account: string, servicePrincipal: string): string => `${account}/${servicePrincipal}`;

/** True when `account` is a registered delegated administrator of the organization for the service principal. */
export async function isDelegatedAdministrator(tx: StoreTx, org: Organization, account: string, servicePrincipal: string): Promise<boolean> {
  const key = delegationKey(account, servicePrincipal);
  const record = await tx.get(ORG_KIND.delegatedAdministrator, org.management, key);
  return record !== undefined && record.key === key;
}

async function enableAwsServiceAccess(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const principal = req(p, 'ServicePrincipal');
  // Enabling it again changes nothing, as in AWS.
  if (serviceAccessEnabled(org, principal)) return {};
  const serviceAccess = [...accessOf(org), { ServicePrincipal: principal, DateEnabled: ctx.now.toISOString() }];
  await ctx.tx.update({ ...org.record, data: { ...org.record.data, serviceAccess } });
  return {};
}

async function disableAwsServiceAccess(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const principal = req(p, 'ServicePrincipal');
  const serviceAccess = accessOf(org).filter((a) => a.ServicePrincipal !== principal);
  // Without trusted access the service's features in the organization stop: IAM's centralized root access with it.
  const data: Record<string, unknown> = { ...org.record.data, serviceAccess };
  if (principal === 'iam.amazonaws.com') data['iamFeatures'] = [];
  await ctx.tx.update({ ...org.record, data });
  return {};
}

async function listAwsServiceAccess(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const all = accessOf(org).map((a) => ({ ServicePrincipal: a.ServicePrincipal, DateEnabled: new Date(a.DateEnabled) }));
  const { items, NextToken } = page(all, p);
  return { EnabledServicePrincipals: items, ...(NextToken !== undefined ? { NextToken } : {}) };
}

async function memberAccount(ctx: OperationContext, org: Organization, id: string): Promise<EntityRecord> {
  const node = await findNode(ctx.tx, org, id);
  if (node?.type !== 'ACCOUNT') throw accountNotFound();
  return node.record;
}

async function registerDelegatedAdministrator(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const account = await memberAccount(ctx, org, req(p, 'AccountId'));
  const principal = req(p, 'ServicePrincipal');
  if (account.key === org.management) throw constraintViolation('CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR');
  if (account.data['status'] === MEMBERSHIP_STATUS.suspended) throw constraintViolation('CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR');
  if (!serviceAccessEnabled(org, principal)) throw constraintViolation('SERVICE_ACCESS_NOT_ENABLED');
  if (await isDelegatedAdministrator(ctx.tx, org, account.key, principal)) throw accountAlreadyRegistered();
  if (SINGLE_ADMINISTRATOR.has(principal) && (await delegations(ctx.tx, org)).some((d) => d.data['servicePrincipal'] === principal)) {
    throw constraintViolation('MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED');
  }
  const key = delegationKey(account.key, principal);
  // Store keys compare without case: a principal spelled in another case of one registered is that registration.
  const clash = await ctx.tx.get(ORG_KIND.delegatedAdministrator, org.management, key);
  if (clash !== undefined) throw accountAlreadyRegistered();
  await ctx.tx.insert({
    kind: ORG_KIND.delegatedAdministrator,
    account: org.management,
    key,
    id: `org-delegated:${org.id}:${key}`,
    path: '/',
    owner: account.key,
    created: ctx.now.toISOString(),
    data: { servicePrincipal: principal },
  });
  return {};
}

async function deregisterDelegatedAdministrator(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const account = await memberAccount(ctx, org, req(p, 'AccountId'));
  const principal = req(p, 'ServicePrincipal');
  if (!(await isDelegatedAdministrator(ctx.tx, org, account.key, principal))) throw accountNotRegistered();
  await ctx.tx.delete(ORG_KIND.delegatedAdministrator, org.management, delegationKey(account.key, principal));
  return {};
}

const delegations = (tx: StoreTx, org: Organization): Promise<EntityRecord[]> => tx.list(ORG_KIND.delegatedAdministrator, org.management);

async function listDelegatedAdministrators(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const principal = str(p, 'ServicePrincipal');
  const earliest = new Map<string, string>();
  for (const d of await delegations(ctx.tx, org)) {
    if (principal !== undefined && d.data['servicePrincipal'] !== principal) continue;
    const seen = earliest.get(d.owner);
    if (seen === undefined || d.created < seen) earliest.set(d.owner, d.created);
  }
  const out: Record<string, unknown>[] = [];
  for (const [account, since] of [...earliest].sort(([a], [b]) => a.localeCompare(b))) {
    const node = await findNode(ctx.tx, org, account);
    if (node?.type === 'ACCOUNT') out.push({ ...accountView(org, node.record), DelegationEnabledDate: new Date(since) });
  }
  const { items, NextToken } = page(out, p);
  return { DelegatedAdministrators: items, ...(NextToken !== undefined ? { NextToken } : {}) };
}

async function listDelegatedServicesForAccount(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const account = await memberAccount(ctx, org, req(p, 'AccountId'));
  const mine = (await ctx.tx.list(ORG_KIND.delegatedAdministrator, org.management, { owner: account.key })).filter((d) => d.owner === account.key);
  if (mine.length === 0) throw accountNotRegistered();
  const all = mine.map((d) => ({ ServicePrincipal: d.data['servicePrincipal'] as string, DelegationEnabledDate: new Date(d.created) }));
  const { items, NextToken } = page(all, p);
  return { DelegatedServices: items, ...(NextToken !== undefined ? { NextToken } : {}) };
}

const principalKey = (_ctx: OperationContext, p: Params): Record<string, string> => {
  const principal = str(p, 'ServicePrincipal');
  return principal === undefined ? {} : { 'organizations:ServicePrincipal': principal };
};

export const SERVICE_ACCESS_OPERATIONS: readonly OperationDefinition[] = [
  { service: 'organizations', name: 'EnableAWSServiceAccess', resource: () => '*', conditionKeys: principalKey, run: enableAwsServiceAccess },
  { service: 'organizations', name: 'DisableAWSServiceAccess', resource: () => '*', conditionKeys: principalKey, run: disableAwsServiceAccess },
  { service: 'organizations', name: 'ListAWSServiceAccessForOrganization', resource: () => '*', run: listAwsServiceAccess },
  { service: 'organizations', name: 'RegisterDelegatedAdministrator', resource: nodeResource('AccountId'), conditionKeys: principalKey, run: registerDelegatedAdministrator },
  { service: 'organizations', name: 'DeregisterDelegatedAdministrator', resource: nodeResource('AccountId'), conditionKeys: principalKey, run: deregisterDelegatedAdministrator },
  { service: 'organizations', name: 'ListDelegatedAdministrators', resource: () => '*', conditionKeys: principalKey, run: listDelegatedAdministrators },
  { service: 'organizations', name: 'ListDelegatedServicesForAccount', resource: nodeResource('AccountId'), run: listDelegatedServicesForAccount },
];
