// The caller's organization as each operation finds it, and the lookups of roots, OUs and accounts within it.
import type { EntityRecord, StoreTx } from '../../store/store.js';
import type { OperationContext, Params } from '../operation.js';
import { notInUse, notManagement } from './errors.js';
import { accountArn, membershipId, ORG_KIND, ouArn, rootArn, targetTypeOf, type TargetType } from './kinds.js';

export interface Organization {
  readonly record: EntityRecord;
  readonly id: string;
  readonly management: string;
  readonly rootId: string;
}

/** The organization an account belongs to (its membership names the management account), or undefined. */
export async function organizationOfAccount(tx: StoreTx, account: string): Promise<Organization | undefined> {
  const membership = await tx.getById(ORG_KIND.account, membershipId(account));
  if (membership === undefined) return undefined;
  return organizationManagedBy(tx, membership.account);
}

/** The organization whose management account this is, or undefined. */
export async function organizationManagedBy(tx: StoreTx, management: string): Promise<Organization | undefined> {
  const [record] = await tx.list(ORG_KIND.organization, management);
  if (record === undefined) return undefined;
  return { record, id: record.key, management, rootId: record.data['rootId'] as string };
}

// One lookup per request: resource() and run() both need the caller's organization, in the same transaction.
const byRequest = new WeakMap<OperationContext, Promise<Organization | undefined>>();

export function callerOrganization(ctx: OperationContext): Promise<Organization | undefined> {
  let found = byRequest.get(ctx);
  if (found === undefined) byRequest.set(ctx, (found = organizationOfAccount(ctx.tx, ctx.account)));
  return found;
}

export async function requireOrganization(ctx: OperationContext): Promise<Organization> {
  const org = await callerOrganization(ctx);
  if (org === undefined) throw notInUse();
  return org;
}

// Requests of member accounts the organization's delegation policy allows (resource-policy.ts marks them).
const delegatedRequests = new WeakSet<OperationContext>();

export function markDelegated(ctx: OperationContext): void {
  delegatedRequests.add(ctx);
}

/** True when the caller is the management account, or a member its delegation policy allows this request. */
export const actsAsManagement = (ctx: OperationContext, org: Organization): boolean => org.management === ctx.account || delegatedRequests.has(ctx);

/** Only the management account may manage the organization, or a member account its delegation policy allows. */
export async function requireManagement(ctx: OperationContext): Promise<Organization> {
  const org = await requireOrganization(ctx);
  if (!actsAsManagement(ctx, org)) throw notManagement();
  return org;
}

/**
 * The resource an operation is authorized against, built from the caller's organization; `*` when the caller is in
 * none (the operation then answers AWSOrganizationsNotInUseException).
 */
export function orgResource(build: (org: Organization, ctx: OperationContext, p: Params) => string | Promise<string>): (ctx: OperationContext, p: Params) => Promise<string> {
  return async (ctx, p) => {
    const org = await callerOrganization(ctx);
    return org === undefined ? '*' : build(org, ctx, p);
  };
}

/** A root, OU or account of the organization, by its ID. */
export interface Node {
  readonly type: TargetType;
  readonly record: EntityRecord;
}

const KIND_OF: Readonly<Record<TargetType, string>> = { ROOT: ORG_KIND.root, ORGANIZATIONAL_UNIT: ORG_KIND.ou, ACCOUNT: ORG_KIND.account };

export async function findNode(tx: StoreTx, org: Organization, id: string): Promise<Node | undefined> {
  const type = targetTypeOf(id);
  if (type === undefined) return undefined;
  const record = await tx.get(KIND_OF[type], org.management, id);
  // Keys compare without case in the store; IDs are exact.
  return record !== undefined && record.key === id ? { type, record } : undefined;
}

/** A root or OU (the containers accounts and OUs live in). */
export async function findParent(tx: StoreTx, org: Organization, id: string): Promise<Node | undefined> {
  const node = await findNode(tx, org, id);
  return node?.type === 'ACCOUNT' ? undefined : node;
}

export function nodeArn(org: Organization, type: TargetType, id: string): string {
  switch (type) {
    case 'ROOT':
      return rootArn(org.management, org.id, id);
    case 'ORGANIZATIONAL_UNIT':
      return ouArn(org.management, org.id, id);
    case 'ACCOUNT':
      return accountArn(org.management, org.id, id);
  }
}

/** The ARN of whatever an ID names by its form, whether or not it exists (for authorization before lookup). */
export function arnOfId(org: Organization, id: string): string {
  const type = targetTypeOf(id);
  return type === undefined ? '*' : nodeArn(org, type, id);
}

/** Root first, the node itself last: the IDs from the root down to `node`. */
export async function ancestry(tx: StoreTx, org: Organization, node: Node): Promise<string[]> {
  const chain = [node.record.key];
  let parent = node.type === 'ROOT' ? '' : node.record.owner;
  // An OU tree is at most five levels deep; the bound keeps a corrupted cycle from looping.
  for (let i = 0; parent !== '' && i < 10; i++) {
    chain.unshift(parent);
    if (parent === org.rootId) break;
    const ou = await tx.get(ORG_KIND.ou, org.management, parent);
    parent = ou?.owner ?? '';
  }
  return chain;
}

/** The name a target shows in ListTargetsForPolicy: an OU's or account's own, the root's `Root`. */
export function nodeName(node: Node): string {
  return (node.record.data['name'] as string | undefined) ?? node.record.key;
}
