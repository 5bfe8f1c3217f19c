import { randomUUID } from 'node:crypto';
import type { EntityRecord } from '../../store/store.js';
import { roleArn } from '../arns.js';
import { accessDenied, invalidInput, noSuchEntity, type ServiceError } from '../errors.js';
import { newId } from '../ids.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { req, str } from './common.js';
import { attachmentKey, inlineOwner, KIND, REL } from './kinds.js';
import { QUOTAS, checkAccountQuota } from './quotas.js';
import { linkedService, type LinkedService } from './service-linked-role-names.js';
import { DEFAULT_MAX_SESSION_DURATION, getRole, insertRole, isServiceLinked, roleResource, roleView, SERVICE_ROLE_PATH_PREFIX } from './roles.js';
import { forgetPrincipalAccess } from './access-advisor/records.js';

/** IAM's refusal of a principal it has no service-linked role template for (recorded AWS answer: AccessDenied). */
function noTemplate(servicePrincipal: string): ServiceError {
  return accessDenied(`Cannot find Service Linked Role template for ${servicePrincipal}`);
}

/** The trust policy IAM writes for a service-linked role: only the service may assume it. */
export function serviceTrustPolicy(servicePrincipal: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: [servicePrincipal] }, Action: ['sts:AssumeRole'] }],
  });
}

function roleNameFor(servicePrincipal: string, service: LinkedService, suffix: string | undefined): string {
  if (suffix === undefined) return service.roleName;
  if (service.customSuffix !== true) throw invalidInput(`Custom suffix is not allowed for ${servicePrincipal}`);
  return `${service.roleName}_${suffix}`;
}

/** The path IAM gives a service's linked roles. */
export const serviceRolePath = (servicePrincipal: string): string => `${SERVICE_ROLE_PATH_PREFIX}${servicePrincipal}/`;

/**
 * Creates the service-linked role of `servicePrincipal` as CreateServiceLinkedRole does: the name the service fixes
 * (with the suffix, when the service takes one), under the service's path, trusted by the service alone, with the
 * service's managed policy attached when the catalogue has it. Also used by features that create their service's
 * role themselves (enabling IAM role manager).
 */
export async function createLinkedRole(
  ctx: OperationContext,
  servicePrincipal: string,
  options: { readonly suffix?: string; readonly description?: string } = {},
): Promise<EntityRecord> {
  const service = linkedService(servicePrincipal);
  if (service === undefined) throw noTemplate(servicePrincipal);
  const name = roleNameFor(servicePrincipal, service, options.suffix);
  await checkAccountQuota(ctx, KIND.role, 'RolesPerAccount', QUOTAS.Roles);
  const record: EntityRecord = {
    kind: KIND.role,
    account: ctx.account,
    key: name,
    id: newId('AROA'),
    path: serviceRolePath(servicePrincipal),
    owner: '',
    created: ctx.now.toISOString(),
    data: {
      assumeRolePolicyDocument: serviceTrustPolicy(servicePrincipal),
      maxSessionDuration: DEFAULT_MAX_SESSION_DURATION,
      tags: [],
      serviceLinked: true,
      serviceName: servicePrincipal,
      ...(options.description !== undefined ? { description: options.description } : {}),
    },
  };
  await insertRole(ctx, record, () => invalidInput(`Service role name ${name} has been taken in this account, please try a different suffix.`));
  // The service's permissions come with the role, when the catalogue has the policy it documents.
  const policyName = service.policy;
  const policyArn = policyName === undefined ? undefined : `arn:aws:iam::aws:policy${SERVICE_ROLE_PATH_PREFIX}${policyName}`;
  if (policyArn !== undefined && ctx.services.awsManagedPolicies().get(policyArn) !== undefined) {
    await ctx.tx.link({ relation: REL.attached, account: ctx.account, from: attachmentKey('role', name), to: policyArn, created: record.created, data: {} });
  }
  return record;
}

