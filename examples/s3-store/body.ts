// Reading a request's body once Gatehouse has allowed the request: its size limit, the payload hash the signature
// declared, aws-chunked bodies with their chunk signatures (checked here with the key Gatehouse handed over), and
// the checksums S3 checks (Content-MD5, x-amz-checksum-* as a header or a trailer).
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { crc32 } from 'node:zlib';
import { ChunkVerifier, decodeChunkedBody, S3AuthError, type AuthorizeResponseBody } from 'gatehouse-iam';
import type { Checksum } from './disk.js';
import { errors, S3Error } from './xml.js';

export interface ReceivedBody {
  readonly data: Buffer;
  /** The x-amz-checksum-* the client sent (and the store verified), to keep with the object. */
  readonly checksum?: Checksum;
}

const CRC32C_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

function crc32c(data: Buffer): number {
  let c = -1;
  for (let i = 0; i < data.length; i++) c = (CRC32C_TABLE[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function uint32Base64(value: number): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out.toString('base64');
}

/** The algorithms this store verifies; CRC64NVME is refused rather than stored unchecked. */
export const CHECKSUMS: Readonly<Record<string, (data: Buffer) => string>> = {
  crc32: (data) => uint32Base64(crc32(data)),
  crc32c: (data) => uint32Base64(crc32c(data)),
  sha1: (data) => createHash('sha1').update(data).digest('base64'),
  sha256: (data) => createHash('sha256').update(data).digest('base64'),
};

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The body's bytes as sent, refused past `limit` before more is read. */
export async function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(header(req, 'content-length') ?? '0');
  if (declared > limit) {
    req.resume();
    throw errors.entityTooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw errors.entityTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function fromAuthError(error: unknown): never {
  if (error instanceof S3AuthError) throw new S3Error(error.code, error.message, error.status);
  throw error;
}

/** Which x-amz-checksum-* the request declares: as a header, or as a trailer named by x-amz-trailer. */
function declaredChecksum(req: IncomingMessage, trailers: ReadonlyArray<[string, string]>): Checksum | undefined {
  const trailerName = header(req, 'x-amz-trailer')?.trim().toLowerCase();
  const candidates: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(req.headers)) if (name.startsWith('x-amz-checksum-') && name !== 'x-amz-checksum-type' && name !== 'x-amz-checksum-algorithm') candidates.push([name, String(value)]);
  if (trailerName !== undefined && trailerName !== '') {
    const sent = trailers.find(([name]) => name === trailerName);
    if (sent === undefined) throw errors.invalidRequest(`The trailer ${trailerName} was declared but not sent.`);
    candidates.push(sent);
  }
  if (candidates.length === 0) return undefined;
  if (candidates.length > 1) throw errors.invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  const [name, value] = candidates[0] as [string, string];
  const algorithm = name.slice('x-amz-checksum-'.length);
  if (CHECKSUMS[algorithm] === undefined) throw errors.invalidRequest(`This store does not verify ${algorithm.toUpperCase()} checksums; use CRC32, CRC32C, SHA1 or SHA256.`);
  return { algorithm, value };
}

/**
 * The body of an allowed request, verified as S3 verifies it: the SHA-256 the signature declared (Gatehouse returns
 * it in Payload.Sha256 when the store sent none), each chunk signature of an aws-chunked body, the decoded length,
 * Content-MD5 and the x-amz-checksum-* value. Any mismatch throws S3's error and nothing is to be stored.
 */
export async function readVerifiedBody(req: IncomingMessage, answer: AuthorizeResponseBody, limit: number): Promise<ReceivedBody> {
  const mode = answer.Payload?.Mode;
  const raw = await readRaw(req, mode?.startsWith('STREAMING-') === true ? limit + Math.ceil(limit / 1024) + 65_536 : limit);
  let data = raw;
  let trailers: Array<[string, string]> = [];
  if (mode === 'sha256' || (mode !== undefined && answer.Payload?.Sha256 !== undefined)) {
    if (createHash('sha256').update(raw).digest('hex') !== answer.Payload?.Sha256) throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400);
  } else if (mode?.startsWith('STREAMING-') === true) {
    let verifier: ChunkVerifier | undefined;
    if (answer.Payload?.SignedChunks === true) {
      const streaming = answer.Streaming;
      // Without the key the chunks cannot be checked: refused rather than stored unverified.
      if (streaming?.SigningKey === undefined) throw new S3Error('NotImplemented', 'Signed-chunk uploads need the gatehouse:GetChunkSigningKey permission for this store.', 501);
      verifier = new ChunkVerifier({ signingKey: Buffer.from(streaming.SigningKey, 'hex'), timestamp: streaming.Timestamp, scope: streaming.Scope, seedSignature: streaming.SeedSignature });
    }
    try {
      ({ data, trailers } = decodeChunkedBody(raw, verifier));
    } catch (error) {
      fromAuthError(error);
    }
    const decoded = header(req, 'x-amz-decoded-content-length');
    if (decoded !== undefined && Number(decoded) !== data.length) throw new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', 400);
  }
  const md5 = header(req, 'content-md5');
  if (md5 !== undefined) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(md5)) throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400);
    if (createHash('md5').update(data).digest('base64') !== md5) throw errors.badDigest();
  }
  const checksum = declaredChecksum(req, trailers);
  if (checksum !== undefined) {
    const computed = (CHECKSUMS[checksum.algorithm] as (d: Buffer) => string)(data);
    if (computed !== checksum.value) throw errors.badDigest(`The ${checksum.algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
  }
  return { data, ...(checksum !== undefined ? { checksum } : {}) };
}
