import type { AuthorizeAnswer } from '../core/authorize-api/authorize-request.js';

// The authorize API's answer is written out member by member rather than built as an object for JSON.stringify:
// on every authorize request, the object and the generic serializer (a toJSON lookup per object, an escape scan per
// string) cost about twice this (measured). The text is the same JSON.stringify would give for the object with these
// members in this order.

/** Text with nothing JSON.stringify would escape: no quote, backslash, control character or UTF-16 surrogate. */
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** A string as JSON.stringify writes it. Most of the answer's (ARNs, IDs, codes) are plain and are only quoted. */
function quote(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}

/**
 * The answer as JSON text: AWS-style member names; the signing key only when asked for and allowed. Optional members
 * are left out when absent, as JSON.stringify leaves out undefined ones.
 */
export function answerJson(answer: AuthorizeAnswer, includeSigningKey: boolean): string {
  let json = `{"Authenticated":${answer.authenticated},"Allowed":${answer.allowed}`;
  const error = answer.error;
  if (error !== undefined) json += `,"Error":{"Code":${quote(error.code)},"Message":${quote(error.message)},"Status":${JSON.stringify(error.status)}}`;
  json += ',"Results":[';
  for (let i = 0; i < answer.results.length; i++) {
    const r = answer.results[i] as AuthorizeAnswer['results'][number];
    if (i > 0) json += ',';
    json += `{"Action":${quote(r.action)},"Resource":${quote(r.resource)},"Decision":${quote(r.decision)},"Allowed":${r.allowed}`;
    if (r.message !== undefined) json += `,"Message":${quote(r.message)}`;
    if (r.explanation !== undefined) json += `,"Explanation":${JSON.stringify(r.explanation)}`;
    json += '}';
  }
  json += ']';
  const principal = answer.principal;
  if (principal !== undefined) {
    json += `,"Principal":{"Arn":${quote(principal.arn)},"Account":${quote(principal.account)}`;
    if (principal.canonicalUserId !== undefined) json += `,"CanonicalUserId":${quote(principal.canonicalUserId)}`;
    json += `,"Type":${quote(principal.type)},"UserId":${quote(principal.userId)}`;
    if (principal.accessKeyId !== undefined) json += `,"AccessKeyId":${quote(principal.accessKeyId)}`;
    if (principal.sessionContext !== undefined) json += `,"SessionContext":${JSON.stringify(principal.sessionContext)}`;
    json += '}';
  }
  const payload = answer.payload;
  if (payload !== undefined) {
    json += `,"Payload":{"Mode":${quote(payload.mode)}`;
    if (payload.sha256 !== undefined) json += `,"Sha256":${quote(payload.sha256)}`;
    json += `,"SignedChunks":${payload.signedChunks},"Trailer":${payload.trailer}}`;
  }
  const streaming = answer.streaming;
  if (streaming !== undefined) {
    json += `,"Streaming":{"SeedSignature":${quote(streaming.seedSignature)},"Timestamp":${quote(streaming.timestamp)},"Scope":${quote(streaming.scope)}`;
    if (includeSigningKey) json += `,"SigningKey":"${streaming.signingKey.toString('hex')}"`;
    json += '}';
  }
  return `${json}}`;
}
