import type { EntityRecord } from '../../store/store.js';
import type { OperationContext, Params } from '../operation.js';
import { req, resolvedOr, str } from './common.js';
import { mustFindManagedPolicy } from './policy-lookup.js';
import { tagRequestKeys } from './tagging.js';

// Users and roles carry permissions boundaries the same way; each module only finds (and guards) its record.

export async function setBoundary(ctx: OperationContext, record: EntityRecord, p: Params): Promise<Record<string, unknown>> {
  const arn = req(p, 'PermissionsBoundary');
  await mustFindManagedPolicy(ctx, arn);
  await ctx.tx.update({ ...record, data: { ...record.data, permissionsBoundary: arn } });
  return {};
}

export async function clearBoundary(ctx: OperationContext, record: EntityRecord): Promise<Record<string, unknown>> {
  const { permissionsBoundary: _dropped, ...rest } = record.data;
  await ctx.tx.update({ ...record, data: rest });
  return {};
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
