// The simulator page's explanations: what IAM's EvaluationResult says, in words. Which policy each matched statement
// is in (MatchedStatements' SourcePolicyId and SourcePolicyType), which kind of policy decided, and why an implicit
// deny happened (no Allow, the permissions boundary, the organization's SCPs), read from the result's own details.
import type { EvaluationResult, Statement } from '@aws-sdk/client-iam';

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export const DECISION_TEXT: Record<Decision, string> = { allowed: 'Allowed', explicitDeny: 'Explicitly denied', implicitDeny: 'Implicitly denied' };

export function decisionOf(value: string | undefined): Decision {
  return value === 'allowed' || value === 'explicitDeny' ? value : 'implicitDeny';
}

/** What kind of policy a matched statement is in, as a person would say it. */
export function policyKind(statement: Statement, boundaryName?: string): string {
  const id = statement.SourcePolicyId ?? '';
  switch (statement.SourcePolicyType) {
    case 'user':
      return 'inline policy of the user';
    case 'group':
      return 'inline policy of a group';
    case 'role':
      return 'inline policy of the role';
    case 'aws-managed':
    case 'user-managed': {
      const kind = statement.SourcePolicyType === 'aws-managed' ? 'AWS managed policy' : 'customer managed policy';
      return boundaryName === id ? `permissions boundary (${kind})` : kind;
    }
    case 'resource':
      return 'resource-based policy';
    case 'none':
      return "organization's policy (SCP or RCP)";
  }
  if (id.startsWith('PolicyInputList.')) return `identity policy ${id.slice('PolicyInputList.'.length)} you entered`;
  if (id.startsWith('PermissionsBoundaryPolicyInputList.')) return 'permissions boundary you entered';
  if (id === 'ResourcePolicy') return 'resource policy you entered';
  return 'policy';
}

/**
 * The sentences that explain one decision, AWS's evaluation order: an explicit Deny anywhere decides; otherwise the
 * organization's SCPs, the permissions boundary and the identity or resource policies must all allow.
 */
export function explainDecision(result: EvaluationResult, boundaryName?: string): string[] {
  const decision = decisionOf(result.EvalDecision);
  const matched = result.MatchedStatements ?? [];
  // The request's own policies are named by what they are; a stored one by its kind and name too.
  const kinds = [...new Set(matched.map((m) => (m.SourcePolicyType === undefined ? policyKind(m, boundaryName) : `${policyKind(m, boundaryName)} ${m.SourcePolicyId ?? ''}`)))];
  const lines: string[] = [];
  if (decision === 'explicitDeny') {
    lines.push(`A Deny statement in ${kinds.length === 0 ? 'a policy' : `the ${kinds.join(', the ')}`} matched: an explicit deny overrides every Allow.`);
  } else if (decision === 'allowed') {
    lines.push(`Allowed by ${kinds.length === 0 ? 'a policy' : `the ${kinds.join(', the ')}`}, and no policy denies it.`);
  } else {
    const organizations = result.OrganizationsDecisionDetail?.AllowedByOrganizations;
    const boundary = result.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary;
    if (organizations === false) lines.push("The organization's service control policies do not allow it: some level of the organization has no Allow for it.");
    if (boundary === false) lines.push('The permissions boundary does not allow it.');
    const details = result.EvalDecisionDetails ?? {};
    for (const [side, value] of Object.entries(details)) if (value !== 'allowed') lines.push(`${side}: ${DECISION_TEXT[decisionOf(value)].toLowerCase()}.`);
    if (lines.length === 0) lines.push('No statement allows it (no identity-based or resource-based policy has a matching Allow).');
  }
  if (decision === 'allowed') {
    if (result.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary === true) lines.push('The permissions boundary allows it.');
    if (result.OrganizationsDecisionDetail?.AllowedByOrganizations === true) lines.push("The organization's service control policies allow it at every level.");
  }
  const missing = result.MissingContextValues ?? [];
  if (missing.length > 0) lines.push(`Context keys a matching statement's condition uses had no value: ${missing.join(', ')}. Add them as context entries to decide with them.`);
  return lines;
}

/** A context entry as the form holds it: values comma-separated. */
export interface ContextRow {
  readonly key: string;
  readonly type: string;
  readonly values: string;
}

export const CONTEXT_TYPES = ['string', 'stringList', 'numeric', 'numericList', 'boolean', 'booleanList', 'ip', 'ipList', 'binary', 'binaryList', 'date', 'dateList'] as const;

/** ContextEntries for the request: rows with a key, values split at commas (a single value for a non-list type). */
export function contextEntries(rows: readonly ContextRow[]): Array<{ ContextKeyName: string; ContextKeyType: (typeof CONTEXT_TYPES)[number]; ContextKeyValues: string[] }> {
  return rows
    .filter((r) => r.key.trim() !== '')
    .map((r) => ({
      ContextKeyName: r.key.trim(),
      ContextKeyType: (CONTEXT_TYPES as readonly string[]).includes(r.type) ? (r.type as (typeof CONTEXT_TYPES)[number]) : 'string',
      ContextKeyValues: r.type.endsWith('List') ? r.values.split(',').map((v) => v.trim()).filter((v) => v !== '') : [r.values.trim()],
    }));
}

/** Names typed one a line or separated by commas, blanks dropped. */
export function listOf(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
