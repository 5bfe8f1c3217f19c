import { pino, type DestinationStream, type Logger } from 'pino';
import { LogDestination } from './log-destination.js';

export type { Logger } from 'pino';

/**
 * The server's one logger: JSON lines on standard output through an asynchronous destination, so a log line never
 * blocks the event loop (the HTTP hot path logs nothing per request anyway). `destination` replaces standard output
 * (tests capture the lines); `flushLogger` empties the buffer on close.
 */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const destination = options.destination ?? new LogDestination(1);
  return pino({ base: { name: 'gatehouse' }, level: options.level ?? 'info' }, destination);
}

/** Writes out what the logger still buffers; never fails (a log that cannot be written must not stop a shutdown). */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      logger.flush(() => resolve());
    } catch {
      resolve();
    }
  });
}

export interface RateLimitOptions {
  /** Lines written per window before the rest are counted instead; 10 by default. */
  readonly lines?: number;
  /** The window, 60 s by default. */
  readonly windowMs?: number;
  readonly now?: () => number;
}

/**
 * A log line that a client (or a flood of clients) can cause: at most `lines` per window, the rest counted and
 * summed up in one "suppressed" line when the window ends. Without it, a thousand aborted requests would write a
 * thousand lines, a denial of service on the disk and on whoever reads the log.
 */
export class RateLimitedLog {
  private windowStart = Number.NEGATIVE_INFINITY;
  private written = 0;
  private suppressed = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly lines: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(
    private readonly logger: Logger,
    private readonly level: 'info' | 'warn' | 'error',
    /** What the suppressed lines were, for the summary: "client errors", "server errors"... */
    private readonly what: string,
    options: RateLimitOptions = {},
  ) {
    this.lines = options.lines ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  log(fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.summarize();
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written < this.lines) {
      this.written++;
      this.logger[this.level](fields, message);
      return;
    }
    this.suppressed++;
    if (this.timer === undefined) {
      // The summary is due at the window's end even if nothing else happens by then.
      this.timer = setTimeout(() => this.summarize(), Math.max(0, this.windowStart + this.windowMs - now));
      this.timer.unref();
    }
  }

  /** Writes the pending "suppressed" summary now (at the window's end, or when the server closes). */
  summarize(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.suppressed === 0) return;
    this.logger[this.level]({ suppressed: this.suppressed }, `suppressed ${this.suppressed} similar ${this.what}`);
    this.suppressed = 0;
  }
}
