import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { nameQualifier, samlContextKeys, subjectType } from './assume-role-with-saml.js';
import type { SamlClaims } from './saml-verify.js';

const subjectTypes: ReadonlyArray<[string | undefined, string]> = [
  ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', 'persistent'],
  ['urn:oasis:names:tc:SAML:2.0:nameid-format:transient', 'transient'],
  // Only the SAML 2.0 name ID prefix is removed; other formats are reported as they are.
  ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
  [undefined, 'unspecified'],
];
for (const [format, expected] of subjectTypes) {
  test(`SubjectType of ${format ?? 'no Format'} is ${expected}`, () => assert.equal(subjectType(format), expected));
}

test('NameQualifier follows AWS pseudocode BASE64(SHA1(issuer + account + "/" + provider name))', () => {
  const expected = createHash('sha1').update('https://example.com/saml123456789012/MySAMLIdP').digest('base64');
  assert.equal(nameQualifier('https://example.com/saml', '123456789012', 'MySAMLIdP'), expected);
});

test('saml: context keys come from the assertion, the provider and the eduPerson / X.500 attributes', () => {
  const claims: SamlClaims = {
    issuer: 'https://idp.example.test/saml',
    subject: 'alice-1234',
    subjectFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    recipient: 'https://signin.aws.amazon.com/saml',
    audiences: ['https://signin.aws.amazon.com/saml'],
    attributes: new Map([
      ['urn:oid:1.3.6.1.4.1.5923.1.1.1.1', ['staff', 'member']],
      ['urn:oid:2.5.4.3', ['Alice']],
      ['urn:oid:0.9.2342.19200300.100.1.3', ['alice@example.test']],
      ['https://aws.amazon.com/SAML/Attributes/RoleSessionName', ['alice']],
    ]),
  };
  const keys = samlContextKeys(claims, { arn: 'arn:aws:iam::111122223333:saml-provider/corp', name: 'corp', account: '111122223333', entityId: claims.issuer, certificates: [] });
  assert.deepEqual(keys, {
    'saml:aud': 'https://signin.aws.amazon.com/saml',
    'saml:iss': 'https://idp.example.test/saml',
    'saml:sub': 'alice-1234',
    'saml:sub_type': 'persistent',
    'saml:namequalifier': nameQualifier('https://idp.example.test/saml', '111122223333', 'corp'),
    'saml:doc': '111122223333/corp',
    'saml:edupersonaffiliation': ['staff', 'member'],
    'saml:cn': 'Alice',
    'saml:commonName': 'Alice',
    'saml:mail': 'alice@example.test',
  });
});
