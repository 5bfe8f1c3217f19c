import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveSigningKey, signatureFor } from './signing-key.js';
import {
  describeSignedRequest,
  SigningKeyCache,
  SigV4Error,
  verifyRequest,
  type SignedRequest,
  type VerifyOptions,
} from './verify.js';

const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const TIME = '20150830T123600Z';
const NOW = new Date('2015-08-30T12:36:00Z');
const BODY = Buffer.from('Action=ListUsers&Version=2010-05-08');

function options(overrides: Partial<VerifyOptions> = {}): VerifyOptions {
  return { now: NOW, secretFor: (id) => (id === AKID ? SECRET : undefined), ...overrides };
}

/** Signs with this module's own canonicalisation (checked against the AWS suite in vectors.test.ts). */
function sign(request: SignedRequest, secret = SECRET): SignedRequest {
  const { stringToSign } = describeSignedRequest(request, { allowUnsignedPayload: true });
  const scope = stringToSign.split('\n')[2]!.split('/');
  const signature = signatureFor(deriveSigningKey(secret, scope[0]!, scope[1]!, scope[2]!), stringToSign);
  return {
    ...request,
    query: request.query.replace('X-Amz-Signature=PLACEHOLDER', `X-Amz-Signature=${signature}`),
    headers: request.headers.map(([n, v]) => [n, n === 'authorization' ? v.replace('PLACEHOLDER', signature) : v] as const),
  };
}

function headerRequest(
  { credential = `${AKID}/20150830/us-east-1/iam/aws4_request`, algorithm = 'AWS4-HMAC-SHA256', signed = 'content-type;host;x-amz-date', extra = [] as Array<[string, string]>, date = TIME } = {},
): SignedRequest {
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: [
      ['host', 'iam.amazonaws.com'],
      ['content-type', 'application/x-www-form-urlencoded; charset=utf-8'],
      ...(date === '' ? [] : ([['x-amz-date', date]] as Array<[string, string]>)),
      ...extra,
      ['authorization', `${algorithm} Credential=${credential}, SignedHeaders=${signed}, Signature=PLACEHOLDER`],
    ],
    body: BODY,
  };
}

function presignedRequest(expires = 900, extra = ''): SignedRequest {
  return {
    method: 'GET',
    path: '/',
    query:
      `Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${AKID}%2F20150830%2Fus-east-1%2Fsts%2Faws4_request` +
      `&X-Amz-Date=${TIME}&X-Amz-Expires=${expires}&X-Amz-SignedHeaders=host${extra}&X-Amz-Signature=PLACEHOLDER`,
    headers: [['host', 'sts.amazonaws.com']],
    body: Buffer.alloc(0),
  };
}

function rejects(request: SignedRequest, opts: VerifyOptions, code: string, status: number, message: string): void {
  assert.throws(
    () => verifyRequest(request, opts),
    (error: unknown) => {
      assert.ok(error instanceof SigV4Error, String(error));
      assert.equal(error.code, code);
      assert.equal(error.status, status);
      assert.equal(error.message, message);
      return true;
    },
  );
}

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

describe('verifyRequest accepts', () => {
  const cases: Array<[string, SignedRequest, VerifyOptions, object]> = [
    [
      'a header-signed IAM request',
      sign(headerRequest()),
      options({ regions: ['us-east-1'], service: 'iam' }),
      { accessKeyId: AKID, region: 'us-east-1', service: 'iam', date: '20150830', signedHeaders: ['content-type', 'host', 'x-amz-date'], presigned: false },
    ],
    [
      'a session token from the header',
      sign(headerRequest({ signed: 'host;x-amz-date;x-amz-security-token', extra: [['x-amz-security-token', 'FQoG/token']] })),
      options(),
      { accessKeyId: AKID, region: 'us-east-1', service: 'iam', date: '20150830', signedHeaders: ['host', 'x-amz-date', 'x-amz-security-token'], securityToken: 'FQoG/token', presigned: false },
    ],
    [
      'the Date header when X-Amz-Date is absent',
      sign(headerRequest({ signed: 'date;host', date: '', extra: [['date', 'Sun, 30 Aug 2015 12:36:00 GMT']] })),
      options(),
      { accessKeyId: AKID, region: 'us-east-1', service: 'iam', date: '20150830', signedHeaders: ['date', 'host'], presigned: false },
    ],
    [
      'a request exactly 15 minutes old',
      sign(headerRequest()),
      options({ now: new Date('2015-08-30T12:51:00Z') }),
      { accessKeyId: AKID, region: 'us-east-1', service: 'iam', date: '20150830', signedHeaders: ['content-type', 'host', 'x-amz-date'], presigned: false },
    ],
    [
      'a presigned STS URL with a session token',
      sign(presignedRequest(900, '&X-Amz-Security-Token=tok%2Fen')),
      options({ now: new Date('2015-08-30T12:40:00Z') }),
      { accessKeyId: AKID, region: 'us-east-1', service: 'sts', date: '20150830', signedHeaders: ['host'], securityToken: 'tok/en', presigned: true },
    ],
  ];
  for (const [name, request, opts, expected] of cases) {
    it(name, () => assert.deepEqual(verifyRequest(request, opts), expected));
  }

  it('keeps derived keys in the cache it is given', () => {
    const signingKeys = new SigningKeyCache(4);
    verifyRequest(sign(headerRequest()), options({ signingKeys }));
    verifyRequest(sign(headerRequest()), options({ signingKeys }));
    assert.equal(signingKeys.size, 1);
  });
});

