import { EntityMemo } from '../entity-memo.js';
import type { EntityRecord, LinkRecord, StoreTx } from '../store.js';

/** Entities the read cache holds before it starts afresh, as in the SQLite adapter: memory stays bounded. */
export const READ_CACHE_LIMIT = 50_000;

/**
 * The entities this node's read views have read, kept as they are in every commit this node has heard of. It is
 * told of each change the database announces (ReadCache.heard); `label` moves whenever it forgets something, so a
 * reader can tell whether anything changed while it was using the cache or reading the database.
 */
export class ReadCache {
  readonly memo = new EntityMemo();
  private moves = 0;

  get label(): number {
    return this.moves;
  }

  /** A change announced on the entity channel: forgets what it may have changed. */
  heard(_payload: string): void {
    this.forgetAll();
  }

  /** Commits may have gone unheard (the listener reconnected): nothing kept can be trusted. */
  forgetAll(): void {
    this.memo.clear();
    this.moves += 1;
  }

  /** Whether nothing that `read` (entities, as kind/account/lower-cased key) depends on has changed since `label`. */
  unchangedSince(label: number, _read: ReadonlyArray<readonly [string, string, string]>): boolean {
    return label === this.moves;
  }

  /**
   * Keeps what a view read from a database snapshot that includes everything heard at `label`. Call it only once
   * every commit in that snapshot has been heard (a check sent after the view began has returned): then an entry no
   * change since `label` touched is exactly what the cache's state holds.
   */
  keep(label: number, read: EntityMemo): void {
    if (label !== this.moves) return;
    if (this.memo.size + read.size > READ_CACHE_LIMIT) this.memo.clear();
    read.forEach((kind, account, lowerKey, record) => this.memo.set(kind, account, lowerKey, record));
  }
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
  ) {}

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
