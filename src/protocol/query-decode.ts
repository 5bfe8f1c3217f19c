// The Query protocol flattens the input structure into form fields (Tags.member.1.Key=team); this turns them back
// into the nested shape the services take by walking the model, so only members the model names are ever read and
// every other field (X-Amz-* presign fields, typos, members of newer API versions) is ignored, as AWS ignores them.
import { shape, type ListShape, type MapShape, type ServiceName, type Shape, type StructureShape } from './model.js';
import { elementPath, memberPath, showValue, type Violation } from './validate-input.js';

/**
 * Parses application/x-www-form-urlencoded text (a POST body or a GET query string) the way browsers and every AWS
 * client encode it: `+` and `%20` are spaces, percent escapes are UTF-8. A repeated name keeps its last value.
 * Malformed escapes are kept literally rather than refused, as WHATWG's form decoding does.
 *
 * The result is exactly URLSearchParams's; the hand-written split is only faster. Text with surrogates (where
 * URLSearchParams replaces lone ones) goes to URLSearchParams itself, and so does any component decodeURIComponent
 * refuses (malformed escapes, invalid UTF-8), since those are the cases where the two differ.
 */
export function parseForm(text: string, into: Map<string, string> = new Map()): Map<string, string> {
  if (text.length === 0) return into;
  if (SURROGATE.test(text)) {
    for (const [name, value] of new URLSearchParams(text)) into.set(name, value);
    return into;
  }
  const end = text.length;
  // Without any escape or '+' (the common case for short requests) every component is taken as it is.
  const decode = text.indexOf('%') === -1 && text.indexOf('+') === -1 ? asIs : decodeComponent;
  // URLSearchParams drops one leading '?', so a query string can be passed with or without it.
  let start = text.charCodeAt(0) === 0x3f ? 1 : 0;
  let eq = -2; // the next '=' at or after start, -1 when there is none; -2 before the first search
  while (start < end) {
    let amp = text.indexOf('&', start);
    if (amp === -1) amp = end;
    if (amp > start) {
      // One '=' search serves every component up to it, so a body of many bare names stays linear.
      if (eq !== -1 && eq < start) eq = text.indexOf('=', start);
      if (eq === -1 || eq > amp) {
        into.set(decode(text.slice(start, amp)), '');
      } else {
        into.set(decode(text.slice(start, eq)), decode(text.slice(eq + 1, amp)));
      }
    }
    start = amp + 1;
  }
  return into;
}

const SURROGATE = /[\uD800-\uDFFF]/;
const PLUS = /\+/g;

const asIs = (component: string): string => component;

function decodeComponent(component: string): string {
  const percent = component.indexOf('%');
  if (percent === -1) return component.indexOf('+') === -1 ? component : component.replace(PLUS, ' ');
  try {
    return decodeURIComponent(component.replace(PLUS, ' '));
  } catch {
    // The component holds no '&' and is read as a value (after the first '='), so it decodes alone exactly as in place.
    return new URLSearchParams(`v=${component}`).get('v') ?? '';
  }
}

/** Only form bodies carry parameters; a missing content type is read as a form, as lenient servers do. */
export function isFormContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType === FORM || contentType === FORM_UTF8) return true;
  if (contentType.trim() === '') return true;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase();
  return mediaType === FORM;
}

const FORM = 'application/x-www-form-urlencoded';
const FORM_UTF8 = 'application/x-www-form-urlencoded; charset=utf-8';

interface FieldNode {
  value: string | undefined;
  /** Absent until the node has a child: most nodes are leaves. */
  children: Map<string, FieldNode> | undefined;
}

/**
 * The dotted field names (Tags.member.1.Key) as a tree by their first segment. Plain names are read from the fields
 * directly, so requests without lists or structures never build one.
 */
