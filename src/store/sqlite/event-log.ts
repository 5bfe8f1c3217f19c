import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { checkEventQuery, decodeEventCursor, encodeEventCursor } from '../event-cursor.js';
import type { AuditEventPage, AuditEventQuery, AuditEventRecord, EventLog } from '../store.js';

/*
 * The audit trail of the embedded store lives in its own SQLite file (audit.db beside gatehouse.db), on its own
 * connection, because:
 * - the main store takes one write lock for all entity transactions and fsyncs every commit (synchronous=FULL):
 *   putting a batch of events through that lock would queue every request's answer behind the entity writes, and
 *   entity writes behind the audit;
 * - the audit promise is "a kill -9 loses no event of an acknowledged request". In WAL mode with synchronous=NORMAL
 *   a commit is written to the WAL file (write(2), in the kernel's page cache) before it returns, so it survives the
 *   process being killed at any point; only a power loss or kernel crash can lose the last commits, which FULL would
 *   also cover at the cost of an fsync per batch. The group commit makes that fsync per batch, not per request, but
 *   on a busy disk it would still put a disk flush on every request's answer; the entity store (what access decisions
 *   depend on) keeps FULL.
 * - no exclusive lock: `gatehouse export-events` can read the file while the server runs (WAL readers never block the
 *   writer).
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
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
  CREATE INDEX IF NOT EXISTS events_by_time ON events (account, time, event_id);
  CREATE INDEX IF NOT EXISTS events_by_age ON events (time);
  CREATE TABLE IF NOT EXISTS event_resources (
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS event_resources_by_name ON event_resources (name, event_id);
  CREATE INDEX IF NOT EXISTS event_resources_by_event ON event_resources (event_id);
`;

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

export interface SqliteEventLog extends EventLog {
  close(): void;
}

/** Opens (creating when absent) the audit file at `path`, or a private in-memory one for ':memory:'. */
export function openSqliteEventLog(path: string, options: { readonly readonly?: boolean } = {}): SqliteEventLog {
  const db = new Database(path, { timeout: 5000, ...(options.readonly === true ? { readonly: true, fileMustExist: true } : {}) });
  try {
    if (options.readonly !== true) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
    }
    return new SqliteEvents(db);
  } catch (error) {
    db.close();
    throw error;
  }
}

class SqliteEvents implements SqliteEventLog {
  private appendAll: ((events: readonly AuditEventRecord[]) => void) | undefined;
  private readonly queries = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly db: BetterSqlite3.Database) {}

  /** Prepared at the first append: a read-only handle (the export command) has no use for it. */
  private appender(): (events: readonly AuditEventRecord[]) => void {
    if (this.appendAll !== undefined) return this.appendAll;
    const insertEvent = this.db.prepare(
      `INSERT OR IGNORE INTO events (event_id, time, account, event_name, event_source, user_name, access_key_id, read_only, resources, record)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertResource = this.db.prepare('INSERT INTO event_resources (event_id, type, name) VALUES (?, ?, ?)');
    this.appendAll = this.db.transaction((events: readonly AuditEventRecord[]) => {
      for (const e of events) {
        const { changes } = insertEvent.run(e.eventId, e.time, e.account, e.eventName, e.eventSource, e.userName ?? null, e.accessKeyId ?? null, e.readOnly ? 1 : 0, JSON.stringify(e.resources), e.record);
        // An event already appended (a retried batch) keeps its one set of resource rows.
        if (changes === 1) for (const r of e.resources) insertResource.run(e.eventId, r.type, r.name);
      }
    });
    return this.appendAll;
  }

  append(events: readonly AuditEventRecord[]): Promise<void> {
    try {
      if (events.length > 0) this.appender()(events);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  query(query: AuditEventQuery): Promise<AuditEventPage> {
    try {
      return Promise.resolve(this.lookup(query));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  deleteBefore(time: number): Promise<number> {
    try {
      const removed = this.db.transaction(() => {
        this.db.prepare('DELETE FROM event_resources WHERE event_id IN (SELECT event_id FROM events WHERE time < ?)').run(time);
        return this.db.prepare('DELETE FROM events WHERE time < ?').run(time).changes;
      })();
      return Promise.resolve(removed);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): void {
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
    const sql = `SELECT * FROM events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, event_id DESC LIMIT ?`;
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
