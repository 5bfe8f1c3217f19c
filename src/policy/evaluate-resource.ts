import { parseArn } from './arn.js';
import type { PolicyList, ScanInput, ScanResult, StatementTrace } from './policy-list.js';

const NO_POLICY: ScanResult = { deny: undefined, allow: undefined, allowLevel: undefined };

// Role trust policies decide sts:AssumeRole* and the session-tag/source-identity actions checked with them.
const TRUST_ACTIONS = new Set([
  'sts:assumerole',
  'sts:assumerolewithsaml',
  'sts:assumerolewithwebidentity',
  'sts:tagsession',
  'sts:setsourceidentity',
  'sts:setcontext',
]);

/**
 * Role trust policies and KMS key policies are the only way in: an identity policy alone never grants access to
 * them, even in the same account.
 */
export function requiresResourceAllow(actionLower: string, resource: string): boolean {
  if (TRUST_ACTIONS.has(actionLower)) return true;
  if (!actionLower.startsWith('kms:')) return false;
  const arn = parseArn(resource);
  return arn !== undefined && arn.service === 'kms' && arn.resource.startsWith('key/');
}

export function evaluateResource(list: PolicyList | undefined, input: ScanInput, trace?: StatementTrace[]): ScanResult {
  return list === undefined ? NO_POLICY : list.scan(input, trace);
}
