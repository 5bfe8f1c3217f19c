import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_SHA256, payloadHash, UNSIGNED_PAYLOAD } from './payload-hash.js';

const BODY = Buffer.from('Param1=value1');
const BODY_HASH = '9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e';

describe('payloadHash', () => {
  const cases: Array<[string, Buffer, string | undefined, boolean, { hash: string; matchesBody: boolean }]> = [
    ['empty body, no header', Buffer.alloc(0), undefined, false, { hash: EMPTY_SHA256, matchesBody: true }],
    ['body, no header', BODY, undefined, false, { hash: BODY_HASH, matchesBody: true }],
    ['header matching the body', BODY, BODY_HASH, false, { hash: BODY_HASH, matchesBody: true }],
    ['header in upper case is signed as sent', BODY, BODY_HASH.toUpperCase(), false, { hash: BODY_HASH.toUpperCase(), matchesBody: true }],
    ['header naming another body', BODY, EMPTY_SHA256, false, { hash: EMPTY_SHA256, matchesBody: false }],
    ['UNSIGNED-PAYLOAD refused: body hashed', BODY, UNSIGNED_PAYLOAD, false, { hash: BODY_HASH, matchesBody: true }],
    ['UNSIGNED-PAYLOAD allowed', BODY, UNSIGNED_PAYLOAD, true, { hash: UNSIGNED_PAYLOAD, matchesBody: true }],
    ['streaming marker: body hashed', BODY, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', true, { hash: BODY_HASH, matchesBody: true }],
  ];
  for (const [name, body, declared, allowUnsigned, expected] of cases) {
    it(name, () => assert.deepEqual(payloadHash(body, declared, allowUnsigned), expected));
  }
});
