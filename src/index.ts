// The library entry: the decision engine for other programs (the IAM server, other services, tests).
export { compilePolicies } from './policy/engine.js';
export type { CompiledPolicySet, EvaluateOptions, OrganizationPolicies, PolicyInput, PolicySet } from './policy/engine.js';
export type { DecisionRequest } from './policy/context.js';
export type { Decision, DecidingFactor, DecisionResult, Explanation } from './policy/decide.js';
export type { StatementTrace } from './policy/policy-list.js';
export type { ConditionOutcome } from './policy/conditions/condition.js';
export { parsePolicy } from './policy/parse.js';
export type { PolicyDocument, PolicyType, Statement, ConditionClause, PrincipalElement } from './policy/types.js';
export { MalformedPolicyError, IAM_MESSAGES } from './policy/errors.js';
export { validatePolicy } from './policy/validate.js';
export type { ValidatePolicyType } from './policy/validate.js';
export type { Finding } from './policy/findings.js';
export type { ServiceCatalog } from './policy/catalog.js';
export { createStaticCatalog } from './policy/catalog.js';
export { loadCatalogFor } from './catalog/iam-data-catalog.js';
