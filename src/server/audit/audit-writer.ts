import type { AuditEventRecord, EventLog } from '../../store/store.js';
import type { RateLimitedLog } from '../logger.js';

export interface AuditWriterOptions {
  /** Events appended in one batch at most; 500 by default. */
  readonly maxBatch?: number;
  /** Events held in memory at most (queued or being written); past it, record() waits for room. 10 000 by default. */
  readonly maxPending?: number;
  /** The longest wait between attempts while appends keep failing; 5 s by default. */
  readonly maxBackoffMs?: number;
  /** Where a failed append is reported (rate-limited: a database outage fails every batch). */
  readonly failures?: RateLimitedLog;
}

interface Pending {
  readonly event: AuditEventRecord;
  readonly done: () => void;
  readonly failed: (error: Error) => void;
}

/** The writer was closed before the event could be written: the request it belongs to must not be answered. */
export class AuditWriterClosedError extends Error {}

/**
 * Group commit of audit events. Each request hands its event to record() and answers only when the returned promise
 * resolves, that is once the batch holding the event is committed: an acknowledged request's event survives a kill -9.
 * Events that arrive while a batch is being written wait for the next one, so under load a batch carries many
 * requests' events and the cost of a commit is shared.
 *
 * Never dropped: an append that fails is retried (the same batch, whose event IDs make a repeat harmless) after a
 * delay doubling up to maxBackoffMs, for as long as it takes; the requests wait meanwhile. Memory is bounded: past
 * maxPending events, record() itself waits for room, so new requests hold back (the connection cap bounds how many
 * can wait) instead of the queue growing.
 */
export class AuditWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private readonly roomWaiters: Array<() => void> = [];
  private scheduled = false;
  private writing = false;
  private closed = false;
  private failuresInARow = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly batchListeners: Array<() => void> = [];
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly log: EventLog,
    private readonly options: AuditWriterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxPending = options.maxPending ?? 10_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
  }

  /** Events accepted and not yet committed. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Resolves once the event is committed; rejects (AuditWriterClosedError) only if the writer is closed first. */
  record(event: AuditEventRecord): Promise<void> {
    return new Promise<void>((done, failed) => this.submit(event, done, failed));
  }

  /**
   * record() with callbacks: `done` runs synchronously as the event's batch commits, so whatever it sends goes out
   * with the batch (see afterEachBatch) instead of a turn of the event loop later.
   */
  submit(event: AuditEventRecord, done: () => void, failed: (error: Error) => void): void {
    if (this.closed) {
      failed(new AuditWriterClosedError('the audit trail is closed'));
      return;
    }
    if (this.pending >= this.maxPending) {
      this.roomWaiters.push(() => this.submit(event, done, failed));
      return;
    }
    this.queue.push({ event, done, failed });
    this.schedule();
  }

  /** Runs `listener` after each committed batch's `done` callbacks (the gateway writes the batch's answers then). */
  afterEachBatch(listener: () => void): void {
    this.batchListeners.push(listener);
  }

  /** Resolves when every event accepted so far is committed (or, past `timeoutMs`, false with events left). */
  async flush(timeoutMs = 10_000): Promise<boolean> {
    if (this.pending === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([idle, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops accepting events, waits (up to `timeoutMs`) for those accepted, and fails the requests of any left (their
   * answers are not sent). Returns how many were left unwritten.
   */
  async close(timeoutMs = 10_000): Promise<number> {
    this.closed = true;
    await this.flush(timeoutMs);
    clearTimeout(this.retryTimer);
    const left = this.queue.splice(0);
    for (const p of left) p.failed(new AuditWriterClosedError('the audit trail closed before this event was written'));
    for (const wake of this.roomWaiters.splice(0)) wake();
    return left.length + this.inFlight;
  }

  private schedule(): void {
    if (this.scheduled || this.writing || this.retryTimer !== undefined) return;
    this.scheduled = true;
    // setImmediate, not a microtask: the requests answered in this turn of the event loop join the same batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        this.inFlight = batch.length;
        try {
          await this.log.append(batch.map((p) => p.event));
        } catch (error) {
          // Back to the front, in order: the next attempt writes exactly these again first.
          this.queue.unshift(...batch);
          this.inFlight = 0;
          this.failuresInARow += 1;
          const wait = Math.min(this.maxBackoffMs, 50 * 2 ** Math.min(this.failuresInARow - 1, 16));
          this.options.failures?.log({ err: error, events: this.queue.length, retryInMs: wait }, `audit events not written, retrying: ${error instanceof Error ? error.message : String(error)}`);
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.schedule();
          }, wait);
          return;
        }
        this.inFlight = 0;
        this.failuresInARow = 0;
        for (const p of batch) p.done();
        for (const listener of this.batchListeners) listener();
        this.wakeForRoom();
      }
    } finally {
      this.writing = false;
    }
    if (this.pending === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private wakeForRoom(): void {
    let room = this.maxPending - this.pending;
    while (room-- > 0 && this.roomWaiters.length > 0) this.roomWaiters.shift()?.();
  }
}
