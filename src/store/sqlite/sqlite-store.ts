import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { dirname, join } from 'node:path';
import type { Store, StoreTx, TransactionOptions, WriteScope } from '../store.js';
import { ScopedVersions, WrittenScope } from '../scoped-versions.js';
import { openSqliteEventLog, type SqliteEventLog } from './event-log.js';
import { EntityMemo } from '../entity-memo.js';
import { ReadWriteLock } from '../read-write-lock.js';
import { migrate } from './migrations.js';
import { SqliteTx } from './sqlite-tx.js';
import { Statements } from './statements.js';

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a private database that disappears on close. */
  readonly path: string;
  /** How long to wait for a lock held elsewhere before failing; half a second by default. */
  readonly busyTimeoutMs?: number;
  /** The audit trail's own file (see event-log.ts); `audit.db` beside the database, or in memory for ':memory:'. */
  readonly eventLogPath?: string;
  /** Which writes move only their own account's versionOf (the core's); without it, every write moves every account's. */
  readonly writeScope?: WriteScope;
}

/** Where the audit trail of the database at `path` is kept unless told otherwise. */
export function defaultEventLogPath(path: string): string {
  return path === ':memory:' ? ':memory:' : join(dirname(path), 'audit.db');
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
        throw new DatabaseInUseError(`the database ${options.path} is in use by another process (one Gatehouse server per data directory)`);
      }
      throw error;
    }
    migrate(db);
    return new SqliteStore(db, openSqliteEventLog(options.eventLogPath ?? defaultEventLogPath(options.path)), options.writeScope);
  } catch (error) {
    db.close();
    throw error;
  }
}

// The exclusive lock is taken once, at open; a server that holds it keeps it, so waiting long would only delay the
// refusal. Half a second lets a predecessor that is just exiting (a restart) let go first.
const BUSY_TIMEOUT_MS = 500;

/** Another process holds the database (a second server on the same data directory). */
export class DatabaseInUseError extends Error {}
const READ_CACHE_LIMIT = 50_000;

class SqliteStore implements Store {
  private readonly readCache = new EntityMemo();
  private readCacheVersion = -1;
  private readCacheBookkeeping = 0;
  /** Committed bookkeeping transactions with writes, which version() does not count. */
  private bookkeepingWrites = 0;
  private readonly lock = new ReadWriteLock();
  private readonly statements: Statements;
  private currentVersion: number;
  private readonly versions = new ScopedVersions();
  private closed = false;

  constructor(
    private readonly db: BetterSqlite3.Database,
    readonly events: SqliteEventLog,
    private readonly writeScope: WriteScope | undefined,
  ) {
    this.statements = new Statements(db);
    this.currentVersion = this.statements.readVersion();
  }

  transaction<T>(work: (tx: StoreTx) => Promise<T>, options?: TransactionOptions): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    const bookkeeping = options?.bookkeeping === true;
    return this.lock.exclusive(() => this.runTransaction(work, bookkeeping));
  }

  read<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return this.lock.shared(() => this.runRead(work));
  }

  version(): number {
    return this.currentVersion;
  }

  versionOf(account: string): number {
    return this.versions.versionOf(account);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lock.idle();
    this.db.close();
    await this.events.close();
  }

  private async runTransaction<T>(work: (tx: StoreTx) => Promise<T>, bookkeeping: boolean): Promise<T> {
    // close() waits for the queue, but a transaction queued behind it must not touch a closed handle.
    if (!this.db.open) throw new Error('the store is closed');
    const s = this.statements;
    s.begin.run();
    // Another process may have committed since our last transaction; picking its counter up here keeps version()
    // free of I/O while still noticing shared-file writers at the next write transaction.
    const stored = s.readVersion();
    if (stored > this.currentVersion) {
      // Written by someone else: what it touched is unknown, so every account's version moves.
      this.currentVersion = stored;
      this.versions.moveGlobal();
    }
    const tx = new SqliteTx(s, false, undefined, this.currentVersion, this.versions.since(), new WrittenScope(this.writeScope));
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
      const next = tx.wrote && !bookkeeping ? s.bumpVersion() : undefined;
      s.commit.run();
      if (next !== undefined) {
        this.currentVersion = Math.max(this.currentVersion, next);
        this.versions.move(tx.written);
      }
      // Bookkeeping leaves the version alone, but entities remembered by read views may be what it changed.
      if (tx.wrote && bookkeeping) this.bookkeepingWrites++;
    } catch (error) {
      if (this.db.inTransaction) s.rollback.run();
      throw error;
    }
    return result;
  }

  /**
   * A read-only view without BEGIN/COMMIT: transactions wait for open views (and views for open transactions), so
   * no local write can land between its statements, and each statement reads the latest committed state. Skipping
   * the explicit transaction saves the lock round trips on every Get/List request.
   */
  private runRead<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    // close() waits for the queue, but a view queued behind it must not touch a closed handle.
    if (!this.db.open) return Promise.reject(new Error('the store is closed'));
    // This process owns the database (exclusive lock), so its version counter sees every write: entities read by
    // earlier views stay valid until the next committed write, and hot lookups skip SQLite and JSON parsing.
    if (
      this.readCacheVersion !== this.currentVersion ||
      this.readCacheBookkeeping !== this.bookkeepingWrites ||
      this.readCache.size > READ_CACHE_LIMIT
    ) {
      this.readCache.clear();
      this.readCacheVersion = this.currentVersion;
      this.readCacheBookkeeping = this.bookkeepingWrites;
    }
    const tx = new SqliteTx(this.statements, true, this.readCache, this.currentVersion, this.versions.since(), new WrittenScope(undefined));
    const finish = (): void => tx.finish();
    let pending: Promise<T>;
    try {
      pending = work(tx);
    } catch (error) {
      finish();
      return Promise.reject(error);
    }
    // finally() would settle a tick later than the work itself; the view just closes when the work settles.
    pending.then(finish, finish);
    return pending;
  }
}
