import { IAM_MESSAGES, MalformedPolicyError } from '../errors.js';
import type { ConditionClause, PolicyVersion } from '../types.js';
import { parseTemplate, resolveTemplate, type ContextLookup, type ResolvedPart, type Template } from '../variables.js';
import type { BaseOperator, ValueTest } from './family.js';
import { parseOperatorName, type ParsedOperatorName } from './operator-name.js';
import { baseOperator } from './registry.js';

/** What an explanation shows of one condition: the values after variable substitution and what the request had. */
export interface ConditionOutcome {
  readonly operator: string;
  readonly key: string;
  readonly policyValues: readonly (string | null)[];
  readonly requestValues: readonly string[] | null;
  readonly result: boolean;
}

export interface CompiledCondition {
  readonly clause: ConditionClause;
  test(lookup: ContextLookup): boolean;
  explain(lookup: ContextLookup): ConditionOutcome;
}

interface CompiledValue {
  readonly template: Template;
  /** Precompiled when the value has no variables; `null` marks a value invalid for the operator. */
  readonly fixed: ValueTest | null | undefined;
}

function staticParts(template: Template): ResolvedPart[] {
  return template.parts.map((p) => ({ value: (p as { value: string }).value, wild: p.kind === 'text' }));
}

function never(): boolean {
  return false;
}

export function compileCondition(clause: ConditionClause, version: PolicyVersion | undefined): CompiledCondition {
  const name = parseOperatorName(clause.operator);
  if (name === undefined) {
    throw new MalformedPolicyError(IAM_MESSAGES.syntax, `Condition.${clause.operator}`);
  }
  if (name.family === 'Null') return compileNull(clause, name.ifExists);
  const op = baseOperator(name.base);
  if (op === undefined) throw new MalformedPolicyError(IAM_MESSAGES.syntax);
  const keyLower = clause.key.toLowerCase();
  const values: CompiledValue[] = clause.values.map((raw) => {
    const template = parseTemplate(raw, op.usesVariables ? version : undefined);
    return { template, fixed: template.dynamic ? undefined : (op.compile(staticParts(template)) ?? null) };
  });
  const allFixed = values.every((v) => v.fixed !== undefined);
  const fixedTests = allFixed ? values.map((v) => v.fixed ?? never) : [];

  const testsFor = (lookup: ContextLookup): ValueTest[] =>
    allFixed ? fixedTests : values.map((v) => valueTest(v, op, lookup) ?? never);

  const evaluate = (lookup: ContextLookup): boolean => {
    const requestValues = lookup(keyLower);
    const tests = testsFor(lookup);
    const matchesOne = (value: string): boolean => {
      for (const t of tests) if (t(value)) return true;
      return false;
    };
    return combine(name, op, requestValues, matchesOne);
  };

  return {
    clause,
    test: evaluate,
    explain: (lookup) => ({
      operator: clause.operator,
      key: clause.key,
      policyValues: values.map((v) => resolvedText(v.template, lookup)),
      requestValues: lookup(keyLower) ?? null,
      result: evaluate(lookup),
    }),
  };
}

function valueTest(value: CompiledValue, op: BaseOperator, lookup: ContextLookup): ValueTest | undefined {
  if (value.fixed !== undefined) return value.fixed ?? undefined;
  const parts = resolveTemplate(value.template, lookup);
  return parts === undefined ? undefined : op.compile(parts);
}

function resolvedText(template: Template, lookup: ContextLookup): string | null {
  const parts = template.dynamic ? resolveTemplate(template, lookup) : staticParts(template);
  return parts === undefined ? null : parts.map((p) => p.value).join('');
}

/**
 * AWS's rules for keys that are missing or hold several values: a plain operator is false on a missing key (true
 * for negated operators and …IfExists) and true when any request value matches; ForAllValues is true when every
 * value matches, and also on a missing or empty key; ForAnyValue needs at least one matching value.
 */
function combine(
  name: ParsedOperatorName,
  op: BaseOperator,
  requestValues: readonly string[] | undefined,
  matchesOne: (value: string) => boolean,
): boolean {
  const missing = requestValues === undefined || requestValues.length === 0;
  // For the set operators a key whose only value is the empty string is an empty set, as the User Guide says.
  const emptySet = missing || (requestValues.length === 1 && requestValues[0] === '');
  const satisfies = (value: string): boolean => (op.negated ? !matchesOne(value) : matchesOne(value));
  switch (name.setOperator) {
    case 'ForAllValues':
      return emptySet || requestValues.every(satisfies);
    case 'ForAnyValue':
      if (emptySet) return name.ifExists;
      return requestValues.some(satisfies);
    default: {
      if (missing) return name.ifExists || op.negated;
      const any = requestValues.some(matchesOne);
      return op.negated ? !any : any;
    }
  }
}

function compileNull(clause: ConditionClause, ifExists: boolean): CompiledCondition {
  const keyLower = clause.key.toLowerCase();
  const wanted = clause.values.map((v) => v.toLowerCase());
  const evaluate = (lookup: ContextLookup): boolean => {
    const values = lookup(keyLower);
    const absent = values === undefined || values.length === 0;
    // …IfExists is true whenever the key is missing, whatever the Null test would say.
    if (absent && ifExists) return true;
    return wanted.some((w) => (w === 'true' ? absent : w === 'false' ? !absent : false));
  };
  return {
    clause,
    test: evaluate,
    explain: (lookup) => ({
      operator: clause.operator,
      key: clause.key,
      policyValues: clause.values,
      requestValues: lookup(keyLower) ?? null,
      result: evaluate(lookup),
    }),
  };
}
