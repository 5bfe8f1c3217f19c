// SimulatePrincipalPolicy's PolicyExclusionList: policies of the simulated entity (and of its organization) left out
// of the simulation, each named by its type, a managed policy's (or an SCP's or RCP's) ARN, or an inline policy.
// Only what the store contributes is excluded: the request's own PolicyInputList is what the caller chose to add.
import { invalidInput } from '../../errors.js';
import type { SourcedPolicy } from './evaluate.js';
import type { SourcePolicies } from './sources.js';

export interface PolicyIdentifier {
  readonly PolicyType?: string;
  readonly PolicyArn?: string;
  readonly InlinePolicyIdentifier?: { readonly PolicyName?: string; readonly AttachmentType?: string; readonly AttachmentName?: string };
}

const TYPES: ReadonlySet<string> = new Set(['inline', 'aws-managed', 'user-managed', 'permission-boundary', 'scp', 'rcp']);
const ATTACHMENT_TYPES: ReadonlySet<string> = new Set(['user', 'group', 'role']);

export interface Exclusions {
  readonly types: ReadonlySet<string>;
  readonly arns: ReadonlySet<string>;
  readonly inline: ReadonlyArray<{ readonly type: string; readonly owner: string; readonly name: string }>;
}

/** Checks the list: each entry is a union, one member set, with a type and an attachment type AWS knows. */
export function exclusionsOf(entries: readonly PolicyIdentifier[]): Exclusions {
  const types = new Set<string>();
  const arns = new Set<string>();
  const inline: Array<{ type: string; owner: string; name: string }> = [];
  for (const entry of entries) {
    const set = [entry.PolicyType, entry.PolicyArn, entry.InlinePolicyIdentifier].filter((m) => m !== undefined).length;
    if (set !== 1) throw invalidInput('Each PolicyExclusionList member must set exactly one of PolicyType, PolicyArn and InlinePolicyIdentifier.');
    if (entry.PolicyType !== undefined) {
      if (!TYPES.has(entry.PolicyType)) throw invalidInput(`Invalid PolicyType ${entry.PolicyType}: valid types are ${[...TYPES].join(', ')}.`);
      types.add(entry.PolicyType);
    } else if (entry.PolicyArn !== undefined) {
      arns.add(entry.PolicyArn);
    } else {
      const { PolicyName: name, AttachmentType: type, AttachmentName: owner } = entry.InlinePolicyIdentifier ?? {};
      if (name === undefined || type === undefined || owner === undefined || !ATTACHMENT_TYPES.has(type)) {
        throw invalidInput('InlinePolicyIdentifier needs PolicyName, AttachmentName and an AttachmentType of user, group or role.');
      }
      // IAM's names of users, groups, roles and inline policies are unique without regard to case.
      inline.push({ type, owner: owner.toLowerCase(), name: name.toLowerCase() });
    }
  }
  return { types, arns, inline };
}

/** An SCP or RCP ARN (`arn:aws:organizations::…:policy/o-…/service_control_policy/p-…`) ends with the policy's ID. */
const namesOrganizationPolicy = (arns: ReadonlySet<string>, policyId: string): boolean => [...arns].some((arn) => arn.endsWith(`/${policyId}`));

function excludedIdentity(x: Exclusions, policy: SourcedPolicy): boolean {
  if (policy.type === 'aws-managed' || policy.type === 'user-managed') return x.types.has(policy.type) || (policy.ref?.arn !== undefined && x.arns.has(policy.ref.arn));
  const owner = policy.ref?.owner?.toLowerCase();
  return x.types.has('inline') || x.inline.some((i) => i.type === policy.type && i.owner === owner && i.name === policy.id.toLowerCase());
}

/** The stored policies that remain. */
export function withoutExcluded(x: Exclusions, stored: SourcePolicies): SourcePolicies {
  const boundary = stored.boundary;
  const dropBoundary = boundary !== undefined && (x.types.has('permission-boundary') || (boundary.ref?.arn !== undefined && x.arns.has(boundary.ref.arn)));
  const { boundary: _boundary, ...rest } = stored;
  return {
    ...rest,
    identity: stored.identity.filter((p) => !excludedIdentity(x, p)),
    ...(boundary !== undefined && !dropBoundary ? { boundary } : {}),
    // An excluded SCP leaves its level: a level left without an Allow denies, as detaching it would.
    scp: x.types.has('scp') ? [] : stored.scp.map((level) => ({ ...level, policies: level.policies.filter((p) => !namesOrganizationPolicy(x.arns, p.ref?.policyId ?? p.id)) })),
  };
}

/** Whether an RCP (by its ID) is excluded. */
export function rcpExcluded(x: Exclusions, policyId: string): boolean {
  return x.types.has('rcp') || namesOrganizationPolicy(x.arns, policyId);
}
