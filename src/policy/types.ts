// The parsed form of an IAM JSON policy document. Every list element of the grammar that may be a string or an
// array is normalised to an array here, so later stages never branch on shape.

export type PolicyVersion = '2012-10-17' | '2008-10-17';

export type Effect = 'Allow' | 'Deny';

/** `"*"` as a whole, or the map form. `{"AWS": "*"}` stays in the map form: validation tells them apart. */
export type PrincipalElement =
  | { readonly kind: 'any' }
  | {
      readonly kind: 'map';
      readonly aws: readonly string[];
      readonly service: readonly string[];
      readonly federated: readonly string[];
      readonly canonicalUser: readonly string[];
    };

/** One `operator: { key: values }` pair, flattened. Keys keep the author's spelling; lookups fold case. */
export interface ConditionClause {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  /** Position in the document's Statement array (0 when Statement was a single object). */
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly principal?: PrincipalElement;
  readonly notPrincipal?: PrincipalElement;
  readonly conditions: readonly ConditionClause[];
}

export interface PolicyDocument {
  /** Absent Version means the 2008 grammar: variables are literal text. */
  readonly version: PolicyVersion | undefined;
  readonly id?: string;
  readonly statements: readonly Statement[];
  /** True when Statement was an array (matters for JSON paths in findings). */
  readonly statementIsArray: boolean;
}

/** The policy types of the AWS evaluation logic. */
export type PolicyType = 'identity' | 'permissionsBoundary' | 'session' | 'resource' | 'scp' | 'rcp';

/** Values a caller may put in the request context. Numbers and booleans are accepted and read as their text. */
export type ContextInputValue = string | number | boolean | ReadonlyArray<string | number | boolean>;
