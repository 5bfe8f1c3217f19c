import { randomBytes } from 'node:crypto';
import type { EntityRecord, StoreTx } from '../../../store/store.js';
import { noSuchEntity } from '../../errors.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../../operation.js';
import { list, pageMembers, paginate, req, str } from '../common.js';
import { KIND } from '../kinds.js';
import { assertIdentityTarget, findReportTarget, mustFindReportTarget, parseReportArn, targetPolicies } from './entities.js';
import { Grants } from './granted.js';
import { buildServiceReport, type Attempt, type Granularity, type ServiceReport } from './report.js';

// GenerateServiceLastAccessedDetails and its readers. A report is built inside the request that asks for it (the
// records it reads are already in the store), so its job is COMPLETED as soon as GenerateServiceLastAccessedDetails
// answers, and GetServiceLastAccessedDetails never sees IN_PROGRESS. Each job keeps the report it built.

/** The most jobs an account keeps: a new one removes the oldest past this. */
export const MAX_JOBS_PER_ACCOUNT = 1000;

interface JobData {
  readonly type: Granularity;
  readonly arn: string;
  readonly created: string;
  readonly completed: string;
  readonly report: ServiceReport;
}

/**
 * A UUID (version 7) whose text sorts by creation time: the store lists an account's jobs by key, so the oldest come
 * first and pruning reads only those it removes.
 */
