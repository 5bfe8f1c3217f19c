import { EntityMemo } from '../entity-memo.js';
import type { EntityRecord, LinkRecord, StoreTx } from '../store.js';

/** Entities the read cache holds before it starts afresh, as in the SQLite adapter: memory stays bounded. */
export const READ_CACHE_LIMIT = 50_000;

/** How many recent changes the cache remembers, to tell a reader which entries moved since it began. */
const CHANGE_LOG_LIMIT = 4096;

/** One change the cache heard: the label it moved to, and the entities it names (null: possibly everything). */
interface Change {
  readonly label: number;
  readonly keys: ReadonlySet<string> | null;
}

/**
 * The entities this node's read views have read, kept as they are in every commit this node has heard of. It is
 * told of each change the database announces (ReadCache.heard) and forgets exactly the entities named, so a write
 * to one user leaves every other cached entity in place. `label` moves with every change heard, and the recent
 * changes are remembered by label, so a reader can ask which entities changed while it was using the cache or
 * reading the database; past what is remembered the answer is "anything".
 */
export class ReadCache {
  readonly memo = new EntityMemo();
  private moves = 0;
  private changes: Change[] = [];

  get label(): number {
    return this.moves;
  }

  /**
   * A change announced on the entity channel: a JSON list of [kind, account, lower-cased key], or '*' (too many to
   * name, or the table truncated). Anything else is not understood, so everything is forgotten.
   */
  heard(payload: string): void {
    const named = payload === '*' ? undefined : parseKeys(payload);
    if (named === undefined) {
      this.forgetAll();
      return;
    }
    const keys = new Set<string>();
    for (const [kind, account, lowerKey] of named) {
      this.memo.delete(kind, account, lowerKey);
      keys.add(joined(kind, account, lowerKey));
    }
    this.moved(keys);
  }

  /** Commits may have gone unheard (the listener reconnected), or a change named no entity: nothing kept stays. */
  forgetAll(): void {
    this.memo.clear();
    this.moved(null);
  }

  /** Whether none of the entities `read` (kind, account, lower-cased key) has changed since `label`. */
  unchangedSince(label: number, read: ReadonlyArray<readonly [string, string, string]>): boolean {
    if (label === this.moves) return true;
    const changed = this.changedSince(label);
    if (changed === null) return false;
    return read.every(([kind, account, lowerKey]) => !changed.has(joined(kind, account, lowerKey)));
  }

  /**
   * Keeps what a view read from a database snapshot that includes everything heard at `label`. Call it only once
   * every commit in that snapshot has been heard (a check sent after the view began has returned): then an entry no
   * change since `label` touched is exactly what the cache's state holds, and the others are left out.
   */
  keep(label: number, read: EntityMemo): void {
    const changed = this.changedSince(label);
    if (changed === null) return;
    if (this.memo.size + read.size > READ_CACHE_LIMIT) this.memo.clear();
    read.forEach((kind, account, lowerKey, record) => {
      if (!changed.has(joined(kind, account, lowerKey))) this.memo.set(kind, account, lowerKey, record);
    });
  }

  /** The entities changed after `label`; null when that may be any (forgotten wholesale, or past the log). */
  private changedSince(label: number): ReadonlySet<string> | null {
    if (label === this.moves) return EMPTY;
    const first = this.changes[0];
    if (first === undefined || first.label > label + 1) return null;
    const changed = new Set<string>();
    // Labels are consecutive: the change to label + 1 sits at its distance from the first one remembered.
    for (let i = label + 1 - first.label; i < this.changes.length; i++) {
      const keys = (this.changes[i] as Change).keys;
      if (keys === null) return null;
      for (const key of keys) changed.add(key);
    }
    return changed;
  }

  private moved(keys: ReadonlySet<string> | null): void {
    this.moves += 1;
    this.changes.push({ label: this.moves, keys });
    if (this.changes.length > 2 * CHANGE_LOG_LIMIT) this.changes = this.changes.slice(-CHANGE_LOG_LIMIT);
  }
}

const EMPTY: ReadonlySet<string> = new Set();

function joined(kind: string, account: string, lowerKey: string): string {
  return `${kind}\u0000${account}\u0000${lowerKey}`;
}

/** The trigger's list of changed entities, or undefined when the payload is not one. */
function parseKeys(payload: string): Array<[string, string, string]> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  for (const item of parsed) {
    if (!Array.isArray(item) || item.length !== 3 || !item.every((part) => typeof part === 'string')) return undefined;
  }
  return parsed as Array<[string, string, string]>;
}

/** Thrown inside a view served from the cache when it needs something the cache does not hold. */
export class CacheMiss extends Error {
  override readonly name = 'CacheMiss';
}

/**
 * A read view answered from the read cache alone, with no database transaction. Anything the cache does not hold
 * (an entity not read yet, any list or link) ends it with CacheMiss: the store then runs the work again in a
 * database transaction. The view never mixes cached rows with rows of a later snapshot.
 */
export class CachedView implements StoreTx {
  missed = false;
  /** Entities it answered from the cache, to check that none changed before it finished. */
  readonly read: Array<readonly [string, string, string]> = [];
  private done = false;

  constructor(
    private readonly memo: EntityMemo,
    readonly version: number,
    /** versionOf as of the view's arrival (ScopedVersions.since). */
    private readonly startVersionOf: (account: string) => number,
  ) {}

  versionOf(account: string): number {
    return this.startVersionOf(account);
  }

  finish(): void {
    this.done = true;
  }

  async get(kind: string, account: string, key: string): Promise<EntityRecord | undefined> {
    this.check();
    const lowerKey = key.toLowerCase();
    const known = this.memo.get(kind, account, lowerKey);
    if (known === undefined) return this.miss();
    this.read.push([kind, account, lowerKey]);
    return known ?? undefined;
  }

  async getById(): Promise<EntityRecord | undefined> {
    return this.miss();
  }

  async list(): Promise<EntityRecord[]> {
    return this.miss();
  }

  async count(): Promise<number> {
    return this.miss();
  }

  async links(): Promise<LinkRecord[]> {
    return this.miss();
  }

  async countLinks(): Promise<number> {
    return this.miss();
  }

  async insert(): Promise<void> {
    this.readOnly();
  }

  async update(): Promise<boolean> {
    return this.readOnly();
  }

  async delete(): Promise<boolean> {
    return this.readOnly();
  }

  async link(): Promise<void> {
    this.readOnly();
  }

  async unlink(): Promise<boolean> {
    return this.readOnly();
  }

  async unlinkAll(): Promise<number> {
    return this.readOnly();
  }

  private miss(): never {
    this.check();
    this.missed = true;
    throw new CacheMiss('not in the read cache');
  }

  private readOnly(): never {
    this.check();
    throw new Error('write in a read-only store view (store.read): use store.transaction');
  }

  private check(): void {
    if (this.done) throw new Error('this transaction has ended; the tx object can no longer be used');
  }
}
