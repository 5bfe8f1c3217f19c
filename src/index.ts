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
// For services that authorize through Gatehouse (README, "The authorize API").
export { AuthorizeCallError, createAuthorizeClient, forwardedRequestOf } from './client/authorize-client.js';
export type { AuthorizeClientOptions, AuthorizeRequestBody, AuthorizeResponseBody, ForwardedAction } from './client/authorize-client.js';
export { ChunkVerifier, decodeChunkedBody } from './sigv4/s3-chunks.js';
export type { ChunkChain, DecodedChunkedBody } from './sigv4/s3-chunks.js';
export { S3AuthError } from './sigv4/s3-errors.js';
export { canonicalUserId } from './core/authorize-api/canonical-user-id.js';
