import type pg from 'pg';
import { DuplicateKeyError } from '../store.js';
import type { EntityRecord, LinkRecord, ListOptions, StoreTx } from '../store.js';
import type { EntityMemo } from '../entity-memo.js';
import type { WrittenScope } from '../scoped-versions.js';
import {
  DELETE_ENTITY,
  DELETE_LINK,
  GET_ENTITY,
  GET_ENTITY_BY_ID,
  INSERT_ENTITY,
  INSERT_LINK,
  UPDATE_ENTITY,
  entityQuery,
  linkQuery,
  type Statement,
} from './statements.js';
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

/** StoreTx over one pooled connection inside an open PostgreSQL transaction (or a read-only snapshot). */
export class PostgresTx implements StoreTx {
  /** Set by any statement that changed a row, so read-only and no-op transactions leave version() alone. */
  wrote = false;
  /**
   * The first error the database raised. PostgreSQL aborts the whole transaction on any error, and a COMMIT of an
   * aborted transaction quietly rolls back: work that caught the error and went on must not look committed.
   */
  failure: unknown = undefined;
  private done = false;

  constructor(
    private readonly client: pg.ClientBase,
    private readonly readOnly: boolean,
    private readonly startVersion: number,
    /** versionOf as of the start (ScopedVersions.since), or NO_VERSION. */
    private readonly startVersionOf: (account: string) => number,
    /** What the transaction's writes touched, for the per-account versions. */
    readonly written: WrittenScope,
    /** For read-only views: the entities this view has read, handed to the read cache once it is over. */
    private readonly memo?: EntityMemo,
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

  finish(): void {
    this.done = true;
  }

  async get(kind: string, account: string, key: string): Promise<EntityRecord | undefined> {
    const lowerKey = key.toLowerCase();
    const memo = this.memo;
    if (memo !== undefined) {
      this.check();
      const known = memo.get(kind, account, lowerKey);
      if (known !== undefined) return known ?? undefined;
    }
    const row = (await this.run<EntityRow>(GET_ENTITY, [kind, account, lowerKey])).rows[0];
    const record = row === undefined ? undefined : toEntity(row);
    memo?.set(kind, account, lowerKey, record);
    return record;
  }

  async getById(kind: string, id: string): Promise<EntityRecord | undefined> {
    const row = (await this.run<EntityRow>(GET_ENTITY_BY_ID, [id, kind])).rows[0];
    return row === undefined ? undefined : toEntity(row);
  }

  async list(kind: string, account: string, options?: ListOptions): Promise<EntityRecord[]> {
    const { statement, params } = entityQuery('rows', options);
    return (await this.run<EntityRow>(statement, [kind, account, ...params])).rows.map(toEntity);
  }

  async count(kind: string, account: string, options?: ListOptions): Promise<number> {
    const { statement, params } = entityQuery('count', options);
    return counted(await this.run<{ n: number }>(statement, [kind, account, ...params]));
  }

  async insert(record: EntityRecord): Promise<void> {
    this.writing();
    const result = await this.run(INSERT_ENTITY, entityInsertValues(record));
    if (result.rowCount !== 1) {
      throw new DuplicateKeyError(`entity ${record.kind} ${JSON.stringify(record.key)} in ${record.account} or id ${record.id} already exists`);
    }
    this.written.entity(record.kind, record.account);
    this.wrote = true;
  }

  async update(record: EntityRecord): Promise<boolean> {
    this.writing();
    const result = await this.run(UPDATE_ENTITY, entityUpdateValues(record));
    return this.changed(result.rowCount ?? 0, () => this.written.entity(record.kind, record.account)) > 0;
  }

  async delete(kind: string, account: string, key: string): Promise<boolean> {
    this.writing();
    return this.changed((await this.run(DELETE_ENTITY, [kind, account, key.toLowerCase()])).rowCount ?? 0, () => this.written.entity(kind, account)) > 0;
  }

  async link(record: LinkRecord): Promise<void> {
    this.writing();
    const result = await this.run(INSERT_LINK, linkInsertValues(record));
    if (result.rowCount !== 1) {
      throw new DuplicateKeyError(`link ${record.relation} ${JSON.stringify(record.from)} -> ${JSON.stringify(record.to)} in ${record.account} already exists`);
    }
    this.written.link(record.relation, record.account);
    this.wrote = true;
  }

  async unlink(relation: string, account: string, from: string, to: string): Promise<boolean> {
    this.writing();
    return this.changed((await this.run(DELETE_LINK, [relation, account, from.toLowerCase(), to.toLowerCase()])).rowCount ?? 0, () => this.written.link(relation, account)) > 0;
  }

  async links(relation: string, account: string, end?: End): Promise<LinkRecord[]> {
    const { statement, params } = linkQuery('rows', end);
    return (await this.run<LinkRow>(statement, [relation, account, ...params])).rows.map(toLink);
  }

  async countLinks(relation: string, account: string, end?: End): Promise<number> {
    const { statement, params } = linkQuery('count', end);
    return counted(await this.run<{ n: number }>(statement, [relation, account, ...params]));
  }

  async unlinkAll(relation: string, account: string, end: NonNullable<End>): Promise<number> {
    this.writing();
    // An end object with neither side would wipe the relation account-wide: almost certainly an undefined variable.
    if (end.from === undefined && end.to === undefined) throw new TypeError('unlinkAll needs `from` or `to`');
    const { statement, params } = linkQuery('delete', end);
    return this.changed((await this.run(statement, [relation, account, ...params])).rowCount ?? 0, () => this.written.link(relation, account));
  }

  private writing(): void {
    this.check();
    if (this.readOnly) throw new Error('write in a read-only store view (store.read): use store.transaction');
  }

  private changed(rows: number, note: () => void): number {
    if (rows > 0) {
      note();
      this.wrote = true;
    }
    return rows;
  }

  private async run<R extends pg.QueryResultRow = pg.QueryResultRow>(statement: Statement, values: unknown[]): Promise<pg.QueryResult<R>> {
    this.check();
    try {
      return await this.client.query<R>({ name: statement.name, text: statement.text, values });
    } catch (error) {
      this.failure ??= error;
      throw error;
    }
  }

  private check(): void {
    // A tx kept past its transaction would otherwise run statements on a connection back in the pool.
    if (this.done) throw new Error('this transaction has ended; the tx object can no longer be used');
  }
}

function counted(result: pg.QueryResult<{ n: number }>): number {
  return result.rows[0]?.n ?? 0;
}
