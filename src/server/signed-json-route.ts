import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator, ResolvedKey } from '../core/authenticate.js';
import type { Caller } from '../core/caller.js';
import { ServiceError } from '../core/errors.js';
import { readCredentialScope, SigV4Error, verifyRequest, type SignedRequest } from '../sigv4/verify.js';
import type { RateLimitedLog } from './logger.js';
import { BodyOverLimit } from './read-limited-body.js';
import { ResponseBatch, type ResponseShape } from './response-batch.js';

// What Gatehouse's own JSON APIs under the reserved prefix (the authorize API, instance and container credentials)
// share: SigV4 as IAM checks it, JSON answers, AWS-style error bodies.

// Answers ready in one turn go out together (see ResponseBatch): a store calls for every request it serves.
const batch = new ResponseBatch();

const NO_STORE = { contentType: 'application/json', headers: ['cache-control', 'no-store'] } as const;

export function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string, extra?: Record<string, string>): void {
  sendJsonText(res, status, JSON.stringify(body), requestId, extra);
}

/** sendJson for a body already written as JSON text. */
export function sendJsonText(res: ServerResponse, status: number, json: string, requestId: string, extra?: Record<string, string>): void {
  let shape: ResponseShape = NO_STORE;
  if (extra !== undefined) {
    const headers = ['cache-control', 'no-store'];
    for (const [name, value] of Object.entries(extra)) headers.push(name, value);
    shape = { contentType: 'application/json', headers };
  }
  batch.send(res, status, `${json}\n`, requestId, shape);
}

/** The request's headers as [lower-case name, value] pairs, repeated names kept apart as SigV4 needs them. */
export function headerPairs(req: IncomingMessage): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) pairs.push([(req.rawHeaders[i] as string).toLowerCase(), req.rawHeaders[i + 1] as string]);
  return pairs;
}

/**
 * The caller of a request signed as for IAM (service `iam`, any region), and whether the store's settle() for this
 * request was confirmed (or not needed), so that the request's read views may count it as theirs (ReadOptions). An unknown or unusable key is reported only
 * after the signature's form is checked, as IAM orders its errors.
 */
export async function authenticateSigned(authenticator: Authenticator, signed: SignedRequest, now: Date): Promise<{ caller: Caller; region: string; settled: boolean }> {
  const scope = readCredentialScope({ query: signed.query, headers: signed.headers });
  let key: ResolvedKey | undefined;
  let keyError: unknown;
  let settled = false;
  if (scope !== undefined) {
    try {
      const token = signed.headers.find(([name]) => name === 'x-amz-security-token')?.[1];
      // Another node's revocation acknowledged before this request must be in the caches peek reads.
      const settling = authenticator.settle();
      settled = settling === undefined || (await settling);
      const known = authenticator.peek(scope.accessKeyId, token, now);
      key = known !== undefined ? (known ?? undefined) : await authenticator.resolve(scope.accessKeyId, token, now);
    } catch (error) {
      keyError = error;
    }
  }
  const verified = verifyRequest(signed, {
    now,
    scope,
    service: 'iam',
    secretFor: () => {
      if (keyError !== undefined) throw keyError;
      return key?.secret;
    },
  });
  return { caller: (key as ResolvedKey).caller, region: verified.region, settled };
}

/**
 * Answers a request whose work failed: AWS's error for a refusal, ServiceFailure (500) for anything else, written to
 * a rate-limited log (a database outage fails every request, and must not become a line each).
 */
export function answerFailure(res: ServerResponse, error: unknown, requestId: string, failures: RateLimitedLog, what: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof ServiceError || error instanceof SigV4Error) {
    sendJson(res, error.status, { Code: error.code, Message: error.message }, requestId, error instanceof BodyOverLimit ? { connection: 'close' } : undefined);
    return;
  }
  failures.log({ err: error }, `${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  sendJson(res, 500, { Code: 'ServiceFailure', Message: 'The request processing has failed because of an unknown error, exception or failure.' }, requestId);
}
