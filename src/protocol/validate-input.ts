// AWS checks every request against the model's constraints before the operation runs and reports all failures in
// one ValidationError whose text SDK users match on, so both the checks and the wording follow AWS:
//   1 validation error detected: Value 'a/b' at 'userName' failed to satisfy constraint: Member must satisfy
//   regular expression pattern: [\w+=,.@-]+
//   2 validation errors detected: Value ... ; Value ...
import { ServiceError } from '../core/errors.js';
import { shape, type ServiceName, type Shape, type StringShape, type StructureShape } from './model.js';

/** One failed constraint: where (AWS's lower-camel path), the value as AWS prints it, and the constraint text. */
export interface Violation {
  readonly path: string;
  /** `Value 'x'`, `Value null` for a missing member, or just `Value` when the member is sensitive. */
  readonly shown: string;
  readonly constraint: string;
  /**
   * The service's own text for this failure, when it checks the member itself instead of reporting the model's
   * constraint (IAM's paths). Used only when nothing else failed the model's checks.
   */
  readonly message?: string;
}

export function violationMessage(violations: readonly Violation[]): string {
  const count = violations.length === 1 ? '1 validation error detected' : `${violations.length} validation errors detected`;
  const parts = violations.map((v) => `${v.shown} at '${v.path}' failed to satisfy constraint: ${v.constraint}`);
  return `${count}: ${parts.join('; ')}`;
}

export function validationFailure(violations: readonly Violation[]): ServiceError {
  const generic = violations.filter((v) => v.message === undefined);
  const own = violations.find((v) => v.message !== undefined)?.message;
  if (generic.length === 0 && own !== undefined) return new ServiceError('ValidationError', own, 400);
  return new ServiceError('ValidationError', violationMessage(generic), 400);
}

// IAM checks paths itself and answers with its own text rather than the model's pattern (UpdateUser's NewPath and
// UpdateGroup's NewPath share the shape). Length failures keep the generic text.
const IAM_PATH_TEXT =
  'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.';
const OWN_PATTERN_TEXTS: Readonly<Record<ServiceName, ReadonlyMap<string, string>>> = {
  iam: new Map([
    ['pathType', IAM_PATH_TEXT],
    ['policyPathType', IAM_PATH_TEXT],
  ]),
  sts: new Map(),
  organizations: new Map(),
  cloudtrail: new Map(),
};

/** AWS names members in these messages lower-camel-cased (UserName → userName), nested with dots. */
export function memberPath(parent: string, memberName: string): string {
  const name = memberName.charAt(0).toLowerCase() + memberName.slice(1);
  return parent === '' ? name : `${parent}.${name}`;
}

/** A list element's path as AWS prints it: the 1-based position, then "member" (tags.1.member.key). */
export function elementPath(parent: string, position: number): string {
  return `${parent}.${position}.member`;
}

/** Sensitive values (passwords, keys, tokens) are never echoed back: AWS drops the quoted value, not the member. */
export function showValue(target: Shape, rendered: string): string {
  return target.sensitive === true ? 'Value' : `Value '${rendered}'`;
}

// --- Java patterns -------------------------------------------------------------------------------------------------

const JS_SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);
const HEX = /[0-9A-Fa-f]/;

/**
 * Translates a model pattern (Java regex syntax) into a JavaScript source usable with the `u` flag. Differences that
 * occur in the IAM/STS models: `\uXXXX` escapes, identity escapes such as `\:` that `u` mode rejects, and
 * `\u10000-\u10FFFF`, which Java would read as `\u1000` followed by `0` but which plainly means the supplementary
 * planes: more than four hex digits are taken as one code point.
 */
export function javaPatternToJs(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c !== '\\') {
      if (c === '[' && !inClass) inClass = true;
      else if (c === ']' && inClass) inClass = false;
      out += c;
      continue;
    }
    const next = pattern.charAt(i + 1);
    if (next === 'u') {
      let j = i + 2;
      let hex = '';
      while (j < pattern.length && hex.length < 6 && HEX.test(pattern.charAt(j))) hex += pattern.charAt(j++);
      if (hex.length >= 4) {
        out += `\\u{${hex}}`;
        i = j - 1;
        continue;
      }
    }
    if (/[A-Za-z0-9]/.test(next)) {
      out += `\\${next}`;
    } else if (JS_SYNTAX.has(next) || (next === '-' && inClass)) {
      out += `\\${next}`;
    } else {
      out += next;
    }
    i++;
  }
  return out;
}

