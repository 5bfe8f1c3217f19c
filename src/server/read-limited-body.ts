import type { IncomingMessage } from 'node:http';
import { ServiceError } from '../core/errors.js';

/** A body over the route's limit: answered 413, and the connection closed (its rest was not read). */
export class BodyOverLimit extends ServiceError {
  constructor(limit: number) {
    super('RequestEntityTooLarge', `The request body is larger than the limit of ${limit} bytes.`, 413);
  }
}

/**
 * The body of a request to one of Gatehouse's own JSON routes, refused with 413 once it passes `limit` bytes (the
 * rest is left unread: the route answers and closes).
 */
export function readLimitedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        reject(new BodyOverLimit(limit));
        return;
      }
      chunks.push(chunk);
    });
    // A small body arrives as one chunk, already a Buffer of its own: no copy.
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
