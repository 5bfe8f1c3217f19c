import type { IncomingMessage } from 'node:http';
import { ServiceError } from '../core/errors.js';

// Reading an AWS API request's body under the 1 MiB limit, with answers a client can print.

const MAX_BODY = 1024 * 1024;

const EMPTY = Buffer.alloc(0);

/** The client went away (or broke the connection) before its request's body arrived: there is nobody to answer. */
export class RequestAborted extends Error {
  constructor(readonly reason: Error & { code?: string }) {
    super(reason.message);
  }
}

/** Past this, a too-large body is no longer read to its end: the 413 goes out at once and the connection closes. */
const MAX_DRAIN = 32 * 1024 * 1024;

/**
 * A body over MAX_BODY. It is read to its end (discarded) before the 413 goes out, so that a client that writes
 * its whole body before reading (the AWS CLI) gets the answer instead of a reset connection; a body larger still is
 * answered at once, and the connection closed after the answer.
 */
export class BodyTooLarge extends ServiceError {
  constructor(readonly closeConnection: boolean) {
    super('RequestEntityTooLarge', `The request body is larger than the limit of ${MAX_BODY} bytes (1 MiB).`, 413);
  }
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Query bodies are small and arrive in one chunk: keep it as is rather than copying it into a new buffer.
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        first = undefined;
        more = undefined;
        if (size > MAX_DRAIN) {
          req.pause();
          reject(new BodyTooLarge(true));
        }
        return;
      }
      if (first === undefined) first = chunk;
      else (more ??= [first]).push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) reject(new BodyTooLarge(false));
      else resolve(more !== undefined ? Buffer.concat(more) : (first ?? EMPTY));
    });
    req.on('error', (error: Error) => reject(new RequestAborted(error)));
  });
}
