// The Query protocol flattens the input structure into form fields (Tags.member.1.Key=team); this turns them back
// into the nested shape the services take by walking the model, so only members the model names are ever read and
// every other field (X-Amz-* presign fields, typos, members of newer API versions) is ignored, as AWS ignores them.
import { shape, type ListShape, type MapShape, type ServiceName, type StructureShape } from './model.js';
import { elementPath, memberPath, showValue, type Violation } from './validate-input.js';

/**
 * Parses application/x-www-form-urlencoded text (a POST body or a GET query string) the way browsers and every AWS
 * client encode it: `+` and `%20` are spaces, percent escapes are UTF-8. A repeated name keeps its last value.
 * Malformed escapes are kept literally rather than refused, as WHATWG's form decoding does.
 */
export function parseForm(text: string, into: Map<string, string> = new Map()): Map<string, string> {
  for (const [name, value] of new URLSearchParams(text)) into.set(name, value);
  return into;
}

/** Only form bodies carry parameters; a missing content type is read as a form, as lenient servers do. */
export function isFormContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/x-www-form-urlencoded';
}

interface FieldNode {
  value?: string;
  readonly children: Map<string, FieldNode>;
}

function fieldTree(fields: ReadonlyMap<string, string>): FieldNode {
  const root: FieldNode = { children: new Map() };
  for (const [name, value] of fields) {
    let node = root;
    for (const segment of name.split('.')) {
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.value = value;
  }
  return root;
}

const POSITION = /^[1-9][0-9]{0,8}$/;

/**
 * The numbered children (`.1`, `.2`, …) in numeric order. A gap (1, 3) or a start above 1 is tolerated and the
 * elements are compacted in order: the clients never produce gaps, and losing a hand-written request over one helps
 * nobody. Non-numeric or zero positions are not list elements and are ignored like any unknown field.
 */
function positioned(container: FieldNode): FieldNode[] {
  return [...container.children.entries()]
    .filter(([k]) => POSITION.test(k))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, node]) => node);
}

const INTEGER = /^[+-]?[0-9]+$/;
const NUMBER = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
// The clients send ISO 8601 in UTC (2026-11-25T14:24:24Z, with or without fraction); an explicit offset is accepted.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/i;

const INT32 = { min: -2147483648, max: 2147483647 };

class Decoder {
  readonly violations: Violation[] = [];
  constructor(private readonly service: ServiceName) {}

  structure(target: StructureShape, node: FieldNode, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(target.members)) {
      const child = node.children.get(ref.locationName ?? name);
      if (child === undefined) continue;
      const value = this.value(ref.shape, child, memberPath(path, name));
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  value(shapeName: string, node: FieldNode, path: string): unknown {
    const target = shape(this.service, shapeName);
    switch (target.type) {
      case 'structure':
        return this.structure(target, node, path);
      case 'list':
        return this.list(target, node, path);
      case 'map':
        return this.map(target, node, path);
      default:
        break;
    }
    const raw = node.value;
    if (raw === undefined) return undefined;
    const bad = (constraint: string): undefined => {
      this.violations.push({ path, shown: showValue(target, raw), constraint });
      return undefined;
    };
    switch (target.type) {
      case 'string':
        return raw;
      case 'integer':
      case 'long': {
        const trimmed = raw.trim();
        if (!INTEGER.test(trimmed)) return bad('Member must be an integer');
        const n = Number(trimmed);
        const range = target.type === 'integer' ? INT32 : { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };
        if (n < range.min || n > range.max) return bad('Member must be an integer');
        return n;
      }
      case 'float':
      case 'double': {
        const trimmed = raw.trim();
        if (trimmed === 'NaN' || trimmed === 'Infinity' || trimmed === '-Infinity') return Number(trimmed);
        if (!NUMBER.test(trimmed)) return bad('Member must be a number');
        return Number(trimmed);
      }
      case 'boolean': {
        const lower = raw.trim().toLowerCase();
        if (lower === 'true') return true;
        if (lower === 'false') return false;
        return bad('Member must be a boolean');
      }
      case 'timestamp': {
        const trimmed = raw.trim();
        const when = ISO_8601.test(trimmed) ? new Date(trimmed) : undefined;
        if (when === undefined || Number.isNaN(when.getTime())) return bad('Member must be a timestamp in ISO 8601 format');
        return when;
      }
      case 'blob':
        return Buffer.from(raw, 'base64');
    }
  }

  list(target: ListShape, node: FieldNode, path: string): unknown[] | undefined {
    const container = target.flattened === true ? node : node.children.get(target.member.locationName ?? 'member');
    // Both SDKs send an empty list as the bare name with an empty value (Tags=), since a list of nothing has no fields.
    if (container === undefined) return node.value === '' ? [] : undefined;
    const out: unknown[] = [];
    positioned(container).forEach((element, i) => {
      const value = this.value(target.member.shape, element, elementPath(path, i + 1));
      if (value !== undefined) out.push(value);
    });
    return out;
  }

  map(target: MapShape, node: FieldNode, path: string): Record<string, unknown> | undefined {
    const container = target.flattened === true ? node : node.children.get('entry');
    if (container === undefined) return node.value === '' ? {} : undefined;
    const out: Record<string, unknown> = {};
    positioned(container).forEach((entry, i) => {
      const key = entry.children.get(target.key.locationName ?? 'key')?.value;
      const valueNode = entry.children.get(target.value.locationName ?? 'value');
      if (key === undefined || valueNode === undefined) return;
      const value = this.value(target.value.shape, valueNode, `${elementPath(path, i + 1)}.value`);
      if (value !== undefined) out[key] = value;
    });
    return out;
  }
}

export interface DecodedInput {
  readonly params: Record<string, unknown>;
  /** Values that could not be converted to the member's type (e.g. MaxItems=ten); such members are left out. */
  readonly violations: readonly Violation[];
}

/** Builds the input structure from the form fields; Action, Version and unknown fields are simply not read. */
export function decodeInput(service: ServiceName, input: StructureShape, fields: ReadonlyMap<string, string>): DecodedInput {
  const decoder = new Decoder(service);
  const params = decoder.structure(input, fieldTree(fields), '');
  return { params, violations: decoder.violations };
}
