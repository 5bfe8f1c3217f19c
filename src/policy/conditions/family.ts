import type { ResolvedPart } from '../variables.js';

/** Tests one request value. */
export type ValueTest = (requestValue: string) => boolean;

/**
 * One base operator of a family. A negated operator (`StringNotEquals`, `NotIpAddress`…) is described by its
 * positive comparison and `negated: true`: the condition logic then asks "does no policy value match", which is how
 * AWS defines them, including for missing keys.
 */
export interface BaseOperator {
  readonly negated: boolean;
  /** Whether `${…}` in policy values is substituted (string and ARN operators). */
  readonly usesVariables: boolean;
  /** Compiles one policy value; undefined when the value is not valid for the operator, which then never matches. */
  compile(policyValue: readonly ResolvedPart[]): ValueTest | undefined;
}

export type OperatorFamily = Readonly<Record<string, BaseOperator>>;

/** The policy value as plain text (for operators that read no wildcards). */
export function plainText(parts: readonly ResolvedPart[]): string {
  return parts.length === 1 ? (parts[0] as ResolvedPart).value : parts.map((p) => p.value).join('');
}
