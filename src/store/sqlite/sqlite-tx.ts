import Database from 'better-sqlite3';
import { DuplicateKeyError } from '../store.js';
import type { EntityRecord, LinkRecord, ListOptions, StoreTx } from '../store.js';
import type { EntityMemo } from '../entity-memo.js';
import type { WrittenScope } from '../scoped-versions.js';
import {
  entityInsertValues,
  entityUpdateValues,
  linkInsertValues,
  toEntity,
  toLink,
  type End,
  type EntityRow,
  type LinkRow,
} from '../rows.js';
import type { Statements } from './statements.js';

export class SqliteTx implements StoreTx {
  /** Set by any statement that changed a row, so read-only and no-op transactions leave version() alone. */
  wrote = false;
  private done = false;

  constructor(
    private readonly s: Statements,
    private readonly readOnly: boolean,
    /** For read-only views: entities already read since the last write (shared, never mutated). */
    private readonly memo: EntityMemo | undefined,
    private readonly startVersion: number,
    /** versionOf as of the start (ScopedVersions.since). */
    private readonly startVersionOf: (account: string) => number,
    /** What the transaction's writes touched, for the per-account versions. */
    readonly written: WrittenScope,
  ) {}

  /**
   * What this transaction reads after its own writes may never commit (it can still roll back): NaN then, so that no
   * cache keeps it under a version that stays current when the transaction is rolled back.
   */
  get version(): number {
    return this.wrote ? Number.NaN : this.startVersion;
  }

  versionOf(account: string): number {
    return this.wrote ? Number.NaN : this.startVersionOf(account);
  }

  private writing(): void {
    this.check();
    if (this.readOnly) throw new Error('write in a read-only store view (store.read): use store.transaction');
  }

  finish(): void {
    this.done = true;
  }

  async get(kind: string, account: string, key: string): Promise<EntityRecord | undefined> {
    this.check();
    // Read-only views share the store's cache of entities read since the last write. Callers never mutate
    // records (updates spread a copy), so sharing one is safe.
    const lowerKey = key.toLowerCase();
    const memo = this.memo;
    if (memo !== undefined) {
      const known = memo.get(kind, account, lowerKey);
      if (known !== undefined) return known ?? undefined;
    }
    const row = this.s.getEntity.get(kind, account, lowerKey) as EntityRow | undefined;
    const record = row === undefined ? undefined : toEntity(row);
    memo?.set(kind, account, lowerKey, record);
    return record;
  }

  async getById(kind: string, id: string): Promise<EntityRecord | undefined> {
    this.check();
    const row = this.s.getEntityById.get(id, kind) as EntityRow | undefined;
    return row === undefined ? undefined : toEntity(row);
  }

  async list(kind: string, account: string, options?: ListOptions): Promise<EntityRecord[]> {
    this.check();
    const { statement, params } = this.s.entityQuery('rows', options);
    return (statement.all(kind, account, ...params) as EntityRow[]).map(toEntity);
  }

  async count(kind: string, account: string, options?: ListOptions): Promise<number> {
    this.check();
    const { statement, params } = this.s.entityQuery('count', options);
    return statement.get(kind, account, ...params) as number;
  }

  async insert(record: EntityRecord): Promise<void> {
    this.writing();
    uniquely(() => this.s.insertEntity.run(...entityInsertValues(record)));
    this.written.entity(record.kind, record.account);
    this.wrote = true;
  }

  async update(record: EntityRecord): Promise<boolean> {
    this.writing();
    const info = this.s.updateEntity.run(...entityUpdateValues(record));
    return this.changed(info.changes, () => this.written.entity(record.kind, record.account));
  }

  async delete(kind: string, account: string, key: string): Promise<boolean> {
    this.writing();
    return this.changed(this.s.deleteEntity.run(kind, account, key.toLowerCase()).changes, () => this.written.entity(kind, account));
  }

  async link(record: LinkRecord): Promise<void> {
    this.writing();
    uniquely(() => this.s.insertLink.run(...linkInsertValues(record)));
    this.written.link(record.relation, record.account);
    this.wrote = true;
  }

  async unlink(relation: string, account: string, from: string, to: string): Promise<boolean> {
    this.writing();
    return this.changed(this.s.deleteLink.run(relation, account, from.toLowerCase(), to.toLowerCase()).changes, () => this.written.link(relation, account));
  }

  async links(relation: string, account: string, end?: End): Promise<LinkRecord[]> {
    this.check();
    const { statement, params } = this.s.linkQuery('rows', end);
    return (statement.all(relation, account, ...params) as LinkRow[]).map(toLink);
  }

  async countLinks(relation: string, account: string, end?: End): Promise<number> {
    this.check();
    const { statement, params } = this.s.linkQuery('count', end);
    return statement.get(relation, account, ...params) as number;
  }

  async unlinkAll(relation: string, account: string, end: NonNullable<End>): Promise<number> {
    this.writing();
    // An end object with neither side would wipe the relation account-wide: almost certainly an undefined variable.
    if (end.from === undefined && end.to === undefined) throw new TypeError('unlinkAll needs `from` or `to`');
    const { statement, params } = this.s.linkQuery('delete', end);
    const { changes } = statement.run(relation, account, ...params);
    this.changed(changes, () => this.written.link(relation, account));
    return changes;
  }

  private changed(changes: number, note: () => void): boolean {
    if (changes > 0) {
      note();
      this.wrote = true;
    }
    return changes > 0;
  }

  private check(): void {
    // A tx kept past its transaction would otherwise run statements in autocommit mode or inside someone else's.
    if (this.done) throw new Error('this transaction has ended; the tx object can no longer be used');
  }
}

/** Runs an insert, turning a unique-constraint failure into the port's DuplicateKeyError. */
function uniquely(insert: () => unknown): void {
  try {
    insert();
  } catch (error) {
    if (error instanceof Database.SqliteError && (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')) {
      throw new DuplicateKeyError(error.message);
    }
    throw error;
  }
}
