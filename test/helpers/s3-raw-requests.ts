// S3 requests no SDK would send as they are: signed by the SDK's own signer (@smithy/signature-v4), then sent with
// a body that differs from the signed one, or as an aws-chunked upload whose chunks this helper signs itself.
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { crc32 } from 'node:zlib';
import { SignatureV4 } from '@smithy/signature-v4';
import { chunkStringToSign, trailerStringToSign } from '../../src/sigv4/s3-chunks.js';
import { Sha256, sha256Of } from '../../src/sigv4/s3-test-signer.js';
import { deriveSigningKey } from '../../src/sigv4/signing-key.js';
import type { Key } from './clients.js';
import { REGION } from './server.js';

export interface RawAnswer {
  readonly status: number;
  readonly body: string;
}

function send(endpoint: string, method: string, pathAndQuery: string, headers: Record<string, string>, body: Buffer): Promise<RawAnswer> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: pathAndQuery, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const received: Buffer[] = [];
      res.on('data', (c: Buffer) => received.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(received).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function sign(endpoint: string, key: Key, method: string, path: string, query: string, headers: Record<string, string>, at: Date): Promise<Record<string, string>> {
  const host = new URL(endpoint).host;
  const signer = new SignatureV4({ credentials: key, region: REGION, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: true });
  const queryObject = Object.fromEntries(new URLSearchParams(query));
  const signed = await signer.sign({ method, protocol: 'http:', hostname: host, path, query: queryObject, headers: { host, ...headers } }, { signingDate: at });
  return signed.headers as Record<string, string>;
}

/** A request signed with `signedBody`'s hash, sent with `sentBody` (the same unless given). */
export async function sdkSignedRequest(endpoint: string, key: Key, method: string, path: string, query: string, signedBody: string, sentBody = signedBody): Promise<RawAnswer> {
  const headers = await sign(endpoint, key, method, path, query, { 'x-amz-content-sha256': sha256Of(signedBody) }, new Date());
  return send(endpoint, method, `${path}${query !== '' ? `?${query}` : ''}`, headers, Buffer.from(sentBody));
}

/**
 * An aws-chunked upload (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER) signed chunk by chunk as the S3 API Reference
 * describes, with a trailing CRC32: 64 KiB and 1 KiB of data. `corruptChunk` breaks the second chunk's signature,
 * `wrongChecksum` sends (and signs) a CRC32 that is not the data's.
 */
export async function chunkedUpload(endpoint: string, key: Key, path: string, options: { corruptChunk: boolean; wrongChecksum?: boolean }): Promise<RawAnswer> {
  const chunks = [Buffer.alloc(65_536, 'a'), Buffer.alloc(1_024, 'b'), Buffer.alloc(0)];
  const data = Buffer.concat(chunks);
  const headers = await sign(
    endpoint,
    key,
    'PUT',
    path,
    '',
    {
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
      'x-amz-trailer': 'x-amz-checksum-crc32',
    },
    new Date(),
  );
  const date = headers['x-amz-date'] as string;
  const chain = { timestamp: date, scope: `${date.slice(0, 8)}/${REGION}/s3/aws4_request` };
  const signingKey = deriveSigningKey(key.secretAccessKey, date.slice(0, 8), REGION, 's3');
  let previous = /Signature=([0-9a-f]{64})/.exec(headers['authorization'] ?? '')?.[1] ?? '';
  const parts: Buffer[] = [];
  chunks.forEach((chunk, i) => {
    previous = createHmac('sha256', signingKey).update(chunkStringToSign(chain, previous, sha256Of(chunk))).digest('hex');
    const signature = options.corruptChunk && i === 1 ? previous.replace(/^./, (c) => (c === '0' ? '1' : '0')) : previous;
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`), chunk);
    if (chunk.length > 0) parts.push(Buffer.from('\r\n'));
  });
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE((crc32(data) + (options.wrongChecksum === true ? 1 : 0)) >>> 0);
  const trailer = `x-amz-checksum-crc32:${sum.toString('base64')}`;
  const trailerSignature = createHmac('sha256', signingKey).update(trailerStringToSign(chain, previous, sha256Of(`${trailer}\n`))).digest('hex');
  parts.push(Buffer.from(`${trailer}\r\nx-amz-trailer-signature:${trailerSignature}\r\n\r\n`));
  return send(endpoint, 'PUT', path, headers, Buffer.concat(parts));
}
