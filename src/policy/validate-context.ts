import type { ServiceCatalog } from './catalog.js';
import { makeFinding, type Finding, type IssueCode } from './findings.js';
import type { ConditionClause, PolicyDocument, Statement } from './types.js';
import { nextReference } from './variables.js';

/** The policy kinds `validatePolicy` knows: what IAM, a resource-owning service or Organizations would store. */
export type ValidatePolicyType = 'identity' | 'resource' | 'trust' | 'scp' | 'rcp';

export interface ValidateOptions {
  /**
   * A customer managed policy (CreatePolicy / CreatePolicyVersion) rather than an inline one. IAM refuses a managed
   * policy whose Version is absent or 2008-10-17; inline policies may still use the old grammar.
   */
  readonly managedPolicy?: boolean;
}

/** State shared by the validation passes: the parsed document, the decoded JSON it came from, and the findings. */
export class ValidationContext {
  readonly findings: Finding[] = [];

  constructor(
    readonly doc: PolicyDocument,
    private readonly raw: Record<string, unknown>,
    readonly policyType: ValidatePolicyType,
    readonly catalog: ServiceCatalog,
    readonly options: ValidateOptions,
  ) {}

  add(issueCode: IssueCode, details: string, path: string): void {
    this.findings.push(makeFinding(issueCode, details, path));
  }

  statementPath(statement: Statement): string {
    return this.doc.statementIsArray ? `$.Statement[${statement.index}]` : '$.Statement';
  }

  /** The statement as the author wrote it, for the details the parsed form normalises away. */
  rawStatement(statement: Statement): Record<string, unknown> {
    const statements = this.raw['Statement'];
    const value = Array.isArray(statements) ? statements[statement.index] : statements;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  }

  /** `$.Statement[0].Action[1]`, or `$.Statement[0].Action` when the element was a single string. */
  elementPath(statement: Statement, element: string, index?: number): string {
    const base = `${this.statementPath(statement)}.${element}`;
    if (index === undefined) return base;
    return Array.isArray(this.rawStatement(statement)[element]) ? `${base}[${index}]` : base;
  }

  /** `$.Statement[0].Principal.AWS[2]`, following the same single-string rule. */
  principalPath(statement: Statement, element: 'Principal' | 'NotPrincipal', key: string, index: number): string {
    const base = `${this.statementPath(statement)}.${element}.${key}`;
    const block = this.rawStatement(statement)[element];
    const value = typeof block === 'object' && block !== null ? (block as Record<string, unknown>)[key] : undefined;
    return Array.isArray(value) ? `${base}[${index}]` : base;
  }

  conditionPath(statement: Statement, clause: ConditionClause, index?: number): string {
    const base = `${this.statementPath(statement)}.Condition.${clause.operator}.${clause.key}`;
    if (index === undefined) return base;
    return Array.isArray(this.rawCondition(statement)?.[clause.operator]?.[clause.key]) ? `${base}[${index}]` : base;
  }

  rawCondition(statement: Statement): Record<string, Record<string, unknown> | undefined> | undefined {
    const condition = this.rawStatement(statement)['Condition'];
    return typeof condition === 'object' && condition !== null
      ? (condition as Record<string, Record<string, unknown> | undefined>)
      : undefined;
  }
}

/** Everything IAM would refuse is reported as one error with its message, like the API's MalformedPolicyDocument. */
export interface IamRejection {
  readonly message: string;
  readonly path: string;
}

/** True when the text holds a `${...}` that the 2012-10-17 grammar reads as a policy variable. */
export function hasVariable(text: string): boolean {
  return nextReference(text, 0) !== undefined;
}
