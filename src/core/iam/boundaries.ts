import type { EntityRecord, StoreTx } from '../../store/store.js';
import { policyArn } from '../arns.js';
import type { OperationContext, Params } from '../operation.js';
import { req, resolvedOr, str } from './common.js';
import { KIND } from './kinds.js';
import { findManagedPolicy, managedPolicyDocument, mustFindManagedPolicy, type PolicyLookupContext } from './policy-lookup.js';
import { tagRequestKeys } from './tagging.js';

// Users and roles carry permissions boundaries the same way; each module only finds (and guards) its record.
//
// A boundary is stored as the policy it named, not as the text of the request: the canonical ARN (what Get… and the
// usage counts show, whatever case the request used) and the policy's unique ID. A boundary that stops naming an
// existing policy with that ID must not silently stop limiting its principal: the authorizer then allows nothing.

/** What a user's or role's data holds for its boundary. */
export interface BoundaryData {
  readonly permissionsBoundary: string;
  readonly permissionsBoundaryId: string;
}

/** The boundary data for the policy an ARN names (its name in any case); NoSuchEntity when there is none. */
export async function boundaryData(ctx: OperationContext, arn: string): Promise<BoundaryData> {
  const policy = await mustFindManagedPolicy(ctx, arn);
  const canonical = policy.record !== undefined ? policyArn(policy.record.account, policy.record.path, policy.record.key) : (policy.aws?.arn ?? policy.arn);
  return { permissionsBoundary: canonical, permissionsBoundaryId: policy.id };
}

export async function setBoundary(ctx: OperationContext, record: EntityRecord, p: Params): Promise<Record<string, unknown>> {
  const boundary = await boundaryData(ctx, req(p, 'PermissionsBoundary'));
  await ctx.tx.update({ ...record, data: { ...record.data, ...boundary } });
  return {};
}

export async function clearBoundary(ctx: OperationContext, record: EntityRecord): Promise<Record<string, unknown>> {
  const { permissionsBoundary: _dropped, permissionsBoundaryId: _droppedId, ...rest } = record.data;
  await ctx.tx.update({ ...record, data: rest });
  return {};
}

/** The boundary a user's or role's record sets, if any. Data written before IDs were kept has only the ARN. */
export function storedBoundary(record: EntityRecord): { readonly arn: string; readonly id: string | undefined } | undefined {
  const arn = record.data['permissionsBoundary'];
  if (typeof arn !== 'string') return undefined;
  const id = record.data['permissionsBoundaryId'];
  return { arn, id: typeof id === 'string' ? id : undefined };
}

/**
 * The canonical ARN and default document of a stored boundary's policy, or undefined when it cannot be resolved:
 * no policy of that name (in any case), another policy of the same name (another ID), or no default document.
 * Callers must then treat the boundary as allowing nothing.
 */
export async function boundaryDocument(
  ctx: PolicyLookupContext,
  boundary: { readonly arn: string; readonly id: string | undefined },
): Promise<{ readonly arn: string; readonly document: string } | undefined> {
  const policy = await findManagedPolicy(ctx, boundary.arn);
  if (policy === undefined || (boundary.id !== undefined && policy.id !== boundary.id)) return undefined;
  const arn = policy.record !== undefined ? policyArn(policy.record.account, policy.record.path, policy.record.key) : policy.arn;
  const document = await managedPolicyDocument(ctx, arn);
  return document === undefined ? undefined : { arn, document };
}

/**
 * True when a user or role of the account has this customer managed policy as its boundary: by ID, or by ARN in any
 * case for data written before IDs were kept.
 */
export async function usedAsBoundary(tx: StoreTx, policy: EntityRecord): Promise<boolean> {
  const arn = policyArn(policy.account, policy.path, policy.key).toLowerCase();
  for (const kind of [KIND.user, KIND.role]) {
    for (const record of await tx.list(kind, policy.account)) {
      const boundary = storedBoundary(record);
      if (boundary !== undefined && (boundary.id !== undefined ? boundary.id === policy.id : boundary.arn.toLowerCase() === arn)) return true;
    }
  }
  return false;
}

/** `iam:PermissionsBoundary` of a Put…PermissionsBoundary request: the policy's ARN as stored (resource() resolved it). */
export const boundaryRequestKeys = (ctx: OperationContext, p: Params): Record<string, string | string[]> => ({
  'iam:PermissionsBoundary': resolvedOr(ctx, 'PermissionsBoundary', req(p, 'PermissionsBoundary')),
});

/** A CreateUser/CreateRole request's keys: its tags, and the boundary it sets, if any. */
export const createRequestKeys = (ctx: OperationContext, p: Params): Record<string, string | string[]> => {
  const boundary = str(p, 'PermissionsBoundary');
  return { ...tagRequestKeys(ctx, p), ...(boundary !== undefined ? { 'iam:PermissionsBoundary': resolvedOr(ctx, 'PermissionsBoundary', boundary) } : {}) };
};
