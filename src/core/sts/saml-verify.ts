// Reading SAML 2.0 metadata and verifying SAML responses for AssumeRoleWithSAML. Every claim is read from the XML
// that a signature covers (xml-crypto's canonical form of the signed reference), never from the document as posted:
// that is what defeats signature wrapping, where an attacker keeps a validly signed element somewhere in the
// document and puts different claims where a naive reader looks for them.
import { X509Certificate } from 'node:crypto';
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { ServiceError } from '../errors.js';

export const SAML_NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

/** Where AWS's sign-in endpoint receives SAML responses: the audience and recipient AWS requires. */
export const AWS_SAML_ENDPOINT = 'https://signin.aws.amazon.com/saml';
/** The global sign-in endpoint or a regional one (https://REGION.signin.aws.amazon.com/saml), as AWS documents. */
const SIGNIN_ENDPOINT = /^https:\/\/(?:[a-z0-9-]+\.)?signin\.aws\.amazon\.com\/saml$/;
/** IdPs such as AD FS name AWS by this URN instead of the endpoint URL; AWS accepts either as the audience. */
const AWS_AUDIENCE_URN = 'urn:amazon:webservices';

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
/** Clock skew tolerated between the IdP and this server on every time check. */
const SKEW_MS = 5 * 60 * 1000;
/** AWS refuses a response issued more than five minutes before it is redeemed (ExpiredTokenException). */
const REDEEM_WITHIN_MS = 5 * 60 * 1000;

// Signature and digest algorithms accepted; HMAC is never enabled (a public certificate would be its key).
const SIGNATURE_ALGORITHMS = new Set([
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);

export const invalidIdentityToken = (message: string): ServiceError => new ServiceError('InvalidIdentityToken', message, 400);
export const expiredSamlToken = (message: string): ServiceError => new ServiceError('ExpiredTokenException', message, 400);
export const signatureInvalid = (): ServiceError => invalidIdentityToken('Response signature invalid');

/**
 * Parses XML strictly: any warning or error stops parsing, and a document type declaration is refused outright
 * (entity expansion and external entities have no place in SAML messages).
 */
export function parseXml(text: string): Document | undefined {
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) return undefined;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        throw new Error(`${level}: ${message}`);
      },
    }).parseFromString(text, 'text/xml');
    return doc.documentElement === null ? undefined : doc;
  } catch {
    return undefined;
  }
}

function isElement(node: Node | null): node is Element {
  return node !== null && node.nodeType === 1;
}

/** Child elements of `parent` in namespace `ns` named `local`, in document order. */
export function childElements(parent: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) {
    if (isElement(n) && n.namespaceURI === ns && n.localName === local) out.push(n);
  }
  return out;
}

function firstChild(parent: Element, ns: string, local: string): Element | undefined {
  return childElements(parent, ns, local)[0];
}

/** Every descendant element of `root` (itself included) in namespace `ns` named `local`. */
function descendants(root: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  const walk = (e: Element): void => {
    if (e.namespaceURI === ns && e.localName === local) out.push(e);
    for (let n = e.firstChild; n !== null; n = n.nextSibling) if (isElement(n)) walk(n);
  };
  walk(root);
  return out;
}

/** The text of an element: its text and CDATA content, comments excluded, trimmed. */
function textOf(e: Element): string {
  let text = '';
  const walk = (node: Node): void => {
    for (let n = node.firstChild; n !== null; n = n.nextSibling) {
      if (n.nodeType === 3 || n.nodeType === 4) text += n.nodeValue ?? '';
      else if (n.nodeType === 1) walk(n);
    }
  };
  walk(e);
  return text.trim();
}

