import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noSuchEntity, notImplemented, ServiceError, validationError } from '../core/errors.js';
import { encodeErrorXml, type WireError } from './xml-error.js';

describe('encodeErrorXml', () => {
  const iamNs = 'https://iam.amazonaws.com/doc/2010-05-08/';
  const stsNs = 'https://sts.amazonaws.com/doc/2011-06-15/';
  const doc = (ns: string, type: string, code: string, message: string): string =>
    `<ErrorResponse xmlns="${ns}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
    '<RequestId>4a2b-rid</RequestId></ErrorResponse>';

  const cases: { name: string; service: 'iam' | 'sts'; error: WireError; status: number; body: string }[] = [
    {
      name: 'NoSuchEntity',
      service: 'iam',
      error: noSuchEntity('The user with name bob cannot be found.'),
      status: 404,
      body: doc(iamNs, 'Sender', 'NoSuchEntity', 'The user with name bob cannot be found.'),
    },
    {
      name: 'ValidationError text is escaped',
      service: 'iam',
      error: validationError("1 validation error detected: Value 'a<b' at 'userName'"),
      status: 400,
      body: doc(iamNs, 'Sender', 'ValidationError', '1 validation error detected: Value &apos;a&lt;b&apos; at &apos;userName&apos;'),
    },
    {
      name: 'Receiver faults',
      service: 'iam',
      error: notImplemented('CreateSAMLProvider'),
      status: 501,
      body: doc(iamNs, 'Receiver', 'NotImplemented', 'The operation CreateSAMLProvider is not implemented by Gatehouse.'),
    },
    {
      name: 'SigV4 failures (plain objects) default to Sender below 500',
      service: 'sts',
      error: {
        code: 'SignatureDoesNotMatch',
        message: 'The request signature we calculated does not match the signature you provided.',
        status: 403,
      },
      status: 403,
      body: doc(stsNs, 'Sender', 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'),
    },
    {
      name: 'a 5xx without a fault is the Receiver’s',
      service: 'sts',
      error: { code: 'InternalFailure', message: 'oops', status: 500 },
      status: 500,
      body: doc(stsNs, 'Receiver', 'InternalFailure', 'oops'),
    },
    {
      name: 'a missing or nonsensical status becomes 400',
      service: 'iam',
      error: { code: 'X', message: 'y', status: 200 },
      status: 400,
      body: doc(iamNs, 'Sender', 'X', 'y'),
    },
    {
      name: 'an explicit fault wins',
      service: 'iam',
      error: new ServiceError('Throttling', 'Rate exceeded', 400, 'Receiver'),
      status: 400,
      body: doc(iamNs, 'Receiver', 'Throttling', 'Rate exceeded'),
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(encodeErrorXml(c.service, c.error, '4a2b-rid'), { status: c.status, body: c.body }));
  }
});
