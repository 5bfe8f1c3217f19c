import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { checkEventQuery, decodeEventCursor, encodeEventCursor } from '../event-cursor.js';
import type { AuditEventPage, AuditEventQuery, AuditEventRecord, EventLog } from '../store.js';
import { EventJournal } from './event-journal.js';

/*
 * The audit trail of the embedded store: a journal file (audit.journal) that each batch of events is appended to
 * before its requests are answered, and its own SQLite file (audit.db beside gatehouse.db) that a worker thread
 * indexes the journal's events into, for lookups. Why:
 * - the main store takes one write lock for all entity transactions and fsyncs every commit (synchronous=FULL):
 *   putting a batch of events through that lock would queue every request's answer behind the entity writes, and
 *   entity writes behind the audit;
 * - better-sqlite3 is synchronous: inserting on the event loop would stall every request for each commit and each
 *   WAL checkpoint (with fsyncs that take milliseconds on a busy disk). A journal append is one write(2) per batch;
 *   the inserts run on the worker, many batches to a transaction when the load is high;
 * - the promise is "a kill -9 loses no event of an acknowledged request": once write(2) returns the batch is in the
 *   kernel's page cache and survives the process, and whatever was not indexed yet is indexed from the journal at the
 *   next open (a torn last line, from a kill in the middle of a write, belongs to a batch never acknowledged). A
 *   power loss or kernel crash may lose the last batches, as SQLite's synchronous=NORMAL may; the entity store, which
 *   access decisions depend on, keeps FULL. The index itself runs WAL with synchronous=NORMAL for the same reason;
 * - no exclusive lock: `gatehouse export-events` can read audit.db while the server runs (WAL readers never block
 *   the writer), and so do the lookups, on the main thread's own connection, after the indexer has caught up.
 * Rows are stored in append order (an integer rowid) and event IDs are time-ordered UUIDs, so every B-tree an event
 * enters grows at its end. One index serves lookups (by time, newest first, the other attributes filtered on the way)
 * and retention: each index is one more B-tree insert per event on the indexer, which shares the machine's cores with
 * the requests. A lookup by a rare attribute over a long trail reads more rows; resource names have their own table.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    time INTEGER NOT NULL,
    account TEXT NOT NULL,
    event_name TEXT NOT NULL,
    event_source TEXT NOT NULL,
    user_name TEXT,
    access_key_id TEXT,
    read_only INTEGER NOT NULL,
    resources TEXT NOT NULL,
    record TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS events_by_time ON events (time, event_id);
  CREATE TABLE IF NOT EXISTS event_resources (
    name TEXT NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    time INTEGER NOT NULL,
    PRIMARY KEY (name, event_id, type)
  ) STRICT, WITHOUT ROWID;
`;

const INSERT_EVENT = `INSERT OR IGNORE INTO events (event_id, time, account, event_name, event_source, user_name, access_key_id, read_only, resources, record)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_RESOURCE = 'INSERT OR IGNORE INTO event_resources (event_id, type, name, time) VALUES (?, ?, ?, ?)';
// No index on the resources' time: an hourly scan is cheaper than one more B-tree insert for every event.
const DELETE_RESOURCES = 'DELETE FROM event_resources WHERE time < ?';
const DELETE_EVENTS = 'DELETE FROM events WHERE time < ?';

interface EventRow {
  event_id: string;
  time: number;
  account: string;
  event_name: string;
  event_source: string;
  user_name: string | null;
  access_key_id: string | null;
  read_only: number;
  resources: string;
  record: string;
}

// INSERT_EVENT's parameters, by the event's field names (the indexer thread binds journal lines with them).
const COLUMNS = ['eventId', 'time', 'account', 'eventName', 'eventSource', 'userName', 'accessKeyId', 'readOnly', 'resources', 'record'] as const;
const STATEMENTS = { insertEvent: INSERT_EVENT, insertResource: INSERT_RESOURCE, deleteResources: DELETE_RESOURCES, deleteEvents: DELETE_EVENTS, columns: COLUMNS };

function rowValues(e: AuditEventRecord): { values: unknown[]; resources: Array<[string, string]> } {
  return {
    values: [e.eventId, e.time, e.account, e.eventName, e.eventSource, e.userName ?? null, e.accessKeyId ?? null, e.readOnly ? 1 : 0, JSON.stringify(e.resources), e.record],
    resources: e.resources.map((r) => [r.type, r.name]),
  };
}

/** The journal beside the audit database (audit.db → audit.journal). */
export function eventJournalPath(path: string): string {
  return join(dirname(path), `${basename(path, '.db')}.journal`);
}

export interface SqliteEventLog extends EventLog {
  close(): Promise<void>;
}

/** Opens (creating when absent) the audit file at `path`, or a private in-memory one for ':memory:'. */
export function openSqliteEventLog(path: string, options: { readonly readonly?: boolean } = {}): SqliteEventLog {
  const db = new Database(path, { timeout: 5000, ...(options.readonly === true ? { readonly: true, fileMustExist: true } : {}) });
  try {
    if (options.readonly !== true) {
      // Rows of ~1 KB (the record) fill 4 KB pages fast: with 8 KB ones the indexer writes and checkpoints a third
      // fewer pages per event. It applies to a new file only (an existing one keeps the size it was made with).
      db.pragma('page_size = 8192');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
    }
    // A file written by this process gets its journal and indexer thread; an in-memory database (tests) cannot be
    // shared with a thread, and a read-only handle has nothing to write.
    if (options.readonly === true || path === ':memory:') return new SqliteEvents(db, undefined);
    const journalPath = eventJournalPath(path);
    const events = new SqliteEvents(db, undefined);
    // What a previous process journaled and did not index (it was killed): indexed now, before anything new.
    const left = EventJournal.pending(journalPath);
    if (left.length > 0) events.appendHere(left);
    EventJournal.clear(journalPath);
    return new SqliteEvents(db, new EventJournal(journalPath, path, STATEMENTS));
  } catch (error) {
    db.close();
    throw error;
  }
}