function attr(e: Element, name: string): string | undefined {
  return e.hasAttribute(name) ? (e.getAttribute(name) ?? undefined) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Metadata

export interface SamlMetadata {
  readonly entityId: string;
  /** Base64 DER of each signing certificate of the IdP (KeyDescriptor use="signing" or without use). */
  readonly certificates: readonly string[];
  /** The metadata's validUntil, when it has one. */
  readonly validUntil?: Date;
}

/** Base64 DER to PEM, after checking it really is an X.509 certificate. */
export function certificatePem(base64Der: string): string {
  const body = base64Der.replace(/\s+/g, '');
  const pem = `-----BEGIN CERTIFICATE-----\n${(body.match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
  new X509Certificate(pem);
  return pem;
}

/**
 * The IdP's entity ID and signing certificates from a SAML 2.0 metadata document (an EntityDescriptor with an
 * IDPSSODescriptor), or undefined when the document is not one IAM could use.
 */
export function parseSamlMetadata(text: string): SamlMetadata | undefined {
  const doc = parseXml(text);
  const root = doc?.documentElement;
  if (root === undefined || root === null || root.namespaceURI !== SAML_NS.metadata || root.localName !== 'EntityDescriptor') return undefined;
  const entityId = attr(root, 'entityID');
  if (entityId === undefined || entityId.trim() === '') return undefined;
  const idp = childElements(root, SAML_NS.metadata, 'IDPSSODescriptor');
  if (idp.length === 0) return undefined;
  const certificates: string[] = [];
  for (const descriptor of idp) {
    for (const key of childElements(descriptor, SAML_NS.metadata, 'KeyDescriptor')) {
      const use = attr(key, 'use');
      if (use !== undefined && use !== 'signing') continue;
      for (const cert of descendants(key, SAML_NS.dsig, 'X509Certificate')) {
        const der = textOf(cert).replace(/\s+/g, '');
        try {
          certificatePem(der);
        } catch {
          return undefined;
        }
        if (!certificates.includes(der)) certificates.push(der);
      }
    }
  }
  if (certificates.length === 0) return undefined;
  const until = attr(root, 'validUntil');
  const validUntil = until === undefined ? undefined : new Date(until);
  if (validUntil !== undefined && Number.isNaN(validUntil.getTime())) return undefined;
  return { entityId, certificates, ...(validUntil !== undefined ? { validUntil } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Responses

export interface SamlTrust {
  readonly entityId: string;
  readonly certificates: readonly string[];
}

export interface SamlClaims {
  /** The Issuer of the assertion. */
  readonly issuer: string;
  /** NameID text, and its Format attribute when present. */
  readonly subject: string;
  readonly subjectFormat?: string;
  /** Recipient of the bearer SubjectConfirmationData. */
  readonly recipient: string;
  readonly audiences: readonly string[];
  /** Attribute values by attribute Name, in document order. */
  readonly attributes: ReadonlyMap<string, readonly string[]>;
}

function decodeResponse(encoded: string): string | undefined {
  const compact = encoded.replace(/\s+/g, '');
  if (compact.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

function parseInstant(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return Number.NaN;
  return Date.parse(value);
}

/**
 * Checks one enveloped signature that must cover exactly the element with `expectedId`, against each trusted
 * certificate in turn. Returns the canonical XML that the signature covers, or undefined when it does not verify.
 */
function verifiedReference(xml: string, signature: Element, expectedId: string, certificates: readonly string[]): string | undefined {
  const signedInfo = childElements(signature, SAML_NS.dsig, 'SignedInfo');
  if (signedInfo.length !== 1) return undefined;
  const references = childElements(signedInfo[0] as Element, SAML_NS.dsig, 'Reference');
  // One reference, to the enclosing element by its ID: anything else could sign some other part of the document.
  if (references.length !== 1 || attr(references[0] as Element, 'URI') !== `#${expectedId}`) return undefined;
  const method = firstChild(signedInfo[0] as Element, SAML_NS.dsig, 'SignatureMethod');
  if (method === undefined || !SIGNATURE_ALGORITHMS.has(attr(method, 'Algorithm') ?? '')) return undefined;
  for (const der of certificates) {
    try {
      const verifier = new SignedXml({ publicCert: certificatePem(der), getCertFromKeyInfo: () => null });
      verifier.loadSignature(signature);
      if (verifier.checkSignature(xml) !== true) continue;
      const signed = verifier.getSignedReferences();
      if (signed.length === 1) return signed[0];
    } catch {
      // A malformed signature, or one this certificate did not make: try the next certificate.
    }
  }
  return undefined;
}

/**
 * The single Assertion inside XML a signature covered, when that XML is the Response or the Assertion it was
 * meant to cover (same element, same ID).
 */
function signedAssertion(signedXml: string, kind: 'Response' | 'Assertion', expectedId: string): Element | undefined {
  const root = parseXml(signedXml)?.documentElement;
  if (root === undefined || root === null || attr(root, 'ID') !== expectedId) return undefined;
  if (kind === 'Assertion') return root.namespaceURI === SAML_NS.assertion && root.localName === 'Assertion' ? root : undefined;
  if (root.namespaceURI !== SAML_NS.protocol || root.localName !== 'Response') return undefined;
  const all = descendants(root, SAML_NS.assertion, 'Assertion');
  return all.length === 1 && all[0]?.parentNode === root ? all[0] : undefined;
}

/**
 * Verifies a base64 SAML Response for the provider `trust` at time `now` and returns the claims of its assertion.
 * Throws AWS's errors: InvalidIdentityToken for anything malformed, unsigned or not from this provider,
 * ExpiredTokenException when it is out of its validity window.
 */
export function verifySamlResponse(encoded: string, trust: SamlTrust, now: Date): SamlClaims {
  const xml = decodeResponse(encoded);
  const doc = xml === undefined ? undefined : parseXml(xml);
  const response = doc?.documentElement;
  // Gatehouse's wording: AWS does not document its text for a response that is not XML at all.
  if (xml === undefined || response === undefined || response === null || response.namespaceURI !== SAML_NS.protocol || response.localName !== 'Response') {
    throw invalidIdentityToken('Invalid SAML response: it must be a base64-encoded SAML 2.0 Response.');
  }
  const status = firstChild(response, SAML_NS.protocol, 'Status');
  const code = status === undefined ? undefined : firstChild(status, SAML_NS.protocol, 'StatusCode');
  if (code !== undefined && attr(code, 'Value') !== SUCCESS) throw new ServiceError('IDPRejectedClaim', 'The identity provider reported that authentication failed.', 403);
  if (descendants(response, SAML_NS.assertion, 'EncryptedAssertion').length > 0) {
    throw invalidIdentityToken('Encrypted SAML assertions are not supported: the SAML provider has no private key.');
  }
  // Exactly one assertion, directly in the Response: a second one is either noise or a wrapping attempt.
  const assertions = descendants(response, SAML_NS.assertion, 'Assertion');
  const assertion = assertions[0];
  if (assertions.length !== 1 || assertion === undefined || assertion.parentNode !== response) throw signatureInvalid();
  const responseId = attr(response, 'ID');
  const assertionId = attr(assertion, 'ID');
  if (assertionId === undefined || assertionId === '') throw signatureInvalid();

  let signed: Element | undefined;
  for (const signature of childElements(assertion, SAML_NS.dsig, 'Signature')) {
    const covered = verifiedReference(xml, signature, assertionId, trust.certificates);
    signed = covered === undefined ? undefined : signedAssertion(covered, 'Assertion', assertionId);
    if (signed !== undefined) break;
  }
  if (signed === undefined && responseId !== undefined && responseId !== '') {
    for (const signature of childElements(response, SAML_NS.dsig, 'Signature')) {
      const covered = verifiedReference(xml, signature, responseId, trust.certificates);
      signed = covered === undefined ? undefined : signedAssertion(covered, 'Response', responseId);
      if (signed !== undefined) break;
    }
  }
  if (signed === undefined || attr(signed, 'ID') !== assertionId) throw signatureInvalid();
  return claimsOf(signed, trust, now, parseInstant(attr(response, 'IssueInstant')));
}

function claimsOf(assertion: Element, trust: SamlTrust, now: Date, responseIssued: number | undefined): SamlClaims {
  const t = now.getTime();
  const issuerElement = firstChild(assertion, SAML_NS.assertion, 'Issuer');
  const issuer = issuerElement === undefined ? '' : textOf(issuerElement);
  if (issuer !== trust.entityId) throw invalidIdentityToken('Issuer not present in specified provider');

  const issued = parseInstant(attr(assertion, 'IssueInstant')) ?? responseIssued;
  if (issued === undefined || Number.isNaN(issued)) throw invalidIdentityToken('Invalid SAML response: the assertion has no valid IssueInstant.');
  if (issued - SKEW_MS > t) throw invalidIdentityToken('Invalid SAML response: the assertion was issued in the future.');
  if (t - issued > REDEEM_WITHIN_MS + SKEW_MS) throw expiredSamlToken('Token must be redeemed within 5 minutes of issuance');

  const conditions = firstChild(assertion, SAML_NS.assertion, 'Conditions');
  const audiences: string[] = [];
  if (conditions !== undefined) {
    const notBefore = parseInstant(attr(conditions, 'NotBefore'));
    const notOnOrAfter = parseInstant(attr(conditions, 'NotOnOrAfter'));
    if (Number.isNaN(notBefore) || Number.isNaN(notOnOrAfter)) throw invalidIdentityToken('Invalid SAML response: malformed Conditions.');
    if (notBefore !== undefined && t + SKEW_MS < notBefore) throw invalidIdentityToken('Invalid SAML response: the assertion is not yet valid.');
    if (notOnOrAfter !== undefined && t - SKEW_MS >= notOnOrAfter) throw expiredSamlToken('Response has expired');
    for (const restriction of childElements(conditions, SAML_NS.assertion, 'AudienceRestriction')) {
      for (const audience of childElements(restriction, SAML_NS.assertion, 'Audience')) audiences.push(textOf(audience));
    }
  }
  if (!audiences.some((a) => a === AWS_AUDIENCE_URN || SIGNIN_ENDPOINT.test(a))) throw invalidIdentityToken('Response does not contain the required audience');

  const subject = firstChild(assertion, SAML_NS.assertion, 'Subject');
  const nameId = subject === undefined ? undefined : firstChild(subject, SAML_NS.assertion, 'NameID');
  if (subject === undefined || nameId === undefined || textOf(nameId) === '') throw invalidIdentityToken('Invalid SAML response: the assertion has no Subject NameID.');
  // A bearer confirmation for AWS's endpoint, still valid: the assertion was meant to be redeemed here, now.
  let recipient: string | undefined;
  for (const confirmation of childElements(subject, SAML_NS.assertion, 'SubjectConfirmation')) {
    if (attr(confirmation, 'Method') !== BEARER) continue;
    const data = firstChild(confirmation, SAML_NS.assertion, 'SubjectConfirmationData');
    if (data === undefined) continue;
    const until = parseInstant(attr(data, 'NotOnOrAfter'));
    if (until === undefined || Number.isNaN(until)) continue;
    if (t - SKEW_MS >= until) throw expiredSamlToken('Response has expired');
    const to = attr(data, 'Recipient');
    if (to !== undefined && SIGNIN_ENDPOINT.test(to)) recipient = to;
  }
  if (recipient === undefined) throw invalidIdentityToken(`Invalid SAML response: no bearer SubjectConfirmation whose Recipient is ${AWS_SAML_ENDPOINT}.`);

  const attributes = new Map<string, string[]>();
  for (const statement of childElements(assertion, SAML_NS.assertion, 'AttributeStatement')) {
    for (const attribute of childElements(statement, SAML_NS.assertion, 'Attribute')) {
      const name = attr(attribute, 'Name');
      if (name === undefined) continue;
      const values = attributes.get(name) ?? [];
      for (const value of childElements(attribute, SAML_NS.assertion, 'AttributeValue')) values.push(textOf(value));
      attributes.set(name, values);
    }
  }
  const format = attr(nameId, 'Format');
  return { issuer, subject: textOf(nameId), ...(format !== undefined ? { subjectFormat: format } : {}), recipient, audiences, attributes };
}
