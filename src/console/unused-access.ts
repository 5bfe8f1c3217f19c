// Access Advisor's "remove unused" suggestion: the entity's permissions policies narrowed to what its last accessed
// report shows was used. Only a draft: the console shows it in the policy editor, and nothing changes until the person
// saves it as a new policy or policy version. Deny statements are kept as they are (they only take access away), and
// an Allow with NotAction is kept too: it names what it does not grant, so it cannot be narrowed service by service.

/** What the report says was used in its tracking period. */
export interface Usage {
  /** The namespaces (lower case) someone attempted. */
  readonly services: readonly string[];
  /**
   * For each service whose actions the report tracks (TrackedActionsLastAccessed), the actions attempted; a service
   * absent here has no action-level data, so its granted actions are kept as they are.
   */
  readonly actions: ReadonlyMap<string, readonly string[]>;
}

interface ReportService {
  readonly ServiceNamespace?: string | undefined;
  readonly LastAuthenticated?: Date | undefined;
  readonly TrackedActionsLastAccessed?: ReadonlyArray<{ readonly ActionName?: string | undefined; readonly LastAccessedTime?: Date | undefined }> | undefined;
}

/** The usage a GetServiceLastAccessedDetails answer (ACTION_LEVEL) describes. */
export function usageOf(services: readonly ReportService[]): Usage {
  const used = services.filter((s) => s.LastAuthenticated !== undefined && s.ServiceNamespace !== undefined);
  const actions = new Map<string, string[]>();
  for (const s of services) {
    if (s.TrackedActionsLastAccessed === undefined || s.ServiceNamespace === undefined) continue;
    actions.set(
      s.ServiceNamespace.toLowerCase(),
      s.TrackedActionsLastAccessed.filter((a) => a.LastAccessedTime !== undefined && a.ActionName !== undefined).map((a) => a.ActionName as string),
    );
  }
  return { services: used.map((s) => (s.ServiceNamespace as string).toLowerCase()).sort(), actions };
}

/** IAM's wildcard match of an action pattern, case-insensitively: `*` any run of characters, `?` one. */
export function wildcardMatch(pattern: string, text: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'is').test(text);
}

/** The patterns of one Allow's Action narrowed to what was used; empty when none of it was. */
export function narrowActions(patterns: readonly string[], usage: Usage): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (action: string) => {
    if (seen.has(action.toLowerCase())) return;
    seen.add(action.toLowerCase());
    out.push(action);
  };
  for (const pattern of patterns) {
    const colon = pattern.indexOf(':');
    if (pattern !== '*' && colon < 1) continue;
    const servicePattern = pattern === '*' ? '*' : pattern.slice(0, colon);
    const actionPattern = pattern === '*' ? '*' : pattern.slice(colon + 1);
    const wildService = /[*?]/.test(servicePattern);
    for (const service of usage.services) {
      if (!wildcardMatch(servicePattern, service)) continue;
      const tracked = usage.actions.get(service);
      if (tracked !== undefined) {
        for (const action of tracked) if (wildcardMatch(actionPattern, action)) add(`${service}:${action}`);
      } else {
        // No action-level data: the statement's own actions of a used service stay, spelled as they were.
        add(wildService ? `${service}:${actionPattern}` : pattern);
      }
    }
  }
  return out;
}

type Statement = Record<string, unknown>;

export interface Draft {
  /** The narrowed policy; undefined when nothing it allows was used (no statement would be left). */
  readonly document: { Version: string; Statement: Statement[] } | undefined;
  /** The action patterns the draft no longer allows, for the person to review. */
  readonly removed: readonly string[];
  /** How many statements are kept unchanged because they have NotAction. */
  readonly notActionKept: number;
}

const strings = (value: unknown): string[] => (typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

function statementsOf(document: { Statement?: unknown }): Statement[] {
  const s = document.Statement;
  const all = Array.isArray(s) ? s : s === undefined ? [] : [s];
  return all.filter((x): x is Statement => typeof x === 'object' && x !== null && !Array.isArray(x));
}

/** The documents' statements in one policy, each Allow narrowed to the used services and actions. */
export function draftNarrowerPolicy(documents: ReadonlyArray<{ Statement?: unknown }>, usage: Usage): Draft {
  const kept: Statement[] = [];
  const removed: string[] = [];
  let notActionKept = 0;
  let allows = 0;
  for (const document of documents) {
    for (const statement of statementsOf(document)) {
      if (statement['Effect'] !== 'Allow') {
        kept.push({ ...statement });
        continue;
      }
      if (statement['NotAction'] !== undefined) {
        notActionKept++;
        allows++;
        kept.push({ ...statement });
        continue;
      }
      const granted = strings(statement['Action']);
      const narrowed = narrowActions(granted, usage);
      const still = new Set(narrowed.map((a) => a.toLowerCase()));
      for (const g of granted) if (!still.has(g.toLowerCase()) && !removed.includes(g)) removed.push(g);
      if (narrowed.length === 0) continue;
      allows++;
      kept.push({ ...statement, Action: narrowed.length === 1 ? narrowed[0] : narrowed });
    }
  }
  // Statement IDs must be unique within a policy: one repeated across the policies combined here is left out.
  const sids = new Map<string, number>();
  for (const s of kept) if (typeof s['Sid'] === 'string') sids.set(s['Sid'], (sids.get(s['Sid']) ?? 0) + 1);
  const statements = kept.map((s) => {
    if (typeof s['Sid'] !== 'string' || sids.get(s['Sid']) === 1) return s;
    const { Sid: _sid, ...rest } = s;
    return rest;
  });
  return { document: allows === 0 ? undefined : { Version: '2012-10-17', Statement: statements }, removed, notActionKept };
}
