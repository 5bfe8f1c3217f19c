import type { PolicyList, ScanInput, ScanResult, StatementTrace } from './policy-list.js';

export interface IdentityOutcome {
  readonly identity: ScanResult;
  /** Undefined when the principal has no permissions boundary (or no session policy): nothing to limit by. */
  readonly boundary: ScanResult | undefined;
  readonly session: ScanResult | undefined;
}

const NONE: ScanResult = { deny: undefined, allow: undefined, allowLevel: undefined };

/** The principal's side: its identity policies, limited by its permissions boundary and its session policy. */
export function evaluateIdentity(
  lists: { identity: PolicyList | undefined; boundary: PolicyList | undefined; session: PolicyList | undefined },
  input: ScanInput,
  trace?: StatementTrace[],
): IdentityOutcome {
  return {
    identity: lists.identity === undefined ? NONE : lists.identity.scan(input, trace),
    boundary: lists.boundary?.scan(input, trace),
    session: lists.session?.scan(input, trace),
  };
}
