// Where each statement a simulation matched lives, found through IAM's API as any client would: MatchedStatements
// names a managed policy by its name and an inline policy by its name and owner type, so the principal's attached
// policies, its groups and its boundary are listed to find the policy, and the policy's text is read to turn the
// statement's StartPosition into its number and a link that opens it with the statement marked.
import {
  GetGroupPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  type EvaluationResult,
  type IAMClient,
  type Statement,
} from '@aws-sdk/client-iam';
import { defaultPolicyDocument } from './api.js';
import { inlinePolicyHref, type InlineOwner } from './pages/inline-policy.js';
import { policyKind } from './simulation.js';
import { decodedDocument, statementIndexAt, statementSpans } from './statements.js';

export type PrincipalKind = 'user' | 'group' | 'role';

/** The principal simulated: its managed policies by name, its groups' inline policies, its boundary's name. */
export interface SourceIndex {
  readonly kind: PrincipalKind;
  readonly name: string;
  readonly managed: ReadonlyMap<string, string>;
  /** An inline policy's name to the groups (of the user) that have one by that name. */
  readonly groupInline: ReadonlyMap<string, readonly string[]>;
  readonly boundaryName?: string;
}

export interface ExplainedStatement {
  /** The policy's name (SourcePolicyId). */
  readonly policy: string;
  readonly kind: string;
  /** From 1, when the policy's text could be read and the position found. */
  readonly number?: number;
  /** Opens the policy with the statement marked (a stored policy only). */
  readonly href?: string;
  /** The statement's JSON, on one line. */
  readonly text?: string;
}

export async function indexSource(iam: IAMClient, kind: PrincipalKind, name: string): Promise<SourceIndex> {
  const managed = new Map<string, string>();
  const groupInline = new Map<string, string[]>();
  const add = (list: ReadonlyArray<{ PolicyName?: string | undefined; PolicyArn?: string | undefined }> | undefined) => {
    for (const p of list ?? []) if (p.PolicyName !== undefined && p.PolicyArn !== undefined) managed.set(p.PolicyName, p.PolicyArn);
  };
  let boundaryArn: string | undefined;
  if (kind === 'user') {
    add((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: name, MaxItems: 1000 }))).AttachedPolicies);
    for (const group of (await iam.send(new ListGroupsForUserCommand({ UserName: name, MaxItems: 1000 }))).Groups ?? []) {
      const groupName = group.GroupName ?? '';
      add((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: groupName, MaxItems: 1000 }))).AttachedPolicies);
      for (const policy of (await iam.send(new ListGroupPoliciesCommand({ GroupName: groupName, MaxItems: 1000 }))).PolicyNames ?? []) groupInline.set(policy, [...(groupInline.get(policy) ?? []), groupName]);
    }
    boundaryArn = (await iam.send(new GetUserCommand({ UserName: name }))).User?.PermissionsBoundary?.PermissionsBoundaryArn;
  } else if (kind === 'group') {
    add((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: name, MaxItems: 1000 }))).AttachedPolicies);
  } else {
    add((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name, MaxItems: 1000 }))).AttachedPolicies);
    boundaryArn = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn;
  }
  const boundaryName = boundaryArn?.slice(boundaryArn.lastIndexOf('/') + 1);
  // A boundary that is not also attached is found by its name like the attached ones.
  if (boundaryArn !== undefined && boundaryName !== undefined && !managed.has(boundaryName)) managed.set(boundaryName, boundaryArn);
  return { kind, name, managed, groupInline, ...(boundaryName !== undefined ? { boundaryName } : {}) };
}

/** The policies the request itself carried, by the SourcePolicyId IAM gives them. */
export interface PastedPolicies {
  readonly identity: readonly string[];
  readonly boundary?: string;
  readonly resource?: string;
}

function pastedText(pasted: PastedPolicies, id: string): string | undefined {
  if (id === 'ResourcePolicy') return pasted.resource;
  if (id.startsWith('PermissionsBoundaryPolicyInputList.')) return pasted.boundary;
  const n = /^PolicyInputList\.(\d+)$/.exec(id)?.[1];
  return n === undefined ? undefined : pasted.identity[Number(n) - 1];
}

/** A statement on as few lines as it needs: the explanation shows several, the policy's page the whole. */
function compact(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compact).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${compact(v)}`).join(', ')}}`;
  return JSON.stringify(value);
}

const pretty = (text: string): string => {
  try {
    return compact(JSON.parse(text));
  } catch {
    return text;
  }
};

/** Explains every matched statement of the results, in order; each stored policy is read once. */
export async function explainStatements(iam: IAMClient, index: SourceIndex | undefined, pasted: PastedPolicies, results: readonly EvaluationResult[]): Promise<ExplainedStatement[][]> {
  const texts = new Map<string, Promise<string | undefined>>();
  const read = (key: string, load: () => Promise<string | undefined>): Promise<string | undefined> => {
    let text = texts.get(key);
    if (text === undefined) {
      text = load().then(decodedDocument, () => undefined);
      texts.set(key, text);
    }
    return text;
  };
  const one = async (m: Statement): Promise<ExplainedStatement> => {
    const id = m.SourcePolicyId ?? '';
    const kind = policyKind(m, index?.boundaryName);
    let text: string | undefined;
    let href: ((n: number) => string) | undefined;
    const type = m.SourcePolicyType;
    if (type === undefined || (type === 'resource' && id === 'ResourcePolicy')) {
      text = pastedText(pasted, id);
    } else if ((type === 'aws-managed' || type === 'user-managed') && index?.managed.get(id) !== undefined) {
      const arn = index.managed.get(id) as string;
      text = await read(`managed:${arn}`, () => defaultPolicyDocument(iam, arn));
      href = (n) => `#/policies/${encodeURIComponent(arn)}?statement=${n}`;
    } else if ((type === 'user' || type === 'group' || type === 'role') && index !== undefined) {
      const owners: readonly string[] = type === index.kind ? [index.name] : type === 'group' ? (index.groupInline.get(id) ?? []) : [];
      // Of the user's groups with an inline policy of that name, the one whose statement starts at that position.
      for (const owner of owners) {
        const candidate = await read(`inline:${type}:${owner}:${id}`, async () =>
          type === 'user'
            ? (await iam.send(new GetUserPolicyCommand({ UserName: owner, PolicyName: id }))).PolicyDocument
            : type === 'group'
              ? (await iam.send(new GetGroupPolicyCommand({ GroupName: owner, PolicyName: id }))).PolicyDocument
              : (await iam.send(new GetRolePolicyCommand({ RoleName: owner, PolicyName: id }))).PolicyDocument,
        );
        if (candidate === undefined || statementIndexAt(candidate, m.StartPosition) === undefined) continue;
        text = candidate;
        href = (n) => inlinePolicyHref(type as InlineOwner, owner, id, n);
        break;
      }
    }
    const index0 = text === undefined ? undefined : statementIndexAt(text, m.StartPosition);
    if (text === undefined || index0 === undefined) return { policy: id, kind };
    const span = statementSpans(text)[index0];
    return {
      policy: id,
      kind,
      number: index0 + 1,
      ...(href !== undefined ? { href: href(index0 + 1) } : {}),
      ...(span !== undefined ? { text: pretty(text.slice(span.start, span.end)) } : {}),
    };
  };
  return Promise.all(results.map((r) => Promise.all((r.MatchedStatements ?? []).map(one))));
}
