// A tiny S3-compatible store for tests: objects in memory, every request authorized by forwarding it to Gatehouse's
// authorize API (the way a real store integrates it). Path-style addressing only; PUT, GET, HEAD, DELETE of objects.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthorizeClient, forwardedRequestOf, type AuthorizeResponseBody } from '../../src/client/authorize-client.js';
import type { SigningCredentials } from '../../src/sigv4/sign-request.js';
import { ChunkVerifier, decodeChunkedBody } from '../../src/sigv4/s3-chunks.js';
import { S3AuthError } from '../../src/sigv4/s3-errors.js';

export interface ForwardingStore {
  readonly endpoint: string;
  readonly objects: Map<string, Buffer>;
  /** The authorize API's answers, last one last (for assertions on the principal and payload mode). */
  readonly answers: AuthorizeResponseBody[];
  close(): Promise<void>;
}

const ACTIONS: Record<string, string> = { GET: 's3:GetObject', HEAD: 's3:GetObject', PUT: 's3:PutObject', DELETE: 's3:DeleteObject' };

function xmlError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `buckets`: bucket name → owning account. */
export async function startForwardingStore(gatehouse: string, service: SigningCredentials, buckets: Record<string, string>): Promise<ForwardingStore> {
  const client = createAuthorizeClient({ endpoint: gatehouse, credentials: service });
  const objects = new Map<string, Buffer>();
  const answers: AuthorizeResponseBody[] = [];
  const modified = new Map<string, string>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readAll(req);
    const path = (req.url ?? '/').split('?')[0] as string;
    const [, bucket = '', ...rest] = path.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const owner = buckets[bucket];
    const action = ACTIONS[req.method ?? 'GET'];
    if (owner === undefined || key === '' || action === undefined) return xmlError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    const declared = req.headers['x-amz-content-sha256'];
    const bodySha256 = typeof declared === 'string' && /^[0-9a-f]{64}$/i.test(declared) ? createHash('sha256').update(raw).digest('hex') : undefined;
    const answer = await client.authorize({
      Request: forwardedRequestOf(req, bodySha256),
      Actions: [{ Action: action, Resource: `arn:aws:s3:::${bucket}/${key}` }],
      ResourceAccount: owner,
      ResourcePolicyArn: `arn:aws:s3:::${bucket}`,
      IncludeChunkSigningKey: true,
    });
    answers.push(answer);
    if (answer.Error !== undefined) return xmlError(res, answer.Error.Status, answer.Error.Code, answer.Error.Message);
    if (!answer.Allowed) return xmlError(res, 403, 'AccessDenied', answer.Results[0]?.Message ?? 'Access Denied');
    let body = raw;
    if (answer.Payload?.Mode.startsWith('STREAMING-') === true) {
      const streaming = answer.Streaming;
      const verifier =
        answer.Payload.SignedChunks && streaming?.SigningKey !== undefined
          ? new ChunkVerifier({ signingKey: Buffer.from(streaming.SigningKey, 'hex'), timestamp: streaming.Timestamp, scope: streaming.Scope, seedSignature: streaming.SeedSignature })
          : undefined;
      try {
        body = decodeChunkedBody(raw, verifier).data;
      } catch (error) {
        if (error instanceof S3AuthError) return xmlError(res, error.status, error.code, error.message);
        throw error;
      }
    }
    const id = `${bucket}/${key}`;
    switch (req.method) {
      case 'PUT':
        objects.set(id, body);
        modified.set(id, new Date().toUTCString());
        res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"`, 'content-length': 0 });
        res.end();
        return;
      case 'GET':
      case 'HEAD': {
        const found = objects.get(id);
        if (found === undefined) return xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': found.length, etag: `"${createHash('md5').update(found).digest('hex')}"`, 'last-modified': modified.get(id) ?? new Date(0).toUTCString() });
        res.end(req.method === 'HEAD' ? undefined : found);
        return;
      }
      default:
        objects.delete(id);
        res.writeHead(204);
        res.end();
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => xmlError(res, 500, 'InternalError', error instanceof Error ? error.message : String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
