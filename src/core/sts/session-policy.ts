import { createStaticCatalog } from '../../policy/catalog.js';
import { validatePolicy } from '../../policy/validate.js';
import { malformedPolicyDocument, ServiceError, validationError } from '../errors.js';
import { defaultDocument, findManagedPolicy } from '../iam/policy-lookup.js';
import type { OperationContext, Params } from '../operation.js';
import type { SessionTag } from './session-token.js';

// Session policies only need IAM's own grammar checks, which never consult the service catalogue.
const NO_SERVICES = createStaticCatalog({ services: {} });

/** AWS's documented limits: 2,048 characters of session policy plain text (inline and ARNs), 10 managed policies. */
export const SESSION_POLICY_PLAINTEXT_LIMIT = 2048;
export const MAX_POLICY_ARNS = 10;

export interface SessionPolicyInput {
  readonly policy?: string;
  readonly policyArns: readonly string[];
}

export function sessionPolicyInput(p: Params): SessionPolicyInput {
  const policy = typeof p['Policy'] === 'string' ? p['Policy'] : undefined;
  const arns = Array.isArray(p['PolicyArns']) ? (p['PolicyArns'] as Array<{ arn?: unknown }>) : [];
  return { ...(policy !== undefined ? { policy } : {}), policyArns: arns.map((a) => (typeof a.arn === 'string' ? a.arn : '')) };
}

export const packedTooLarge = (what: string, percent: number): ServiceError =>
  new ServiceError('PackedPolicyTooLarge', `Packed size of ${what} consumes ${percent}% of allotted space.`, 400);

/**
 * PackedPolicySize: AWS compresses policies and tags into a binary form whose limit it does not publish. Gatehouse
 * reports the plain text (without white space) against the documented 2,048-character limit, which is the same
 * order of magnitude and never lets through what AWS would refuse for plain-text size.
 */
export function packedPercent(input: SessionPolicyInput, tags: readonly SessionTag[]): number {
  const policyChars = (input.policy ?? '').replace(/\s/g, '').length + input.policyArns.reduce((n, a) => n + a.length, 0);
  const tagChars = tags.reduce((n, t) => n + t.Key.length + t.Value.length, 0);
  return Math.ceil((100 * (policyChars + tagChars)) / SESSION_POLICY_PLAINTEXT_LIMIT);
}

/** True when the request passes anything that counts against the packed size (AWS then reports PackedPolicySize). */
export function hasPackedContent(input: SessionPolicyInput, tags: readonly SessionTag[]): boolean {
  return input.policy !== undefined || input.policyArns.length > 0 || tags.length > 0;
}

/** Refuses (MalformedPolicyDocument, IAM's text) a document IAM would not take as a session policy. */
export function checkSessionPolicyDocument(document: string): void {
  const { iamError } = validatePolicy(document, 'identity', NO_SERVICES);
  if (iamError !== undefined) throw malformedPolicyDocument(iamError.message);
}

// Sids only label statements; two documents may reuse one, which a single document may not.
function statements(document: string): unknown[] {
  const parsed = JSON.parse(document) as { Statement?: unknown };
  const list = parsed.Statement;
  const all = Array.isArray(list) ? list : list === undefined ? [] : [list];
  return all.map((s) => {
    if (typeof s !== 'object' || s === null) return s;
    const { Sid: _sid, ...rest } = s as Record<string, unknown>;
    return rest;
  });
}

/**
 * The session policy: the inline Policy and the default versions of the PolicyArns documents. AWS evaluates them
 * as one set (an Allow in any of them allows, a Deny in any denies), which is exactly one document holding all
 * their statements. Undefined when none was passed.
 */
export async function buildSessionPolicy(ctx: OperationContext, input: SessionPolicyInput, tags: readonly SessionTag[]): Promise<string | undefined> {
  if (input.policyArns.length > MAX_POLICY_ARNS) {
    throw validationError(`1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_POLICY_ARNS}`);
  }
  const plain = (input.policy?.length ?? 0) + input.policyArns.reduce((n, a) => n + a.length, 0);
  if (plain > SESSION_POLICY_PLAINTEXT_LIMIT) {
    throw packedTooLarge('session policies', Math.ceil((100 * plain) / SESSION_POLICY_PLAINTEXT_LIMIT));
  }
  const percent = packedPercent(input, tags);
  if (percent > 100) throw packedTooLarge(tags.length > 0 && input.policy === undefined ? 'session tags' : 'session policies and tags', percent);
  if (input.policy === undefined && input.policyArns.length === 0) return undefined;
  const collected: unknown[] = [];
  if (input.policy !== undefined) {
    checkSessionPolicyDocument(input.policy);
    collected.push(...statements(input.policy));
  }
  for (const arn of input.policyArns) {
    const policy = await findManagedPolicy(ctx, arn);
    // Gatehouse's wording: AWS's for a managed session policy that does not exist is not documented.
    if (policy === undefined) throw new ServiceError('InvalidParameterValue', `The managed session policy ${arn} does not exist.`, 400);
    collected.push(...statements(await defaultDocument(ctx, policy)));
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: collected });
}
