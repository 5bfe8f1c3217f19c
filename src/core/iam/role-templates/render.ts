// Substituting AcquireRole's ReplacementValues into a role template version.
//
// The caller chooses the values, so they are data and nothing else:
//  - The request's map is read into a Map of its own entries: a key such as `__proto__` or `constructor` is a
//    parameter name like any other (and, naming no parameter, refused), never a property lookup.
//  - Policy documents are substituted in their parsed JSON, then written out again: a value stays inside the string
//    it replaces and cannot close it to add statements. Objects are rebuilt with defined properties, so a key that
//    becomes `__proto__` is an ordinary key, and a key a substitution makes equal to another key of the same object
//    is refused rather than silently replacing the template's own entry.
//  - In a policy document a value may not bring its own wildcard (`*`, `?`) or policy variable (`${…}`): a bucket
//    name parameter must not become every bucket, nor a principal parameter everyone. A template that wants a
//    wildcard writes it itself, around the placeholder.
import { invalidInput, type ServiceError } from '../../errors.js';
import { isListType, PLACEHOLDER, type ParameterDefinition, type RoleTemplateVersion } from './catalogue.js';

const WHOLE = /^@\{([^{}]*)\}$/;

/** Each parameter's values after defaults (one for the scalar types, any number for the lists), and which are lists. */
export interface ParameterValues {
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly lists: ReadonlySet<string>;
}

const NUMBER = /^-?\d+(\.\d+)?$/;
const ARN = /^arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:\S+$/;

function checkValue(parameter: ParameterDefinition, value: string): void {
  const element = parameter.Type.replace(/List$/, '');
  if (element === 'Number' && !NUMBER.test(value)) throw invalidInput(`The value ${value} of the parameter ${parameter.Name} is not a Number.`);
  if (element === 'Arn' && !ARN.test(value)) throw invalidInput(`The value ${value} of the parameter ${parameter.Name} is not an ARN.`);
}

/** The entries of ReplacementValues as sent, in a Map (the protocol layer gives an object of own properties). */
export function replacementEntries(replacementValues: unknown): Map<string, readonly string[]> {
  const entries = new Map<string, readonly string[]>();
  if (typeof replacementValues !== 'object' || replacementValues === null) return entries;
  for (const [key, entry] of Object.entries(replacementValues)) {
    const values = typeof entry === 'object' && entry !== null ? (entry as { Values?: unknown }).Values : undefined;
    entries.set(key, Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : []);
  }
  return entries;
}

/**
 * The value of every parameter of the version: the request's, else the parameter's default (a list parameter's
 * default is its one value), else none. A key naming no parameter, a missing required parameter, several values for
 * a scalar type, or a value not of its type is refused.
 */
export function resolveParameters(version: RoleTemplateVersion, given: ReadonlyMap<string, readonly string[]>, templateArn: string): ParameterValues {
  const byName = new Map(version.parameters.map((p) => [p.Name, p]));
  for (const key of given.keys()) {
    if (!byName.has(key)) throw invalidInput(`${key} is not a parameter of the role template ${templateArn} (minor version ${version.minorVersion}).`);
  }
  const values = new Map<string, readonly string[]>();
  const lists = new Set<string>();
  for (const parameter of version.parameters) {
    if (isListType(parameter.Type)) lists.add(parameter.Name);
    const chosen = given.get(parameter.Name) ?? (parameter.DefaultValue !== undefined ? [parameter.DefaultValue] : undefined);
    if (chosen === undefined) {
      if (parameter.IsRequired === true) throw invalidInput(`The role template ${templateArn} requires a value for the parameter ${parameter.Name}.`);
      values.set(parameter.Name, []);
      continue;
    }
    if (!isListType(parameter.Type) && chosen.length !== 1) {
      throw invalidInput(`The parameter ${parameter.Name} is of type ${parameter.Type} and takes exactly one value, not ${chosen.length}.`);
    }
    for (const value of chosen) checkValue(parameter, value);
    values.set(parameter.Name, [...chosen]);
  }
  return { values, lists };
}

/** A name, path, description or tag pattern with each placeholder replaced by its parameter's one value. */
export function renderText(pattern: string, parameters: ParameterValues): string {
  // The catalogue admits only scalar parameters here; an optional one left without a value is empty.
  return pattern.replace(PLACEHOLDER, (_match, name: string) => parameters.values.get(name)?.[0] ?? '');
}

const POLICY_WILDCARDS = /[*?]|\$\{/;

const wildcardRefusal = (name: string): ServiceError =>
  invalidInput(`The value of the parameter ${name} may not contain *, ? or \${ where the role template uses it in a policy document.`);

function documentText(text: string, parameters: ParameterValues): string {
  return text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = parameters.values.get(name)?.[0] ?? '';
    if (POLICY_WILDCARDS.test(value)) throw wildcardRefusal(name);
    return value;
  });
}

/**
 * A policy template with the values substituted: its JSON walked, strings and keys replaced, a string that is a list
 * parameter alone replaced by the list (spread into an enclosing list), then written out as compact JSON.
 */
export function renderPolicy(tree: unknown, parameters: ParameterValues): string {
  const render = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const whole = WHOLE.exec(node);
      const name = whole?.[1];
      // The catalogue admits list parameters only here, standing alone: they become a JSON list.
      if (name !== undefined && parameters.lists.has(name)) {
        const list = parameters.values.get(name) ?? [];
        for (const value of list) if (POLICY_WILDCARDS.test(value)) throw wildcardRefusal(name);
        return [...list];
      }
      return documentText(node, parameters);
    }
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (const item of node) {
        const rendered = render(item);
        if (Array.isArray(rendered) && typeof item === 'string') out.push(...(rendered as unknown[]));
        else out.push(rendered);
      }
      return out;
    }
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      const keys = new Set<string>();
      for (const [key, value] of Object.entries(node)) {
        const renderedKey = documentText(key, parameters);
        if (keys.has(renderedKey)) {
          throw invalidInput(`The role template's policy document would have the key ${renderedKey} twice once the parameters are substituted.`);
        }
        keys.add(renderedKey);
        Object.defineProperty(out, renderedKey, { value: render(value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return node;
  };
  return JSON.stringify(render(tree));
}
