// The organization's page, read through the Organizations API as any client would: the levels from the root down to
// an account (each with the SCPs and RCPs attached there), and "why is this denied" by SCPs, decided by IAM's
// SimulateCustomPolicy. AWS evaluates SCPs level by level: an explicit Deny at any level denies, and every level from
// the root to the account must have an Allow. Each level is simulated alone (an allow-all identity policy, the level's
// SCPs as OrderedOrganizationPolicyInputList) to say which level denies and how; the whole path is simulated once more
// for the organization's own verdict.
import { SimulateCustomPolicyCommand, type EvaluationResult, type IAMClient } from '@aws-sdk/client-iam';
import {
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribePolicyCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  type OrganizationsClient,
  type PolicySummary,
} from '@aws-sdk/client-organizations';
import { statementIndexAt } from './statements.js';

export type LevelType = 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';

export interface Level {
  readonly id: string;
  readonly type: LevelType;
  readonly name: string;
  readonly scps: readonly PolicySummary[];
  readonly rcps: readonly PolicySummary[];
}

/** Every page of a NextToken-paged Organizations list. */
export async function allPages<T>(load: (token: string | undefined) => Promise<{ NextToken?: string | undefined; items: T[] | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await load(token);
    out.push(...(page.items ?? []));
    token = page.NextToken;
  } while (token !== undefined && token !== '');
  return out;
}

async function policiesAt(org: OrganizationsClient, target: string, filter: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY'): Promise<PolicySummary[]> {
  return allPages(async (token) => {
    const page = await org.send(new ListPoliciesForTargetCommand({ TargetId: target, Filter: filter, ...(token !== undefined ? { NextToken: token } : {}) }));
    return { NextToken: page.NextToken, items: page.Policies };
  });
}

/** The account's levels, root first: ListParents up to the root, each level's SCPs and RCPs (ListPoliciesForTarget). */
export async function levelsOf(org: OrganizationsClient, accountId: string, rootName: (id: string) => string): Promise<Level[]> {
  const path: Array<{ id: string; type: LevelType; name: string }> = [];
  const account = (await org.send(new DescribeAccountCommand({ AccountId: accountId }))).Account;
  path.push({ id: accountId, type: 'ACCOUNT', name: account?.Name ?? accountId });
  let child = accountId;
  // An organization is at most five OUs deep; the bound only guards against a cycle in a wrong answer.
  for (let depth = 0; depth < 10; depth++) {
    const parent = (await org.send(new ListParentsCommand({ ChildId: child }))).Parents?.[0];
    if (parent?.Id === undefined) break;
    if (parent.Type === 'ROOT') {
      path.unshift({ id: parent.Id, type: 'ROOT', name: rootName(parent.Id) });
      break;
    }
    const unit = (await org.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: parent.Id }))).OrganizationalUnit;
    path.unshift({ id: parent.Id, type: 'ORGANIZATIONAL_UNIT', name: unit?.Name ?? parent.Id });
    child = parent.Id;
  }
  return Promise.all(path.map(async (p) => ({ ...p, scps: await policiesAt(org, p.id, 'SERVICE_CONTROL_POLICY'), rcps: await policiesAt(org, p.id, 'RESOURCE_CONTROL_POLICY') })));
}

export const LEVEL_TEXT: Record<LevelType, string> = { ROOT: 'Root', ORGANIZATIONAL_UNIT: 'OU', ACCOUNT: 'Account' };

export type LevelVerdict =
  | { readonly verdict: 'allows' }
  | { readonly verdict: 'denies'; readonly policy: string; readonly policyId: string; readonly statement?: number }
  | { readonly verdict: 'no-allow' };

export interface WhyDenied {
  readonly levels: ReadonlyArray<{ readonly level: Level; readonly result: LevelVerdict }>;
  /** The organization's verdict on the whole path (OrganizationsDecisionDetail of the simulation of every level). */
  readonly allowed: boolean;
}

const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
const SCP_INPUT = /^OrderedOrganizationPolicyInputList\.(\d+)\.ServiceControlPolicyInputList\.(\d+)$/;

/** One level's verdict from the simulation of that level alone. */
function verdictOf(result: EvaluationResult | undefined, level: Level, contents: readonly string[]): LevelVerdict {
  if (result?.EvalDecision === 'allowed') return { verdict: 'allows' };
  if (result?.EvalDecision !== 'explicitDeny') return { verdict: 'no-allow' };
  const matched = result.MatchedStatements?.find((m) => SCP_INPUT.test(m.SourcePolicyId ?? ''));
  const j = Number(SCP_INPUT.exec(matched?.SourcePolicyId ?? '')?.[2] ?? '1') - 1;
  const policy = level.scps[j];
  const content = contents[j] ?? '';
  const index = statementIndexAt(content, matched?.StartPosition);
  return { verdict: 'denies', policy: policy?.Name ?? policy?.Id ?? '', policyId: policy?.Id ?? '', ...(index !== undefined ? { statement: index + 1 } : {}) };
}

/** Which levels' SCPs deny `action` on `resource` for a principal of `accountId`, and the organization's verdict. */
export async function whyDenied(iam: IAMClient, org: OrganizationsClient, accountId: string, levels: readonly Level[], action: string, resource: string): Promise<WhyDenied> {
  const contents = await Promise.all(levels.map((l) => Promise.all(l.scps.map(async (p) => (await org.send(new DescribePolicyCommand({ PolicyId: p.Id }))).Policy?.Content ?? ''))));
  const simulate = async (ordered: ReadonlyArray<readonly string[]>): Promise<EvaluationResult | undefined> =>
    (
      await iam.send(
        new SimulateCustomPolicyCommand({
          PolicyInputList: [ALLOW_ALL],
          OrderedOrganizationPolicyInputList: ordered.map((list) => ({ ServiceControlPolicyInputList: [...list] })),
          ActionNames: [action],
          ResourceArns: [resource],
          // The principal is one of the account's: a condition on aws:PrincipalAccount sees that account.
          ContextEntries: [{ ContextKeyName: 'aws:PrincipalAccount', ContextKeyType: 'string', ContextKeyValues: [accountId] }],
        }),
      )
    ).EvaluationResults?.[0];
  const perLevel = await Promise.all(levels.map((level, i) => simulate([contents[i] ?? []]).then((r) => ({ level, result: verdictOf(r, level, contents[i] ?? []) }))));
  const whole = await simulate(contents);
  return { levels: perLevel, allowed: whole?.OrganizationsDecisionDetail?.AllowedByOrganizations ?? whole?.EvalDecision === 'allowed' };
}