async function createServiceLinkedRole(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const suffix = str(p, 'CustomSuffix');
  const description = str(p, 'Description');
  const record = await createLinkedRole(ctx, req(p, 'AWSServiceName'), {
    ...(suffix !== undefined ? { suffix } : {}),
    ...(description !== undefined ? { description } : {}),
  });
  return { Role: roleView(record, true) };
}

const TASK_ID = /^task\/aws-service-role\/([^/]+)\/([^/]+)\/([^/]+)$/;

async function deleteServiceLinkedRole(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getRole(ctx, req(p, 'RoleName'));
  if (!isServiceLinked(record)) throw invalidInput(`Role ${record.key} is not a service-linked role.`);
  const { tx, account } = ctx;
  const servicePrincipal = record.data['serviceName'] as string;
  const taskId = `task/aws-service-role/${servicePrincipal}/${record.key}/${randomUUID()}`;
  // No linked service here can hold the role in use, so the deletion completes at once.
  await tx.unlinkAll(REL.attached, account, { from: attachmentKey('role', record.key) });
  await tx.unlinkAll(REL.profileRole, account, { to: record.key });
  for (const inline of await tx.list(KIND.inlinePolicy, account, { owner: inlineOwner('role', record.key) })) {
    await tx.delete(KIND.inlinePolicy, account, inline.key);
  }
  await tx.delete(KIND.role, account, record.key);
  await forgetPrincipalAccess(tx, account, record.id);
  await tx.insert({
    kind: KIND.slrDeletion,
    account,
    key: taskId,
    id: taskId,
    path: '/',
    owner: record.key,
    created: ctx.now.toISOString(),
    data: { status: 'SUCCEEDED' },
  });
  return { DeletionTaskId: taskId };
}

async function getDeletionStatus(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const taskId = req(p, 'DeletionTaskId');
  if (!TASK_ID.test(taskId)) throw invalidInput(`Invalid deletion task id: ${taskId}`);
  const task = await ctx.tx.get(KIND.slrDeletion, ctx.account, taskId);
  if (task === undefined) throw noSuchEntity(`Deletion task ${taskId} cannot be found.`);
  return { Status: task.data['status'] as string };
}

/** The role a deletion task names: `task/aws-service-role/SERVICE/ROLE/UUID`. */
function taskRoleArn(ctx: OperationContext, taskId: string): string {
  const m = TASK_ID.exec(taskId);
  return m === null ? roleArn(ctx.account, SERVICE_ROLE_PATH_PREFIX, '') : roleArn(ctx.account, `${SERVICE_ROLE_PATH_PREFIX}${m[1]}/`, m[2] as string);
}

export const SERVICE_LINKED_ROLE_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'iam',
    name: 'CreateServiceLinkedRole',
    resource: (ctx, p) => {
      const servicePrincipal = req(p, 'AWSServiceName');
      const suffix = str(p, 'CustomSuffix');
      // A principal with no template names no role: the request is authorized against the service's path alone, and
      // the operation then refuses it.
      const base = linkedService(servicePrincipal)?.roleName ?? '';
      const name = base === '' || suffix === undefined ? base : `${base}_${suffix}`;
      return roleArn(ctx.account, serviceRolePath(servicePrincipal), name);
    },
    conditionKeys: (_ctx, p) => ({ 'iam:AWSServiceName': req(p, 'AWSServiceName') }),
    run: createServiceLinkedRole,
  },
  {
    service: 'iam',
    name: 'DeleteServiceLinkedRole',
    resource: (ctx, p) => roleResource(ctx, req(p, 'RoleName')),
    run: deleteServiceLinkedRole,
  },
  {
    service: 'iam',
    name: 'GetServiceLinkedRoleDeletionStatus',
    // The task as stored names the role as it was: the request's case does not decide.
    resource: async (ctx, p) => {
      const taskId = req(p, 'DeletionTaskId');
      return taskRoleArn(ctx, (await ctx.tx.get(KIND.slrDeletion, ctx.account, taskId))?.key ?? taskId);
    },
    run: getDeletionStatus,
  },
];
