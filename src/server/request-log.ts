import { pino, type Logger } from 'pino';

/** What one request's log line tells. */
export interface RequestRecord {
  readonly requestId: string;
  readonly principal: string | undefined;
  readonly service: string | undefined;
  readonly action: string | undefined;
  /** WouldDeny: audit mode let a denied request through. */
  readonly decision: 'Allowed' | 'Denied' | 'WouldDeny' | undefined;
  readonly status: number;
  readonly code: string | undefined;
  /** How long the request took, in whole microseconds. */
  readonly micros: number;
}

interface Writable {
  write(chunk: string): unknown;
  /** An encoded chunk, owned by the destination from then on (LogDestination has it; other streams take text). */
  writeChunk?(chunk: Buffer): unknown;
}

// pino's number for info: the lines read like the logger's own.
const INFO = 30;
const CHUNK_BYTES = 64 * 1024;
const FLUSH_MS = 50;
// A line's fixed parts and an ASCII principal take ~250 bytes; a line with non-ASCII text may take 3 bytes a char.
const LINE_ROOM = 4 * 1024;

const MEMO_LIMIT = 4096;

/**
 * One JSON line per request, in pino's format and on the logger's own destination, at the cost of a string
 * concatenation: the line's shape is fixed, so it is written by hand rather than serialized field by field. Lines are
 * encoded straight into a 64 KiB chunk, handed over whole (every 50 ms, or when full) to a destination that writes
 * bytes without measuring or copying them again (LogDestination). pino's per-line path cost about a tenth of a
 * request's time in `npm run bench`; the text path through sonic-boom, three more passes over every chunk.
 */
export class RequestLog {
  /** Whether lines are written: the logger's level lets info lines through (see RunningServer.setLogLevel). */
  active = true;
  private chunk: Buffer | undefined;
  private used = 0;
  /** The last time written and its text: at thousands of lines a second most share their millisecond. */
  private lastTime = -1;
  private lastTimeText = '';
  /** Principals, services and actions recur request after request: each is escaped once, not per line. */
  private readonly escaped = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly head: string;

  constructor(
    private readonly destination: Writable,
    name: string,
  ) {
    this.head = `{"level":${INFO},"time":`;
    this.tail = `,"name":${JSON.stringify(name)},"requestId":`;
  }

  private readonly tail: string;

  /** The request log writing to the logger's destination, active while the logger's level lets info lines through. */
  static of(logger: Logger, name = 'gatehouse'): RequestLog | undefined {
    const destination = (logger as unknown as Record<symbol, Writable>)[pino.symbols.streamSym];
    if (destination === undefined) return undefined;
    const log = new RequestLog(destination, name);
    log.active = logger.isLevelEnabled('info');
    return log;
  }

  private text(value: string | undefined): string {
    if (value === undefined) return 'null';
    let json = this.escaped.get(value);
    if (json === undefined) {
      if (this.escaped.size >= MEMO_LIMIT) this.escaped.clear();
      json = JSON.stringify(value);
      this.escaped.set(value, json);
    }
    return json;
  }

  write(r: RequestRecord): void {
    const time = Date.now();
    if (time !== this.lastTime) {
      this.lastTime = time;
      this.lastTimeText = String(time);
    }
    let line = `${this.head}${this.lastTimeText}${this.tail}"${r.requestId}","principal":${this.text(r.principal)},"service":${this.text(r.service)},"action":${this.text(r.action)}`;
    if (r.decision !== undefined) line += `,"decision":"${r.decision}"`;
    line += `,"status":${r.status}`;
    if (r.code !== undefined) line += `,"code":${this.text(r.code)}`;
    line += `,"ms":${milliseconds(r.micros)},"msg":"request"}\n`;
    if (line.length * 3 > LINE_ROOM) {
      // A line this long only comes from very long texts; it goes out on its own rather than overflow a chunk.
      this.flush();
      this.hand(Buffer.from(line, 'utf8'));
      return;
    }
    if (this.chunk === undefined) this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used += this.chunk.write(line, this.used);
    if (this.used > CHUNK_BYTES - LINE_ROOM) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Hands what is pending to the destination (which writes it asynchronously); at close, before the logger flushes. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.chunk === undefined || this.used === 0) return;
    const full = this.chunk.subarray(0, this.used);
    // The destination keeps the bytes until written: the next lines go into a new chunk.
    this.chunk = undefined;
    this.used = 0;
    this.hand(full);
  }

  private hand(bytes: Buffer): void {
    if (this.destination.writeChunk !== undefined) this.destination.writeChunk(bytes);
    else this.destination.write(bytes.toString('utf8'));
  }
}

/** Microseconds as milliseconds with three decimals, by integer arithmetic (a double's printing is the slow part). */
function milliseconds(micros: number): string {
  const whole = Math.floor(micros / 1000);
  const fraction = micros - whole * 1000;
  return `${whole}.${fraction < 10 ? '00' : fraction < 100 ? '0' : ''}${fraction}`;
}
