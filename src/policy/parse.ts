import { parseOperatorName } from './conditions/operator-name.js';
import { IAM_MESSAGES, MalformedPolicyError } from './errors.js';
import type { ConditionClause, Effect, PolicyDocument, PolicyVersion, PrincipalElement, Statement } from './types.js';

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'NotPrincipal',
  'Condition',
]);
const PRINCIPAL_KEYS: Record<string, 'aws' | 'service' | 'federated' | 'canonicalUser'> = {
  AWS: 'aws',
  Service: 'service',
  Federated: 'federated',
  CanonicalUser: 'canonicalUser',
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function syntax(path: string): never {
  throw new MalformedPolicyError(IAM_MESSAGES.syntax, path);
}

function stringList(value: unknown, path: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value as string[];
  return syntax(path);
}

function scalarText(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return syntax(path);
}

function parsePrincipal(value: unknown, path: string): PrincipalElement {
  if (value === '*') return { kind: 'any' };
  if (!isObject(value) || Object.keys(value).length === 0) return syntax(path);
  const lists = { aws: [] as string[], service: [] as string[], federated: [] as string[], canonicalUser: [] as string[] };
  for (const [key, entry] of Object.entries(value)) {
    const field = PRINCIPAL_KEYS[key];
    if (field === undefined) return syntax(`${path}.${key}`);
    lists[field] = stringList(entry, `${path}.${key}`);
  }
  return { kind: 'map', ...lists };
}

function parseConditions(value: unknown, path: string): ConditionClause[] {
  if (!isObject(value)) return syntax(path);
  const clauses: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!isObject(block)) return syntax(`${path}.${operator}`);
    // IAM stores an empty block under any name, even one that is no operator (`{"a": {}}`): it holds no condition.
    if (Object.keys(block).length === 0) continue;
    if (parseOperatorName(operator) === undefined) return syntax(`${path}.${operator}`);
    for (const [key, raw] of Object.entries(block)) {
      const at = `${path}.${operator}.${key}`;
      const values = Array.isArray(raw) ? raw.map((v, i) => scalarText(v, `${at}[${i}]`)) : [scalarText(raw, at)];
      clauses.push({ operator, key, values });
    }
  }
  return clauses;
}

function exclusive(
  raw: Record<string, unknown>,
  positive: string,
  negative: string,
  path: string,
): [unknown, unknown] {
  const has = positive in raw;
  const hasNot = negative in raw;
  if (has && hasNot) syntax(path);
  return [raw[positive], raw[negative]];
}

function parseStatement(raw: unknown, index: number, path: string): Statement {
  if (!isObject(raw)) return syntax(path);
  for (const key of Object.keys(raw)) if (!STATEMENT_KEYS.has(key)) syntax(`${path}.${key}`);

  const effect = raw['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny') return syntax(`${path}.Effect`);

  const sid = raw['Sid'];
  if (sid !== undefined && typeof sid !== 'string') syntax(`${path}.Sid`);

  const [action, notAction] = exclusive(raw, 'Action', 'NotAction', path);
  const [resource, notResource] = exclusive(raw, 'Resource', 'NotResource', path);
  const [principal, notPrincipal] = exclusive(raw, 'Principal', 'NotPrincipal', path);
  const condition = raw['Condition'];

  return {
    index,
    ...(typeof sid === 'string' ? { sid } : {}),
    effect: effect as Effect,
    ...(action !== undefined ? { action: stringList(action, `${path}.Action`) } : {}),
    ...(notAction !== undefined ? { notAction: stringList(notAction, `${path}.NotAction`) } : {}),
    ...(resource !== undefined ? { resource: stringList(resource, `${path}.Resource`) } : {}),
    ...(notResource !== undefined ? { notResource: stringList(notResource, `${path}.NotResource`) } : {}),
    ...(principal !== undefined ? { principal: parsePrincipal(principal, `${path}.Principal`) } : {}),
    ...(notPrincipal !== undefined ? { notPrincipal: parsePrincipal(notPrincipal, `${path}.NotPrincipal`) } : {}),
    conditions: condition === undefined ? [] : parseConditions(condition, `${path}.Condition`),
  };
}

export interface ParseOptions {
  /**
   * Keep statements with neither Action nor NotAction instead of refusing the document, for the validator, which
   * reports IAM's other problems that come first (legacy parsing, duplicate SIDs) before the missing actions.
   */
  readonly actionsOptional?: boolean;
}

/**
 * Parses a policy document (JSON text or an already-decoded value) into the normalised form, throwing
 * MalformedPolicyError with IAM's message for anything IAM's parser refuses outright. A grammar error anywhere in the
 * document is reported before a statement without actions, as IAM reports it.
 */
export function parsePolicy(input: unknown, options: ParseOptions = {}): PolicyDocument {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch {
      throw new MalformedPolicyError(IAM_MESSAGES.invalidJson);
    }
  }
  if (!isObject(doc)) return syntax('$');
  for (const key of Object.keys(doc)) if (!TOP_LEVEL.has(key)) syntax(`$.${key}`);

  const version = doc['Version'];
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') syntax('$.Version');
  const id = doc['Id'];
  if (id !== undefined && typeof id !== 'string') syntax('$.Id');

  const rawStatements = doc['Statement'];
  let statements: Statement[];
  let statementIsArray = false;
  if (Array.isArray(rawStatements)) {
    if (rawStatements.length === 0) syntax('$.Statement');
    statementIsArray = true;
    statements = rawStatements.map((s, i) => parseStatement(s, i, `$.Statement[${i}]`));
  } else if (isObject(rawStatements)) {
    statements = [parseStatement(rawStatements, 0, '$.Statement')];
  } else {
    return syntax('$.Statement');
  }

  if (options.actionsOptional !== true) {
    const bare = statements.find((st) => st.action === undefined && st.notAction === undefined);
    if (bare !== undefined) throw new MalformedPolicyError(IAM_MESSAGES.missingActions, statementIsArray ? `$.Statement[${bare.index}]` : '$.Statement');
  }

  return {
    version: version as PolicyVersion | undefined,
    ...(typeof id === 'string' ? { id } : {}),
    statements,
    statementIsArray,
  };
}
