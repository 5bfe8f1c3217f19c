import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { describeSignedRequest, SigV4Error, verifyRequest, type SignedRequest } from './verify.js';

// The official AWS SigV4 suite (awslabs/aws-c-auth, Apache-2.0; see NOTICE and the suite's LICENSE), kept as fixtures.
const SUITE = new URL('../../test/fixtures/sigv4/', import.meta.url);

interface Context {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  timestamp: string;
  region: string;
  service: string;
  /** The client added X-Amz-Security-Token to the URL after signing it. */
  omit_session_token?: boolean;
}

/** Reads an HTTP/1.1 request as the suite writes it: LF line ends, obs-fold continuations kept as sent. */
function parseRequest(text: string): SignedRequest {
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text : text.slice(0, blank);
  const body = blank < 0 ? '' : text.slice(blank + 2);
  const [requestLine = '', ...lines] = head.split('\n');
  const firstSpace = requestLine.indexOf(' ');
  const lastSpace = requestLine.lastIndexOf(' ');
  const target = requestLine.slice(firstSpace + 1, lastSpace);
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
  return {
    method: requestLine.slice(0, firstSpace),
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    headers,
    body: Buffer.from(body, 'utf8'),
  };
}

function flipLast(text: string, pattern: RegExp): string {
  let index = -1;
  for (let i = text.length - 1; i >= 0; i -= 1) {
    if (pattern.test(text[i]!)) {
      index = i;
      break;
    }
  }
  assert.ok(index >= 0, `nothing to flip in ${text}`);
  const c = text[index]!;
  const flipped = c === 'z' ? 'y' : c === '9' ? '8' : c === 'f' ? 'e' : String.fromCharCode(c.charCodeAt(0) + 1);
  return text.slice(0, index) + flipped + text.slice(index + 1);
}

/** One-byte changes that must each break the signature. */
function tamperings(request: SignedRequest, presigned: boolean): Array<[string, SignedRequest]> {
  const withHeader = (name: string, change: (value: string) => string): SignedRequest => ({
    ...request,
    headers: request.headers.map(([n, v]) => [n, n === name ? change(v) : v] as const),
  });
  const out: Array<[string, SignedRequest]> = [];
  if (presigned) {
    out.push(['signature', { ...request, query: request.query.replace(/(X-Amz-Signature=[0-9a-f]*)/, (s) => flipLast(s, /[0-9a-f]/)) }]);
    out.push(['query', { ...request, query: request.query.replace(/X-Amz-Expires=\d+/, (s) => flipLast(s, /\d/)) }]);
  } else {
    out.push(['signature', withHeader('authorization', (v) => flipLast(v, /[0-9a-f]/))]);
    out.push(['query', { ...request, query: request.query === '' ? 'a' : flipLast(request.query, /[A-Za-z0-9]/) }]);
  }
  out.push(['signed header', withHeader('host', (v) => v.replace('example', 'exbmple'))]);
  // Appending a segment changes the path whatever dot segments it has (flipping a byte inside "example/.." would not).
  out.push(['path', { ...request, path: request.path.endsWith('/') ? `${request.path}x` : `${request.path}/x` }]);
  out.push([
    'body',
    { ...request, body: request.body.length === 0 ? Buffer.from('x') : Buffer.from(flipLast(request.body.toString('utf8'), /[a-z0-9]/)) },
  ]);
  return out;
}

const cases = readdirSync(SUITE, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  // The *-unnormalized cases sign the path as sent (S3's rule); IAM and STS normalise it, so those cases' expected
  // canonical requests are not what these services compute.
  .filter((name) => !name.endsWith('-unnormalized'))
  .sort();

describe('AWS SigV4 test suite', () => {
  it('finds the suite', () => assert.ok(cases.length >= 30, `only ${cases.length} cases`));

  for (const name of cases) {
    const dir = new URL(`${name}/`, SUITE);
    const read = (file: string): string => readFileSync(new URL(file, dir), 'utf8');
    const context = JSON.parse(read('context.json')) as Context;
    const now = new Date(context.timestamp);
    const options = {
      now,
      secretFor: (id: string) => (id === context.credentials.access_key_id ? context.credentials.secret_access_key : undefined),
    };

    for (const variant of ['header', 'query'] as const) {
      const presigned = variant === 'query';
      describe(`${name} (${variant})`, () => {
        const request = parseRequest(read(`${variant}-signed-request.txt`));

        it('builds the expected canonical request and string to sign', () => {
          const strings = describeSignedRequest(request, { omitSecurityToken: context.omit_session_token === true });
          assert.equal(strings.canonicalRequest, read(`${variant}-canonical-request.txt`));
          assert.equal(strings.stringToSign, read(`${variant}-string-to-sign.txt`));
        });

        it('accepts the signed request at the context time', () => {
          const verified = verifyRequest(request, options);
          assert.equal(verified.accessKeyId, 'AKIDEXAMPLE');
          assert.equal(verified.region, context.region);
          assert.equal(verified.service, context.service);
          assert.equal(verified.date, '20150830');
          assert.equal(verified.presigned, presigned);
          if (request.headers.some(([n]) => n === 'x-amz-security-token') || request.query.includes('X-Amz-Security-Token=')) {
            assert.equal(verified.securityToken, context.credentials.token);
          } else {
            assert.equal(verified.securityToken, undefined);
          }
        });

        for (const [what, tampered] of tamperings(request, presigned)) {
          it(`rejects a changed ${what} with SignatureDoesNotMatch`, () => {
            assert.throws(
              () => verifyRequest(tampered, options),
              (error: unknown) => error instanceof SigV4Error && error.code === 'SignatureDoesNotMatch' && error.status === 403,
            );
          });
        }
      });
    }
  }
});
