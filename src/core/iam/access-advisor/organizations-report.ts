import type { EntityRecord, StoreTx } from '../../../store/store.js';
import { invalidInput, ServiceError } from '../../errors.js';
import { type AlsoRequired, type OperationContext, type OperationDefinition, type Params, operationsOf } from '../../operation.js';
import { enabledTypes } from '../../organizations/attachments.js';
import { arnOfId, callerOrganization, type Organization } from '../../organizations/context.js';
import { ORG_KIND, ORG_REL } from '../../organizations/kinds.js';
import { findPolicy } from '../../organizations/policies.js';
import { SCP } from '../../organizations/policy-types.js';
import { pageMembers, paginate, req, str } from '../common.js';
import { KIND } from '../kinds.js';
import { Grants } from './granted.js';
import { mustGetJob, newJobId, storeJob } from './operations.js';
import { accessOfRecord } from './records.js';

// GenerateOrganizationsAccessReport and GetOrganizationsAccessReport: for a root, OU or account of the caller's
// organization, the services its SCPs (or one SCP) allow, each with the latest attempt by any principal of the
// accounts under it, read from the same records as the IAM reports. Built at once, like those: COMPLETED on return.

interface OrgService {
  readonly namespace: string;
  readonly name: string;
  readonly accounts: number;
  readonly last?: { readonly date: string; readonly region: string; readonly path: string };
}

interface OrgJobData {
  readonly created: string;
  readonly completed: string;
  readonly services: readonly OrgService[];
}

// AWS documents the conditions but not their error texts: these are Gatehouse's.
const notManagement = (): ServiceError =>
  new ServiceError('AccessDenied', 'Organizations access reports can be generated only with the credentials of the management account of an organization.', 403);
const scpsDisabled = (): ServiceError => invalidInput('Service control policies must be enabled for the organization root to generate an access report.');
const badPath = (path: string): ServiceError => invalidInput(`The entity path ${path} does not name a root, OU or account of your organization.`);

async function managementOrganization(ctx: OperationContext): Promise<Organization> {
  const org = await callerOrganization(ctx);
  if (org === undefined || org.management !== ctx.account) throw notManagement();
  return org;
}

/** The entity path's IDs from the root down, checked link by link against the organization's tree. */
async function resolvePath(tx: StoreTx, org: Organization, path: string): Promise<{ chain: string[]; account?: string }> {
  const parts = path.replace(/\/+$/, '').split('/');
  if (parts[0] !== org.id || parts[1] !== org.rootId) throw badPath(path);
  const chain = [org.rootId];
  for (const [i, id] of parts.slice(2).entries()) {
    const parent = chain[chain.length - 1] as string;
    const isAccount = /^\d{12}$/.test(id);
    const record = await tx.get(isAccount ? ORG_KIND.account : ORG_KIND.ou, org.management, id);
    if (record === undefined || record.key !== id || record.owner !== parent) throw badPath(path);
    chain.push(id);
    if (isAccount) {
      if (i !== parts.length - 3) throw badPath(path);
      return { chain, account: id };
    }
  }
  return { chain };
}

/** Every account under a root or OU, with its entity path. */
async function accountsUnder(tx: StoreTx, org: Organization, chain: readonly string[]): Promise<Array<{ account: string; path: string }>> {
  const out: Array<{ account: string; path: string }> = [];
  const walk = async (prefix: string[], depth: number): Promise<void> => {
    const node = prefix[prefix.length - 1] as string;
    for (const acct of await tx.list(ORG_KIND.account, org.management, { owner: node })) out.push({ account: acct.key, path: [org.id, ...prefix, acct.key].join('/') });
    // An OU tree is at most five levels deep; the bound keeps a corrupted cycle from looping.
    if (depth > 10) return;
    for (const ou of await tx.list(ORG_KIND.ou, org.management, { owner: node })) await walk([...prefix, ou.key], depth + 1);
  };
  await walk([...chain], 0);
  return out;
}

/** The SCP documents at each level of the chain (root first). */
async function scpLevels(tx: StoreTx, org: Organization, chain: readonly string[]): Promise<string[][]> {
  const levels: string[][] = [];
  for (const target of chain) {
    const docs: string[] = [];
    for (const link of await tx.links(ORG_REL.attached, org.management, { to: target })) {
      const policy = await findPolicy(tx, org, link.from);
      if (policy?.type === SCP) docs.push(policy.content);
    }
    levels.push(docs);
  }
  return levels;
}