export function newJobId(now: Date): string {
  const bytes = randomBytes(16);
  const ms = BigInt(now.getTime());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Stores a job, dropping the account's oldest past `MAX_JOBS_PER_ACCOUNT` of that kind. */
export async function storeJob(tx: StoreTx, kind: string, account: string, jobId: string, now: Date, data: Record<string, unknown>, max = MAX_JOBS_PER_ACCOUNT): Promise<void> {
  const count = await tx.count(kind, account);
  if (count >= max) {
    for (const old of await tx.list(kind, account, { limit: count - max + 1 })) await tx.delete(kind, account, old.key);
  }
  await tx.insert({ kind, account, key: jobId, id: `${kind}:${jobId}`, path: '/', owner: '', created: now.toISOString(), data });
}

/** The job's record; NoSuchEntity when the account has no job of that ID. */
export async function mustGetJob(tx: StoreTx, kind: string, account: string, jobId: string): Promise<EntityRecord> {
  const record = await tx.get(kind, account, jobId);
  if (record === undefined) throw noSuchEntity(`No report job with ID ${jobId} was found.`);
  return record;
}

async function generate(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const target = await mustFindReportTarget(ctx, req(p, 'Arn'));
  const granularity = (str(p, 'Granularity') ?? 'SERVICE_LEVEL') as Granularity;
  const report = await buildServiceReport(ctx, target, granularity);
  const jobId = newJobId(ctx.now);
  const at = ctx.now.toISOString();
  const data: JobData = { type: granularity, arn: target.arn, created: at, completed: at, report };
  await storeJob(ctx.tx, KIND.accessAdvisorJob, ctx.account, jobId, ctx.now, { ...data });
  return { JobId: jobId };
}

function jobMembers(data: JobData): Record<string, unknown> {
  return { JobStatus: 'COMPLETED', JobCreationDate: new Date(data.created), JobCompletionDate: new Date(data.completed) };
}

function attemptMembers(last: Attempt | undefined): Record<string, unknown> {
  return last === undefined ? {} : { LastAuthenticated: new Date(last.date), LastAuthenticatedEntity: last.entity, LastAuthenticatedRegion: last.region };
}

async function getDetails(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const data = (await mustGetJob(ctx.tx, KIND.accessAdvisorJob, ctx.account, req(p, 'JobId'))).data as unknown as JobData;
  const page = paginate(data.report.services, p);
  return {
    ...jobMembers(data),
    JobType: data.type,
    ServicesLastAccessed: page.page.map((s) => ({
      ServiceName: s.name,
      ServiceNamespace: s.namespace,
      ...attemptMembers(s.last),
      // Null, as AWS documents it, when nobody attempted the service in the tracking period.
      ...(s.entities > 0 ? { TotalAuthenticatedEntities: s.entities } : {}),
      ...(s.actions !== undefined
        ? {
            TrackedActionsLastAccessed: s.actions.map((a) => ({
              ActionName: a.name,
              ...(a.last !== undefined ? { LastAccessedEntity: a.last.entity, LastAccessedTime: new Date(a.last.date), LastAccessedRegion: a.last.region } : {}),
            })),
          }
        : {}),
    })),
    ...pageMembers(page),
  };
}

async function getDetailsWithEntities(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const data = (await mustGetJob(ctx.tx, KIND.accessAdvisorJob, ctx.account, req(p, 'JobId'))).data as unknown as JobData;
  const namespace = req(p, 'ServiceNamespace').toLowerCase();
  // Only entities that could have used the service: none when the report's policies do not grant it.
  const granted = data.report.services.some((s) => s.namespace === namespace);
  const rows = granted
    ? data.report.entities.map((e) => ({ entity: e, last: e.used.find(([ns]) => ns === namespace)?.[1] }))
    : [];
  // Most recent access first; those never seen after, by name.
  rows.sort((a, b) => (a.last === b.last ? (a.entity.name < b.entity.name ? -1 : a.entity.name > b.entity.name ? 1 : 0) : a.last === undefined ? 1 : b.last === undefined ? -1 : a.last < b.last ? 1 : -1));
  const page = paginate(rows, p);
  return {
    ...jobMembers(data),
    EntityDetailsList: page.page.map(({ entity, last }) => ({
      EntityInfo: { Arn: entity.arn, Name: entity.name, Type: entity.type, Id: entity.id, Path: entity.path },
      ...(last !== undefined ? { LastAuthenticated: new Date(last) } : {}),
    })),
    ...pageMembers(page),
  };
}

async function listPoliciesGranting(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const target = await mustFindReportTarget(ctx, req(p, 'Arn'));
  assertIdentityTarget(target);
  const policies = await targetPolicies(ctx, target);
  const compiled = policies.map((policy) => ({ policy, grants: new Grants([policy.document]) }));
  // One entry per namespace asked for, in the order asked, each with the policies that grant any of it.
  const seen = new Set<string>();
  const entries: Array<Record<string, unknown>> = [];
  for (const given of list<string>(p, 'ServiceNamespaces')) {
    const namespace = given.toLowerCase();
    if (seen.has(namespace)) continue;
    seen.add(namespace);
    entries.push({
      ServiceNamespace: namespace,
      Policies: compiled
        .filter(({ grants }) => grants.grantsService(namespace))
        .map(({ policy }) => ({
          PolicyName: policy.name,
          PolicyType: policy.type,
          ...(policy.arn !== undefined ? { PolicyArn: policy.arn } : {}),
          ...(policy.entityType !== undefined ? { EntityType: policy.entityType, EntityName: policy.entityName } : {}),
        })),
    });
  }
  const page = paginate(entries, p);
  return { PoliciesGrantingServiceAccess: page.page, ...pageMembers(page) };
}

/** The ARN the request names, as stored when it exists (so the decision does not turn on the case it was spelled in). */
async function reportResource(ctx: OperationContext, p: Params): Promise<string> {
  const arn = req(p, 'Arn');
  parseReportArn(arn);
  return (await findReportTarget(ctx, arn))?.arn ?? arn;
}

const op = operationsOf('iam', () => '*');

export const ACCESS_ADVISOR_OPERATIONS: readonly OperationDefinition[] = [
  op('GenerateServiceLastAccessedDetails', generate, { resource: reportResource }),
  op('GetServiceLastAccessedDetails', getDetails),
  op('GetServiceLastAccessedDetailsWithEntities', getDetailsWithEntities),
  op('ListPoliciesGrantingServiceAccess', listPoliciesGranting, { resource: reportResource }),
];
