import { S3_MESSAGES, S3AuthError } from './s3-errors.js';

/** What x-amz-content-sha256 declares about the body (S3's payload modes). */
export type S3PayloadMode =
  | 'sha256'
  | 'UNSIGNED-PAYLOAD'
  | 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'
  | 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'
  | 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

const LITERAL_MODES: ReadonlySet<string> = new Set<S3PayloadMode>([
  'UNSIGNED-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
]);

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

export interface S3Payload {
  mode: S3PayloadMode;
  /** The last line of the canonical request: the header's value as sent. */
  signedValue: string;
  /** For mode sha256: the lower-case hash the body must have. */
  sha256?: string;
  /** True when chunk signatures follow the seed signature (STREAMING-AWS4-HMAC-SHA256-PAYLOAD…). */
  signedChunks: boolean;
  /** True when the body ends with trailing headers (a checksum) after its last chunk. */
  trailer: boolean;
}

/**
 * Reads x-amz-content-sha256 as S3 does. The header form requires it (S3 answers InvalidRequest without it); a
 * presigned URL signs UNSIGNED-PAYLOAD unless the header is present. The ECDSA (SigV4a) modes are not served: they
 * get the InvalidArgument S3 gives any unknown value.
 */
export function readS3Payload(declared: string | undefined, presigned: boolean): S3Payload {
  if (declared === undefined) {
    if (presigned) return { mode: 'UNSIGNED-PAYLOAD', signedValue: 'UNSIGNED-PAYLOAD', signedChunks: false, trailer: false };
    throw new S3AuthError('InvalidRequest', S3_MESSAGES.missingContentSha256);
  }
  if (HEX_SHA256.test(declared)) return { mode: 'sha256', signedValue: declared, sha256: declared.toLowerCase(), signedChunks: false, trailer: false };
  if (LITERAL_MODES.has(declared)) {
    const mode = declared as S3PayloadMode;
    return { mode, signedValue: declared, signedChunks: mode.startsWith('STREAMING-AWS4-HMAC'), trailer: mode.endsWith('-TRAILER') };
  }
  throw new S3AuthError('InvalidArgument', S3_MESSAGES.badContentSha256);
}
