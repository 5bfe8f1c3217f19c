/**
 * Whether S3 calls a bucket policy public (GetBucketPolicyStatus's IsPublic), as the S3 User Guide's "The meaning of
 * public" defines it: a policy is public unless every statement that allows something is pinned to fixed values —
 * a fixed principal, or a condition that holds a fixed value of one of the keys S3 lists, or aws:SourceIp limited to
 * CIDR blocks. Deny statements never make a policy public. The policy is assumed valid (the registry checked it).
 */

/** Keys whose fixed value makes an allow non-public (aws:userid only outside the role-wide `AROLEID:*` pattern). */
const FIXED_KEYS: ReadonlySet<string> = new Set([
  'aws:sourcearn',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceowner',
  'aws:sourceaccount',
  'aws:userid',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principalorgid',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
]);

/** Operators that pin a key to the values listed (not *Like with a wildcard, not Not*, not …IfExists). */
const FIXING_OPERATORS: ReadonlySet<string> = new Set(['stringequals', 'stringequalsignorecase', 'arnequals', 'arnlike', 'stringlike']);

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function isWildcardText(value: unknown): boolean {
  return typeof value !== 'string' || value.includes('*') || value.includes('?');
}

/** A Principal element that names only fixed principals: no `*`, no wildcard in an ARN. */
function principalIsFixed(principal: unknown): boolean {
  if (principal === '*') return false;
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) return false;
  return Object.values(principal as Record<string, unknown>).every((values) => list(values).every((v) => !isWildcardText(v)));
}

/** A CIDR block narrower than the whole address space (0.0.0.0/0 and ::/0 are everyone). */
function isLimitingCidr(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const slash = value.indexOf('/');
  if (slash < 0) return true;
  return Number(value.slice(slash + 1)) > 0;
}

function conditionIsFixing(condition: unknown): boolean {
  if (typeof condition !== 'object' || condition === null) return false;
  for (const [operator, clause] of Object.entries(condition as Record<string, unknown>)) {
    if (typeof clause !== 'object' || clause === null) continue;
    const op = operator.toLowerCase();
    for (const [key, values] of Object.entries(clause as Record<string, unknown>)) {
      const k = key.toLowerCase();
      const all = list(values);
      if (all.length === 0) continue;
      if (op === 'ipaddress' && k === 'aws:sourceip' && all.every(isLimitingCidr)) return true;
      if (!FIXING_OPERATORS.has(op) || !FIXED_KEYS.has(k)) continue;
      if (all.some(isWildcardText)) continue;
      if (k === 'aws:userid' && all.some((v) => /^AROA[A-Z0-9]+:\*$/.test(String(v)))) continue;
      return true;
    }
  }
  return false;
}

/** GetBucketPolicyStatus's IsPublic for this policy text. */
export function bucketPolicyIsPublic(policy: string): boolean {
  const parsed = JSON.parse(policy) as { Statement?: unknown };
  for (const entry of list(parsed.Statement)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const statement = entry as Record<string, unknown>;
    if (statement['Effect'] !== 'Allow') continue;
    // NotPrincipal with Allow grants everyone but a few: public.
    const fixedPrincipal = statement['NotPrincipal'] === undefined && principalIsFixed(statement['Principal']);
    if (!fixedPrincipal && !conditionIsFixing(statement['Condition'])) return true;
  }
  return false;
}
