import type { ConditionKeyInfo, ConditionKeyType } from './catalog.js';
import { parseDate } from './conditions/date.js';
import { parseRange } from './conditions/ip.js';
import { parseNumber } from './conditions/numeric.js';
import { parseOperatorName, type OperatorFamilyName, type ParsedOperatorName } from './conditions/operator-name.js';
import type { ConditionClause, Statement } from './types.js';
import { hasVariable, type ValidationContext } from './validate-context.js';

// Checks Condition blocks: that keys exist, that operators suit the keys' types, and that values parse the way the
// operator will read them (a value the operator cannot read never matches, which is rarely what the author meant).

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const EQUALS_OPERATORS = new Set(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase']);

/** The operator family each key type is meant for (ArrayOf types take the same family through a set operator). */
const FAMILY_FOR_TYPE: Record<string, OperatorFamilyName> = {
  String: 'String',
  ARN: 'Arn',
  Numeric: 'Numeric',
  Date: 'Date',
  Bool: 'Bool',
  IPAddress: 'IpAddress',
  Binary: 'Binary',
};

function scalarType(type: ConditionKeyType): string {
  return type.startsWith('ArrayOf') ? type.slice('ArrayOf'.length) : type;
}

function compatible(family: OperatorFamilyName, info: ConditionKeyInfo): boolean {
  if (family === 'Null') return true;
  const scalar = scalarType(info.type);
  // ARNs are strings too, and the User Guide uses string operators on ARN keys (aws:SourceArn with StringLike).
  if (family === 'String') return scalar === 'String' || scalar === 'ARN';
  // aws:EpochTime holds seconds since the epoch: it takes numeric operators as well as date ones.
  if (family === 'Numeric' && info.key.toLowerCase() === 'aws:epochtime') return true;
  return FAMILY_FOR_TYPE[scalar] === family;
}

/** Looks the key up; reports it when it does not exist. Undefined when unknown or when it cannot be checked. */
function lookupKey(ctx: ValidationContext, statement: Statement, clause: ConditionClause): ConditionKeyInfo | undefined {
  const info = ctx.catalog.conditionKey(clause.key);
  if (info !== undefined) return info;
  const colon = clause.key.indexOf(':');
  if (colon <= 0) return undefined; // IAM refuses these outright.
  const prefix = clause.key.slice(0, colon);
  // Identity-provider keys (accounts.google.com:aud, an OIDC provider URL followed by :sub) name the provider, not a
  // service, and any provider may be configured: there is no list to check them against.
  if (/[./]/.test(prefix)) return undefined;
  const path = ctx.conditionPath(statement, clause);
  if (prefix.toLowerCase() === 'aws') {
    ctx.add('INVALID_GLOBAL_CONDITION_KEY', `The condition key ${clause.key} does not exist. Use a valid condition key.`, path);
  } else if (!ctx.catalog.hasService(prefix)) {
    ctx.add('INVALID_SERVICE', `The service ${prefix} does not exist. Use a valid service name.`, path);
  } else {
    ctx.add(
      'INVALID_SERVICE_CONDITION_KEY',
      `The condition key ${clause.key} does not exist in the service ${prefix}. Use a valid condition key.`,
      path,
    );
  }
  return undefined;
}

function checkEmptyValues(ctx: ValidationContext, statement: Statement, clause: ConditionClause, op: ParsedOperatorName | undefined): void {
  if (clause.values.length > 0) return;
  const path = ctx.conditionPath(statement, clause);
  if (op?.setOperator === 'ForAllValues') {
    ctx.add(
      'EMPTY_ARRAY_CONDITION_FORALLVALUES',
      'The ForAllValues prefix with an empty condition key matches only if the key is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead.',
      path,
    );
  } else if (op?.setOperator === 'ForAnyValue') {
    ctx.add(
      'EMPTY_ARRAY_CONDITION_FORANYVALUE',
      'The ForAnyValue prefix with an empty condition key never matches the request context and it does not affect the policy. Specify conditions.',
      path,
    );
  } else if (op?.ifExists === true) {
    ctx.add(
      'EMPTY_ARRAY_CONDITION_IFEXISTS',
      'The IfExists suffix with an empty condition key matches only if the key is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead.',
      path,
    );
  } else {
    ctx.add('EMPTY_ARRAY_CONDITION', 'There are no values for the condition key and it does not affect the policy. Specify conditions.', path);
  }
}

function isBoolText(value: string): boolean {
  const lower = value.toLowerCase();
  return lower === 'true' || lower === 'false';
}

function checkValues(ctx: ValidationContext, statement: Statement, clause: ConditionClause, op: ParsedOperatorName): void {
  const modern = ctx.doc.version === '2012-10-17';
  const readsVariables = op.family === 'String' || op.family === 'Arn';
  let wildcardReported = false;
  for (const [index, value] of clause.values.entries()) {
    const path = ctx.conditionPath(statement, clause, index);
    if (modern && hasVariable(value)) {
      if (!readsVariables) {
        ctx.add('INVALID_VARIABLE_FOR_OPERATOR', 'Policy variables can only be used with String and ARN operators.', path);
      }
      continue;
    }
    switch (op.family) {
      case 'Numeric':
        if (parseNumber(value) === undefined) ctx.add('TYPE_MISMATCH_NUMBER', 'Add a valid numeric value for the condition operator.', path);
        break;
      case 'Date':
        if (parseDate(value) === undefined) {
          ctx.add(
            'TYPE_MISMATCH_DATE',
            'The date condition operator is used with an invalid value. Specify a valid date using YYYY-MM-DD or other ISO 8601 date/time format.',
            path,
          );
        }
        break;
      case 'Bool':
      case 'Null':
        if (!isBoolText(value)) ctx.add('TYPE_MISMATCH_BOOLEAN', 'Add a valid Boolean value (true or false) for the condition operator.', path);
        break;
      case 'IpAddress':
        if (parseRange(value) === undefined) {
          ctx.add(
            'TYPE_MISMATCH_IP_RANGE',
            'The condition operator is used with an invalid IP range value. Specify the IP range in standard CIDR format.',
            path,
          );
        }
        break;
      case 'Binary':
        if (!BASE64.test(value)) ctx.add('TYPE_MISMATCH_STRING', 'Add a valid base64-encoded string value for the condition operator.', path);
        break;
      case 'String':
        // `${*}` and `${?}` are the way to write the characters themselves, so they do not count.
        if (!wildcardReported && EQUALS_OPERATORS.has(op.base) && /[*?]/.test(value.replace(/\$\{[*?]\}/g, ''))) {
          wildcardReported = true;
          ctx.add(
            'WILDCARD_WITHOUT_LIKE_OPERATOR',
            'Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), update the condition operator to include Like.',
            path,
          );
        }
        break;
      case 'Arn':
        break;
    }
  }
  if (op.family === 'Bool' && clause.values.length > 1) {
    ctx.add(
      'INVALID_CONDITION_MULTIPLE_BOOLEAN',
      'The condition key does not support multiple Boolean values. Use a single Boolean value.',
      ctx.conditionPath(statement, clause),
    );
  }
}

function checkClause(ctx: ValidationContext, statement: Statement, clause: ConditionClause): void {
  const op = parseOperatorName(clause.operator);
  const operatorPath = `${ctx.statementPath(statement)}.Condition.${clause.operator}`;
  if (op?.family === 'Null') {
    if (op.ifExists) {
      ctx.add(
        'NULL_WITH_IF_EXISTS',
        'The Null condition operator cannot be used with the IfExists suffix. Update the operator or the suffix.',
        operatorPath,
      );
    } else if (op.setOperator !== undefined) {
      ctx.add(
        'NULL_WITH_QUALIFIER',
        'Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers because they always return a true or false respectively.',
        operatorPath,
      );
    }
  }
  checkEmptyValues(ctx, statement, clause, op);
  const info = lookupKey(ctx, statement, clause);
  if (op === undefined) return;
  if (info !== undefined && !compatible(op.family, info)) {
    const expected = FAMILY_FOR_TYPE[scalarType(info.type)] ?? info.type;
    ctx.add(
      'TYPE_MISMATCH',
      `Use the operator type ${expected} instead of operator ${clause.operator} for the condition key ${clause.key}.`,
      ctx.conditionPath(statement, clause),
    );
  }
  if (info !== undefined && op.setOperator === 'ForAllValues' && !info.type.startsWith('ArrayOf') && statement.effect === 'Allow') {
    ctx.add(
      'FORALLVALUES_WITH_SINGLE_VALUED_KEY',
      `Using ForAllValues qualifier with the single-valued condition key ${clause.key} can be overly permissive. We recommend that you remove ForAllValues:.`,
      ctx.conditionPath(statement, clause),
    );
  }
  checkValues(ctx, statement, clause, op);
}

/** Empty `Condition: {}` and empty operator blocks parse to nothing, so they are found in the JSON itself. */
function checkEmptyObjects(ctx: ValidationContext, statement: Statement): void {
  const raw = ctx.rawCondition(statement);
  if (raw === undefined) return;
  const details = 'This condition block is empty and it does not affect the policy. Specify conditions.';
  const operators = Object.entries(raw);
  if (operators.length === 0) {
    ctx.add('EMPTY_OBJECT_CONDITION', details, ctx.elementPath(statement, 'Condition'));
    return;
  }
  for (const [operator, block] of operators) {
    if (block !== undefined && Object.keys(block).length === 0) {
      ctx.add('EMPTY_OBJECT_CONDITION', details, `${ctx.statementPath(statement)}.Condition.${operator}`);
    }
  }
}

export function checkConditions(ctx: ValidationContext): void {
  for (const statement of ctx.doc.statements) {
    checkEmptyObjects(ctx, statement);
    for (const clause of statement.conditions) checkClause(ctx, statement, clause);
  }
}
