import { createHash, randomBytes } from 'node:crypto';
import type { EntityRecord } from '../../store/store.js';
import { instanceProfileArn, roleArn } from '../arns.js';
import { accessDenied, noSuchEntity, ServiceError, validationError } from '../errors.js';
import { KIND, REL } from '../iam/kinds.js';
import { quotaExceeded } from '../iam/quotas.js';
import type { AlsoRequired, OperationContext } from '../operation.js';

/**
 * Registering an "instance" (with an instance profile, served by its own IMDS) or a container (with a task role,
 * served by the container credentials endpoint). Either hands the role's credentials to whatever runs there, which
 * is what launching an EC2 instance or an ECS task does in AWS: so it takes iam:PassRole on the role, with
 * iam:PassedToService naming the service that will assume it. The HTTP side decides with the policy engine; this
 * module says what must be allowed and keeps the records.
 */

export const EC2_SERVICE = 'ec2.amazonaws.com';
export const ECS_TASKS_SERVICE = 'ecs-tasks.amazonaws.com';

/** Per account; Gatehouse's own limits (each instance holds a listening port). */
export const INSTANCES_PER_ACCOUNT = 100;
export const CONTAINERS_PER_ACCOUNT = 1000;

export type HttpTokens = 'required' | 'optional';

/** Asks the policy engine; throws AccessDenied when the caller may not. */
export type Authorize = (check: AlsoRequired) => Promise<void>;

const PROFILE_NAME = /^[\w+=,.@-]{1,128}$/;
const INSTANCE_ID = /^i-[0-9a-f]{17}$/;
const TASK_ID = /^[0-9a-f]{32}$/;
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/(?:[^/]+\/)*)([^/]+)$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** EC2's form since 2016: `i-` and 17 hexadecimal digits. */
export function newInstanceId(): string {
  return `i-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

export const isInstanceId = (text: string): boolean => INSTANCE_ID.test(text);
export const isTaskId = (text: string): boolean => TASK_ID.test(text);

export function instanceArn(region: string, account: string, instanceId: string): string {
  return `arn:aws:ec2:${region}:${account}:instance/${instanceId}`;
}

/** The SHA-256 of a container's authorization token, which is all the store keeps of it. */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

const instanceNotFound = (id: string): ServiceError => new ServiceError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`, 400);
const taskNotFound = (id: string): ServiceError => new ServiceError('InvalidTaskID.NotFound', `The task ID '${id}' does not exist`, 400);

function checkRegion(region: string): void {
  if (!REGION.test(region)) throw validationError(`The Region ${JSON.stringify(region)} is not a Region name`);
}

/** The role an instance profile holds (IAM allows one), if any. */
export async function profileRole(ctx: Pick<OperationContext, 'tx'>, profile: EntityRecord): Promise<EntityRecord | undefined> {
  const [link] = await ctx.tx.links(REL.profileRole, profile.account, { from: profile.key });
  return link === undefined ? undefined : ctx.tx.get(KIND.role, profile.account, link.to);
}

export const arnOfRecord = (role: EntityRecord): string => roleArn(role.account, role.path, role.key);

export interface InstanceInput {
  readonly instanceProfileName: string;
  readonly httpTokens: HttpTokens;
  /** The port its IMDS listens on (already bound by the caller). */
  readonly port: number;
  /** The Region of the registration request's signature: the instance's Region in its ARN. */
  readonly region: string;
}

export interface InstanceRegistration {
  readonly instanceId: string;
  readonly instanceProfileArn: string;
  readonly roleArn: string;
  readonly httpTokens: HttpTokens;
  readonly port: number;
}

export async function registerInstance(ctx: OperationContext, input: InstanceInput, authorize: Authorize, instanceId = newInstanceId()): Promise<InstanceRegistration> {
  const name = input.instanceProfileName;
  if (!PROFILE_NAME.test(name)) throw validationError(`The instance profile name ${JSON.stringify(name)} must be 1-128 characters of letters, digits and +=,.@_-`);
  checkRegion(input.region);
  const profile = await ctx.tx.get(KIND.instanceProfile, ctx.account, name);
  if (profile === undefined) throw noSuchEntity(`Instance Profile ${name} cannot be found.`);
  const role = await profileRole(ctx, profile);
  // AWS launches with an empty profile; here nobody would have passed the role that is added later, so refuse.
  if (role === undefined) throw new ServiceError('InvalidInput', `The instance profile ${profile.key} has no role: add one (iam add-role-to-instance-profile) first.`, 400);
  const arn = arnOfRecord(role);
  const ec2Arn = instanceArn(input.region, ctx.account, instanceId);
  await authorize({ action: 'iam:PassRole', resource: arn, conditionKeys: { 'iam:PassedToService': EC2_SERVICE, 'iam:AssociatedResourceArn': ec2Arn } });
  if ((await ctx.tx.count(KIND.ec2Instance, ctx.account)) >= INSTANCES_PER_ACCOUNT) throw quotaExceeded('InstancesPerAccount', INSTANCES_PER_ACCOUNT);
  const created = ctx.now.toISOString();
  await ctx.tx.insert({
    kind: KIND.ec2Instance,
    account: ctx.account,
    key: instanceId,
    id: instanceId,
    path: '/',
    owner: '',
    created,
    data: {
      instanceProfileName: profile.key,
      instanceProfileId: profile.id,
      roleArn: arn,
      httpTokens: input.httpTokens,
      port: input.port,
      region: input.region,
      registeredBy: ctx.caller.arn,
    },
  });
  await ctx.tx.insert({ kind: KIND.instanceIndex, account: '', key: instanceId, id: `index:${instanceId}`, path: '/', owner: '', created, data: { account: ctx.account, port: input.port } });
  return { instanceId, instanceProfileArn: instanceProfileArn(profile.account, profile.path, profile.key), roleArn: arn, httpTokens: input.httpTokens, port: input.port };
}

