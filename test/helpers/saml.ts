// Builds SAML 2.0 metadata and signed SAML responses for tests, with the fixed test IdP key pairs under
// test/fixtures/saml (generated once with `openssl req -x509`; test-only keys that protect nothing).
import { readFileSync } from 'node:fs';
import { SignedXml } from 'xml-crypto';

const FIXTURES = new URL('../fixtures/saml/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

export interface TestIdpKey {
  readonly key: string;
  readonly cert: string;
  /** The certificate's base64 DER, as metadata carries it. */
  readonly der: string;
}

function loadKey(name: string): TestIdpKey {
  const cert = read(`${name}-cert.pem`);
  return { key: read(`${name}-key.pem`), cert, der: cert.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '') };
}

export const IDP_KEY = loadKey('idp');
export const OTHER_IDP_KEY = loadKey('other-idp');
export const IDP_ENTITY_ID = 'https://idp.example.test/saml';
export const AWS_SAML = 'https://signin.aws.amazon.com/saml';
export const ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role';
export const SESSION_NAME_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName';
export const SESSION_DURATION_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';
export const SOURCE_IDENTITY_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/SourceIdentity';

/** A SAML 2.0 IdP metadata document (over IAM's 1,000-character minimum with one certificate). */
export function idpMetadata(entityId = IDP_ENTITY_ID, certs: readonly string[] = [IDP_KEY.der]): string {
  const keys = certs
    .map((der) => `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`)
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keys}` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${entityId}/sso"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

export interface AssertionOptions {
  readonly now?: Date;
  readonly issuer?: string;
  readonly nameId?: string;
  readonly nameIdFormat?: string;
  /** Role attribute values: "role-arn,provider-arn" pairs. */
  readonly roles?: readonly string[];
  readonly sessionName?: string | null;
  readonly sessionDuration?: number;
  readonly sourceIdentity?: string;
  readonly audience?: string;
  readonly recipient?: string;
  /** Validity of Conditions and SubjectConfirmationData, in seconds from `now` (negative: already expired). */
  readonly validFor?: number;
  readonly issuedSecondsAgo?: number;
  /** Further attributes, Name → values. */
  readonly attributes?: Readonly<Record<string, readonly string[]>>;
  readonly assertionId?: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function attribute(name: string, values: readonly string[]): string {
  return `<saml:Attribute Name="${esc(name)}">${values.map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`;
}

/** An unsigned saml:Assertion element. */
export function assertionXml(o: AssertionOptions = {}): string {
  const now = o.now ?? new Date();
  const iso = (offsetSeconds: number): string => new Date(now.getTime() + offsetSeconds * 1000).toISOString();
  const validFor = o.validFor ?? 300;
  const attrs: string[] = [];
  if (o.roles !== undefined) attrs.push(attribute(ROLE_ATTRIBUTE, o.roles));
  if (o.sessionName !== null) attrs.push(attribute(SESSION_NAME_ATTRIBUTE, [o.sessionName ?? 'alice@example.test']));
  if (o.sessionDuration !== undefined) attrs.push(attribute(SESSION_DURATION_ATTRIBUTE, [String(o.sessionDuration)]));
  if (o.sourceIdentity !== undefined) attrs.push(attribute(SOURCE_IDENTITY_ATTRIBUTE, [o.sourceIdentity]));
  for (const [name, values] of Object.entries(o.attributes ?? {})) attrs.push(attribute(name, values));
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${o.assertionId ?? '_a1b2c3d4e5f6'}" Version="2.0" IssueInstant="${iso(-(o.issuedSecondsAgo ?? 0))}">` +
    `<saml:Issuer>${esc(o.issuer ?? IDP_ENTITY_ID)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${o.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'}">${esc(o.nameId ?? 'alice-1234')}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(validFor)}" Recipient="${esc(o.recipient ?? AWS_SAML)}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(-60)}" NotOnOrAfter="${iso(validFor)}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience ?? AWS_SAML)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(-(o.issuedSecondsAgo ?? 0))}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attrs.join('')}</saml:AttributeStatement>` +
    `</saml:Assertion>`
  );
}

/** A samlp:Response around `inner` (assertions, unsigned or signed). */
export function responseXml(inner: string, now = new Date(), issuer = IDP_ENTITY_ID): string {
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_resp9f8e7d" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${AWS_SAML}">` +
    `<saml:Issuer>${esc(issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `${inner}</samlp:Response>`
  );
}

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

/** Signs the element `localName` of `xml` (an enveloped signature placed after its Issuer), as IdPs do. */
export function sign(xml: string, localName: 'Assertion' | 'Response', key: TestIdpKey = IDP_KEY): string {
  const signer = new SignedXml({ privateKey: key.key, publicCert: key.cert, signatureAlgorithm: RSA_SHA256, canonicalizationAlgorithm: EXC_C14N });
  const target = `//*[local-name(.)='${localName}']`;
  signer.addReference({ xpath: target, transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXC_C14N], digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256' });
  signer.computeSignature(xml, { prefix: 'ds', location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' } });
  return signer.getSignedXml();
}

/** A base64 SAML response whose assertion is signed by `key` (the usual case). */
export function signedResponse(o: AssertionOptions = {}, key: TestIdpKey = IDP_KEY): string {
  return b64(responseXml(sign(assertionXml(o), 'Assertion', key), o.now));
}

export const b64 = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');