async function generate(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await managementOrganization(ctx);
  if (!(await enabledTypes(ctx.tx, org)).some((t) => t.Type === SCP)) throw scpsDisabled();
  const path = req(p, 'EntityPath');
  const { chain, account } = await resolvePath(ctx.tx, org, path);
  const policyId = str(p, 'OrganizationsPolicyId');
  // One SCP's view, or every level's: a service must be allowed at each level of the path and denied at none.
  let levels: Grants[];
  if (policyId !== undefined) {
    const policy = await findPolicy(ctx.tx, org, policyId);
    if (policy === undefined || policy.type !== SCP) throw invalidInput(`The service control policy ${policyId} does not exist in your organization.`);
    levels = [new Grants([policy.content])];
  } else {
    levels = (await scpLevels(ctx.tx, org, chain)).map((docs) => new Grants(docs));
  }
  const known = (await ctx.services.serviceCatalogue?.().services()) ?? new Map<string, string>();
  const allowed = [...known.keys()].filter((ns) => levels.every((g) => g.grantsService(ns)) && !levels.some((g) => g.deniesService(ns))).sort();
  const accounts = account !== undefined ? [{ account, path: [org.id, ...chain].join('/') }] : await accountsUnder(ctx.tx, org, chain);
  const latest = new Map<string, { date: string; region: string; path: string }>();
  const counts = new Map<string, number>();
  for (const { account: id, path: accountPath } of accounts) {
    const seen = new Set<string>();
    for (const record of await ctx.tx.list(KIND.serviceAccess, id)) {
      for (const [ns, access] of accessOfRecord(record as EntityRecord, ctx.now).services) {
        const date = access.date.toISOString();
        const current = latest.get(ns);
        if (current === undefined || current.date < date) latest.set(ns, { date, region: access.region, path: accountPath });
        seen.add(ns);
      }
    }
    for (const ns of seen) counts.set(ns, (counts.get(ns) ?? 0) + 1);
  }
  const services: OrgService[] = allowed.map((namespace) => {
    const last = latest.get(namespace);
    return { namespace, name: known.get(namespace) as string, accounts: counts.get(namespace) ?? 0, ...(last !== undefined ? { last } : {}) };
  });
  const jobId = newJobId(ctx.now);
  const at = ctx.now.toISOString();
  const data: OrgJobData = { created: at, completed: at, services };
  await storeJob(ctx.tx, KIND.organizationsAccessJob, ctx.account, jobId, ctx.now, { ...data });
  return { JobId: jobId };
}

type SortKey = 'SERVICE_NAMESPACE_ASCENDING' | 'SERVICE_NAMESPACE_DESCENDING' | 'LAST_AUTHENTICATED_TIME_ASCENDING' | 'LAST_AUTHENTICATED_TIME_DESCENDING';

/** Sorted as asked; by namespace by default. By time, services never accessed come last either way. */
export function sortServices(services: readonly OrgService[], key: SortKey): OrgService[] {
  const byName = (a: OrgService, b: OrgService): number => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0);
  const sorted = [...services];
  switch (key) {
    case 'SERVICE_NAMESPACE_ASCENDING':
      return sorted.sort(byName);
    case 'SERVICE_NAMESPACE_DESCENDING':
      return sorted.sort((a, b) => byName(b, a));
    default: {
      const sign = key === 'LAST_AUTHENTICATED_TIME_ASCENDING' ? 1 : -1;
      return sorted.sort((a, b) => {
        if (a.last === undefined || b.last === undefined) return a.last === b.last ? byName(a, b) : a.last === undefined ? 1 : -1;
        return a.last.date === b.last.date ? byName(a, b) : (a.last.date < b.last.date ? -1 : 1) * sign;
      });
    }
  }
}

async function getReport(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const data = (await mustGetJob(ctx.tx, KIND.organizationsAccessJob, ctx.account, req(p, 'JobId'))).data as unknown as OrgJobData;
  const page = paginate(sortServices(data.services, (str(p, 'SortKey') ?? 'SERVICE_NAMESPACE_ASCENDING') as SortKey), p);
  return {
    JobStatus: 'COMPLETED',
    JobCreationDate: new Date(data.created),
    JobCompletionDate: new Date(data.completed),
    NumberOfServicesAccessible: data.services.length,
    NumberOfServicesNotAccessed: data.services.filter((s) => s.last === undefined).length,
    AccessDetails: page.page.map((s) => ({
      ServiceName: s.name,
      ServiceNamespace: s.namespace,
      ...(s.last !== undefined ? { Region: s.last.region, EntityPath: s.last.path, LastAuthenticatedTime: new Date(s.last.date) } : {}),
      ...(s.accounts > 0 ? { TotalAuthenticatedEntities: s.accounts } : {}),
    })),
    ...pageMembers(page),
  };
}

/** The Organizations reads the report is made of, as the IAM User Guide asks the caller to be allowed. */
async function organizationsReads(ctx: OperationContext, p: Params): Promise<AlsoRequired[]> {
  const org = await callerOrganization(ctx);
  if (org === undefined || org.management !== ctx.account) return [];
  const parts = req(p, 'EntityPath').replace(/\/+$/, '').split('/');
  const node = arnOfId(org, parts[parts.length - 1] as string);
  const reads: AlsoRequired[] = [
    { action: 'organizations:ListRoots', resource: '*' },
    { action: 'organizations:ListChildren', resource: node },
    { action: 'organizations:ListPoliciesForTarget', resource: node },
  ];
  const policyId = str(p, 'OrganizationsPolicyId');
  if (policyId !== undefined) {
    const policy = await findPolicy(ctx.tx, org, policyId);
    reads.push({ action: 'organizations:DescribePolicy', resource: policy?.arn ?? '*' });
  }
  return reads;
}

const op = operationsOf('iam', () => '*');

export const ORGANIZATIONS_ACCESS_REPORT_OPERATIONS: readonly OperationDefinition[] = [
  op('GenerateOrganizationsAccessReport', generate, {
    resource: (ctx, p) => `arn:aws:iam::${ctx.account}:access-report/${req(p, 'EntityPath')}`,
    conditionKeys: (_ctx, p): Record<string, string> => {
      const policyId = str(p, 'OrganizationsPolicyId');
      return policyId === undefined ? {} : { 'iam:OrganizationsPolicyId': policyId };
    },
    alsoRequires: organizationsReads,
  }),
  op('GetOrganizationsAccessReport', getReport),
];
