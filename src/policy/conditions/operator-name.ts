/** The operator families of the condition language; each has its own file beside this one. */
export type OperatorFamilyName = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'IpAddress' | 'Arn' | 'Null';

export interface ParsedOperatorName {
  /** As written in the policy. */
  readonly raw: string;
  readonly setOperator: 'ForAllValues' | 'ForAnyValue' | undefined;
  /** Canonical spelling of the base operator, e.g. `StringNotEqualsIgnoreCase`. */
  readonly base: string;
  readonly ifExists: boolean;
  readonly family: OperatorFamilyName;
}

const BASE_OPERATORS: ReadonlyArray<readonly [string, OperatorFamilyName]> = [
  ['StringEquals', 'String'],
  ['StringNotEquals', 'String'],
  ['StringEqualsIgnoreCase', 'String'],
  ['StringNotEqualsIgnoreCase', 'String'],
  ['StringLike', 'String'],
  ['StringNotLike', 'String'],
  ['NumericEquals', 'Numeric'],
  ['NumericNotEquals', 'Numeric'],
  ['NumericLessThan', 'Numeric'],
  ['NumericLessThanEquals', 'Numeric'],
  ['NumericGreaterThan', 'Numeric'],
  ['NumericGreaterThanEquals', 'Numeric'],
  ['DateEquals', 'Date'],
  ['DateNotEquals', 'Date'],
  ['DateLessThan', 'Date'],
  ['DateLessThanEquals', 'Date'],
  ['DateGreaterThan', 'Date'],
  ['DateGreaterThanEquals', 'Date'],
  ['Bool', 'Bool'],
  ['BinaryEquals', 'Binary'],
  ['IpAddress', 'IpAddress'],
  ['NotIpAddress', 'IpAddress'],
  ['ArnEquals', 'Arn'],
  ['ArnNotEquals', 'Arn'],
  ['ArnLike', 'Arn'],
  ['ArnNotLike', 'Arn'],
  ['Null', 'Null'],
];

// Operator names are matched without regard to case, as IAM accepts `stringequals` too.
const BY_LOWER = new Map(BASE_OPERATORS.map(([name, family]) => [name.toLowerCase(), { name, family }]));

export const OPERATOR_NAMES: readonly string[] = BASE_OPERATORS.map(([name]) => name);

/** Splits `ForAnyValue:StringLikeIfExists` into its parts; undefined for anything that is not an IAM operator. */
export function parseOperatorName(raw: string): ParsedOperatorName | undefined {
  let rest = raw;
  let setOperator: ParsedOperatorName['setOperator'];
  const colon = rest.indexOf(':');
  if (colon !== -1) {
    const prefix = rest.slice(0, colon).toLowerCase();
    if (prefix === 'forallvalues') setOperator = 'ForAllValues';
    else if (prefix === 'foranyvalue') setOperator = 'ForAnyValue';
    else return undefined;
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  let lower = rest.toLowerCase();
  if (lower.endsWith('ifexists')) {
    ifExists = true;
    lower = lower.slice(0, -'ifexists'.length);
  }
  const base = BY_LOWER.get(lower);
  if (base === undefined) return undefined;
  // IAM accepts `NullIfExists` and `ForAnyValue:Null` (Access Analyzer flags them), so they parse here too.
  return { raw, setOperator, base: base.name, ifExists, family: base.family };
}
