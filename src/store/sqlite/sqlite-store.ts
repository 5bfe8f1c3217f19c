import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { DuplicateKeyError } from '../store.js';
import type { EntityRecord, LinkRecord, ListOptions, Store, StoreTx } from '../store.js';
import { AsyncMutex } from './async-mutex.js';
import { migrate } from './migrations.js';

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a private database that disappears on close. */
  readonly path: string;
  /** How long to wait for a lock held elsewhere before failing; 10 s by default. */
  readonly busyTimeoutMs?: number;
}

/**
 * A Store on one SQLite file through better-sqlite3. Single connection, transactions queued in process; other
 * processes sharing the file are kept out by BEGIN IMMEDIATE and waited for by the busy timeout.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  const db = new Database(options.path, { timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS });
  try {
    // FULL fsyncs the WAL on every commit, so an acknowledged write survives power loss, not only a process crash.
    // The embedded store belongs to one server process (several nodes use PostgreSQL): an exclusive lock keeps the
    // WAL index in process memory, so a read takes no file lock and no system call, and a second process opening
    // the same database is refused instead of silently sharing it.
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN IMMEDIATE; COMMIT');
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY') {
        throw new Error(`the database ${options.path} is in use by another process (one Gatehouse server per data directory)`);
      }
      throw error;
    }
    migrate(db);
    return new SqliteStore(db);
  } catch (error) {
    db.close();
    throw error;
  }
}

const BUSY_TIMEOUT_MS = 10_000;

interface EntityRow {
  kind: string;
  account: string;
  key: string;
  id: string;
  path: string;
  owner: string;
  created: string;
  data: string;
}

interface LinkRow {
  relation: string;
  account: string;
  from_key: string;
  to_key: string;
  created: string;
  data: string;
}

type End = { readonly from?: string; readonly to?: string } | undefined;

const ENTITY_COLUMNS = 'kind, account, key, id, path, owner, created, data';
const LINK_COLUMNS = 'relation, account, from_key, to_key, created, data';

const READ_CACHE_LIMIT = 50_000;

class SqliteStore implements Store {
  private readonly readCache = new Map<string, EntityRecord | undefined>();
  private readCacheVersion = -1;
  private readonly mutex = new AsyncMutex();
  private readonly statements: Statements;
  private currentVersion: number;
  private closed = false;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.statements = new Statements(db);
    this.currentVersion = this.statements.readVersion();
  }

  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return this.mutex.run(() => this.runExclusive(work, false));
  }

  read<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return this.mutex.run(() => this.runExclusive(work, true));
  }

  version(): number {
    return this.currentVersion;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mutex.idle();
    this.db.close();
  }

  private async runExclusive<T>(work: (tx: StoreTx) => Promise<T>, readOnly: boolean): Promise<T> {
    // close() waits for the queue, but a transaction queued behind it must not touch a closed handle.
    if (!this.db.open) throw new Error('the store is closed');
    const s = this.statements;
    if (readOnly) return this.runRead(work);
    s.begin.run();
    // Another process may have committed since our last transaction; picking its counter up here keeps version()
    // free of I/O while still noticing shared-file writers at the next write transaction.
    this.currentVersion = Math.max(this.currentVersion, s.readVersion());
    const tx = new SqliteTx(s, readOnly, undefined);
    let result: T;
    try {
      result = await work(tx);
    } catch (error) {
      tx.finish();
      if (this.db.inTransaction) s.rollback.run();
      throw error;
    }
    tx.finish();
    try {
      const next = tx.wrote ? s.bumpVersion() : undefined;
      s.commit.run();
      if (next !== undefined) this.currentVersion = Math.max(this.currentVersion, next);
    } catch (error) {
      if (this.db.inTransaction) s.rollback.run();
      throw error;
    }
    return result;
  }

  /**
   * A read-only view without BEGIN/COMMIT: this process's transactions are serialized by the queue, so no local
   * write can land between its statements, and each statement reads the latest committed state. Skipping the
   * explicit transaction saves the lock round trips on every Get/List request.
   */
  private async runRead<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    // This process owns the database (exclusive lock), so its version counter sees every write: entities read by
    // earlier views stay valid until the next committed write, and hot lookups skip SQLite and JSON parsing.
    if (this.readCacheVersion !== this.currentVersion || this.readCache.size > READ_CACHE_LIMIT) {
      this.readCache.clear();
      this.readCacheVersion = this.currentVersion;
    }
    const tx = new SqliteTx(this.statements, true, this.readCache);
    try {
      return await work(tx);
    } finally {
      tx.finish();
    }
  }
}

