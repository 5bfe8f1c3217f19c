// The effective-access summary of a user's permissions tab: which services the user's identity policies allow, read
// from the policies themselves through the API (the console has no other view of them). It is a summary, not the
// authorizer: resources, conditions, permissions boundaries, SCPs and resource policies are not evaluated here, and
// the page says so.

export interface ServiceAccess {
  /** The service prefix (`iam`, `s3`…), or `*` for a statement that allows every service. */
  readonly service: string;
  /** The allowed action patterns without the prefix (`*`, `Get*`, `CreateUser`), sorted. */
  readonly allowed: readonly string[];
  /** The denied action patterns for this service, likewise. */
  readonly denied: readonly string[];
  /** True when an Allow names every action of the service and no Deny names any. */
  readonly full: boolean;
  /** True when some allowing statement has a condition or a narrower resource than `*`. */
  readonly limited: boolean;
}

interface Statement {
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly Condition?: unknown;
}

const list = (value: unknown): string[] => (typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** The document as IAM returns it (URL-encoded JSON), parsed; undefined when it is not a policy. */
export function parsePolicyDocument(encoded: string | undefined): { Statement?: unknown } | undefined {
  if (encoded === undefined) return undefined;
  let text = encoded;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    // Not URL-encoded: parsed as it is.
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as { Statement?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

function statementsOf(document: { Statement?: unknown }): Statement[] {
  const s = document.Statement;
  const all = Array.isArray(s) ? s : s === undefined ? [] : [s];
  return all.filter((x): x is Statement => typeof x === 'object' && x !== null);
}

/** Per service, what the documents allow and deny, services sorted by name (`*` first). */
export function summarizeAccess(documents: ReadonlyArray<{ Statement?: unknown }>): ServiceAccess[] {
  // Maps, not objects: a service prefix such as `__proto__` typed into a policy stays a key.
  const allowed = new Map<string, Set<string>>();
  const denied = new Map<string, Set<string>>();
  const limited = new Set<string>();
  for (const document of documents) {
    for (const statement of statementsOf(document)) {
      const allow = statement.Effect === 'Allow';
      if (!allow && statement.Effect !== 'Deny') continue;
      // NotAction allows (or denies) nearly everything: summarized as every service, with the exception shown.
      const actions = statement.NotAction !== undefined ? ['*'] : list(statement.Action);
      const narrow = statement.Condition !== undefined || statement.NotAction !== undefined || !list(statement.Resource).includes('*');
      for (const action of actions) {
        const colon = action.indexOf(':');
        const service = action === '*' ? '*' : colon > 0 ? action.slice(0, colon).toLowerCase() : undefined;
        if (service === undefined) continue;
        const name = action === '*' ? '*' : action.slice(colon + 1);
        const target = allow ? allowed : denied;
        const set = target.get(service) ?? new Set<string>();
        set.add(name);
        target.set(service, set);
        if (allow && narrow) limited.add(service);
      }
    }
  }
  const services = [...new Set([...allowed.keys()])].sort((a, b) => (a === '*' ? -1 : b === '*' ? 1 : a.localeCompare(b)));
  return services.map((service) => {
    const a = [...(allowed.get(service) ?? [])].sort();
    const d = [...(denied.get(service) ?? []), ...(service === '*' ? [] : [...(denied.get('*') ?? [])])].sort();
    return { service, allowed: a, denied: [...new Set(d)], full: a.includes('*') && d.length === 0, limited: limited.has(service) };
  });
}
