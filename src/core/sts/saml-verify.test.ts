import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertionXml,
  b64,
  IDP_ENTITY_ID,
  IDP_KEY,
  idpMetadata,
  OTHER_IDP_KEY,
  responseXml,
  sign,
  signedResponse,
  type AssertionOptions,
} from '../../../test/helpers/saml.js';
import { ServiceError } from '../errors.js';
import { parseSamlMetadata, verifySamlResponse, type SamlTrust } from './saml-verify.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const TRUST: SamlTrust = { entityId: IDP_ENTITY_ID, certificates: [IDP_KEY.der] };
const ROLE = 'arn:aws:iam::111122223333:role/saml-role,arn:aws:iam::111122223333:saml-provider/idp';
const base: AssertionOptions = { now: NOW, roles: [ROLE] };

describe('parseSamlMetadata', () => {
  test('reads the entity ID and the signing certificates', () => {
    const metadata = parseSamlMetadata(idpMetadata(IDP_ENTITY_ID, [IDP_KEY.der, OTHER_IDP_KEY.der]));
    assert.deepEqual(metadata, { entityId: IDP_ENTITY_ID, certificates: [IDP_KEY.der, OTHER_IDP_KEY.der] });
  });

  const invalid: ReadonlyArray<[string, string]> = [
    ['not XML', 'hello'],
    ['not metadata', '<a xmlns="urn:x"/>'],
    ['no IDPSSODescriptor', idpMetadata().replace(/IDPSSODescriptor/g, 'SPSSODescriptor')],
    ['no entityID', idpMetadata().replace(/entityID="[^"]*"/, '')],
    ['no certificate', idpMetadata(IDP_ENTITY_ID, [])],
    ['a certificate that is not X.509', idpMetadata(IDP_ENTITY_ID, ['AAAA'])],
    ['a DOCTYPE (entity expansion)', `<!DOCTYPE x [<!ENTITY a "b">]>${idpMetadata().replace(/^<\?xml[^>]*>/, '')}`],
  ];
  for (const [name, text] of invalid) test(`refuses ${name}`, () => assert.equal(parseSamlMetadata(text), undefined));
});

function fails(encoded: string, code: string, message: string | RegExp, trust: SamlTrust = TRUST): void {
  assert.throws(() => verifySamlResponse(encoded, trust, NOW), (error: unknown) => {
    assert.ok(error instanceof ServiceError, String(error));
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

describe('verifySamlResponse', () => {
  test('a response whose assertion is signed yields its claims', () => {
    const claims = verifySamlResponse(signedResponse({ ...base, attributes: { 'urn:oid:2.5.4.3': ['Alice'] } }), TRUST, NOW);
    assert.equal(claims.issuer, IDP_ENTITY_ID);
    assert.equal(claims.subject, 'alice-1234');
    assert.equal(claims.subjectFormat, 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
    assert.equal(claims.recipient, 'https://signin.aws.amazon.com/saml');
    assert.deepEqual(claims.attributes.get('https://aws.amazon.com/SAML/Attributes/Role'), [ROLE]);
    assert.deepEqual(claims.attributes.get('urn:oid:2.5.4.3'), ['Alice']);
  });

  test('a signature on the Response covers its assertion', () => {
    const claims = verifySamlResponse(b64(sign(responseXml(assertionXml(base), NOW), 'Response')), TRUST, NOW);
    assert.equal(claims.subject, 'alice-1234');
  });

  test('AWS also accepts the urn:amazon:webservices audience and a regional sign-in endpoint as recipient', () => {
    const claims = verifySamlResponse(signedResponse({ ...base, audience: 'urn:amazon:webservices', recipient: 'https://eu-west-1.signin.aws.amazon.com/saml' }), TRUST, NOW);
    assert.equal(claims.recipient, 'https://eu-west-1.signin.aws.amazon.com/saml');
  });

  test('any certificate of the provider verifies (key rollover)', () => {
    const claims = verifySamlResponse(signedResponse(base, OTHER_IDP_KEY), { ...TRUST, certificates: [IDP_KEY.der, OTHER_IDP_KEY.der] }, NOW);
    assert.equal(claims.subject, 'alice-1234');
  });

  const signedAssertion = sign(assertionXml(base), 'Assertion');
  const evil = assertionXml({ ...base, nameId: 'admin', assertionId: '_evil' });
  const rejected: ReadonlyArray<[string, () => string, string, string | RegExp]> = [
    ['not base64', () => '%%%', 'InvalidIdentityToken', /^Invalid SAML response/],
    ['base64 of something not XML', () => b64('hello'), 'InvalidIdentityToken', /^Invalid SAML response/],
    ['an unsigned assertion', () => b64(responseXml(assertionXml(base), NOW)), 'InvalidIdentityToken', 'Response signature invalid'],
    ['a signature by a key not in the metadata', () => signedResponse(base, OTHER_IDP_KEY), 'InvalidIdentityToken', 'Response signature invalid'],
    ['a claim changed after signing', () => b64(responseXml(signedAssertion.replace('alice-1234', 'admin'), NOW)), 'InvalidIdentityToken', 'Response signature invalid'],
    ['a role added after signing', () => b64(responseXml(signedAssertion.replace(ROLE, `${ROLE}</saml:AttributeValue><saml:AttributeValue>x,y`), NOW)), 'InvalidIdentityToken', 'Response signature invalid'],
    ['wrapping: an unsigned assertion first, the signed one after', () => b64(responseXml(evil + signedAssertion, NOW)), 'InvalidIdentityToken', 'Response signature invalid'],
    ['wrapping: the signed assertion hidden in an extension', () => b64(responseXml(`<samlp:Extensions>${signedAssertion}</samlp:Extensions>${evil}`, NOW)), 'InvalidIdentityToken', 'Response signature invalid'],
    ['wrapping: the same ID twice', () => b64(responseXml(signedAssertion + evil.replace('_evil', '_a1b2c3d4e5f6'), NOW)), 'InvalidIdentityToken', 'Response signature invalid'],
    ['a signed Response whose assertion was swapped', () => {
      const signedResp = sign(responseXml(assertionXml(base), NOW), 'Response');
      return b64(signedResp.replace(/<saml:Assertion[\s\S]*<\/saml:Assertion>/, evil));
    }, 'InvalidIdentityToken', 'Response signature invalid'],
    ['a comment inside the NameID after signing', () => b64(responseXml(signedAssertion.replace('alice-1234', 'alice<!-- x -->-1234x'), NOW)), 'InvalidIdentityToken', 'Response signature invalid'],
    ['another issuer', () => signedResponse({ ...base, issuer: 'https://other.example.test' }), 'InvalidIdentityToken', 'Issuer not present in specified provider'],
    ['another audience', () => signedResponse({ ...base, audience: 'urn:amazon:webservices:other' }), 'InvalidIdentityToken', 'Response does not contain the required audience'],
    ['another recipient', () => signedResponse({ ...base, recipient: 'https://example.test/acs' }), 'InvalidIdentityToken', /no bearer SubjectConfirmation/],
    ['an expired assertion', () => signedResponse({ ...base, validFor: -600 }), 'ExpiredTokenException', 'Response has expired'],
    ['an assertion issued too long ago', () => signedResponse({ ...base, issuedSecondsAgo: 3600, validFor: 3600 }), 'ExpiredTokenException', 'Token must be redeemed within 5 minutes of issuance'],
    ['a DOCTYPE', () => b64(`<!DOCTYPE r [<!ENTITY x "y">]>${responseXml(signedAssertion, NOW)}`), 'InvalidIdentityToken', /^Invalid SAML response/],
  ];
  for (const [name, build, code, message] of rejected) test(`rejects ${name}`, () => fails(build(), code, message));

  test('a comment inside the NameID at signing time is not a truncation: the whole text is the subject', () => {
    const claims = verifySamlResponse(b64(responseXml(sign(assertionXml({ ...base, nameId: 'x' }).replace('>x<', '>alice@example.test<!---->.evil.test<'), 'Assertion'), NOW)), TRUST, NOW);
    assert.equal(claims.subject, 'alice@example.test.evil.test');
  });
});
