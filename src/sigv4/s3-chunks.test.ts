import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHash, createHmac } from 'node:crypto';
import { chunkStringToSign, ChunkVerifier, decodeChunkedBody, trailerStringToSign } from './s3-chunks.js';
import { S3AuthError } from './s3-errors.js';
import { verifyS3Request } from './s3-verify.js';

// The worked example of the S3 API Reference, "Signature Calculations for the Authorization Header: Transferring
// Payload in Multiple Chunks": a 66560-byte object of 'a's sent as a 64 KiB chunk, a 1 KiB chunk and the final one.
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const CHUNK_SIGNATURES = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];
const request = {
  method: 'PUT',
  path: '/examplebucket/chunkObject.txt',
  query: '',
  headers: [
    ['host', 's3.amazonaws.com'],
    ['x-amz-date', '20130524T000000Z'],
    ['x-amz-storage-class', 'REDUCED_REDUNDANCY'],
    ['authorization', `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${SEED}`],
    ['x-amz-content-sha256', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'],
    ['content-encoding', 'aws-chunked'],
    ['x-amz-decoded-content-length', '66560'],
    ['content-length', '66824'],
  ] as Array<[string, string]>,
};
const options = { now: new Date('2013-05-24T00:05:00Z'), secretFor: () => 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

function body(signatures: readonly string[]): Buffer {
  const sizes = [65536, 1024, 0];
  const parts: Buffer[] = [];
  sizes.forEach((size, i) => {
    parts.push(Buffer.from(`${size.toString(16)};chunk-signature=${signatures[i]}\r\n`), Buffer.alloc(size, 'a'), Buffer.from('\r\n'));
  });
  return Buffer.concat(parts);
}

describe('streaming chunk signatures', () => {
  it('verifies the seed signature of the documented example', () => {
    const verified = verifyS3Request(request, options);
    assert.equal(verified?.signature, SEED);
    assert.equal(verified?.payload.mode, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    assert.equal(body(CHUNK_SIGNATURES).length, 66824);
  });

  it('decodes the body, checking each chunk signature against the documented ones', () => {
    const verified = verifyS3Request(request, options);
    assert.ok(verified !== undefined);
    const chain = { signingKey: verified.signingKey, timestamp: verified.timestamp, scope: verified.scope, seedSignature: verified.signature };
    const decoded = decodeChunkedBody(body(CHUNK_SIGNATURES), new ChunkVerifier(chain));
    assert.equal(decoded.data.length, 66560);
    assert.ok(decoded.data.every((byte) => byte === 0x61));
  });

  it('refuses a chunk whose signature or data differs', () => {
    const verified = verifyS3Request(request, options);
    assert.ok(verified !== undefined);
    const chain = { signingKey: verified.signingKey, timestamp: verified.timestamp, scope: verified.scope, seedSignature: verified.signature };
    const wrong = [...CHUNK_SIGNATURES];
    wrong[1] = (wrong[1] as string).replace(/^0/, '1');
    const refused = (error: unknown) => error instanceof S3AuthError && error.code === 'SignatureDoesNotMatch';
    assert.throws(() => decodeChunkedBody(body(wrong), new ChunkVerifier(chain)), refused);
    const tampered = body(CHUNK_SIGNATURES);
    tampered[200] = 0x62;
    assert.throws(() => decodeChunkedBody(tampered, new ChunkVerifier(chain)), refused);
  });

  it('checks the trailer signature of a -TRAILER upload and reads the trailing checksum', () => {
    const verified = verifyS3Request(request, options);
    assert.ok(verified !== undefined);
    const chain = { signingKey: verified.signingKey, timestamp: verified.timestamp, scope: verified.scope, seedSignature: verified.signature };
    const hmac = (text: string): string => createHmac('sha256', verified.signingKey).update(text).digest('hex');
    const sha = (data: string): string => createHash('sha256').update(data).digest('hex');
    const first = hmac(chunkStringToSign(chain, SEED, sha('hello')));
    const last = hmac(chunkStringToSign(chain, first, sha('')));
    const trailer = 'x-amz-checksum-crc32:NhCmhg==\n';
    const trailerSignature = hmac(trailerStringToSign(chain, last, sha(trailer)));
    const encode = (signature: string): Buffer =>
      Buffer.from(`5;chunk-signature=${first}\r\nhello\r\n0;chunk-signature=${last}\r\nx-amz-checksum-crc32:NhCmhg==\r\nx-amz-trailer-signature:${signature}\r\n\r\n`);
    const decoded = decodeChunkedBody(encode(trailerSignature), new ChunkVerifier(chain));
    assert.equal(decoded.data.toString(), 'hello');
    assert.deepEqual(decoded.trailers, [['x-amz-checksum-crc32', 'NhCmhg==']]);
    assert.throws(() => decodeChunkedBody(encode(trailerSignature.replace(/^./, (c) => (c === '0' ? '1' : '0'))), new ChunkVerifier(chain)), S3AuthError);
    // STREAMING-UNSIGNED-PAYLOAD-TRAILER: no chunk signatures at all.
    const unsigned = decodeChunkedBody(Buffer.from('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n'));
    assert.equal(unsigned.data.toString(), 'hello');
  });
});
