import { timingSafeEqual } from 'node:crypto';
import { compilePolicies } from '../../policy/engine.js';
import type { EntityRecord, StoreTx } from '../../store/store.js';
import { instanceProfileArn, roleArn } from '../arns.js';
import type { Caller } from '../caller.js';
import { KIND } from '../iam/kinds.js';
import { currentTrustPolicy } from '../iam/trust-principals.js';
import type { CoreServices, OperationContext } from '../operation.js';
import { issueCredentials } from '../sts/credentials.js';
import { EC2_SERVICE, ECS_TASKS_SERVICE, instanceArn, isTaskId, profileRole, tokenDigest } from './registrations.js';

/**
 * What the IMDS and the container credentials endpoint hand out: role sessions that EC2 or ECS would have assumed
 * for the instance or task (`assumed-role/ROLE/i-…`, `assumed-role/ROLE/TASKID`), issued through the same session
 * tokens as STS's, and only while the role's trust policy lets that service assume it, as in AWS.
 */

export interface IssuedSession {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  readonly Expiration: Date;
  /** When these credentials were issued: IMDS's LastUpdated. */
  readonly issued: Date;
  readonly roleArn: string;
}

/** EC2 and ECS hand out credentials good for six hours, and a new set well before the old one expires. */
export const SESSION_SECONDS = 6 * 3600;
export const REFRESH_BEFORE_SECONDS = 3600;

// Issuing runs on nobody's request: the context's caller is the service itself.
const serviceCaller = (service: string): Caller => ({ kind: 'anonymous', account: '', arn: service, userId: service, accessKeyId: '' });

/** True when the role's trust policy (as IAM evaluates it now) lets the service principal assume it. */
export async function serviceMayAssume(tx: StoreTx, role: EntityRecord, service: string, now: Date, context: Record<string, string> = {}): Promise<boolean> {
  const set = compilePolicies({ resourcePolicy: { name: 'trust', document: await currentTrustPolicy(tx, role) } });
  const result = set.evaluate({
    principal: service,
    action: 'sts:AssumeRole',
    resource: roleArn(role.account, role.path, role.key),
    resourceAccount: role.account,
    time: now.toISOString(),
    context,
  });
  return result.decision === 'Allowed';
}

/** A role session named `sessionName`, for `durationSeconds`, carrying `context` into every decision it is used in. */
export function issueServiceSession(
  env: { tx: StoreTx; now: Date; services: CoreServices; service: string },
  role: EntityRecord,
  sessionName: string,
  context: Readonly<Record<string, string>> = {},
  durationSeconds = SESSION_SECONDS,
): IssuedSession {
  const ctx: OperationContext = { caller: serviceCaller(env.service), account: role.account, tx: env.tx, now: env.now, requestId: '', services: env.services };
  const arn = roleArn(role.account, role.path, role.key);
  const credentials = issueCredentials(
    ctx,
    {
      kind: 'assumedRole',
      account: role.account,
      arn: `arn:aws:sts::${role.account}:assumed-role/${role.key}/${sessionName}`,
      userId: `${role.id}:${sessionName}`,
      roleArn: arn,
      roleName: role.key,
      sessionName,
      ...(Object.keys(context).length > 0 ? { federatedContext: context } : {}),
    },
    durationSeconds,
  );
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration: expiration } = credentials.Credentials;
  return {
    AccessKeyId,
    SecretAccessKey,
    SessionToken,
    Expiration: expiration,
    issued: new Date(expiration.getTime() - durationSeconds * 1000),
    roleArn: arn,
  };
}

/** What an instance's IMDS can say about its IAM side right now. */
export type InstanceState =
  /** Not registered (never, or deregistered since). */
  | { readonly state: 'gone' }
  | {
      readonly state: 'registered';
      readonly instance: EntityRecord;
      readonly httpTokens: 'required' | 'optional';
      /** The profile it was registered with, while it exists (a profile recreated under the name is another one). */
      readonly profile?: { readonly arn: string; readonly id: string };
      /** The profile's role, if it has one. */
      readonly role?: EntityRecord;
      /** Whether EC2 may assume that role (its trust policy names ec2.amazonaws.com). */
      readonly trusted: boolean;
    };

export async function instanceState(tx: StoreTx, instanceId: string, now: Date): Promise<InstanceState> {
  const instance = await tx.getById(KIND.ec2Instance, instanceId);
  if (instance === undefined || instance.kind !== KIND.ec2Instance) return { state: 'gone' };
  const httpTokens = instance.data['httpTokens'] === 'optional' ? 'optional' : 'required';
  const found = await tx.get(KIND.instanceProfile, instance.account, instance.data['instanceProfileName'] as string);
  if (found === undefined || found.id !== instance.data['instanceProfileId']) return { state: 'registered', instance, httpTokens, trusted: false };
  const profile = { arn: instanceProfileArn(found.account, found.path, found.key), id: found.id };
  const role = await profileRole({ tx }, found);
  if (role === undefined) return { state: 'registered', instance, httpTokens, profile, trusted: false };
  return { state: 'registered', instance, httpTokens, profile, role, trusted: await serviceMayAssume(tx, role, EC2_SERVICE, now) };
}

/** The context keys an instance's role sessions carry: EC2's ec2:SourceInstanceARN. */
export function instanceSessionContext(instance: EntityRecord): Record<string, string> {
  return { 'ec2:SourceInstanceARN': instanceArn(instance.data['region'] as string, instance.account, instance.key) };
}

export type ContainerState =
  /** Unknown task, or a token that is not its token: told apart by nobody. */
  | { readonly state: 'refused' }
  | { readonly state: 'registered'; readonly task: EntityRecord; readonly role?: EntityRecord; readonly trusted: boolean };

// Compared against when the task is unknown, so that an unknown task costs what a wrong token does.
const NO_DIGEST = Buffer.alloc(32);

/**
 * The task and its role, when `token` is the task's authorization token (compared by digest, in constant time).
 * The role is the one registered: deleted, or created again under its name, it is no longer there.
 */
export async function containerState(tx: StoreTx, taskId: string, token: string | undefined, now: Date): Promise<ContainerState> {
  const task = isTaskId(taskId) ? await tx.getById(KIND.containerTask, taskId) : undefined;
  const stored = task !== undefined && task.kind === KIND.containerTask ? Buffer.from(task.data['tokenDigest'] as string, 'hex') : NO_DIGEST;
  const given = tokenDigest(token ?? '');
  const matches = stored.length === given.length && timingSafeEqual(stored, given);
  if (task === undefined || task.kind !== KIND.containerTask || token === undefined || token === '' || !matches) return { state: 'refused' };
  const found = await tx.get(KIND.role, task.account, task.data['roleName'] as string);
  if (found === undefined || found.id !== task.data['roleId']) return { state: 'registered', task, trusted: false };
  // ECS passes the task's account as aws:SourceAccount, which trust policies use against the confused deputy.
  const trusted = await serviceMayAssume(tx, found, ECS_TASKS_SERVICE, now, { 'aws:SourceAccount': task.account });
  return { state: 'registered', task, role: found, trusted };
}
