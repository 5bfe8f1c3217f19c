// CreateOrganization, DescribeOrganization, DeleteOrganization.
import { DuplicateKeyError, type EntityRecord } from '../../store/store.js';
import { KIND } from '../iam/kinds.js';
import { str } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { callerOrganization, requireManagement, requireOrganization, type Organization } from './context.js';
import { alreadyInOrganization, organizationNotEmpty } from './errors.js';
import { accountArn, membershipId, newOrganizationId, newRootId, organizationArn, ORG_KIND, ORG_REL } from './kinds.js';

export const MEMBERSHIP_STATUS = { active: 'ACTIVE', suspended: 'SUSPENDED' } as const;

/**
 * The management account's name and email as Organizations shows them. Gatehouse is not told either: the name is the
 * account's alias (or its ID), the email an address under the reserved `.invalid` domain that reaches nobody.
 */
async function managementIdentity(ctx: OperationContext): Promise<{ name: string; email: string }> {
  const [alias] = await ctx.tx.list(KIND.accountAlias, ctx.account);
  return { name: alias?.key ?? ctx.account, email: `${ctx.account}@gatehouse.invalid` };
}

function organizationView(org: Organization, managementEmail: string | undefined): Record<string, unknown> {
  const featureSet = org.record.data['featureSet'] as string;
  return {
    Id: org.id,
    Arn: organizationArn(org.management, org.id),
    FeatureSet: featureSet,
    MasterAccountArn: accountArn(org.management, org.id, org.management),
    MasterAccountId: org.management,
    ...(managementEmail !== undefined ? { MasterAccountEmail: managementEmail } : {}),
    // Deprecated in the API: AWS still lists SCPs as available in an organization with all features.
    AvailablePolicyTypes: featureSet === 'ALL' ? [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] : [],
  };
}

async function managementEmail(ctx: OperationContext, org: Organization): Promise<string | undefined> {
  const membership = await ctx.tx.get(ORG_KIND.account, org.management, org.management);
  return membership?.data['email'] as string | undefined;
}

async function createOrganization(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  if ((await callerOrganization(ctx)) !== undefined) throw alreadyInOrganization();
  const featureSet = str(p, 'FeatureSet') ?? 'ALL';
  const orgId = newOrganizationId();
  const rootId = newRootId();
  const created = ctx.now.toISOString();
  const identity = await managementIdentity(ctx);
  const base = { account: ctx.account, path: '/', created };
  try {
    // The membership first: its entity ID is unique per account, so a concurrent CreateOrganization (or an invitation
    // accepted meanwhile) fails here rather than leaving two organizations.
    await ctx.tx.insert({
      ...base,
      kind: ORG_KIND.account,
      key: ctx.account,
      id: membershipId(ctx.account),
      owner: rootId,
      data: { name: identity.name, email: identity.email, status: MEMBERSHIP_STATUS.active, joinedMethod: 'INVITED', joinedTimestamp: created, tags: [] },
    });
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw alreadyInOrganization();
    throw error;
  }
  const record: EntityRecord = { ...base, kind: ORG_KIND.organization, key: orgId, id: orgId, owner: '', data: { featureSet, rootId } };
  await ctx.tx.insert(record);
  await ctx.tx.insert({ ...base, kind: ORG_KIND.root, key: rootId, id: `${orgId}/${rootId}`, owner: '', data: { name: 'Root', policyTypes: [], tags: [] } });
  return { Organization: organizationView({ record, id: orgId, management: ctx.account, rootId }, identity.email) };
}

async function describeOrganization(ctx: OperationContext): Promise<Record<string, unknown>> {
  const org = await requireOrganization(ctx);
  return { Organization: organizationView(org, await managementEmail(ctx, org)) };
}

/**
 * Only the management account may delete its organization, and only once every member account has left or been
 * closed. Everything of the organization goes with it: root, OUs, policies, attachments, create-account requests,
 * invitations, delegated administrators.
 * The accounts themselves (and the roles in them) stay, as in AWS.
 */
async function deleteOrganization(ctx: OperationContext): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const { tx, account } = ctx;
  const members = await tx.list(ORG_KIND.account, account);
  if (members.some((m) => m.key !== account && m.data['status'] !== MEMBERSHIP_STATUS.suspended)) throw organizationNotEmpty();
  for (const link of await tx.links(ORG_REL.attached, account)) await tx.unlink(ORG_REL.attached, account, link.from, link.to);
  // Invitations and delegations go too: a later organization of the same management account must not inherit them
  // (an old invitation would otherwise be accepted into it, an old delegation act in it).
  const kinds = [ORG_KIND.policy, ORG_KIND.ou, ORG_KIND.createAccountStatus, ORG_KIND.handshake, ORG_KIND.delegatedAdministrator, ORG_KIND.resourcePolicy, ORG_KIND.account, ORG_KIND.root];
  for (const kind of kinds) {
    for (const record of await tx.list(kind, account)) await tx.delete(kind, account, record.key);
  }
  await tx.delete(ORG_KIND.organization, account, org.id);
  return {};
}

export const ORGANIZATION_OPERATIONS: readonly OperationDefinition[] = [
  { service: 'organizations', name: 'CreateOrganization', resource: () => '*', run: createOrganization },
  { service: 'organizations', name: 'DescribeOrganization', resource: () => '*', run: describeOrganization },
  { service: 'organizations', name: 'DeleteOrganization', resource: () => '*', run: deleteOrganization },
];
