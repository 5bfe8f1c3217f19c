import type { ServiceCatalog } from './catalog.js';
import { IAM_MESSAGES, type MalformedPolicyError } from './errors.js';
import { parsePolicy } from './parse.js';
import { ValidationContext, type IamRejection, type ValidateOptions, type ValidatePolicyType } from './validate-context.js';
import { findRejection } from './validate-rejections.js';

// The policy parser refuses some documents as plain syntax errors that IAM's own grammar still reads, only to refuse
// them later with a text of their own: an Effect in the wrong case ("allow") fails IAM's legacy parser, and an empty
// Action or Resource list is a statement without actions or resources. This re-reads such a document the way IAM
// does, to find the text IAM would answer; the document is refused either way.

const LISTS = [
  ['Action', 'NotAction'],
  ['NotAction', 'Action'],
  ['Resource', 'NotResource'],
  ['NotResource', 'Resource'],
] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Loosened {
  readonly doc: Record<string, unknown>;
  /** Where the first Effect in the wrong case is, if any. */
  readonly legacyEffect?: string;
  readonly changed: boolean;
}

/** The document with Effects in their canonical case and empty lists (without a counterpart) left out. */
function loosen(raw: Record<string, unknown>, policyType: ValidatePolicyType): Loosened | undefined {
  const rawStatements = raw['Statement'];
  const isArray = Array.isArray(rawStatements);
  if (!isArray && !isObject(rawStatements)) return undefined;
  let legacyEffect: string | undefined;
  let changed = false;
  const statements = (isArray ? rawStatements : [rawStatements]).map((statement: unknown, index) => {
    if (!isObject(statement)) return statement;
    const path = isArray ? `$.Statement[${index}]` : '$.Statement';
    const copy = { ...statement };
    const effect = copy['Effect'];
    if (typeof effect === 'string' && effect !== 'Allow' && effect !== 'Deny') {
      const canonical = effect.toLowerCase() === 'allow' ? 'Allow' : effect.toLowerCase() === 'deny' ? 'Deny' : undefined;
      if (canonical !== undefined) {
        copy['Effect'] = canonical;
        legacyEffect ??= `${path}.Effect`;
        changed = true;
      }
    }
    for (const [element, counterpart] of LISTS) {
      // A trust policy's Resource is refused whatever it holds; only an identity policy's may be missing.
      if ((element === 'Resource' || element === 'NotResource') && policyType !== 'identity') continue;
      const value = copy[element];
      if (Array.isArray(value) && value.length === 0 && !(counterpart in copy)) {
        delete copy[element];
        changed = true;
      }
    }
    return copy;
  });
  return { doc: { ...raw, Statement: isArray ? statements : statements[0] }, ...(legacyEffect !== undefined ? { legacyEffect } : {}), changed };
}

/**
 * IAM's text for a document the parser refused with `error`, when IAM's grammar reads it and refuses it for another
 * reason; otherwise `error` itself. Only for the policies IAM stores (identity and trust).
 */
export function refineParseRejection(
  raw: unknown,
  error: MalformedPolicyError,
  policyType: ValidatePolicyType,
  catalog: ServiceCatalog,
  options: ValidateOptions,
): IamRejection {
  const original = { message: error.message, path: error.path };
  if ((policyType !== 'identity' && policyType !== 'trust') || !isObject(raw)) return original;
  if (error.message !== IAM_MESSAGES.syntax && error.message !== IAM_MESSAGES.missingActions) return original;
  const loosened = loosen(raw, policyType);
  if (loosened === undefined) return original;
  if (!loosened.changed && error.message !== IAM_MESSAGES.missingActions) return original;
  // IAM checks the version and runs its legacy parser (an Effect in the wrong case) first; findRejection has the
  // rest in IAM's order, up to the statements without actions.
  const versionTooOld = policyType === 'identity' && options.managedPolicy === true && raw['Version'] !== '2012-10-17';
  const early = (): IamRejection | undefined =>
    versionTooOld
      ? { message: IAM_MESSAGES.versionTooOld, path: raw['Version'] === undefined ? '$' : '$.Version' }
      : loosened.legacyEffect !== undefined
        ? { message: IAM_MESSAGES.legacyParsing, path: loosened.legacyEffect }
        : undefined;
  let ctx: ValidationContext;
  try {
    ctx = new ValidationContext(parsePolicy(loosened.doc, { actionsOptional: true }), loosened.doc, policyType, catalog, options);
  } catch {
    return original;
  }
  return early() ?? findRejection(ctx) ?? original;
}
