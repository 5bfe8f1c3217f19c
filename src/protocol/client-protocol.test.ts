import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientProtocol, encodeClientError, type ClientProtocol, type ProtocolHints } from './client-protocol.js';

const detection: ReadonlyArray<[string, ProtocolHints, ClientProtocol]> = [
  ['kinesis (awsJson 1.1 by X-Amz-Target)', { service: 'kinesis', method: 'POST', contentType: 'application/x-amz-json-1.1', target: 'Kinesis_20131202.ListStreams', query: '' }, 'awsJson'],
  ['dynamodb (awsJson 1.0)', { service: 'dynamodb', method: 'POST', contentType: 'application/x-amz-json-1.0', query: '' }, 'awsJson'],
  ['sns (awsQuery form)', { service: 'sns', method: 'POST', contentType: 'application/x-www-form-urlencoded; charset=utf-8', query: '' }, 'awsQuery'],
  ['a presigned GET with Action=', { service: 'sqs', method: 'GET', query: 'Action=ListQueues&Version=2012-11-05' }, 'awsQuery'],
  ['ec2 (its own query dialect)', { service: 'ec2', method: 'POST', contentType: 'application/x-www-form-urlencoded', query: '' }, 'ec2'],
  ['s3 (restXml, S3 errors)', { service: 's3', method: 'GET', query: '' }, 's3'],
  ['route53 (restXml)', { service: 'route53', method: 'GET', query: '' }, 'restXml'],
  ['lambda (restJson)', { service: 'lambda', method: 'GET', query: '' }, 'restJson'],
  ['an unsigned request with nothing to go by', { method: 'GET', query: '' }, 'restJson'],
];

for (const [name, hints, expected] of detection) {
  test(`client protocol: ${name}`, () => assert.equal(clientProtocol(hints), expected));
}

const error = { code: 'UnsupportedService', message: 'No <kinesis> & co', status: 400 };

test('awsJson errors carry __type and message', () => {
  const encoded = encodeClientError('awsJson', error, 'r-1');
  assert.equal(encoded.status, 400);
  assert.deepEqual(JSON.parse(encoded.body), { __type: 'UnsupportedService', message: 'No <kinesis> & co' });
  assert.match(encoded.contentType, /^application\/x-amz-json/);
});

test('restJson errors put the code in X-Amzn-ErrorType', () => {
  const encoded = encodeClientError('restJson', error, 'r-1');
  assert.equal(encoded.errorType, 'UnsupportedService');
  assert.deepEqual(JSON.parse(encoded.body), { message: 'No <kinesis> & co' });
});

const xml: ReadonlyArray<[ClientProtocol, RegExp]> = [
  ['awsQuery', /^<ErrorResponse><Error><Type>Sender<\/Type><Code>UnsupportedService<\/Code><Message>No &lt;kinesis&gt; &amp; co<\/Message><\/Error><RequestId>r-1<\/RequestId><\/ErrorResponse>$/],
  ['ec2', /^<Response><Errors><Error><Code>UnsupportedService<\/Code><Message>No &lt;kinesis&gt; &amp; co<\/Message><\/Error><\/Errors><RequestID>r-1<\/RequestID><\/Response>$/],
  ['s3', /<Error><Code>UnsupportedService<\/Code><Message>No &lt;kinesis&gt; &amp; co<\/Message><RequestId>r-1<\/RequestId><\/Error>$/],
];
for (const [protocol, shape] of xml) {
  test(`${protocol} errors: escaped XML in the protocol's envelope`, () => assert.match(encodeClientError(protocol, error, 'r-1').body, shape));
}

test('a status outside 4xx/5xx is answered 400, never a success', () => {
  assert.equal(encodeClientError('awsJson', { code: 'X', message: 'm', status: 200 }, 'r').status, 400);
  assert.equal(encodeClientError('restJson', { code: 'X', message: 'm', status: 413 }, 'r').status, 413);
});
