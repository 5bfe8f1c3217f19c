// The durable half of the embedded audit trail: an append-only journal file that a batch is written to (one write(2)
// on the event loop) before its requests are answered, and a worker thread that indexes the journal's events into the
// SQLite file the lookups read. See event-log.ts for why.
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { AuditEventRecord } from '../store.js';

/** The SQL the indexer runs, given by event-log.ts (which owns the schema). */
export interface IndexerStatements {
  readonly insertEvent: string;
  readonly insertResource: string;
  readonly deleteResources: string;
  readonly deleteEvents: string;
}

/**
 * How the indexer binds a journal line's event to INSERT_EVENT, given by event-log.ts with the SQL: the event's fields
 * in the statement's order (`record`, the CloudTrail record, is the line's text after the tab). A boolean binds as 1 or
 * 0, an absent field as NULL, an array as its JSON; each of `resources` ({type, name}) also gets an INSERT_RESOURCE.
 */
export interface IndexerBinding extends IndexerStatements {
  readonly columns: readonly string[];
}

/*
 * The writer thread, as source text (run with eval): no file of its own to find next to the compiled or the
 * TypeScript sources, and nothing of Gatehouse to load; better-sqlite3 is required by the path the main thread
 * resolved. Messages that arrive together, one transaction; the replies go out after COMMIT returns.
 */
