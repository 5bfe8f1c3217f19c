import { DuplicateKeyError, type EntityRecord, type StoreTx } from '../../../store/store.js';
import { KIND } from '../kinds.js';

// Access Advisor's data: per principal (user or role, by its unique ID, so a namesake created after a deletion starts
// with no history), the last attempt to use each service and each tracked action. The usage recorder writes it off
// the request path, in the same batches and transaction as the access keys' and roles' last-used dates.

/** IAM reports activity of the last 400 days: older uses are not reported (nor kept once the record is rewritten). */
export const TRACKING_PERIOD_MS = 400 * 24 * 3_600_000;

/** One noted attempt: who (by unique ID), which service and action, where and when. */
export interface ServiceUse {
  readonly account: string;
  /** AIDA… for a user, AROA… for a role (its sessions' uses count as the role's). */
  readonly principalId: string;
  /** The service namespace (`iam`, `sts`…). */
  readonly service: string;
  /** The action's name without its prefix, recorded only for services whose actions AWS tracks. */
  readonly action?: string;
  readonly region: string;
  readonly date: Date;
}

export interface LastAccess {
  readonly date: Date;
  readonly region: string;
}

/** A principal's last accesses: by service namespace, and by `service:Action` for tracked actions. */
export interface PrincipalAccess {
  readonly services: ReadonlyMap<string, LastAccess>;
  readonly actions: ReadonlyMap<string, LastAccess>;
}

// Stored as arrays, not objects keyed by client-influenced names (no `__proto__` key can reach an object).
interface StoredAccess {
  readonly n: string;
  readonly t: string;
  readonly r: string;
}

interface StoredRecord {
  readonly services?: readonly StoredAccess[];
  readonly actions?: readonly StoredAccess[];
}

const EMPTY: PrincipalAccess = { services: new Map(), actions: new Map() };

function readAccesses(stored: unknown, since: number): Map<string, LastAccess> {
  const map = new Map<string, LastAccess>();
  if (!Array.isArray(stored)) return map;
  for (const entry of stored as StoredAccess[]) {
    const date = new Date(entry.t);
    if (typeof entry.n !== 'string' || Number.isNaN(date.getTime()) || date.getTime() < since) continue;
    map.set(entry.n, { date, region: entry.r });
  }
  return map;
}

/** The record's accesses within the tracking period ending at `now`. */
export function accessOfRecord(record: EntityRecord | undefined, now: Date): PrincipalAccess {
  if (record === undefined) return EMPTY;
  const data = record.data as StoredRecord;
  const since = now.getTime() - TRACKING_PERIOD_MS;
  return { services: readAccesses(data.services, since), actions: readAccesses(data.actions, since) };
}

/** A principal's accesses, by its unique ID. */
export async function principalAccess(tx: StoreTx, account: string, principalId: string, now: Date): Promise<PrincipalAccess> {
  return accessOfRecord(await tx.get(KIND.serviceAccess, account, principalId), now);
}

/**
 * At most this many services and tracked actions per principal: names come from requests (the authorize API's
 * callers name the actions), so a record's size must not depend on how many names a caller can make up.
 */
export const MAX_NAMES_PER_RECORD = 2000;

function merge(into: Map<string, LastAccess>, name: string, use: LastAccess): void {
  const previous = into.get(name);
  if (previous === undefined && into.size >= MAX_NAMES_PER_RECORD) return;
  // Batches may commit out of order: an older use never replaces a newer one.
  if (previous === undefined || previous.date.getTime() < use.date.getTime()) into.set(name, use);
}

function stored(map: ReadonlyMap<string, LastAccess>): StoredAccess[] {
  return [...map].map(([n, a]) => ({ n, t: a.date.toISOString(), r: a.region }));
}

/** Merges a batch of uses into the principals' records, one read and one write per principal. */
export async function recordServiceUses(tx: StoreTx, uses: readonly ServiceUse[]): Promise<void> {
  // The server's clock, as the requests saw it (tests fix it): the newest use is as late as it gets.
  const now = new Date(Math.max(0, ...uses.map((u) => u.date.getTime())));
  const byPrincipal = new Map<string, ServiceUse[]>();
  for (const use of uses) {
    const key = `${use.account}\n${use.principalId}`;
    const list = byPrincipal.get(key);
    if (list === undefined) byPrincipal.set(key, [use]);
    else list.push(use);
  }
  for (const list of byPrincipal.values()) {
    const { account, principalId } = list[0] as ServiceUse;
    const write = async (): Promise<void> => {
      const record = await tx.get(KIND.serviceAccess, account, principalId);
      // Rewriting drops what fell out of the tracking period, so a record never outgrows what it reports.
      const current = accessOfRecord(record, now);
      const services = new Map(current.services);
      const actions = new Map(current.actions);
      for (const use of list) {
        const at = { date: use.date, region: use.region };
        merge(services, use.service, at);
        if (use.action !== undefined) merge(actions, `${use.service}:${use.action}`, at);
      }
      const data = { services: stored(services), actions: stored(actions) };
      if (record !== undefined) await tx.update({ ...record, data });
      else await tx.insert({ kind: KIND.serviceAccess, account, key: principalId, id: `${principalId}:access`, path: '/', owner: '', created: now.toISOString(), data });
    };
    try {
      await write();
    } catch (error) {
      // Another node inserted the record first: merge into theirs.
      if (!(error instanceof DuplicateKeyError)) throw error;
      await write();
    }
  }
}

/**
 * Forgets a deleted user's or role's accesses: nothing reports them any more (a namesake has another ID), and an
 * account's churn of principals must not leave records behind. A batch written later may bring one back; the next
 * deletion of nothing leaves it, harmless, under an ID no principal has.
 */
export async function forgetPrincipalAccess(tx: StoreTx, account: string, principalId: string): Promise<void> {
  await tx.delete(KIND.serviceAccess, account, principalId);
}