const compiled = new Map<string, RegExp>();

/** AWS requires the whole value to match (Java's Matcher.matches), so the translation is anchored. */
export function compilePattern(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^(?:${javaPatternToJs(pattern)})$`, 'u');
    compiled.set(pattern, re);
  }
  return re;
}

/** Length as the Smithy length trait defines it for strings: Unicode code points, so an emoji counts once. */
export function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

// --- walking the input ---------------------------------------------------------------------------------------------

function render(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(render).join(', ')}]`;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${render(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

function lengthChecks(target: Shape, value: unknown, length: number, path: string, out: Violation[]): void {
  if (!('min' in target) && !('max' in target)) return;
  const { min, max } = target as { min?: number; max?: number };
  if (min !== undefined && length < min) {
    out.push({ path, shown: showValue(target, render(value)), constraint: `Member must have length greater than or equal to ${min}` });
  }
  if (max !== undefined && length > max) {
    out.push({ path, shown: showValue(target, render(value)), constraint: `Member must have length less than or equal to ${max}` });
  }
}

// Each shape is compiled once, on first use, into a checker with its constraints (pattern, bounds, enum, required
// members) resolved, so checking a request does not consult the model at all.
type Checker = (value: unknown, path: string, out: Violation[]) => void;

interface CompiledStructure {
  readonly names: readonly string[];
  /** Lower-camel member names, which are also the members' paths at the top level. */
  readonly paths: readonly string[];
  readonly required: readonly boolean[];
  readonly checkers: readonly Checker[];
}

const noCheck: Checker = () => undefined;

const shapeCheckers: Readonly<Record<ServiceName, Map<string, Checker>>> = { iam: new Map(), sts: new Map(), organizations: new Map(), cloudtrail: new Map() };
const structureCheckers: Readonly<Record<ServiceName, WeakMap<StructureShape, CompiledStructure>>> = {
  iam: new WeakMap(),
  sts: new WeakMap(),
  organizations: new WeakMap(),
  cloudtrail: new WeakMap(),
};

function shapeChecker(service: ServiceName, shapeName: string): Checker {
  const cache = shapeCheckers[service];
  let checker = cache.get(shapeName);
  if (checker === undefined) {
    // Registered before compiling so a recursive shape refers to itself through the cache instead of looping.
    let compiled: Checker | undefined;
    cache.set(shapeName, (value, path, out) => (compiled as Checker)(value, path, out));
    try {
      compiled = compileChecker(service, shape(service, shapeName), OWN_PATTERN_TEXTS[service].get(shapeName));
    } catch (error) {
      cache.delete(shapeName);
      throw error;
    }
    cache.set(shapeName, compiled);
    checker = compiled;
  }
  return checker;
}

function compiledStructure(service: ServiceName, target: StructureShape): CompiledStructure {
  const cache = structureCheckers[service];
  let compiled = cache.get(target);
  if (compiled === undefined) {
    const required = new Set(target.required ?? []);
    const names = Object.keys(target.members);
    compiled = {
      names,
      paths: names.map((name) => memberPath('', name)),
      required: names.map((name) => required.has(name)),
      checkers: names.map((name) => shapeChecker(service, (target.members[name] as { shape: string }).shape)),
    };
    cache.set(target, compiled);
  }
  return compiled;
}

/**
 * Model order, and per member: not-null, then pattern, length, enum. AWS's own order is not documented and varies
 * between services, so clients can only rely on the count and the individual texts.
 */
function checkCompiledStructure(
  compiled: CompiledStructure,
  value: Readonly<Record<string, unknown>>,
  path: string,
  out: Violation[],
): void {
  const { names, paths, required, checkers } = compiled;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const member = Object.hasOwn(value, name) ? value[name] : undefined;
    const at = path === '' ? (paths[i] as string) : `${path}.${paths[i] as string}`;
    if (member === undefined || member === null) {
      if (required[i] === true) out.push({ path: at, shown: 'Value null', constraint: 'Member must not be null' });
      continue;
    }
    (checkers[i] as Checker)(member, at, out);
  }
}

function compileChecker(service: ServiceName, target: Shape, patternText?: string): Checker {
  switch (target.type) {
    case 'string':
      return compileStringChecker(target, patternText);
    case 'integer':
    case 'long':
    case 'float':
    case 'double': {
      const { min, max } = target;
      if (min === undefined && max === undefined) return noCheck;
      return (value, path, out) => {
        if (typeof value !== 'number') return;
        if (min !== undefined && value < min) {
          out.push({ path, shown: showValue(target, String(value)), constraint: `Member must have value greater than or equal to ${min}` });
        }
        if (max !== undefined && value > max) {
          out.push({ path, shown: showValue(target, String(value)), constraint: `Member must have value less than or equal to ${max}` });
        }
      };
    }
    case 'blob':
      return (value, path, out) => {
        if (value instanceof Uint8Array) lengthChecks(target, value, value.length, path, out);
      };
    case 'list': {
      const member = shapeChecker(service, target.member.shape);
      return (value, path, out) => {
        if (!Array.isArray(value)) return;
        lengthChecks(target, value, value.length, path, out);
        // forEach, not a counted loop: holes in a sparse array are skipped, not checked.
        value.forEach((item, i) => {
          if (item === undefined || item === null) return;
          member(item, elementPath(path, i + 1), out);
        });
      };
    }
    case 'map': {
      const key = shapeChecker(service, target.key.shape);
      const entryValue = shapeChecker(service, target.value.shape);
      return (value, path, out) => {
        if (typeof value !== 'object' || value === null) return;
        const entries = Object.entries(value as Record<string, unknown>);
        lengthChecks(target, value, entries.length, path, out);
        entries.forEach(([k, v], i) => {
          const entry = elementPath(path, i + 1);
          key(k, `${entry}.key`, out);
          if (v !== undefined && v !== null) entryValue(v, `${entry}.value`, out);
        });
      };
    }
    case 'structure': {
      const compiled = compiledStructure(service, target);
      return (value, path, out) => {
        if (typeof value === 'object' && value !== null) checkCompiledStructure(compiled, value as Record<string, unknown>, path, out);
      };
    }
    case 'boolean':
    case 'timestamp':
      return noCheck;
  }
}

function compileStringChecker(target: StringShape, patternText?: string): Checker {
  const { pattern, min, max } = target;
  const hasLength = 'min' in target || 'max' in target;
  const values = target.enum === undefined ? undefined : new Set(target.enum);
  const patternConstraint = `Member must satisfy regular expression pattern: ${pattern ?? ''}`;
  const enumConstraint = `Member must satisfy enum value set: [${(target.enum ?? []).join(', ')}]`;
  // Compiled on first use, so a pattern JavaScript cannot take fails only the requests that carry the member.
  let re: RegExp | undefined;
  return (value, path, out) => {
    if (typeof value !== 'string') return;
    if (pattern !== undefined && !(re ??= compilePattern(pattern)).test(value)) {
      const violation: Violation = { path, shown: showValue(target, value), constraint: patternConstraint };
      out.push(patternText === undefined ? violation : { ...violation, message: patternText });
    }
    if (hasLength) {
      // A string has at least length / 2 code points and at most length, so counting is needed only near a bound.
      const length = value.length;
      const certain = (max === undefined || length <= max) && (min === undefined || Math.ceil(length / 2) >= min);
      if (!certain) lengthChecks(target, value, codePointLength(value), path, out);
    }
    if (values !== undefined && !values.has(value)) {
      out.push({ path, shown: showValue(target, value), constraint: enumConstraint });
    }
  };
}

/** All constraint failures of a decoded input, in a stable order; empty when the input is valid. */
export function inputViolations(
  service: ServiceName,
  input: StructureShape,
  params: Readonly<Record<string, unknown>>,
): Violation[] {
  const out: Violation[] = [];
  checkCompiledStructure(compiledStructure(service, input), params, '', out);
  return out;
}

/** Throws AWS's ValidationError (400) listing every failure; returns quietly for a valid input. */
export function validateInput(service: ServiceName, input: StructureShape, params: Readonly<Record<string, unknown>>): void {
  const violations = inputViolations(service, input, params);
  if (violations.length > 0) throw validationFailure(violations);
}
