import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scopeString, stringToSign } from './string-to-sign.js';

describe('stringToSign', () => {
  it('joins algorithm, time, scope and the hash of the canonical request', () => {
    // get-vanilla from the AWS suite.
    const canonical = [
      'GET',
      '/',
      '',
      'host:example.amazonaws.com',
      'x-amz-date:20150830T123600Z',
      '',
      'host;x-amz-date',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ].join('\n');
    assert.equal(
      stringToSign('20150830T123600Z', scopeString('20150830', 'us-east-1', 'service'), canonical),
      'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63',
    );
  });
});
