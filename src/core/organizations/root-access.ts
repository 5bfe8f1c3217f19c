// IAM's centralized root access for member accounts: EnableOrganizationsRootCredentialsManagement,
// DisableOrganizationsRootCredentialsManagement, EnableOrganizationsRootSessions, DisableOrganizationsRootSessions,
// ListOrganizationsFeatures (IAM operations, Query protocol). The features are the organization's, kept on its record;
// enabling them takes the management account and trusted access for iam.amazonaws.com, as AWS requires. STS AssumeRoot
// reads them (src/core/sts/assume-root.ts).
import { ServiceError } from '../errors.js';
import type { OperationContext, OperationDefinition } from '../operation.js';
import { callerOrganization, type Organization } from './context.js';
import { isDelegatedAdministrator, serviceAccessEnabled } from './service-access.js';

export const IAM_SERVICE_PRINCIPAL = 'iam.amazonaws.com';
export type RootAccessFeature = 'RootCredentialsManagement' | 'RootSessions';

// IAM's errors for these operations: the error structure's name as the code, HTTP 400, the API reference's text.
const iamError = (code: string, message: string): ServiceError => new ServiceError(code, message, 400);
const organizationNotFound = (): ServiceError => iamError('OrganizationNotFoundException', 'The request was rejected because no organization is associated with your account.');
const notManagementOrDelegated = (): ServiceError =>
  iamError(
    'AccountNotManagementOrDelegatedAdministratorException',
    'The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.',
  );
const callerNotManagement = (): ServiceError =>
  iamError('CallerIsNotManagementAccountException', 'The request was rejected because the account making the request is not the management account for the organization.');
const notAllFeatures = (): ServiceError =>
  iamError(
    'OrganizationNotInAllFeaturesModeException',
    'The request was rejected because your organization does not have All features enabled. For more information, see Available feature sets in the AWS Organizations User Guide.',
  );
const serviceAccessNotEnabled = (): ServiceError =>
  iamError(
    'ServiceAccessNotEnabledException',
    'The request was rejected because trusted access is not enabled for IAM in AWS Organizations. For details, see IAM and AWS Organizations in the AWS Organizations User Guide.',
  );

/** The features enabled, in AWS's order. */
export function rootAccessFeatures(org: Organization): RootAccessFeature[] {
  const stored = (org.record.data['iamFeatures'] as RootAccessFeature[] | undefined) ?? [];
  return (['RootCredentialsManagement', 'RootSessions'] as const).filter((f) => stored.includes(f));
}

/**
 * True when `account` may use centralized root access in its organization: the management account, or the delegated
 * administrator for IAM (both read from the store, never from the request).
 */
export async function isRootAccessAdministrator(ctx: OperationContext, org: Organization, account: string): Promise<boolean> {
  return account === org.management || (await isDelegatedAdministrator(ctx.tx, org, account, IAM_SERVICE_PRINCIPAL));
}

/** The caller's organization once the checks every one of these operations makes have passed. */
async function checked(ctx: OperationContext, managementOnly: boolean): Promise<Organization> {
  const org = await callerOrganization(ctx);
  if (org === undefined) throw organizationNotFound();
  if (ctx.account !== org.management) {
    const delegated = await isDelegatedAdministrator(ctx.tx, org, ctx.account, IAM_SERVICE_PRINCIPAL);
    if (!delegated) throw notManagementOrDelegated();
    if (managementOnly) throw callerNotManagement();
  }
  if (org.record.data['featureSet'] !== 'ALL') throw notAllFeatures();
  if (!serviceAccessEnabled(org, IAM_SERVICE_PRINCIPAL)) throw serviceAccessNotEnabled();
  return org;
}

function view(org: Organization, features: readonly RootAccessFeature[]): Record<string, unknown> {
  return { OrganizationId: org.id, EnabledFeatures: [...features] };
}

function toggle(feature: RootAccessFeature, on: boolean) {
  return async (ctx: OperationContext): Promise<Record<string, unknown>> => {
    // Only the management account enables a feature; its delegated administrator may disable one.
    const org = await checked(ctx, on);
    const current = rootAccessFeatures(org);
    const next = on ? [...new Set([...current, feature])] : current.filter((f) => f !== feature);
    await ctx.tx.update({ ...org.record, data: { ...org.record.data, iamFeatures: next } });
    return view(org, rootAccessFeatures({ ...org, record: { ...org.record, data: { ...org.record.data, iamFeatures: next } } }));
  };
}

async function listOrganizationsFeatures(ctx: OperationContext): Promise<Record<string, unknown>> {
  const org = await checked(ctx, false);
  return view(org, rootAccessFeatures(org));
}

export const ROOT_ACCESS_OPERATIONS: readonly OperationDefinition[] = [
  { service: 'iam', name: 'EnableOrganizationsRootCredentialsManagement', resource: () => '*', run: toggle('RootCredentialsManagement', true) },
  { service: 'iam', name: 'DisableOrganizationsRootCredentialsManagement', resource: () => '*', run: toggle('RootCredentialsManagement', false) },
  { service: 'iam', name: 'EnableOrganizationsRootSessions', resource: () => '*', run: toggle('RootSessions', true) },
  { service: 'iam', name: 'DisableOrganizationsRootSessions', resource: () => '*', run: toggle('RootSessions', false) },
  { service: 'iam', name: 'ListOrganizationsFeatures', resource: () => '*', run: listOrganizationsFeatures },
];
