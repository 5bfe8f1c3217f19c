import type { AuthorizationRequest, Authorizer } from './authorize.js';
import { ServiceError } from './errors.js';
import { protectedResourceError } from './reserved-resources.js';
import type { StoreTx } from '../store/store.js';

/**
 * How the server applies its decisions. `enforce` refuses what the engine denies (AWS's behaviour, the default);
 * `audit` decides, reports each denial with its explanation and lets the request through; `off` decides nothing.
 * Authentication is never relaxed: an unsigned or badly signed request is refused in every mode.
 */
export const ENFORCEMENT_MODES = ['enforce', 'audit', 'off'] as const;
export type EnforcementMode = (typeof ENFORCEMENT_MODES)[number];

/** A denial audit mode let through: what the caller would have been answered, and why. */
export interface WouldDeny {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly code: string;
  readonly message: string;
  /** The engine's one-line account of the decision; absent for denials the engine did not make (session limits). */
  readonly summary?: string;
  readonly decidedBy?: readonly string[];
  /** The statements that matched the request, by policy. */
  readonly statements?: ReadonlyArray<{ readonly policyType: string; readonly policyName: string; readonly sid?: string; readonly effect: 'Allow' | 'Deny' }>;
}

const isDenial = (error: unknown): error is ServiceError => error instanceof ServiceError && error.code === 'AccessDenied';

/**
 * The authorization step of one request under a mode. In audit mode a denial is decided once more with the
 * explanation (denials are rare, and the explanation is what the report is for) and handed to `report`; any other
 * error (a protected resource's refusal, a store failure) still ends the request.
 */
export function authorizeUnder(
  mode: EnforcementMode,
  authorizer: Authorizer,
  request: AuthorizationRequest,
  tx: StoreTx,
  report: (denial: WouldDeny) => void,
): Promise<void> | void {
  if (mode === 'enforce') return authorizer.authorize(request, tx);
  // What AWS itself keeps (AWS managed policies, service-linked roles) is refused in every mode: no policy grants it,
  // so it is not a decision to relax.
  const refusal = protectedResourceError(request.caller.arn, request.action, request.resource);
  if (refusal !== undefined) throw refusal;
  if (mode === 'off') return;
  return audited(authorizer, request, tx, report);
}

async function audited(authorizer: Authorizer, request: AuthorizationRequest, tx: StoreTx, report: (denial: WouldDeny) => void): Promise<void> {
  try {
    await authorizer.authorize(request, tx);
  } catch (error) {
    if (!isDenial(error)) throw error;
    const result = await authorizer.decide(request, tx, true);
    const statements = (result.explanation?.statements ?? [])
      .filter((s) => s.matched)
      .map((s) => ({ policyType: s.policyType, policyName: s.policyName, ...(s.sid !== undefined ? { sid: s.sid } : {}), effect: s.effect }));
    report({
      principal: request.caller.arn,
      action: request.action,
      resource: request.resource,
      code: error.code,
      message: error.message,
      ...(result.explanation !== undefined ? { summary: result.explanation.summary } : {}),
      decidedBy: result.decidedBy,
      statements,
    });
  }
}

/** A denial made outside the engine (a session's own limits), under a mode: thrown, reported, or ignored. */
export function restrictUnder(mode: EnforcementMode, restriction: ServiceError, request: Pick<AuthorizationRequest, 'caller' | 'action' | 'resource'>, report: (denial: WouldDeny) => void): void {
  if (mode === 'off') return;
  if (mode === 'enforce' || !isDenial(restriction)) throw restriction;
  report({ principal: request.caller.arn, action: request.action, resource: request.resource, code: restriction.code, message: restriction.message });
}
