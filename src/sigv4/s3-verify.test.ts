import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { readAuthParameters } from './auth-parameters.js';
import { Sha256 } from './s3-test-signer.js';
import { S3AuthError } from './s3-errors.js';
import { s3CanonicalRequest, verifyS3Request, type ForwardedRequest } from './s3-verify.js';

const SUITE = new URL('../../test/fixtures/sigv4/', import.meta.url);

function parseRequest(text: string): ForwardedRequest {
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text : text.slice(0, blank);
  const [requestLine = '', ...lines] = head.split('\n');
  const target = requestLine.slice(requestLine.indexOf(' ') + 1, requestLine.lastIndexOf(' '));
  const q = target.indexOf('?');
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    const previous = headers[headers.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && previous) {
      previous[1] += `\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1)]);
  }
  return { method: requestLine.slice(0, requestLine.indexOf(' ')), path: q < 0 ? target : target.slice(0, q), query: q < 0 ? '' : target.slice(q + 1), headers };
}

// The suite's *-unnormalized cases are S3-style (the path signed as sent, encoded once); the *-normalized ones are
// every other service's, so they are left out. The payload line is the suite's own (these requests send no
// x-amz-content-sha256); everything above it is what S3's rules compute.
const cases = readdirSync(SUITE, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.endsWith('-normalized'))
  .map((entry) => entry.name)
  .sort();

describe('S3 canonical requests against the AWS SigV4 suite', () => {
  it('includes the unnormalized cases', () => assert.ok(cases.filter((c) => c.endsWith('-unnormalized')).length >= 6));
  for (const name of cases) {
    for (const variant of ['header', 'query'] as const) {
      it(`${name} (${variant})`, () => {
        const dir = new URL(`${name}/`, SUITE);
        const expected = readFileSync(new URL(`${variant}-canonical-request.txt`, dir), 'utf8');
        if (name === 'post-sts-header-after' && variant === 'query') return; // signed without the token it carries
        const request = parseRequest(readFileSync(new URL(`${variant}-signed-request.txt`, dir), 'utf8'));
        const auth = readAuthParameters(request);
        const payloadLine = expected.slice(expected.lastIndexOf('\n') + 1);
        const canonical = s3CanonicalRequest(request, auth, { mode: 'sha256', signedValue: payloadLine, signedChunks: false, trailer: false });
        assert.equal(canonical, expected);
      });
    }
  }
});

const KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const NOW = new Date('2026-12-05T08:00:00Z');
const signer = new SignatureV4({ credentials: KEY, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: true });

function hex(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function signed(path: string, body: string, headers: Record<string, string> = {}, at = NOW): Promise<ForwardedRequest> {
  const request = await signer.sign(
    { method: 'PUT', protocol: 'http:', hostname: 'bucket.s3.example', path, headers: { host: 'bucket.s3.example', ...headers }, body },
    { signingDate: at },
  );
  return { method: 'PUT', path, query: '', headers: Object.entries(request.headers).map(([n, v]) => [n.toLowerCase(), v] as [string, string]), bodySha256: hex(body) };
}

async function presigned(path: string, expiresIn: number, at = NOW): Promise<ForwardedRequest> {
  const request = await signer.presign(
    { method: 'GET', protocol: 'http:', hostname: 'bucket.s3.example', path, headers: { host: 'bucket.s3.example', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, query: { 'x-id': 'GetObject' } },
    { signingDate: at, expiresIn },
  );
  const query = Object.entries(request.query ?? {})
    .map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return { method: 'GET', path, query, headers: [['host', 'bucket.s3.example']] };
}

const options = (now = NOW) => ({ now, secretFor: (id: string) => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined) });

function rejectsWith(call: () => unknown, code: string, message?: string): void {
  assert.throws(call, (error: unknown) => {
    assert.ok(error instanceof S3AuthError, String(error));
    assert.equal(error.code, code);
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  });
}

describe('verifyS3Request', () => {
  it('accepts a signed PUT whose key has characters S3 keeps as sent (//, dot segments, spaces)', async () => {
    for (const path of ['/a//b/../c.txt', '/with%20space/%E2%82%AC', '/./x']) {
      const request = await signed(path, 'hello');
      const verified = verifyS3Request(request, options());
      assert.equal(verified?.accessKeyId, 'AKIDEXAMPLE', path);
      assert.equal(verified?.payload.mode, 'sha256');
    }
  });

  it('answers XAmzContentSHA256Mismatch when the body is not the one whose hash was signed', async () => {
    const request = await signed('/k', 'hello');
    rejectsWith(() => verifyS3Request({ ...request, bodySha256: hex('other') }, options()), 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  });

  it('answers SignatureDoesNotMatch in S3 words for a changed path or header', async () => {
    const request = await signed('/k', 'hello');
    rejectsWith(() => verifyS3Request({ ...request, path: '/k2' }, options()), 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    rejectsWith(() => verifyS3Request({ ...request, headers: request.headers.map(([n, v]) => [n, n === 'host' ? 'other.example' : v] as [string, string]) }, options()), 'SignatureDoesNotMatch');
  });

  it('reads the payload modes, and refuses what S3 refuses', async () => {
    for (const mode of ['UNSIGNED-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER']) {
      const request = await signed('/k', '', { 'x-amz-content-sha256': mode });
      const verified = verifyS3Request({ method: request.method, path: request.path, query: request.query, headers: request.headers }, options());
      assert.equal(verified?.payload.mode, mode);
      assert.equal(verified?.payload.signedChunks, mode.startsWith('STREAMING-AWS4-HMAC'));
    }
    const bad = await signed('/k', '', { 'x-amz-content-sha256': 'NOPE' });
    rejectsWith(() => verifyS3Request(bad, options()), 'InvalidArgument');
    const missing = await signed('/k', 'x');
    rejectsWith(() => verifyS3Request({ ...missing, headers: missing.headers.filter(([n]) => n !== 'x-amz-content-sha256') }, options()), 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  });

  it('answers RequestTimeTooSkewed past 15 minutes, InvalidAccessKeyId for an unknown key', async () => {
    const request = await signed('/k', 'x');
    rejectsWith(() => verifyS3Request(request, options(new Date(NOW.getTime() + 16 * 60_000))), 'RequestTimeTooSkewed');
    rejectsWith(() => verifyS3Request(request, { now: NOW, secretFor: () => undefined }), 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  });

  it('takes a presigned URL for up to seven days, then answers AccessDenied: Request has expired', async () => {
    const week = 7 * 24 * 3600;
    const request = await presigned('/k', week);
    assert.equal(verifyS3Request(request, options(new Date(NOW.getTime() + (week - 60) * 1000)))?.presigned, true);
    assert.equal(verifyS3Request(request, options())?.payload.mode, 'UNSIGNED-PAYLOAD');
    rejectsWith(() => verifyS3Request(request, options(new Date(NOW.getTime() + (week + 1) * 1000))), 'AccessDenied', 'Request has expired');
    const tooLong = await presigned('/k', 60);
    rejectsWith(() => verifyS3Request({ ...tooLong, query: tooLong.query.replace(/X-Amz-Expires=60/, 'X-Amz-Expires=604801') }, options()), 'AuthorizationQueryParametersError', 'X-Amz-Expires must be less than a week (in seconds) that is 604800');
  });

  it('refuses an x-amz-* header added after signing (a presigned PUT cannot be made public-read)', async () => {
    const url = await presigned('/k', 60);
    rejectsWith(() => verifyS3Request({ ...url, headers: [...url.headers, ['x-amz-acl', 'public-read']] }, options()), 'AccessDenied', 'There were headers present in the request which were not signed');
    const request = await signed('/k', 'x');
    rejectsWith(() => verifyS3Request({ ...request, headers: [...request.headers, ['X-Amz-Storage-Class', 'GLACIER']] }, options()), 'AccessDenied');
  });

  it('is undefined for an unsigned request (the anonymous principal)', () => {
    assert.equal(verifyS3Request({ method: 'GET', path: '/k', query: '', headers: [['host', 'h']] }, options()), undefined);
  });

  it('refuses a scope for another region or service', async () => {
    const request = await signed('/k', 'x');
    rejectsWith(() => verifyS3Request(request, { ...options(), regions: ['eu-west-1'] }), 'AuthorizationHeaderMalformed', "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'");
    rejectsWith(() => verifyS3Request(request, { ...options(), service: 'other' }), 'AuthorizationHeaderMalformed');
  });
});
