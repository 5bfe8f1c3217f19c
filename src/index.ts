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
export { aclJson, AuthorizeCallError, createAuthorizeClient, forwardedRequestOf } from './client/authorize-client.js';
export type { AclJson, AuthorizeClient, AuthorizeClientOptions, AuthorizeRequestBody, AuthorizeResponseBody, ForwardedAction, ObjectOwnershipJson, ResourcePolicyEntry } from './client/authorize-client.js';
export { ChunkVerifier, decodeChunkedBody } from './sigv4/s3-chunks.js';
export type { ChunkChain, DecodedChunkedBody } from './sigv4/s3-chunks.js';
export { S3AuthError } from './sigv4/s3-errors.js';
export { canonicalUserId } from './core/authorize-api/canonical-user-id.js';
// S3 ACLs and Object Ownership, as S3 parses, expands and checks them (README, "The authorize API", ACLs).
export { aclFromGrantHeaders, cannedAcl, CANNED_ACLS, S3_GROUPS } from './core/authorize-api/s3-acl.js';
export type { S3Acl, S3CannedAcl, S3Grant, S3Grantee, S3Permission } from './core/authorize-api/s3-acl.js';
export { formatAccessControlPolicy, parseAccessControlPolicy } from './core/authorize-api/s3-acl-xml.js';
export { aclIsPublic, checkAclAllowed, checkOwnershipChange, DEFAULT_OBJECT_OWNERSHIP, isBucketOwnerFullControl } from './core/authorize-api/s3-ownership.js';
export type { S3ObjectOwnership } from './core/authorize-api/s3-ownership.js';
export { bucketPolicyIsPublic } from './core/authorize-api/s3-policy-status.js';
export { ServiceError } from './core/errors.js';