const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
// Requests come first: on Linux a nice value is per thread, so this lowers the indexer alone (elsewhere it would be
// the whole process, so it is left alone). Under load the indexer then falls behind and gathers bigger transactions.
if (process.platform === 'linux') {
  try { require('node:os').setPriority(19); } catch {}
}
const db = new Database(workerData.path, { timeout: 5000 });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const insertEvent = db.prepare(workerData.insertEvent);
const insertResource = db.prepare(workerData.insertResource);
const deleteResources = db.prepare(workerData.deleteResources);
const deleteEvents = db.prepare(workerData.deleteEvents);
const columns = workerData.columns;
const bind = (v) => (v === undefined || v === null ? null : typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'object' ? JSON.stringify(v) : v);
const { closeSync, openSync, readSync } = require('node:fs');
const journal = openSync(workerData.journal, 'r');
// The main thread names a stretch of the journal it has written (whole lines): read here, from the page cache, the
// text never crosses between threads and the requests' thread keeps none of it.
const readJournal = (start, end) => {
  const bytes = Buffer.allocUnsafe(end - start);
  for (let at = 0; at < bytes.length; ) {
    const read = readSync(journal, bytes, at, bytes.length - at, start + at);
    if (read === 0) throw new Error('the audit journal is shorter than what was written to it');
    at += read;
  }
  return bytes.toString('utf8');
};
const values = new Array(columns.length);
const append = db.transaction((texts) => {
  for (const text of texts) {
    for (const line of text.split('\\n')) {
      const tab = line.indexOf('\\t');
      if (tab < 0) continue;
      const event = JSON.parse(line.slice(0, tab));
      event.record = line.slice(tab + 1);
      for (let i = 0; i < columns.length; i++) values[i] = bind(event[columns[i]]);
      if (insertEvent.run(values).changes === 1) for (const r of event.resources) insertResource.run(event.eventId, r.type, r.name, event.time);
    }
  }
});
const sweep = db.transaction((time) => {
  deleteResources.run(time);
  return deleteEvents.run(time).changes;
});
// Appends that arrive together are indexed in one transaction: under load the messages queue up while a
// transaction runs, and one commit for all of them costs less than one each.
let appends = [];
const fail = (message, error) => parentPort.postMessage({ id: message.id, ok: false, message: String((error && error.message) || error), code: error && error.code });
const indexAppends = () => {
  const pending = appends;
  appends = [];
  try {
    append(pending.map((message) => readJournal(message.start, message.end)));
    for (const message of pending) parentPort.postMessage({ id: message.id, ok: true });
  } catch (error) {
    for (const message of pending) fail(message, error);
  }
};
parentPort.on('message', (message) => {
  if (message.kind === 'append') {
    if (appends.length === 0) setImmediate(indexAppends);
    appends.push(message);
    return;
  }
  // Anything else waits for the appends sent before it.
  if (appends.length > 0) indexAppends();
  try {
    if (message.kind === 'close') {
      db.close();
      // Closed with the database, not left to the thread's exit.
      closeSync(journal);
      parentPort.postMessage({ id: message.id, ok: true });
      parentPort.close();
      return;
    }
    parentPort.postMessage({ id: message.id, ok: true, result: sweep(message.time) });
  } catch (error) {
    fail(message, error);
  }
});`;



interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly message?: string;
  readonly code?: string;
}

/** The worker thread that owns the SQLite write connection; requests are answered in the order sent. */
export class WriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(path: string, journal: string, statements: IndexerBinding) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { driver, path, journal, ...statements } });
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

  send(message: { kind: 'append'; start: number; end: number } | { kind: 'sweep'; time: number } | { kind: 'close' }): Promise<unknown> {
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

/**
 * One journal line: the event's lookup fields as JSON, a tab, then its CloudTrail record as it is (already JSON, which
 * never holds a raw tab or newline): the record is not escaped a second time.
 */
export function journalLine(event: AuditEventRecord): string {
  // The fields named one by one (an absent one is left out by JSON.stringify): a rest pattern copies the event's
  // properties through V8's slow generic path, a cost every audited request paid.
  const fields = {
    eventId: event.eventId,
    time: event.time,
    account: event.account,
    eventName: event.eventName,
    eventSource: event.eventSource,
    userName: event.userName,
    accessKeyId: event.accessKeyId,
    readOnly: event.readOnly,
    resources: event.resources,
  };
  return `${JSON.stringify(fields)}\t${event.record}`;
}

/** The event of a journal line; throws for a torn one. */
export function parseJournalLine(line: string): AuditEventRecord {
  const tab = line.indexOf('\t');
  if (tab < 0) throw new SyntaxError('not a journal line');
  const record = line.slice(tab + 1);
  JSON.parse(record); // a torn line ends inside its record
  return { ...(JSON.parse(line.slice(0, tab)) as Omit<AuditEventRecord, 'record'>), record };
}

/**
 * Writes all of `data` at the file's end (write(2) may write less than asked), on the event loop: a batch is a few
 * tens of KB copied into the page cache, cheaper than a hop to libuv's thread pool and back, during which every request
 * of the batch (and, at a fixed number of connections, most of the clients) would wait with the event loop idle. A
 * kernel that holds the write back (dirty-page throttling) stalls the loop as the entity store's own synchronous
 * commits already do.
 */
function writeAll(fd: number, data: Buffer, length: number): void {
  let offset = 0;
  while (offset < length) offset += writeSync(fd, data, offset, length - offset);
}

// A batch's text is encoded into this buffer, made once (no buffer allocated and freed per batch); a batch that might
// not fit gets its own. UTF-8 takes at most 3 bytes per UTF-16 code unit.
const ENCODE_BYTES = 1024 * 1024;

// At most this many events journaled and waiting for the indexer (a few tens of MB).
const MAX_UNINDEXED = 20_000;

// Emptied once everything in it is indexed and it has grown past this.
const TRUNCATE_AT = 4 * 1024 * 1024;

// Journaled batches are handed to the indexer together, this long after the first of them (or at once when a lookup,
// a sweep or close() waits for the index): one message, one reply and one transaction for many batches, where a
// message per batch cost the requests' thread a postMessage and a reply each and the indexer a commit each (a
// transaction of 600 events costs it ~25% less per event than one of 30). Nothing is held in memory meanwhile: the
// indexer reads the batches from the journal.
const HANDOVER_MS = 50;
// ...or at once past this many events.
const HANDOVER_EVENTS = 2000;

/**
 * The journal and its indexer. append() returns once the batch is in the journal: write(2) has handed it to the
 * kernel, so a kill -9 of the process cannot lose it (only a power loss or kernel crash could, as with SQLite's
 * synchronous=NORMAL). The indexer then inserts it into SQLite; a failed insert is retried, and whatever was not
 * indexed when the process died is indexed from the journal at the next open. Once every journaled event is indexed
 * the journal is emptied.
 */
export class EventJournal {
  private readonly fd: number;
  private size: number;
  private readonly indexer: WriterThread;
  /** Index requests sent and not yet done (each retried until it is). */
  private readonly indexing = new Set<Promise<void>>();
  private closed = false;
  /** The appends in order: each write starts when the one before it has ended. */
  private tail: Promise<void> = Promise.resolve();
  /** A write is under way: the journal is not emptied meanwhile. */
  private writing = false;
  /** Events journaled and not yet indexed, and the appends waiting for that number to come down. */
  private unindexed = 0;
  /** close() gave up waiting: no more retries. */
  private stopped = false;
  private readonly caughtUp: Array<() => void> = [];
  /** Where batches are encoded (see ENCODE_BYTES). */
  private encoded: Buffer | undefined;
  /**
   * Where the journal stops being the indexer's: the bytes before it were handed over (named to the indexer, which
   * reads them from the file); the events after it, and the timer that hands them over.
   */
  private handedOver = 0;
  private handoverEvents = 0;
  private handoverTimer: NodeJS.Timeout | undefined;
  private readonly handOver = (): void => {
    clearTimeout(this.handoverTimer);
    this.handoverTimer = undefined;
    if (this.handedOver === this.size) return;
    const start = this.handedOver;
    const count = this.handoverEvents;
    this.handedOver = this.size;
    this.handoverEvents = 0;
    this.index(start, this.size, count);
  };

  constructor(
    private readonly path: string,
    dbPath: string,
    statements: IndexerBinding,
  ) {
    this.fd = openSync(path, 'a', 0o600);
    this.size = 0;
    this.indexer = new WriterThread(dbPath, path, statements);
  }

  /** The events a previous process journaled (its last line may be torn by a kill mid-write: that batch was never acknowledged). */
  static pending(path: string): AuditEventRecord[] {
    if (!existsSync(path)) return [];
    const events: AuditEventRecord[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line === '') continue;
      try {
        events.push(parseJournalLine(line));
      } catch {
        // A torn write: only ever the end of the file, and never acknowledged.
      }
    }
    return events;
  }

  /** Empties the journal file of a previous process once its events are indexed (before this one opens it). */
  static clear(path: string): void {
    if (!existsSync(path)) return;
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, 0);
    } finally {
      closeSync(fd);
    }
  }

  /** Resolves once the batch is in the journal. Appends are written one after another, in the order called. */
  append(events: readonly AuditEventRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the audit trail is closed'));
    const text = `${events.map(journalLine).join('\n')}\n`;
    const next = this.tail.then(() => this.write(text, events.length));
    // The queue goes on after a failed write (its caller has the error).
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async write(text: string, count: number): Promise<void> {
    let data: Buffer;
    let length: number;
    if (text.length * 3 <= ENCODE_BYTES) {
      this.encoded ??= Buffer.allocUnsafeSlow(ENCODE_BYTES);
      data = this.encoded;
      length = data.write(text, 0, 'utf8');
    } else {
      data = Buffer.from(text, 'utf8');
      length = data.length;
    }
    const before = this.size;
    this.writing = true;
    try {
      writeAll(this.fd, data, length);
    } catch (error) {
      // A partial write (disk full) is cut off again, so the next batch does not start in the middle of a line.
      try {
        ftruncateSync(this.fd, before);
      } catch {
        // Nothing more to do: the next open skips a torn line.
      }
      throw error;
    } finally {
      this.writing = false;
    }
    this.size += length;
    this.unindexed += count;
    this.handoverEvents += count;
    // Past TRUNCATE_AT every batch goes at once, as it is written: the journal can only be emptied at a moment when
    // nothing journaled waits for the indexer, which a batch held back for HANDOVER_MS would rule out under load.
    if (this.handoverEvents >= HANDOVER_EVENTS || this.size > TRUNCATE_AT) this.handOver();
    else this.handoverTimer ??= setTimeout(this.handOver, HANDOVER_MS);
    // Bounded: while the indexer is this far behind (the journal, and the replay at a restart, grow), the next batch
    // waits, and the requests behind it (the audit writer's back-pressure).
    if (this.unindexed > MAX_UNINDEXED) this.handOver();
    while (this.unindexed > MAX_UNINDEXED) await new Promise<void>((resolve) => this.caughtUp.push(resolve));
  }

  /** Resolves when every event appended so far is in SQLite. */
  async indexed(): Promise<void> {
    this.handOver();
    while (this.indexing.size > 0) await Promise.all([...this.indexing]);
  }

  sweep(time: number): Promise<number> {
    // The batches journaled before the sweep are indexed before it (the indexer takes messages in order).
    this.handOver();
    return this.indexer.send({ kind: 'sweep', time }) as Promise<number>;
  }

  /**
   * Waits (up to `timeoutMs`) for the appends under way and the indexer; the journal is emptied only if everything in
   * it is indexed, else the next open indexes the rest.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      this.tail.then(() => this.indexed()).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    this.stopped = true;
    // Gave up waiting: what was not handed over stays in the journal for the next open.
    clearTimeout(this.handoverTimer);
    await this.indexer.close();
    if (settled && this.unindexed === 0) ftruncateSync(this.fd, 0);
    closeSync(this.fd);
  }

  /** Has the indexer index the journal's bytes from `start` to `end` (whole lines: `count` events). */
  private index(start: number, end: number, count: number, attempt = 0): void {
    const done: Promise<void> = this.indexer.send({ kind: 'append', start, end }).then(
      () => {
        this.indexing.delete(done);
        this.unindexed -= count;
        if (this.unindexed <= MAX_UNINDEXED) for (const wake of this.caughtUp.splice(0)) wake();
        // Everything journaled is indexed: the journal can start over (no write is under way).
        if (this.indexing.size === 0 && this.handedOver === this.size && !this.writing && this.size > TRUNCATE_AT && !this.closed) {
          ftruncateSync(this.fd, 0);
          this.size = 0;
          this.handedOver = 0;
        }
      },
      () => {
        this.indexing.delete(done);
        // Closed: what is left stays in the journal for the next open.
        if (this.stopped) return;
        // Still in the journal, so never lost; indexed again after a pause (the database busy, the disk full).
        const retry = new Promise<void>((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempt))).then(() => this.index(start, end, count, attempt + 1));
        this.indexing.add(retry);
        void retry.then(() => this.indexing.delete(retry));
      },
    );
    this.indexing.add(done);
  }
}
