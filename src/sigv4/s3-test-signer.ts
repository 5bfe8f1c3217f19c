// For tests: S3 requests signed by the AWS SDK's own signer (@smithy/signature-v4, as @aws-sdk/client-s3 uses it),
// turned into the ForwardedRequest a service would forward.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ForwardedRequest } from './s3-verify.js';

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

/** The hash constructor the smithy signer takes (HMAC when given a secret). */
export class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

export interface TestKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function sha256Of(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A signed S3 request (header form), with the body's hash as the service would compute it. */
export async function signS3(key: TestKey, method: string, path: string, body: string, at: Date, headers: Record<string, string> = {}): Promise<ForwardedRequest> {
  const signer = new SignatureV4({ credentials: key, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: true });
  const request = await signer.sign({ method, protocol: 'http:', hostname: 'bucket.s3.example', path, headers: { host: 'bucket.s3.example', ...headers }, body }, { signingDate: at });
  return { method, path, query: '', headers: Object.entries(request.headers).map(([n, v]) => [n.toLowerCase(), v] as [string, string]), bodySha256: sha256Of(body) };
}

/** A presigned GET, as the S3 presigner makes it (UNSIGNED-PAYLOAD). */
export async function presignS3(key: TestKey, path: string, expiresIn: number, at: Date): Promise<ForwardedRequest> {
  const signer = new SignatureV4({ credentials: key, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: true });
  const request = await signer.presign(
    { method: 'GET', protocol: 'http:', hostname: 'bucket.s3.example', path, headers: { host: 'bucket.s3.example', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, query: { 'x-id': 'GetObject' } },
    { signingDate: at, expiresIn },
  );
  const query = Object.entries(request.query ?? {})
    .map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return { method: 'GET', path, query, headers: [['host', 'bucket.s3.example']] };
}
