import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveSigningKey, SigningKeyCache, signatureFor } from './signing-key.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

describe('deriveSigningKey', () => {
  const cases: Array<[string, string, string, string]> = [
    // The key-derivation example of the SigV4 documentation.
    ['20120215', 'us-east-1', 'iam', 'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d'],
  ];
  for (const [date, region, service, expected] of cases) {
    it(`${date}/${region}/${service}`, () => assert.equal(deriveSigningKey(SECRET, date, region, service).toString('hex'), expected));
  }

  it('signs the get-vanilla string to sign of the AWS suite', () => {
    const key = deriveSigningKey(SECRET, '20150830', 'us-east-1', 'service');
    const toSign =
      'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63';
    assert.equal(signatureFor(key, toSign), '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });
});

describe('SigningKeyCache', () => {
  it('derives once per (secret, date, region, service)', () => {
    const cache = new SigningKeyCache(8);
    const first = cache.get(SECRET, '20150830', 'us-east-1', 'iam');
    assert.equal(cache.get(SECRET, '20150830', 'us-east-1', 'iam'), first);
    assert.notEqual(cache.get(SECRET, '20150831', 'us-east-1', 'iam'), first);
    assert.notEqual(cache.get(SECRET, '20150830', 'us-west-2', 'iam'), first);
    assert.notEqual(cache.get(SECRET, '20150830', 'us-east-1', 'sts'), first);
    assert.notEqual(cache.get(`${SECRET}x`, '20150830', 'us-east-1', 'iam'), first);
    assert.equal(cache.size, 5);
    assert.deepEqual(first, deriveSigningKey(SECRET, '20150830', 'us-east-1', 'iam'));
  });

  it('stays within its bound, dropping the least recently used', () => {
    const cache = new SigningKeyCache(2);
    const a = cache.get('a', '20150830', 'r', 's');
    cache.get('b', '20150830', 'r', 's');
    assert.equal(cache.get('a', '20150830', 'r', 's'), a); // a is now the most recent
    cache.get('c', '20150830', 'r', 's'); // evicts b
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a', '20150830', 'r', 's'), a);
  });

  it('refuses a bound that is not a positive integer', () => {
    assert.throws(() => new SigningKeyCache(0), RangeError);
  });
});
