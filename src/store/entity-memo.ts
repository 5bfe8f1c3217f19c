import type { EntityRecord } from './store.js';

/**
 * Entities (and known absences) read since the last write, by kind, account and lower-cased key. Nested maps rather
 * than one joined key: kind and account are the same strings request after request, so only the key's (short)
 * hash is worked out per lookup, where a joined string would be built and hashed anew every time.
 */
export class EntityMemo {
  private readonly kinds = new Map<string, Map<string, Map<string, EntityRecord | undefined>>>();
  private entries = 0;

  get size(): number {
    return this.entries;
  }

  /** The remembered answer: an entity, `null` for one known to be absent, `undefined` when not remembered. */
  get(kind: string, account: string, lowerKey: string): EntityRecord | null | undefined {
    const keys = this.kinds.get(kind)?.get(account);
    if (keys === undefined) return undefined;
    const found = keys.get(lowerKey);
    return found !== undefined ? found : keys.has(lowerKey) ? null : undefined;
  }

  set(kind: string, account: string, lowerKey: string, record: EntityRecord | undefined): void {
    let accounts = this.kinds.get(kind);
    if (accounts === undefined) this.kinds.set(kind, (accounts = new Map()));
    let keys = accounts.get(account);
    if (keys === undefined) accounts.set(account, (keys = new Map()));
    if (!keys.has(lowerKey)) this.entries++;
    keys.set(lowerKey, record);
  }

  /** Forgets one entity (or known absence). */
  delete(kind: string, account: string, lowerKey: string): void {
    const keys = this.kinds.get(kind)?.get(account);
    if (keys !== undefined && keys.delete(lowerKey)) this.entries--;
  }

  /** Every remembered answer, absences as undefined. */
  forEach(visit: (kind: string, account: string, lowerKey: string, record: EntityRecord | undefined) => void): void {
    for (const [kind, accounts] of this.kinds) {
      for (const [account, keys] of accounts) {
        for (const [lowerKey, record] of keys) visit(kind, account, lowerKey, record);
      }
    }
  }

  clear(): void {
    this.kinds.clear();
    this.entries = 0;
  }
}
