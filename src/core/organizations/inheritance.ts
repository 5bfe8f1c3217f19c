// Management policy inheritance (Organizations User Guide, "Inheritance operators" and "Inheritance examples"): the
// policies of one type attached from the root down to an account merge into the account's effective policy.
//
// - Value-setting operators on a setting: `@@assign` replaces what is inherited (any setting), `@@append` adds to an
//   inherited list, `@@remove` takes values out of one. A setting written without an operator is an assignment.
// - `@@operators_allowed_for_child_policies` (`@@all`, `@@none`, or a list of the three) limits what policies at
//   lower levels may do at that point of the document and below; a limit set above cannot be widened below, and
//   limits of policies attached at the same level intersect. A child's use of an operator a parent forbids has no
//   effect on the effective policy (it is reported as a validation error).
// - The effective policy shows the merged values only, with no operators in it.
//
// Pure: no store, so it is tested on its own with the Guide's examples.

export interface LevelPolicy {
  readonly id: string;
  readonly content: string;
}

export interface InheritanceError {
  readonly policyId: string;
  /** JSON path of the setting, `tags.costcenter.tag_value`. */
  readonly path: string;
  readonly operator: string;
}

export interface Inherited {
  /** The merged document; undefined when no policy contributed anything. */
  readonly effective: Record<string, unknown> | undefined;
  readonly errors: readonly InheritanceError[];
}

const VALUE_OPERATORS = ['@@assign', '@@append', '@@remove'] as const;
type ValueOperator = (typeof VALUE_OPERATORS)[number];
const CHILD_CONTROL = '@@operators_allowed_for_child_policies';

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A fresh object that client-supplied keys such as `__proto__` cannot reach through. */
const blank = (): JsonObject => Object.create(null) as JsonObject;

function clone(value: Json): Json {
  if (Array.isArray(value)) return value.map(clone);
  if (isObject(value)) {
    const out = blank();
    for (const [k, v] of Object.entries(value)) out[k] = clone(v);
    return out;
  }
  return value;
}

const same = (a: Json, b: Json): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What one level's child-control operators allow below, keyed by the path they were written at. */
type Limits = Map<string, ReadonlySet<ValueOperator>>;

function allowedSet(value: Json): ReadonlySet<ValueOperator> {
  const list = Array.isArray(value) ? value : [value];
  if (list.includes('@@all')) return new Set(VALUE_OPERATORS);
  return new Set(VALUE_OPERATORS.filter((op) => list.includes(op)));
}

/** The operators a policy may use at `path`: every limit written at the path or above it, by earlier levels. */
function allowedAt(limits: Limits, path: readonly string[]): ReadonlySet<ValueOperator> {
  let allowed: Set<ValueOperator> = new Set(VALUE_OPERATORS);
  for (let i = 0; i <= path.length; i++) {
    const limit = limits.get(path.slice(0, i).join('\u0000'));
    if (limit !== undefined) allowed = new Set([...allowed].filter((op) => limit.has(op)));
  }
  return allowed;
}

const isSetting = (node: JsonObject): boolean => VALUE_OPERATORS.some((op) => op in node);

function applyOperator(current: Json, op: ValueOperator, value: Json): Json {
  switch (op) {
    case '@@assign':
      return clone(value);
    case '@@append': {
      const add = Array.isArray(value) ? value : [value];
      const base = Array.isArray(current) ? current : current === undefined ? [] : [current];
      return [...base, ...add.filter((v) => !base.some((b) => same(b, v))).map(clone)];
    }
    case '@@remove': {
      const drop = Array.isArray(value) ? value : [value];
      if (!Array.isArray(current)) return current;
      return current.filter((c) => !drop.some((d) => same(c, d)));
    }
  }
}

interface Walk {
  readonly policyId: string;
  readonly limits: Limits;
  readonly newLimits: Map<string, Set<ValueOperator>>;
  readonly errors: InheritanceError[];
}

/** Records a child-control operator written at `path` for the levels below (intersecting others of this level). */
function addLimit(walk: Walk, path: readonly string[], value: Json): void {
  const key = path.join('\u0000');
  const limit = allowedSet(value);
  const previous = walk.newLimits.get(key);
  walk.newLimits.set(key, previous === undefined ? new Set(limit) : new Set([...previous].filter((op) => limit.has(op))));
}

/** Merges one policy's node into the effective node at `path`. */
function mergeNode(walk: Walk, node: JsonObject, target: JsonObject, path: readonly string[]): void {
  if (CHILD_CONTROL in node) addLimit(walk, path, node[CHILD_CONTROL]);
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@@')) continue;
    const here = [...path, key];
    if (isObject(value) && !isSetting(value)) {
      const child = isObject(target[key]) ? (target[key] as JsonObject) : blank();
      mergeNode(walk, value, child, here);
      if (Object.keys(child).length > 0) target[key] = child;
      continue;
    }
    const allowed = allowedAt(walk.limits, here);
    // A setting carries its own child-control operator next to its value-setting ones.
    if (isObject(value) && CHILD_CONTROL in value) addLimit(walk, here, value[CHILD_CONTROL]);
    const operations: Array<[ValueOperator, Json]> = isObject(value) ? VALUE_OPERATORS.filter((op) => op in value).map((op) => [op, value[op]]) : [['@@assign', value]];
    for (const [op, operand] of operations) {
      if (!allowed.has(op)) {
        walk.errors.push({ policyId: walk.policyId, path: here.join('.'), operator: op });
        continue;
      }
      const next = applyOperator(target[key], op, operand);
      if (next === undefined) delete target[key];
      else target[key] = next;
    }
  }
}

/**
 * The effective policy of an account from the policies attached at each level of its path, root first and the
 * account last. Within a level, policies apply in the order given.
 */
export function effectivePolicy(levels: ReadonlyArray<readonly LevelPolicy[]>): Inherited {
  const effective = blank();
  const errors: InheritanceError[] = [];
  let limits: Limits = new Map();
  let contributed = false;
  for (const level of levels) {
    const newLimits = new Map<string, Set<ValueOperator>>();
    for (const policy of level) {
      let parsed: Json;
      try {
        parsed = JSON.parse(policy.content);
      } catch {
        continue;
      }
      if (!isObject(parsed)) continue;
      contributed = true;
      mergeNode({ policyId: policy.id, limits, newLimits, errors }, parsed, effective, []);
    }
    // Limits written at this level bind the levels below, on top of those already in force.
    const merged: Map<string, ReadonlySet<ValueOperator>> = new Map(limits);
    for (const [k, v] of newLimits) {
      const previous = merged.get(k);
      merged.set(k, previous === undefined ? v : new Set([...previous].filter((op) => v.has(op))));
    }
    limits = merged;
  }
  return { effective: contributed ? (JSON.parse(JSON.stringify(effective)) as Record<string, unknown>) : undefined, errors };
}
