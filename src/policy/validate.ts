import type { ServiceCatalog } from './catalog.js';
import { IAM_MESSAGES, MalformedPolicyError } from './errors.js';
import { sortFindings, type Finding } from './findings.js';
import { parsePolicy } from './parse.js';
import { checkActions } from './validate-actions.js';
import { checkConditions } from './validate-conditions.js';
import { ValidationContext, type IamRejection, type ValidateOptions, type ValidatePolicyType } from './validate-context.js';
import { findRejection } from './validate-rejections.js';
import { refineParseRejection } from './validate-shape.js';
import { checkStatements } from './validate-statements.js';

export type { IamRejection, ValidateOptions, ValidatePolicyType } from './validate-context.js';

export interface ValidationResult {
  /** Set when the storing service (IAM, or Organizations for SCPs and RCPs) would refuse the document. */
  readonly iamError?: IamRejection;
  /** Access Analyzer style findings; empty when the document could not be parsed at all. */
  readonly findings: Finding[];
}

const POLICY_VALIDATION_TYPES: ReadonlySet<string> = new Set<ValidatePolicyType>(['identity', 'resource', 'trust', 'scp', 'rcp']);

export function isValidatePolicyType(value: string): value is ValidatePolicyType {
  return POLICY_VALIDATION_TYPES.has(value);
}

function organizationsPolicy(policyType: ValidatePolicyType): boolean {
  return policyType === 'scp' || policyType === 'rcp';
}

/**
 * Validates a policy document (JSON text or an already-decoded value) the way IAM and IAM Access Analyzer would:
 * `iamError` when the document would be refused when stored, and findings for what would be stored but is likely
 * wrong. Findings are reported even alongside an `iamError` whenever the document parsed, to show everything at once.
 */
export function validatePolicy(
  input: unknown,
  policyType: ValidatePolicyType,
  catalog: ServiceCatalog,
  options: ValidateOptions = {},
): ValidationResult {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch {
      const message = organizationsPolicy(policyType)
        ? IAM_MESSAGES.organizationsPolicyType
        : policyType === 'trust'
          ? IAM_MESSAGES.invalidJson
          : IAM_MESSAGES.syntax;
      return { iamError: { message, path: '$' }, findings: [] };
    }
  }
  let ctx: ValidationContext;
  try {
    ctx = new ValidationContext(parsePolicy(raw), raw as Record<string, unknown>, policyType, catalog, options);
  } catch (error) {
    if (!(error instanceof MalformedPolicyError)) throw error;
    if (organizationsPolicy(policyType)) return { iamError: { message: IAM_MESSAGES.organizationsPolicyType, path: error.path }, findings: [] };
    return { iamError: refineParseRejection(raw, error, policyType, catalog, options), findings: [] };
  }
  const iamError = findRejection(ctx);
  checkStatements(ctx);
  checkActions(ctx);
  checkConditions(ctx);
  const findings = sortFindings(ctx.findings);
  return iamError === undefined ? { findings } : { iamError, findings };
}