class SqliteEvents implements SqliteEventLog {
  private appendAll: ((events: readonly AuditEventRecord[]) => void) | undefined;
  private readonly queries = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly journal: EventJournal | undefined,
  ) {}

  /** Prepared at the first append on this thread (in-memory databases only). */
  private appender(): (events: readonly AuditEventRecord[]) => void {
    if (this.appendAll !== undefined) return this.appendAll;
    const insertEvent = this.db.prepare(INSERT_EVENT);
    const insertResource = this.db.prepare(INSERT_RESOURCE);
    this.appendAll = this.db.transaction((events: readonly AuditEventRecord[]) => {
      for (const e of events) {
        const { values, resources } = rowValues(e);
        // An event already appended (a retried batch) keeps its one set of resource rows.
        if (insertEvent.run(...values).changes === 1) for (const [type, name] of resources) insertResource.run(e.eventId, type, name, e.time);
      }
    });
    return this.appendAll;
  }

  /** Inserts on this thread (in-memory databases, and the recovery of a journal at open). */
  appendHere(events: readonly AuditEventRecord[]): void {
    this.appender()(events);
  }

  append(events: readonly AuditEventRecord[]): Promise<void> {
    try {
      if (events.length === 0) return Promise.resolve();
      if (this.journal !== undefined) return this.journal.append(events);
      this.appendHere(events);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async query(query: AuditEventQuery): Promise<AuditEventPage> {
    // Lookups see every event appended before them: the indexer catches up first (it is milliseconds behind).
    await this.journal?.indexed();
    return this.lookup(query);
  }

  async deleteBefore(time: number): Promise<number> {
    if (this.journal !== undefined) return this.journal.sweep(time);
    return this.db.transaction(() => {
      this.db.prepare(DELETE_RESOURCES).run(time);
      return this.db.prepare(DELETE_EVENTS).run(time).changes;
    })();
  }

  async close(): Promise<void> {
    await this.journal?.close();
    if (this.db.open) this.db.close();
  }

  private lookup(query: AuditEventQuery): AuditEventPage {
    checkEventQuery(query.maxResults);
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (clause: string, ...args: unknown[]): void => {
      where.push(clause);
      values.push(...args);
    };
    if (query.account !== undefined) add('account = ?', query.account);
    if (query.startTime !== undefined) add('time >= ?', query.startTime);
    if (query.endTime !== undefined) add('time <= ?', query.endTime);
    if (query.eventId !== undefined) add('event_id = ?', query.eventId);
    if (query.eventName !== undefined) add('event_name = ?', query.eventName);
    if (query.eventSource !== undefined) add('event_source = ?', query.eventSource);
    if (query.userName !== undefined) add('user_name = ?', query.userName);
    if (query.accessKeyId !== undefined) add('access_key_id = ?', query.accessKeyId);
    if (query.readOnly !== undefined) add('read_only = ?', query.readOnly ? 1 : 0);
    if (query.resourceName !== undefined || query.resourceType !== undefined) {
      const inner: string[] = [];
      const args: unknown[] = [];
      if (query.resourceName !== undefined) {
        inner.push('name = ?');
        args.push(query.resourceName);
      }
      if (query.resourceType !== undefined) {
        inner.push('type = ?');
        args.push(query.resourceType);
      }
      add(`event_id IN (SELECT event_id FROM event_resources WHERE ${inner.join(' AND ')})`, ...args);
    }
    if (query.nextToken !== undefined) {
      const after = decodeEventCursor(query.nextToken);
      add('(time < ? OR (time = ? AND event_id < ?))', after.time, after.time, after.eventId);
    }
    const sql = `SELECT event_id, time, account, event_name, event_source, user_name, access_key_id, read_only, resources, record FROM events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, event_id DESC LIMIT ?`;
    let statement = this.queries.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.queries.set(sql, statement);
    }
    const rows = statement.all(...values, query.maxResults + 1) as EventRow[];
    const page = rows.slice(0, query.maxResults).map(fromRow);
    const last = page[page.length - 1];
    return rows.length > query.maxResults && last !== undefined ? { events: page, nextToken: encodeEventCursor({ time: last.time, eventId: last.eventId }) } : { events: page };
  }
}

function fromRow(row: EventRow): AuditEventRecord {
  return {
    eventId: row.event_id,
    time: row.time,
    account: row.account,
    eventName: row.event_name,
    eventSource: row.event_source,
    ...(row.user_name !== null ? { userName: row.user_name } : {}),
    ...(row.access_key_id !== null ? { accessKeyId: row.access_key_id } : {}),
    readOnly: row.read_only === 1,
    resources: JSON.parse(row.resources) as AuditEventRecord['resources'],
    record: row.record,
  };
}
