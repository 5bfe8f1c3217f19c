import { createHmac } from 'node:crypto';
import { sameSignature } from './same-signature.js';
import { EMPTY_SHA256, sha256Hex } from './payload-hash.js';
import { S3_MESSAGES, S3AuthError } from './s3-errors.js';

/**
 * Chunk signatures of S3's streaming uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD and its -TRAILER variant): each
 * chunk's signature chains from the previous one, starting at the request's own (seed) signature, under the same
 * signing key; the trailing headers get a signature of their own, chained from the last chunk's.
 */
export interface ChunkChain {
  /** The signing key the request was verified with (S3Verified.signingKey). */
  readonly signingKey: Buffer;
  readonly timestamp: string;
  /** `date/region/service/aws4_request`. */
  readonly scope: string;
  readonly seedSignature: string;
}

function hmacHex(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

export function chunkStringToSign(chain: Omit<ChunkChain, 'signingKey' | 'seedSignature'>, previous: string, chunkSha256: string): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${chain.timestamp}\n${chain.scope}\n${previous}\n${EMPTY_SHA256}\n${chunkSha256}`;
}

export function trailerStringToSign(chain: Omit<ChunkChain, 'signingKey' | 'seedSignature'>, previous: string, trailerSha256: string): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${chain.timestamp}\n${chain.scope}\n${previous}\n${trailerSha256}`;
}

/** Checks one chunk after another; a mismatch throws SignatureDoesNotMatch as S3 answers it. */
export class ChunkVerifier {
  private previous: string;

  constructor(private readonly chain: ChunkChain) {
    this.previous = chain.seedSignature.toLowerCase();
  }

  /** The chunk's data hash (the SHA-256 of its bytes; the final empty chunk included) and its signature. */
  chunk(chunkSha256: string, signature: string): void {
    const expected = hmacHex(this.chain.signingKey, chunkStringToSign(this.chain, this.previous, chunkSha256));
    if (!sameSignature(expected, signature)) throw new S3AuthError('SignatureDoesNotMatch', S3_MESSAGES.chunkSignatureDoesNotMatch);
    this.previous = expected;
  }

  /** The trailing headers as signed: `name:value\n` each, names lower-cased. */
  trailer(canonicalTrailer: string, signature: string): void {
    const expected = hmacHex(this.chain.signingKey, trailerStringToSign(this.chain, this.previous, sha256Hex(canonicalTrailer)));
    if (!sameSignature(expected, signature)) throw new S3AuthError('SignatureDoesNotMatch', S3_MESSAGES.chunkSignatureDoesNotMatch);
    this.previous = expected;
  }
}

export interface DecodedChunkedBody {
  data: Buffer;
  /** Trailing headers, names lower-cased (x-amz-checksum-crc32…), without x-amz-trailer-signature. */
  trailers: Array<[string, string]>;
}

const CRLF = Buffer.from('\r\n');

function incomplete(): S3AuthError {
  return new S3AuthError('InvalidRequest', 'The aws-chunked body is incomplete or malformed.');
}

/**
 * Decodes a whole aws-chunked body (`size;chunk-signature=…\r\n data \r\n` … `0;chunk-signature=…\r\n`, then any
 * trailing headers and `\r\n`), checking each chunk signature and the trailer signature when a verifier is given
 * (signed modes), or none (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
 */
export function decodeChunkedBody(body: Buffer, verifier?: ChunkVerifier): DecodedChunkedBody {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const end = body.indexOf(CRLF, at);
    if (end < 0) throw incomplete();
    const line = body.subarray(at, end).toString('latin1');
    at = end + 2;
    const semicolon = line.indexOf(';');
    const sizeText = semicolon < 0 ? line : line.slice(0, semicolon);
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw incomplete();
    const size = Number.parseInt(sizeText, 16);
    const extension = semicolon < 0 ? '' : line.slice(semicolon + 1);
    const signature = /^chunk-signature=([0-9a-fA-F]{64})$/.exec(extension)?.[1];
    if (verifier !== undefined && signature === undefined) throw new S3AuthError('SignatureDoesNotMatch', S3_MESSAGES.chunkSignatureDoesNotMatch);
    if (at + size > body.length) throw incomplete();
    const data = body.subarray(at, at + size);
    if (verifier !== undefined) verifier.chunk(size === 0 ? EMPTY_SHA256 : sha256Hex(data), signature as string);
    at += size;
    if (size === 0) break;
    if (body.indexOf(CRLF, at) !== at) throw incomplete();
    at += 2;
    parts.push(data);
  }
  const trailers: Array<[string, string]> = [];
  let trailerSignature: string | undefined;
  let canonical = '';
  while (at < body.length) {
    const end = body.indexOf(CRLF, at);
    if (end < 0) throw incomplete();
    const line = body.subarray(at, end).toString('latin1');
    at = end + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) throw incomplete();
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') trailerSignature = value;
    else {
      trailers.push([name, value]);
      canonical += `${name}:${value}\n`;
    }
  }
  if (verifier !== undefined && trailers.length > 0) {
    if (trailerSignature === undefined) throw new S3AuthError('SignatureDoesNotMatch', S3_MESSAGES.chunkSignatureDoesNotMatch);
    verifier.trailer(canonical, trailerSignature);
  }
  return { data: Buffer.concat(parts), trailers };
}
