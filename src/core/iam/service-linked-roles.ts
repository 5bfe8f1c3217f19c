import { randomUUID } from 'node:crypto';
import type { EntityRecord } from '../../store/store.js';
import { roleArn } from '../arns.js';
import { invalidInput, noSuchEntity } from '../errors.js';
import { newId } from '../ids.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { req, str } from './common.js';
import { attachmentKey, inlineOwner, KIND, REL } from './kinds.js';
import { QUOTAS, checkAccountQuota } from './quotas.js';
import { DEFAULT_MAX_SESSION_DURATION, getRole, insertRole, isServiceLinked, roleResource, roleView, SERVICE_ROLE_PATH_PREFIX } from './roles.js';

interface LinkedService {
  /** The role name before any custom suffix. */
  readonly roleName: string;
  /** The AWS managed policy (under `/aws-service-role/`) the service attaches to its role. */
  readonly policy?: string;
  /** Whether the service accepts a CustomSuffix (most do not). */
  readonly customSuffix?: boolean;
}

// Role names and permissions policies as the services' own service-linked role pages document them. Services not
// listed get the general form `AWSServiceRoleFor` + the service name, which is what most services use.
const LINKED_SERVICES: Readonly<Record<string, LinkedService>> = {
  'access-analyzer.amazonaws.com': { roleName: 'AWSServiceRoleForAccessAnalyzer', policy: 'AccessAnalyzerServiceRolePolicy' },
  'autoscaling.amazonaws.com': { roleName: 'AWSServiceRoleForAutoScaling', policy: 'AutoScalingServiceRolePolicy', customSuffix: true },
  'backup.amazonaws.com': { roleName: 'AWSServiceRoleForBackup', policy: 'AWSBackupServiceLinkedRolePolicyForBackup' },
  'cloudtrail.amazonaws.com': { roleName: 'AWSServiceRoleForCloudTrail', policy: 'CloudTrailServiceRolePolicy' },
  'compute-optimizer.amazonaws.com': { roleName: 'AWSServiceRoleForComputeOptimizer', policy: 'ComputeOptimizerServiceRolePolicy' },
  'config.amazonaws.com': { roleName: 'AWSServiceRoleForConfig', policy: 'AWSConfigServiceRolePolicy' },
  'dynamodb.application-autoscaling.amazonaws.com': {
    roleName: 'AWSServiceRoleForApplicationAutoScaling_DynamoDBTable',
    policy: 'AWSApplicationAutoscalingDynamoDBTablePolicy',
  },
  'ecs.amazonaws.com': { roleName: 'AWSServiceRoleForECS', policy: 'AmazonECSServiceRolePolicy' },
  'ecs.application-autoscaling.amazonaws.com': {
    roleName: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
    policy: 'AWSApplicationAutoscalingECSServicePolicy',
  },
  'eks.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonEKS', policy: 'AmazonEKSServiceRolePolicy' },
  'elasticache.amazonaws.com': { roleName: 'AWSServiceRoleForElastiCache', policy: 'ElastiCacheServiceRolePolicy' },
  'elasticbeanstalk.amazonaws.com': { roleName: 'AWSServiceRoleForElasticBeanstalk', policy: 'AWSElasticBeanstalkServiceRolePolicy' },
  'elasticloadbalancing.amazonaws.com': {
    roleName: 'AWSServiceRoleForElasticLoadBalancing',
    policy: 'AWSElasticLoadBalancingServiceRolePolicy',
  },
  'es.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonElasticsearchService', policy: 'AmazonElasticsearchServiceRolePolicy' },
  'fsx.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonFSx', policy: 'AmazonFSxServiceRolePolicy' },
  'globalaccelerator.amazonaws.com': { roleName: 'AWSServiceRoleForGlobalAccelerator', policy: 'AWSGlobalAcceleratorSLRPolicy' },
  'guardduty.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonGuardDuty', policy: 'AmazonGuardDutyServiceRolePolicy' },
  'inspector2.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonInspector2', policy: 'AmazonInspector2ServiceRolePolicy' },
  'kafka.amazonaws.com': { roleName: 'AWSServiceRoleForKafka', policy: 'KafkaServiceRolePolicy' },
  'macie.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonMacie', policy: 'AmazonMacieServiceRolePolicy' },
  'opensearchservice.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonOpenSearchService', policy: 'AmazonOpenSearchServiceRolePolicy' },
  'ops.apigateway.amazonaws.com': { roleName: 'AWSServiceRoleForAPIGateway', policy: 'APIGatewayServiceRolePolicy' },
  'organizations.amazonaws.com': { roleName: 'AWSServiceRoleForOrganizations', policy: 'AWSOrganizationsServiceTrustPolicy' },
  'rds.amazonaws.com': { roleName: 'AWSServiceRoleForRDS', policy: 'AmazonRDSServiceRolePolicy' },
  'redshift.amazonaws.com': { roleName: 'AWSServiceRoleForRedshift', policy: 'AmazonRedshiftServiceLinkedRolePolicy' },
  'replicator.lambda.amazonaws.com': { roleName: 'AWSServiceRoleForLambdaReplicator', policy: 'AWSLambdaReplicator' },
  'securityhub.amazonaws.com': { roleName: 'AWSServiceRoleForSecurityHub', policy: 'AWSSecurityHubServiceRolePolicy' },
  'spot.amazonaws.com': { roleName: 'AWSServiceRoleForEC2Spot', policy: 'AWSEC2SpotServiceRolePolicy' },
  'spotfleet.amazonaws.com': { roleName: 'AWSServiceRoleForEC2SpotFleet', policy: 'AWSEC2SpotFleetServiceRolePolicy' },
  'ssm.amazonaws.com': { roleName: 'AWSServiceRoleForAmazonSSM', policy: 'AmazonSSMServiceRolePolicy' },
  'sso.amazonaws.com': { roleName: 'AWSServiceRoleForSSO', policy: 'AWSSSOServiceRolePolicy' },
  'support.amazonaws.com': { roleName: 'AWSServiceRoleForSupport', policy: 'AWSSupportServiceRolePolicy' },
  'transitgateway.amazonaws.com': { roleName: 'AWSServiceRoleForVPCTransitGateway', policy: 'AWSVPCTransitGatewayServiceRolePolicy' },
  'trustedadvisor.amazonaws.com': { roleName: 'AWSServiceRoleForTrustedAdvisor', policy: 'AWSTrustedAdvisorServiceRolePolicy' },
};

