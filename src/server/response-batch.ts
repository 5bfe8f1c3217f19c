import type { ServerResponse } from 'node:http';
import type { RateLimitedLog } from './logger.js';

function writeResponse(res: ServerResponse, status: number, body: string, requestId: string): void {
  // A flat header list skips node's per-request walk over a header object.
  res.writeHead(status, ['content-type', 'text/xml', 'content-length', String(Buffer.byteLength(body)), 'x-amzn-requestid', requestId]);
  res.end(body);
}

/**
 * Responses ready in one turn of the event loop are written together, after the turn's I/O callbacks: a client
 * woken by the first finds the others already there, instead of being woken once per response (each wake-up costs
 * the sender more than the write itself on a loaded machine).
 */
export class ResponseBatch {
  constructor(private readonly errors?: RateLimitedLog) {}

  private pending: Array<{ res: ServerResponse; status: number; body: string; requestId: string }> = [];
  private scheduled = false;
  private readonly flush = (): void => {
    this.scheduled = false;
    const ready = this.pending;
    this.pending = [];
    for (const r of ready) {
      try {
        writeResponse(r.res, r.status, r.body, r.requestId);
      } catch (error) {
        // One response that cannot be written (its socket gone wrong) must not cost the others in the batch theirs.
        this.errors?.log({ err: error }, `could not write a response: ${(error as Error).message}`);
        r.res.destroy();
      }
    }
  };

  send(res: ServerResponse, status: number, body: string, requestId: string): void {
    this.pending.push({ res, status, body, requestId });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }
}
