import type { ServerResponse } from 'node:http';
import type { RateLimitedLog } from './logger.js';

/** What a response other than the Query protocol's XML carries: its own content type, and further headers. */
export interface ResponseShape {
  readonly contentType: string;
  /** Name, value, name, value… (a flat list, as writeHead takes it). */
  readonly headers?: readonly string[];
}

function writeResponse(res: ServerResponse, status: number, body: string, requestId: string, shape: ResponseShape | undefined): void {
  // A flat header list skips node's per-request walk over a header object.
  const head = ['content-type', shape?.contentType ?? 'text/xml', 'content-length', String(Buffer.byteLength(body)), 'x-amzn-requestid', requestId];
  res.writeHead(status, shape?.headers === undefined ? head : head.concat(shape.headers));
  res.end(body);
}

/**
 * Responses ready in one turn of the event loop are written together, after the turn's I/O callbacks: a client
 * woken by the first finds the others already there, instead of being woken once per response (each wake-up costs
 * the sender more than the write itself on a loaded machine).
 */
export class ResponseBatch {
  constructor(private readonly errors?: RateLimitedLog) {}

  private pending: Array<{ res: ServerResponse; status: number; body: string; requestId: string; shape: ResponseShape | undefined }> = [];
  private scheduled = false;
  private readonly flush = (): void => {
    this.scheduled = false;
    const ready = this.pending;
    this.pending = [];
    for (const r of ready) {
      try {
        writeResponse(r.res, r.status, r.body, r.requestId, r.shape);
      } catch (error) {
        // One response that cannot be written (its socket gone wrong) must not cost the others in the batch theirs.
        this.errors?.log({ err: error }, `could not write a response: ${(error as Error).message}`);
        r.res.destroy();
      }
    }
  };

  /** Writes the responses gathered so far at once (the audit trail's batch just committed: they are all ready). */
  flushNow(): void {
    if (this.pending.length > 0) this.flush();
  }

  send(res: ServerResponse, status: number, body: string, requestId: string, shape?: ResponseShape): void {
    this.pending.push({ res, status, body, requestId, shape });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }
}