function dottedTree(fields: ReadonlyMap<string, string>): Map<string, FieldNode> {
  const root = new Map<string, FieldNode>();
  for (const [name, value] of fields) {
    let dot = name.indexOf('.');
    if (dot === -1) continue;
    const end = name.length;
    let children = root;
    let start = 0;
    for (;;) {
      const segment = name.slice(start, dot);
      let node = children.get(segment);
      if (node === undefined) {
        node = { value: undefined, children: undefined };
        children.set(segment, node);
      }
      if (dot === end) {
        node.value = value;
        break;
      }
      start = dot + 1;
      dot = name.indexOf('.', start);
      if (dot === -1) dot = end;
      children = node.children ??= new Map();
    }
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
  const positions: number[] = [];
  const nodes: FieldNode[] = [];
  let ordered = true;
  if (container.children === undefined) return [];
  for (const [k, node] of container.children) {
    if (!POSITION.test(k)) continue;
    const position = Number(k);
    if (positions.length > 0 && position < (positions[positions.length - 1] as number)) ordered = false;
    positions.push(position);
    nodes.push(node);
  }
  if (ordered) return nodes;
  return positions
    .map((position, i) => ({ position, node: nodes[i] as FieldNode }))
    .sort((a, b) => a.position - b.position)
    .map(({ node }) => node);
}

const INTEGER = /^[+-]?[0-9]+$/;
const NUMBER = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
// The clients send ISO 8601 in UTC (2026-11-25T14:24:24Z, with or without fraction); an explicit offset is accepted.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/i;

const INT32 = { min: -2147483648, max: 2147483647 };
const SAFE = { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };

// Each shape is compiled once, on first use, into a function that reads its fields: member names, element paths and
// scalar conversions are resolved from the model ahead of time rather than per request.

/** Converts one field's text; undefined (with a violation recorded) when it does not fit the type. */
type ScalarDecoder = (raw: string, path: string, out: Violation[]) => unknown;
/** Reads a subtree of the dotted fields; undefined when the fields hold no value for the shape. */
type NodeDecoder = (node: FieldNode, path: string, out: Violation[]) => unknown;
/** The whole input structure, from the flat fields. */
type InputDecoder = (fields: ReadonlyMap<string, string>, out: Violation[]) => Record<string, unknown>;

const identity: ScalarDecoder = (raw) => raw;

function scalarDecoder(target: Shape): ScalarDecoder {
  const bad = (raw: string, path: string, out: Violation[], constraint: string): undefined => {
    out.push({ path, shown: showValue(target, raw), constraint });
    return undefined;
  };
  switch (target.type) {
    case 'string':
      return identity;
    case 'integer':
    case 'long': {
      const range = target.type === 'integer' ? INT32 : SAFE;
      return (raw, path, out) => {
        const trimmed = raw.trim();
        if (!INTEGER.test(trimmed)) return bad(raw, path, out, 'Member must be an integer');
        const n = Number(trimmed);
        if (n < range.min || n > range.max) return bad(raw, path, out, 'Member must be an integer');
        return n;
      };
    }
    case 'float':
    case 'double':
      return (raw, path, out) => {
        const trimmed = raw.trim();
        if (trimmed === 'NaN' || trimmed === 'Infinity' || trimmed === '-Infinity') return Number(trimmed);
        if (!NUMBER.test(trimmed)) return bad(raw, path, out, 'Member must be a number');
        return Number(trimmed);
      };
    case 'boolean':
      return (raw, path, out) => {
        const lower = raw.trim().toLowerCase();
        if (lower === 'true') return true;
        if (lower === 'false') return false;
        return bad(raw, path, out, 'Member must be a boolean');
      };
    case 'timestamp':
      return (raw, path, out) => {
        const trimmed = raw.trim();
        const when = ISO_8601.test(trimmed) ? new Date(trimmed) : undefined;
        if (when === undefined || Number.isNaN(when.getTime())) {
          return bad(raw, path, out, 'Member must be a timestamp in ISO 8601 format');
        }
        return when;
      };
    case 'blob':
      return (raw) => Buffer.from(raw, 'base64');
    default:
      throw new Error(`${target.type} is not a scalar shape`);
  }
}

function isScalar(target: Shape): boolean {
  return target.type !== 'structure' && target.type !== 'list' && target.type !== 'map';
}

const nodeDecoders: Readonly<Record<ServiceName, Map<string, NodeDecoder>>> = { iam: new Map(), sts: new Map(), organizations: new Map(), cloudtrail: new Map() };
const inputDecoders: Readonly<Record<ServiceName, WeakMap<StructureShape, InputDecoder>>> = {
  iam: new WeakMap(),
  sts: new WeakMap(),
  organizations: new WeakMap(),
  cloudtrail: new WeakMap(),
};

function nodeDecoder(service: ServiceName, shapeName: string): NodeDecoder {
  const cache = nodeDecoders[service];
  let decoder = cache.get(shapeName);
  if (decoder === undefined) {
    // Registered before compiling so a recursive shape refers to itself through the cache instead of looping.
    let compiled: NodeDecoder | undefined;
    cache.set(shapeName, (node, path, out) => (compiled as NodeDecoder)(node, path, out));
    try {
      compiled = compileNode(service, shape(service, shapeName));
    } catch (error) {
      cache.delete(shapeName);
      throw error;
    }
    cache.set(shapeName, compiled);
    decoder = compiled;
  }
  return decoder;
}

function compileNode(service: ServiceName, target: Shape): NodeDecoder {
  switch (target.type) {
    case 'structure':
      return compileStructure(service, target);
    case 'list':
      return compileList(service, target);
    case 'map':
      return compileMap(service, target);
    default: {
      const scalar = scalarDecoder(target);
      return (node, path, out) => (node.value === undefined ? undefined : scalar(node.value, path, out));
    }
  }
}

function compileStructure(service: ServiceName, target: StructureShape): NodeDecoder {
  const members = Object.entries(target.members).map(([name, ref]) => ({
    name,
    field: ref.locationName ?? name,
    path: memberPath('', name),
    decode: nodeDecoder(service, ref.shape),
  }));
  return (node, path, out) => {
    const result: Record<string, unknown> = {};
    for (const member of members) {
      const child = node.children?.get(member.field);
      if (child === undefined) continue;
      const value = member.decode(child, path === '' ? member.path : `${path}.${member.path}`, out);
      if (value !== undefined) result[member.name] = value;
    }
    return result;
  };
}

function compileList(service: ServiceName, target: ListShape): NodeDecoder {
  const flattened = target.flattened === true;
  const field = target.member.locationName ?? 'member';
  const element = nodeDecoder(service, target.member.shape);
  return (node, path, out) => {
    const container = flattened ? node : node.children?.get(field);
    // Both SDKs send an empty list as the bare name with an empty value (Tags=), since a list of nothing has no fields.
    if (container === undefined) return node.value === '' ? [] : undefined;
    const result: unknown[] = [];
    const elements = positioned(container);
    for (let i = 0; i < elements.length; i++) {
      const value = element(elements[i] as FieldNode, elementPath(path, i + 1), out);
      if (value !== undefined) result.push(value);
    }
    return result;
  };
}

function compileMap(service: ServiceName, target: MapShape): NodeDecoder {
  const flattened = target.flattened === true;
  const keyField = target.key.locationName ?? 'key';
  const valueField = target.value.locationName ?? 'value';
  const entryValue = nodeDecoder(service, target.value.shape);
  return (node, path, out) => {
    const container = flattened ? node : node.children?.get('entry');
    if (container === undefined) return node.value === '' ? {} : undefined;
    const result: Record<string, unknown> = {};
    const entries = positioned(container);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as FieldNode;
      const key = entry.children?.get(keyField)?.value;
      const valueNode = entry.children?.get(valueField);
      if (key === undefined || valueNode === undefined) continue;
      const value = entryValue(valueNode, `${elementPath(path, i + 1)}.value`, out);
      // A client's key may be `__proto__`: defining the property keeps it data instead of the object's prototype.
      if (value !== undefined) Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return result;
  };
}

function inputDecoder(service: ServiceName, input: StructureShape): InputDecoder {
  const cache = inputDecoders[service];
  let decoder = cache.get(input);
  if (decoder === undefined) {
    decoder = compileInput(service, input);
    cache.set(input, decoder);
  }
  return decoder;
}

/**
 * Scalar members are read straight from the fields by name; lists, maps and structures from the tree of dotted
 * names, built only when such a member is present.
 */
function compileInput(service: ServiceName, input: StructureShape): InputDecoder {
  const members = Object.entries(input.members).map(([name, ref]) => {
    const target = shape(service, ref.shape);
    return {
      name,
      field: ref.locationName ?? name,
      path: memberPath('', name),
      scalar: isScalar(target) ? scalarDecoder(target) : undefined,
      node: isScalar(target) ? undefined : nodeDecoder(service, ref.shape),
    };
  });
  return (fields, out) => {
    const params: Record<string, unknown> = {};
    let tree: Map<string, FieldNode> | undefined;
    for (const member of members) {
      const raw = fields.get(member.field);
      let value: unknown;
      if (member.scalar !== undefined) {
        if (raw === undefined) continue;
        value = member.scalar(raw, member.path, out);
      } else {
        tree ??= dottedTree(fields);
        let node = tree.get(member.field);
        if (node === undefined) {
          if (raw === undefined) continue;
          node = { value: raw, children: undefined };
        } else if (raw !== undefined) {
          node.value = raw;
        }
        value = (member.node as NodeDecoder)(node, member.path, out);
      }
      if (value !== undefined) params[member.name] = value;
    }
    return params;
  };
}

export interface DecodedInput {
  readonly params: Record<string, unknown>;
  /** Values that could not be converted to the member's type (e.g. MaxItems=ten); such members are left out. */
  readonly violations: readonly Violation[];
}

/** Builds the input structure from the form fields; Action, Version and unknown fields are simply not read. */
export function decodeInput(service: ServiceName, input: StructureShape, fields: ReadonlyMap<string, string>): DecodedInput {
  const violations: Violation[] = [];
  const params = inputDecoder(service, input)(fields, violations);
  return { params, violations };
}
