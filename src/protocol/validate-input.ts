// AWS checks every request against the model's constraints before the operation runs and reports all failures in
// one ValidationError whose text SDK users match on, so both the checks and the wording follow AWS:
//   1 validation error detected: Value 'a/b' at 'userName' failed to satisfy constraint: Member must satisfy
//   regular expression pattern: [\w+=,.@-]+
//   2 validation errors detected: Value ... ; Value ...
import { ServiceError } from '../core/errors.js';
import { shape, type ServiceName, type Shape, type StructureShape } from './model.js';

/** One failed constraint: where (AWS's lower-camel path), the value as AWS prints it, and the constraint text. */
export interface Violation {
  readonly path: string;
  /** `Value 'x'`, `Value null` for a missing member, or just `Value` when the member is sensitive. */
  readonly shown: string;
  readonly constraint: string;
}

export function violationMessage(violations: readonly Violation[]): string {
  const count = violations.length === 1 ? '1 validation error detected' : `${violations.length} validation errors detected`;
  const parts = violations.map((v) => `${v.shown} at '${v.path}' failed to satisfy constraint: ${v.constraint}`);
  return `${count}: ${parts.join('; ')}`;
}

export function validationFailure(violations: readonly Violation[]): ServiceError {
  return new ServiceError('ValidationError', violationMessage(violations), 400);
}

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

function checkValue(service: ServiceName, shapeName: string, value: unknown, path: string, out: Violation[]): void {
  const target = shape(service, shapeName);
  switch (target.type) {
    case 'string': {
      if (typeof value !== 'string') return;
      const shown = showValue(target, value);
      if (target.pattern !== undefined && !compilePattern(target.pattern).test(value)) {
        out.push({ path, shown, constraint: `Member must satisfy regular expression pattern: ${target.pattern}` });
      }
      lengthChecks(target, value, codePointLength(value), path, out);
      if (target.enum !== undefined && !target.enum.includes(value)) {
        out.push({ path, shown, constraint: `Member must satisfy enum value set: [${target.enum.join(', ')}]` });
      }
      return;
    }
    case 'integer':
    case 'long':
    case 'float':
    case 'double': {
      if (typeof value !== 'number') return;
      const shown = showValue(target, String(value));
      if (target.min !== undefined && value < target.min) {
        out.push({ path, shown, constraint: `Member must have value greater than or equal to ${target.min}` });
      }
      if (target.max !== undefined && value > target.max) {
        out.push({ path, shown, constraint: `Member must have value less than or equal to ${target.max}` });
      }
      return;
    }
    case 'blob':
      if (value instanceof Uint8Array) lengthChecks(target, value, value.length, path, out);
      return;
    case 'list': {
      if (!Array.isArray(value)) return;
      lengthChecks(target, value, value.length, path, out);
      value.forEach((item, i) => {
        if (item === undefined || item === null) return;
        checkValue(service, target.member.shape, item, elementPath(path, i + 1), out);
      });
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null) return;
      const entries = Object.entries(value as Record<string, unknown>);
      lengthChecks(target, value, entries.length, path, out);
      entries.forEach(([k, v], i) => {
        const entry = elementPath(path, i + 1);
        checkValue(service, target.key.shape, k, `${entry}.key`, out);
        if (v !== undefined && v !== null) checkValue(service, target.value.shape, v, `${entry}.value`, out);
      });
      return;
    }
    case 'structure':
      if (typeof value === 'object' && value !== null) checkStructure(service, target, value as Record<string, unknown>, path, out);
      return;
    case 'boolean':
    case 'timestamp':
      return;
  }
}

function checkStructure(
  service: ServiceName,
  target: StructureShape,
  value: Readonly<Record<string, unknown>>,
  path: string,
  out: Violation[],
): void {
  const required = new Set(target.required ?? []);
  // Model order, and per member: not-null, then pattern, length, enum. AWS's own order is not documented and varies
  // between services, so clients can only rely on the count and the individual texts.
  for (const [name, ref] of Object.entries(target.members)) {
    const member = Object.hasOwn(value, name) ? value[name] : undefined;
    const at = memberPath(path, name);
    if (member === undefined || member === null) {
      if (required.has(name)) out.push({ path: at, shown: 'Value null', constraint: 'Member must not be null' });
      continue;
    }
    checkValue(service, ref.shape, member, at, out);
  }
}

/** All constraint failures of a decoded input, in a stable order; empty when the input is valid. */
export function inputViolations(
  service: ServiceName,
  input: StructureShape,
  params: Readonly<Record<string, unknown>>,
): Violation[] {
  const out: Violation[] = [];
  checkStructure(service, input, params, '', out);
  return out;
}

/** Throws AWS's ValidationError (400) listing every failure; returns quietly for a valid input. */
export function validateInput(service: ServiceName, input: StructureShape, params: Readonly<Record<string, unknown>>): void {
  const violations = inputViolations(service, input, params);
  if (violations.length > 0) throw validationFailure(violations);
}
