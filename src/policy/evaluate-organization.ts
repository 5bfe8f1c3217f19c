import type { PolicyList, ScanInput, StatementRef, StatementTrace } from './policy-list.js';

/** One level of the organization tree (root, an OU, the account) with the SCPs or RCPs attached there. */
export interface OrganizationLevel {
  readonly target: string;
  readonly list: PolicyList;
}

export interface OrganizationOutcome {
  readonly deny: StatementRef | undefined;
  /** The first level with no matching Allow: every level must allow, as inheritance works by intersection. */
  readonly unallowedLevel: string | undefined;
}

export function evaluateOrganization(
  levels: readonly OrganizationLevel[],
  input: ScanInput,
  trace?: StatementTrace[],
): OrganizationOutcome {
  let deny: StatementRef | undefined;
  let unallowedLevel: string | undefined;
  for (const level of levels) {
    const result = level.list.scan(input, trace);
    deny ??= result.deny;
    if (result.allow === undefined) unallowedLevel ??= level.target;
    if (deny !== undefined && trace === undefined) break;
  }
  return { deny, unallowedLevel };
}