/** Every statement prepared once per connection; the variable-filter ones are prepared on first use and kept. */
class Statements {
  readonly begin: BetterSqlite3.Statement;
  readonly commit: BetterSqlite3.Statement;
  readonly rollback: BetterSqlite3.Statement;
  readonly getEntity: BetterSqlite3.Statement;
  readonly getEntityById: BetterSqlite3.Statement;
  readonly insertEntity: BetterSqlite3.Statement;
  readonly updateEntity: BetterSqlite3.Statement;
  readonly deleteEntity: BetterSqlite3.Statement;
  readonly insertLink: BetterSqlite3.Statement;
  readonly deleteLink: BetterSqlite3.Statement;
  private readonly selectVersion: BetterSqlite3.Statement;
  private readonly incrementVersion: BetterSqlite3.Statement;
  private readonly cache = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly db: BetterSqlite3.Database) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.selectVersion = db.prepare(`SELECT value FROM meta WHERE name = 'version'`).pluck();
    this.incrementVersion = db.prepare(`UPDATE meta SET value = value + 1 WHERE name = 'version' RETURNING value`).pluck();
    this.getEntity = db.prepare(`SELECT ${ENTITY_COLUMNS} FROM entities WHERE kind = ? AND account = ? AND key_lower = ?`);
    this.getEntityById = db.prepare(`SELECT ${ENTITY_COLUMNS} FROM entities WHERE id = ? AND kind = ?`);
    this.insertEntity = db.prepare(
      `INSERT INTO entities (kind, account, key, key_lower, id, path, owner, owner_lower, created, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateEntity = db.prepare(
      `UPDATE entities SET path = ?, owner = ?, owner_lower = ?, data = ? WHERE kind = ? AND account = ? AND key_lower = ?`,
    );
    this.deleteEntity = db.prepare('DELETE FROM entities WHERE kind = ? AND account = ? AND key_lower = ?');
    this.insertLink = db.prepare(
      `INSERT INTO links (relation, account, from_key, from_lower, to_key, to_lower, created, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteLink = db.prepare('DELETE FROM links WHERE relation = ? AND account = ? AND from_lower = ? AND to_lower = ?');
  }

  readVersion(): number {
    return this.selectVersion.get() as number;
  }

  bumpVersion(): number {
    return this.incrementVersion.get() as number;
  }

  /** SELECT/COUNT over entities of a kind in an account, filtered as ListOptions says. */
  entityQuery(mode: 'rows' | 'count', options: ListOptions | undefined): { statement: BetterSqlite3.Statement; params: string[] } {
    const where = ['kind = ?', 'account = ?'];
    const params: string[] = [];
    const prefix = options?.pathPrefix;
    if (prefix !== undefined && prefix !== '') {
      // A range start lets the (kind, account, path) index narrow the scan; substr() then checks the prefix exactly,
      // where LIKE would treat `_` and `%` in the prefix as wildcards and ignore case.
      where.push('path >= ?', 'substr(path, 1, length(?)) = ?');
      params.push(prefix, prefix, prefix);
    }
    if (options?.owner !== undefined) {
      where.push('owner_lower = ?');
      params.push(options.owner.toLowerCase());
    }
    const sql =
      mode === 'rows'
        ? `SELECT ${ENTITY_COLUMNS} FROM entities WHERE ${where.join(' AND ')} ORDER BY key_lower, key`
        : `SELECT count(*) FROM entities WHERE ${where.join(' AND ')}`;
    return { statement: this.prepared(sql, mode === 'count'), params };
  }

  /** SELECT/COUNT/DELETE over links of a relation in an account, limited to one end when given. */
  linkQuery(mode: 'rows' | 'count' | 'delete', end: End): { statement: BetterSqlite3.Statement; params: string[] } {
    const where = ['relation = ?', 'account = ?'];
    const params: string[] = [];
    if (end?.from !== undefined) {
      where.push('from_lower = ?');
      params.push(end.from.toLowerCase());
    }
    if (end?.to !== undefined) {
      where.push('to_lower = ?');
      params.push(end.to.toLowerCase());
    }
    const filter = where.join(' AND ');
    const sql =
      mode === 'rows'
        ? `SELECT ${LINK_COLUMNS} FROM links WHERE ${filter} ORDER BY from_lower, to_lower`
        : mode === 'count'
          ? `SELECT count(*) FROM links WHERE ${filter}`
          : `DELETE FROM links WHERE ${filter}`;
    return { statement: this.prepared(sql, mode === 'count'), params };
  }

  private prepared(sql: string, pluck: boolean): BetterSqlite3.Statement {
    let statement = this.cache.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (pluck) statement.pluck();
      this.cache.set(sql, statement);
    }
    return statement;
  }
}

