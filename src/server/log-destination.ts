import sonicBoom from 'sonic-boom';

// sonic-boom is CommonJS: its class is the module itself, and also its `SonicBoom` property (which its types name).
const { SonicBoom } = sonicBoom;
type Boom = InstanceType<typeof SonicBoom>;

// What is still buffered when the process exits is written synchronously then (there is no event loop left to wait
// on). Weak references: a destination nobody uses any more is not kept alive by this list.
const live = new Set<WeakRef<LogDestination>>();
let exitHooked = false;

function writeOutAtExit(): void {
  for (const ref of live) ref.deref()?.flushSync();
}

/**
 * Where the server's log lines go: a file descriptor written asynchronously by sonic-boom (pino's own writer), in
 * its buffer mode. pino hands it its occasional lines as strings; the request log hands it whole chunks already
 * encoded (`writeChunk`), which sonic-boom's text mode would measure, encode and copy twice more on their way out —
 * on every request's share of the event loop. One writer for both keeps the lines whole and in order.
 */
export class LogDestination {
  private readonly boom: Boom;
  private handed = 0;
  private written = 0;
  private failed: Error | undefined;
  /** flush() callbacks, each waiting for the bytes handed over before it was called. */
  private waiting: Array<{ upTo: number; callback: (error?: Error) => void }> = [];
  private readonly ref = new WeakRef(this);

  constructor(fd: number) {
    this.boom = new SonicBoom({ fd, sync: false, contentMode: 'buffer' });
    this.boom.on('write', (n: number) => {
      this.written += n;
      this.settle();
    });
    // A log that cannot be written (a closed pipe) must not take the server down with an unhandled 'error'.
    this.boom.on('error', (error: Error) => {
      this.failed = error;
      this.settle();
    });
    live.add(this.ref);
    if (!exitHooked) {
      exitHooked = true;
      process.on('exit', writeOutAtExit);
    }
  }

  /** pino's lines. */
  write(line: string): boolean {
    return this.hand(Buffer.from(line, 'utf8'));
  }

  /** Encoded lines, ending in a newline; the buffer belongs to the destination from here on. */
  writeChunk(chunk: Buffer): void {
    this.hand(chunk);
  }

  private hand(bytes: Buffer): boolean {
    if (this.failed !== undefined) return false;
    this.handed += bytes.length;
    // Buffer mode takes Buffers; the types only know text mode.
    return this.boom.write(bytes as unknown as string);
  }

  /**
   * Calls back once everything handed over so far is written. (sonic-boom's own flush answers at once when no
   * minimum length is set, before the write in flight is done.)
   */
  flush(callback?: (error?: Error) => void): void {
    if (callback === undefined) return;
    this.waiting.push({ upTo: this.handed, callback });
    this.settle();
  }

  private settle(): void {
    if (this.waiting.length === 0) return;
    const still: typeof this.waiting = [];
    for (const w of this.waiting) {
      if (this.failed !== undefined) w.callback(this.failed);
      else if (this.written >= w.upTo) w.callback();
      else still.push(w);
    }
    this.waiting = still;
  }

  flushSync(): void {
    // sonic-boom's synchronous flush retries a failing write for ever (EBADF, EPIPE): once writing has failed,
    // there is nothing to flush to.
    if (this.failed !== undefined) return;
    try {
      this.boom.flushSync();
    } catch {
      // Nothing more can be done for a log at exit.
    }
  }

  end(): void {
    live.delete(this.ref);
    this.boom.end();
  }
}