const SERVICE_PRINCIPAL = /^([a-z0-9-]+\.)+amazonaws\.com(\.cn)?$/;

/** The service's documented entry, or the general naming form for one not in the table (suffixes allowed). */
export function linkedService(servicePrincipal: string): LinkedService {
  const known = LINKED_SERVICES[servicePrincipal];
  if (known !== undefined) return known;
  const first = servicePrincipal.split('.')[0] ?? servicePrincipal;
  const pascal = first
    .split('-')
    .map((part) => (part === '' ? '' : `${part[0]?.toUpperCase()}${part.slice(1)}`))
    .join('');
  return { roleName: `AWSServiceRoleFor${pascal}`, customSuffix: true };
}

/** The trust policy IAM writes for a service-linked role: only the service may assume it. */
export function serviceTrustPolicy(servicePrincipal: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: [servicePrincipal] }, Action: ['sts:AssumeRole'] }],
  });
}

function roleNameFor(servicePrincipal: string, suffix: string | undefined): string {
  const service = linkedService(servicePrincipal);
  if (suffix === undefined) return service.roleName;
  if (service.customSuffix !== true) throw invalidInput(`Custom suffix is not allowed for ${servicePrincipal}`);
  return `${service.roleName}_${suffix}`;
}

async function createServiceLinkedRole(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const servicePrincipal = req(p, 'AWSServiceName');
  if (!SERVICE_PRINCIPAL.test(servicePrincipal)) throw invalidInput(`Invalid service principal name: ${servicePrincipal}`);
  const name = roleNameFor(servicePrincipal, str(p, 'CustomSuffix'));
  await checkAccountQuota(ctx, KIND.role, 'RolesPerAccount', QUOTAS.Roles);
  const description = str(p, 'Description');
  const record: EntityRecord = {
    kind: KIND.role,
    account: ctx.account,
    key: name,
    id: newId('AROA'),
    path: `${SERVICE_ROLE_PATH_PREFIX}${servicePrincipal}/`,
    owner: '',
    created: ctx.now.toISOString(),
    data: {
      assumeRolePolicyDocument: serviceTrustPolicy(servicePrincipal),
      maxSessionDuration: DEFAULT_MAX_SESSION_DURATION,
      tags: [],
      serviceLinked: true,
      serviceName: servicePrincipal,
      ...(description !== undefined ? { description } : {}),
    },
  };
  await insertRole(ctx, record, () => invalidInput(`Service role name ${name} has been taken in this account, please try a different suffix.`));
  // The service's permissions come with the role, when the catalogue has the policy it documents.
  const policyName = linkedService(servicePrincipal).policy;
  const policyArn = policyName === undefined ? undefined : `arn:aws:iam::aws:policy${SERVICE_ROLE_PATH_PREFIX}${policyName}`;
  if (policyArn !== undefined && ctx.services.awsManagedPolicies().get(policyArn) !== undefined) {
    await ctx.tx.link({ relation: REL.attached, account: ctx.account, from: attachmentKey('role', name), to: policyArn, created: record.created, data: {} });
  }
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
      const base = linkedService(servicePrincipal).roleName;
      return roleArn(ctx.account, `${SERVICE_ROLE_PATH_PREFIX}${servicePrincipal}/`, suffix === undefined ? base : `${base}_${suffix}`);
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