class SqliteTx implements StoreTx {
  /** Set by any statement that changed a row, so read-only and no-op transactions leave version() alone. */
  wrote = false;
  private done = false;

  constructor(
    private readonly s: Statements,
    private readonly readOnly: boolean,
    /** For read-only views: entities already read since the last write (shared, never mutated). */
    private readonly memo: Map<string, EntityRecord | undefined> | undefined,
  ) {}


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
    const memoKey = this.memo !== undefined ? `${kind}\u0000${account}\u0000${key.toLowerCase()}` : undefined;
    if (memoKey !== undefined && this.memo?.has(memoKey)) return this.memo.get(memoKey);
    const row = this.s.getEntity.get(kind, account, key.toLowerCase()) as EntityRow | undefined;
    const record = row === undefined ? undefined : toEntity(row);
    if (memoKey !== undefined) this.memo?.set(memoKey, record);
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
    uniquely(() =>
      this.s.insertEntity.run(
        record.kind,
        record.account,
        record.key,
        record.key.toLowerCase(),
        record.id,
        record.path,
        record.owner,
        record.owner.toLowerCase(),
        record.created,
        JSON.stringify(record.data),
      ),
    );
    this.wrote = true;
  }

  async update(record: EntityRecord): Promise<boolean> {
    this.writing();
    const info = this.s.updateEntity.run(
      record.path,
      record.owner,
      record.owner.toLowerCase(),
      JSON.stringify(record.data),
      record.kind,
      record.account,
      record.key.toLowerCase(),
    );
    return this.changed(info.changes);
  }

  async delete(kind: string, account: string, key: string): Promise<boolean> {
    this.writing();
    return this.changed(this.s.deleteEntity.run(kind, account, key.toLowerCase()).changes);
  }

  async link(record: LinkRecord): Promise<void> {
    this.writing();
    uniquely(() =>
      this.s.insertLink.run(
        record.relation,
        record.account,
        record.from,
        record.from.toLowerCase(),
        record.to,
        record.to.toLowerCase(),
        record.created,
        JSON.stringify(record.data),
      ),
    );
    this.wrote = true;
  }

  async unlink(relation: string, account: string, from: string, to: string): Promise<boolean> {
    this.writing();
    return this.changed(this.s.deleteLink.run(relation, account, from.toLowerCase(), to.toLowerCase()).changes);
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
    this.changed(changes);
    return changes;
  }

  private changed(changes: number): boolean {
    if (changes > 0) this.wrote = true;
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

function toEntity(row: EntityRow): EntityRecord {
  return {
    kind: row.kind,
    account: row.account,
    key: row.key,
    id: row.id,
    path: row.path,
    owner: row.owner,
    created: row.created,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

function toLink(row: LinkRow): LinkRecord {
  return {
    relation: row.relation,
    account: row.account,
    from: row.from_key,
    to: row.to_key,
    created: row.created,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}
