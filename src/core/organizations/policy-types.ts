// Organizations policy types: their quotas, their content rules, and the AWS managed policies of the two types the
// policy engine evaluates (SCPs and RCPs). The other types are stored as JSON documents and checked to be JSON.
import { createStaticCatalog } from '../../policy/catalog.js';
import { validatePolicy } from '../../policy/validate.js';
import { constraintViolation, malformedPolicyDocument } from './errors.js';

export const SCP = 'SERVICE_CONTROL_POLICY';
export const RCP = 'RESOURCE_CONTROL_POLICY';

// "Quotas for AWS Organizations": the maximum size of a policy document by type (every character counts, white
// space included), and how many policies of a type one root, OU or account may have attached.
const MAX_SIZE: Readonly<Record<string, number>> = {
  [SCP]: 5120,
  [RCP]: 5120,
  AISERVICES_OPT_OUT_POLICY: 2500,
};
const DEFAULT_MAX_SIZE = 10_000;
const MAX_ATTACHED: Readonly<Record<string, number>> = { [SCP]: 5, [RCP]: 5, AISERVICES_OPT_OUT_POLICY: 5 };
const DEFAULT_MAX_ATTACHED = 10;
/** Policies of one type an organization may have (AWS's quota for SCPs and RCPs; Gatehouse applies it to all types). */
export const MAX_POLICIES_PER_TYPE = 1000;

export const maxAttached = (type: string): number => MAX_ATTACHED[type] ?? DEFAULT_MAX_ATTACHED;

export interface ManagedPolicy {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly description: string;
  readonly content: string;
}

/**
 * AWS's own full-access policies: FullAWSAccess is attached to every root, OU and account once SCPs are enabled (and
 * may be detached as long as another SCP stays); RCPFullAWSAccess likewise once RCPs are, and can never be detached.
 */
export const FULL_AWS_ACCESS: ManagedPolicy = {
  id: 'p-FullAWSAccess',
  name: 'FullAWSAccess',
  type: SCP,
  description: 'Allows access to every operation',
  content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
};

export const RCP_FULL_AWS_ACCESS: ManagedPolicy = {
  id: 'p-RCPFullAWSAccess',
  name: 'RCPFullAWSAccess',
  type: RCP,
  description: 'Allows access to every operation',
  content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }),
};

export const AWS_MANAGED_POLICIES: readonly ManagedPolicy[] = [FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS];

export function awsManagedPolicy(id: string): ManagedPolicy | undefined {
  return AWS_MANAGED_POLICIES.find((p) => p.id === id);
}

/** The full-access policy attached to everything while the type is enabled. */
export function defaultPolicyOf(type: string): ManagedPolicy | undefined {
  return AWS_MANAGED_POLICIES.find((p) => p.type === type);
}

// Storing a policy only needs Organizations' own refusals, which never consult the service catalogue.
const NO_SERVICES = createStaticCatalog({ services: {} });

function isJsonObject(content: string): boolean {
  try {
    const value: unknown = JSON.parse(content);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Throws what Organizations answers for content it would not store: ConstraintViolationException
 * (POLICY_CONTENT_LIMIT_EXCEEDED) past the type's size, MalformedPolicyDocumentException for content outside the
 * type's grammar. SCPs follow the IAM policy language without Principal; RCPs need Version 2012-10-17, Principal "*"
 * and, in customer policies, only Deny statements (only RCPFullAWSAccess allows).
 */
export function checkPolicyContent(type: string, content: string): void {
  if (content.length > (MAX_SIZE[type] ?? DEFAULT_MAX_SIZE)) throw constraintViolation('POLICY_CONTENT_LIMIT_EXCEEDED');
  if (type === SCP || type === RCP) {
    if (validatePolicy(content, type === SCP ? 'scp' : 'rcp', NO_SERVICES).iamError !== undefined) throw malformedPolicyDocument();
    if (type === RCP && !onlyDenies(content)) throw malformedPolicyDocument();
    return;
  }
  if (!isJsonObject(content)) throw malformedPolicyDocument();
}

function onlyDenies(content: string): boolean {
  const statements = (JSON.parse(content) as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  return list.every((s) => typeof s === 'object' && s !== null && (s as { Effect?: unknown }).Effect === 'Deny');
}
