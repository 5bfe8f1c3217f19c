import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { checkEventQuery, decodeEventCursor, encodeEventCursor } from '../event-cursor.js';
import type { AuditEventPage, AuditEventQuery, AuditEventRecord, EventLog } from '../store.js';

/*
 * The audit trail of the embedded store lives in its own SQLite file (audit.db beside gatehouse.db), written by its
 * own connection on a worker thread, because:
 * - the main store takes one write lock for all entity transactions and fsyncs every commit (synchronous=FULL):
 *   putting a batch of events through that lock would queue every request's answer behind the entity writes, and
 *   entity writes behind the audit;
 * - better-sqlite3 is synchronous: on the event loop, every commit (and every WAL checkpoint) would stall all
 *   requests. On the worker, a batch commits while the event loop goes on answering and collecting the next batch,
 *   so batches grow with the load (group commit) instead of each request paying for a commit;
 * - the audit promise is "a kill -9 loses no event of an acknowledged request". In WAL mode with synchronous=NORMAL
 *   a commit is written to the WAL file (write(2), in the kernel's page cache) before it returns, so it survives the
 *   process being killed at any point; only a power loss or kernel crash can lose the last commits, which FULL would
 *   also cover at the cost of a disk flush per batch on every request's answer. The entity store (what access
 *   decisions depend on) keeps FULL;
 * - no exclusive lock: `gatehouse export-events` can read the file while the server runs (WAL readers never block the
 *   writer), and so do the lookups, on the main thread's own connection.
 * Rows are stored in append order (an integer rowid), so a batch appends to the end of the table instead of
 * scattering 1-2 KB records over a B-tree keyed by random UUIDs; the event ID has its own unique index.
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
  CREATE INDEX IF NOT EXISTS events_by_time ON events (account, time, event_id);
  CREATE INDEX IF NOT EXISTS events_by_age ON events (time, event_id);
  CREATE TABLE IF NOT EXISTS event_resources (
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS event_resources_by_name ON event_resources (name, event_id);
  CREATE INDEX IF NOT EXISTS event_resources_by_event ON event_resources (event_id);
`;

const INSERT_EVENT = `INSERT OR IGNORE INTO events (event_id, time, account, event_name, event_source, user_name, access_key_id, read_only, resources, record)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_RESOURCE = 'INSERT INTO event_resources (event_id, type, name) VALUES (?, ?, ?)';
const DELETE_RESOURCES = 'DELETE FROM event_resources WHERE event_id IN (SELECT event_id FROM events WHERE time < ?)';
const DELETE_EVENTS = 'DELETE FROM events WHERE time < ?';

/** An event as bound to INSERT_EVENT, then its resources as [type, name] pairs. */
type EventRowValues = [...values: unknown[]];

function rowValues(e: AuditEventRecord): { values: EventRowValues; resources: Array<[string, string]> } {
  return {
    values: [e.eventId, e.time, e.account, e.eventName, e.eventSource, e.userName ?? null, e.accessKeyId ?? null, e.readOnly ? 1 : 0, JSON.stringify(e.resources), e.record],
    resources: e.resources.map((r) => [r.type, r.name]),
  };
}

/*
 * The writer thread, as source text (run with eval): no file of its own to find next to the compiled or the
 * TypeScript sources, and nothing of Gatehouse to load; better-sqlite3 is required by the path the main thread
 * resolved. One message, one transaction; the reply goes out after COMMIT returns.
 */
const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 5000 });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const insertEvent = db.prepare(workerData.insertEvent);
const insertResource = db.prepare(workerData.insertResource);
const deleteResources = db.prepare(workerData.deleteResources);
const deleteEvents = db.prepare(workerData.deleteEvents);
const append = db.transaction((rows) => {
  for (const row of rows) {
    if (insertEvent.run(...row.values).changes === 1) for (const [type, name] of row.resources) insertResource.run(row.values[0], type, name);
  }
});
const sweep = db.transaction((time) => {
  deleteResources.run(time);
  return deleteEvents.run(time).changes;
});
parentPort.on('message', (message) => {
  try {
    if (message.kind === 'close') {
      db.close();
      parentPort.postMessage({ id: message.id, ok: true });
      parentPort.close();
      return;
    }
    const result = message.kind === 'append' ? append(message.rows) : sweep(message.time);
    parentPort.postMessage({ id: message.id, ok: true, result });
  } catch (error) {
    parentPort.postMessage({ id: message.id, ok: false, message: String(error && error.message || error), code: error && error.code });
  }
});
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
  close(): Promise<void>;
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
    // A file written by this process gets its writer thread; an in-memory database (tests) cannot be shared with
    // one, and a read-only handle has nothing to write.
    const writer = options.readonly === true || path === ':memory:' ? undefined : new WriterThread(path);
    return new SqliteEvents(db, writer);
  } catch (error) {
    db.close();
    throw error;
  }
}

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly message?: string;
  readonly code?: string;
}

/** The worker thread that owns the write connection; requests are answered in the order sent. */
class WriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(path: string) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: { driver, path, insertEvent: INSERT_EVENT, insertResource: INSERT_RESOURCE, deleteResources: DELETE_RESOURCES, deleteEvents: DELETE_EVENTS },
    });
    this.worker.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) this.worker.unref();
      if (reply.ok) waiter?.resolve(reply.result);
      else waiter?.reject(Object.assign(new Error(reply.message ?? 'audit write failed'), reply.code !== undefined ? { code: reply.code } : {}));
    });
    // A thread that dies (out of memory) fails what it had, and every later request: nothing is taken as written.
    const dead = (error: Error): void => {
      this.failure ??= error;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    this.worker.on('error', dead);
    this.worker.on('exit', () => dead(new Error('the audit writer thread has stopped')));
    // An idle thread never keeps the process alive (the server's close() ends it); one with work pending does.
    this.worker.unref();
  }

  send(message: { kind: 'append'; rows: unknown[] } | { kind: 'sweep'; time: number } | { kind: 'close' }): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  async close(): Promise<void> {
    if (this.failure !== undefined) return;
    await this.send({ kind: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }
}

class SqliteEvents implements SqliteEventLog {
  private appendAll: ((events: readonly AuditEventRecord[]) => void) | undefined;
  private readonly queries = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly writer: WriterThread | undefined,
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
        if (insertEvent.run(...values).changes === 1) for (const [type, name] of resources) insertResource.run(e.eventId, type, name);
      }
    });
    return this.appendAll;
  }

  async append(events: readonly AuditEventRecord[]): Promise<void> {
    if (events.length === 0) return;
    if (this.writer !== undefined) {
      await this.writer.send({ kind: 'append', rows: events.map(rowValues) });
      return;
    }
    this.appender()(events);
  }

  query(query: AuditEventQuery): Promise<AuditEventPage> {
    try {
      return Promise.resolve(this.lookup(query));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async deleteBefore(time: number): Promise<number> {
    if (this.writer !== undefined) return (await this.writer.send({ kind: 'sweep', time })) as number;
    return this.db.transaction(() => {
      this.db.prepare(DELETE_RESOURCES).run(time);
      return this.db.prepare(DELETE_EVENTS).run(time).changes;
    })();
  }

  async close(): Promise<void> {
    await this.writer?.close();
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