describe('verifyRequest rejects, as AWS answers', () => {
  it('no authentication: MissingAuthenticationToken', () => {
    const request: SignedRequest = { method: 'GET', path: '/', query: 'Action=ListUsers', headers: [['host', 'iam.amazonaws.com']], body: Buffer.alloc(0) };
    rejects(request, options(), 'MissingAuthenticationToken', 403, 'Request is missing Authentication Token');
  });

  it('a header without its parameters: IncompleteSignature', () => {
    const request: SignedRequest = { method: 'GET', path: '/', query: '', headers: [['authorization', 'AWS4-HMAC-SHA256 Credential=x']], body: Buffer.alloc(0) };
    rejects(
      request,
      options(),
      'IncompleteSignature',
      400,
      "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=x",
    );
  });

  it('a malformed X-Amz-Date: IncompleteSignature', () => {
    rejects(headerRequest({ date: '201' }), options(), 'IncompleteSignature', 400, "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601");
  });

  it('a request older than 15 minutes: SignatureDoesNotMatch', () => {
    rejects(
      sign(headerRequest()),
      options({ now: new Date('2015-08-30T12:56:00Z') }),
      'SignatureDoesNotMatch',
      403,
      'Signature expired: 20150830T123600Z is now earlier than 20150830T124100Z (20150830T125600Z - 15 min.)',
    );
  });

  it('a request more than 15 minutes ahead: SignatureDoesNotMatch', () => {
    rejects(
      sign(headerRequest()),
      options({ now: new Date('2015-08-30T12:20:00Z') }),
      'SignatureDoesNotMatch',
      403,
      'Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T122000Z + 15 min.)',
    );
  });

  it('a custom skew shows in the message', () => {
    rejects(
      sign(headerRequest()),
      options({ now: new Date('2015-08-30T12:42:00Z'), maxSkewMs: 5 * 60 * 1000 }),
      'SignatureDoesNotMatch',
      403,
      'Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T124200Z - 5 min.)',
    );
  });

  it('Host not signed: SignatureDoesNotMatch', () => {
    rejects(sign(headerRequest({ signed: 'content-type;x-amz-date' })), options(), 'SignatureDoesNotMatch', 403, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  });

  it('another algorithm: IncompleteSignature', () => {
    rejects(sign(headerRequest({ algorithm: 'AWS4-HMAC-SHA512' })), options(), 'IncompleteSignature', 400, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ");
  });

  it('a credential without five parts: IncompleteSignature', () => {
    rejects(
      headerRequest({ credential: `${AKID}/20150830/us-east-1/iam` }),
      options(),
      'IncompleteSignature',
      400,
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${AKID}/20150830/us-east-1/iam'`,
    );
  });

  it('a region this endpoint does not serve: SignatureDoesNotMatch', () => {
    rejects(
      sign(headerRequest({ credential: `${AKID}/20150830/us-east-2/iam/aws4_request` })),
      options({ regions: ['us-east-1'] }),
      'SignatureDoesNotMatch',
      403,
      "Credential should be scoped to a valid region, not 'us-east-2'. ",
    );
  });

  it('another service: SignatureDoesNotMatch', () => {
    rejects(sign(headerRequest({ credential: `${AKID}/20150830/us-east-1/sts/aws4_request` })), options({ service: 'iam' }), 'SignatureDoesNotMatch', 403, "Credential should be scoped to correct service: 'iam'. ");
  });

  it('an unknown access key: InvalidClientTokenId', () => {
    rejects(sign(headerRequest({ credential: 'AKIANOTKNOWN/20150830/us-east-1/iam/aws4_request' })), options(), 'InvalidClientTokenId', 403, 'The security token included in the request is invalid.');
  });

  it('a wrong secret: SignatureDoesNotMatch, with what this server signed kept for logs', () => {
    const request = sign(headerRequest(), 'not-the-secret');
    rejects(request, options(), 'SignatureDoesNotMatch', 403, MISMATCH);
    try {
      verifyRequest(request, options());
    } catch (error) {
      assert.ok(error instanceof SigV4Error);
      assert.match(error.canonicalRequest ?? '', /^POST\n\/\n\ncontent-type:/);
      assert.match(error.stringToSign ?? '', /^AWS4-HMAC-SHA256\n20150830T123600Z\n20150830\/us-east-1\/iam\/aws4_request\n/);
    }
  });

  it('a body other than the one x-amz-content-sha256 names: SignatureDoesNotMatch', () => {
    const declared = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'; // the empty body's hash
    const request = sign(headerRequest({ signed: 'host;x-amz-content-sha256;x-amz-date', extra: [['x-amz-content-sha256', declared]] }));
    rejects(request, options(), 'SignatureDoesNotMatch', 403, MISMATCH);
  });

  it('UNSIGNED-PAYLOAD unless allowed', () => {
    const request = sign(headerRequest({ signed: 'host;x-amz-content-sha256;x-amz-date', extra: [['x-amz-content-sha256', 'UNSIGNED-PAYLOAD']] }));
    rejects(request, options(), 'SignatureDoesNotMatch', 403, MISMATCH);
    assert.equal(verifyRequest(request, options({ allowUnsignedPayload: true })).service, 'iam');
  });

  it('a presigned URL past X-Amz-Expires: AccessDenied', () => {
    rejects(sign(presignedRequest(60)), options({ now: new Date('2015-08-30T12:38:00Z') }), 'AccessDenied', 403, 'Request has expired');
  });

  it('a presigned URL within X-Amz-Expires but older than 15 minutes: SignatureDoesNotMatch', () => {
    rejects(
      sign(presignedRequest(3600)),
      options({ now: new Date('2015-08-30T13:00:00Z') }),
      'SignatureDoesNotMatch',
      403,
      'Signature expired: 20150830T123600Z is now earlier than 20150830T124500Z (20150830T130000Z - 15 min.)',
    );
  });

  it('a presigned URL with a changed parameter: SignatureDoesNotMatch', () => {
    const request = sign(presignedRequest());
    rejects({ ...request, query: request.query.replace('GetCallerIdentity', 'GetSessionToken') }, options(), 'SignatureDoesNotMatch', 403, MISMATCH);
  });

  it('a presigned URL without its signature: IncompleteSignature', () => {
    const request = presignedRequest();
    rejects(
      { ...request, query: request.query.replace('&X-Amz-Signature=PLACEHOLDER', '') },
      options(),
      'IncompleteSignature',
      400,
      "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.",
    );
  });
});

describe('a presigned URL signed for POST and fetched with GET (botocore generate_presigned_url on IAM and STS)', () => {
  const signedForPost = (token = ''): SignedRequest => ({ ...sign({ ...presignedRequest(900, token), method: 'POST' }), method: 'GET' });
  const expected = { accessKeyId: AKID, region: 'us-east-1', service: 'sts', date: '20150830', signedHeaders: ['host'], presigned: true };

  it('is the same Query request, so a Query-protocol service accepts it', () => {
    assert.deepEqual(verifyRequest(signedForPost(), options({ queryProtocol: true })), expected);
  });

  it('also with a session token, signed or appended after signing', () => {
    const token = '&X-Amz-Security-Token=tok%2Fen';
    assert.deepEqual(verifyRequest(signedForPost(token), options({ queryProtocol: true })), { ...expected, securityToken: 'tok/en' });
    const appended = signedForPost();
    const late = { ...appended, query: `${appended.query}${token}` };
    assert.deepEqual(verifyRequest(late, options({ queryProtocol: true })), { ...expected, securityToken: 'tok/en' });
  });

  it('is refused where the method is part of what was authorised (the default)', () => {
    rejects(signedForPost(), options(), 'SignatureDoesNotMatch', 403, MISMATCH);
  });

  it('is refused with a body, or with another method', () => {
    rejects({ ...signedForPost(), body: Buffer.from('Action=GetSessionToken') }, options({ queryProtocol: true }), 'SignatureDoesNotMatch', 403, MISMATCH);
    rejects({ ...signedForPost(), method: 'DELETE' }, options({ queryProtocol: true }), 'SignatureDoesNotMatch', 403, MISMATCH);
  });

  it('a URL signed for GET and sent as POST is still refused', () => {
    rejects({ ...sign(presignedRequest()), method: 'POST' }, options({ queryProtocol: true }), 'SignatureDoesNotMatch', 403, MISMATCH);
  });
});