/**
 * Whoever may register an instance with its profile's role may also take the instance away: iam:PassRole on the
 * role the profile holds now (or held at registration, when it holds none).
 */
export async function deregisterInstance(ctx: OperationContext, instanceId: string, authorize: Authorize): Promise<{ readonly instanceId: string; readonly port: number }> {
  if (!isInstanceId(instanceId)) throw instanceNotFound(instanceId);
  const record = await ctx.tx.get(KIND.ec2Instance, ctx.account, instanceId);
  if (record === undefined) throw instanceNotFound(instanceId);
  const profile = await ctx.tx.get(KIND.instanceProfile, ctx.account, record.data['instanceProfileName'] as string);
  const role = profile !== undefined && profile.id === record.data['instanceProfileId'] ? await profileRole(ctx, profile) : undefined;
  const arn = role !== undefined ? arnOfRecord(role) : (record.data['roleArn'] as string);
  const ec2Arn = instanceArn(record.data['region'] as string, ctx.account, instanceId);
  await authorize({ action: 'iam:PassRole', resource: arn, conditionKeys: { 'iam:PassedToService': EC2_SERVICE, 'iam:AssociatedResourceArn': ec2Arn } });
  await ctx.tx.delete(KIND.ec2Instance, ctx.account, instanceId);
  await ctx.tx.delete(KIND.instanceIndex, '', instanceId);
  return { instanceId, port: record.data['port'] as number };
}

export interface ContainerRegistration {
  readonly taskId: string;
  readonly roleArn: string;
  /** Shown once: the store keeps only its digest. */
  readonly authorizationToken: string;
}

export async function registerContainer(ctx: OperationContext, input: { readonly roleArn: string; readonly region: string }, authorize: Authorize): Promise<ContainerRegistration> {
  const m = ROLE_ARN.exec(input.roleArn);
  if (m === null) throw validationError(`The role ARN ${JSON.stringify(input.roleArn)} is not valid`);
  checkRegion(input.region);
  const [, account, path, name] = m as unknown as [string, string, string, string];
  // As ECS: a task's role is a role of the task's account.
  if (account !== ctx.account) throw accessDenied(`A container of account ${ctx.account} cannot be given role ${input.roleArn} of another account.`);
  const found = await ctx.tx.get(KIND.role, account, name);
  const role = found !== undefined && found.path === path ? found : undefined;
  // Decided on the role's stored ARN when it exists, so a Deny on it holds however the request spells the name.
  await authorize({ action: 'iam:PassRole', resource: role !== undefined ? arnOfRecord(role) : input.roleArn, conditionKeys: { 'iam:PassedToService': ECS_TASKS_SERVICE } });
  if (role === undefined) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  if ((await ctx.tx.count(KIND.containerTask, ctx.account)) >= CONTAINERS_PER_ACCOUNT) throw quotaExceeded('ContainersPerAccount', CONTAINERS_PER_ACCOUNT);
  const taskId = randomBytes(16).toString('hex');
  const authorizationToken = randomBytes(32).toString('base64url');
  await ctx.tx.insert({
    kind: KIND.containerTask,
    account: ctx.account,
    key: taskId,
    id: taskId,
    path: '/',
    owner: '',
    created: ctx.now.toISOString(),
    data: {
      roleName: role.key,
      rolePath: role.path,
      // The role as it is now: one deleted and created again under the same name is not the role that was passed.
      roleId: role.id,
      tokenDigest: tokenDigest(authorizationToken).toString('hex'),
      region: input.region,
      registeredBy: ctx.caller.arn,
    },
  });
  return { taskId, roleArn: arnOfRecord(role), authorizationToken };
}

export async function deregisterContainer(ctx: OperationContext, taskId: string, authorize: Authorize): Promise<{ readonly taskId: string }> {
  if (!isTaskId(taskId)) throw taskNotFound(taskId);
  const record = await ctx.tx.get(KIND.containerTask, ctx.account, taskId);
  if (record === undefined) throw taskNotFound(taskId);
  const arn = roleArn(ctx.account, record.data['rolePath'] as string, record.data['roleName'] as string);
  await authorize({ action: 'iam:PassRole', resource: arn, conditionKeys: { 'iam:PassedToService': ECS_TASKS_SERVICE } });
  await ctx.tx.delete(KIND.containerTask, ctx.account, taskId);
  return { taskId };
}
