import { DOMParser, type Element, type Node } from '@xmldom/xmldom';
import { checkGrantee, MAX_GRANTS, S3_ACL_ERRORS, S3_PERMISSIONS, type S3Acl, type S3Grant, type S3Grantee, type S3Permission } from './s3-acl.js';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
/** An ACL is a few kilobytes at most (100 grants); anything far larger is not one. */
const MAX_XML = 256 * 1024;

function isElement(node: Node | null): node is Element {
  return node !== null && node.nodeType === 1;
}

/** The child elements of `parent`, each in S3's namespace or in none (clients send either), none other allowed. */
function children(parent: Element, allowed: readonly string[]): Map<string, Element[]> {
  const found = new Map<string, Element[]>();
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === 3 || n.nodeType === 8) {
      // Text between elements may only be whitespace; comments are ignored.
      if (n.nodeType === 3 && (n.nodeValue ?? '').trim() !== '') throw S3_ACL_ERRORS.malformed();
      continue;
    }
    if (!isElement(n)) throw S3_ACL_ERRORS.malformed();
    if ((n.namespaceURI !== S3_NAMESPACE && n.namespaceURI !== null) || !allowed.includes(n.localName ?? '')) throw S3_ACL_ERRORS.malformed();
    const list = found.get(n.localName as string) ?? [];
    list.push(n);
    found.set(n.localName as string, list);
  }
  return found;
}

/** The one `name` child's text, trimmed; undefined when absent; malformed when repeated or not text. */
function text(found: Map<string, Element[]>, name: string): string | undefined {
  const list = found.get(name);
  if (list === undefined) return undefined;
  if (list.length !== 1) throw S3_ACL_ERRORS.malformed();
  const element = list[0] as Element;
  let value = '';
  for (let n = element.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === 3 || n.nodeType === 4) value += n.nodeValue ?? '';
    else if (n.nodeType !== 8) throw S3_ACL_ERRORS.malformed();
  }
  return value.trim();
}

function one(found: Map<string, Element[]>, name: string): Element {
  const list = found.get(name);
  if (list === undefined || list.length !== 1) throw S3_ACL_ERRORS.malformed();
  return list[0] as Element;
}

function granteeOf(element: Element): S3Grantee {
  const type = element.getAttributeNS(XSI, 'type');
  const found = children(element, ['ID', 'DisplayName', 'URI', 'EmailAddress']);
  switch (type) {
    case 'CanonicalUser': {
      const id = text(found, 'ID');
      if (id === undefined || id === '' || found.has('URI') || found.has('EmailAddress')) throw S3_ACL_ERRORS.malformed();
      return checkGrantee({ type: 'CanonicalUser', id }, 'CanonicalUser/ID');
    }
    case 'Group': {
      const uri = text(found, 'URI');
      if (uri === undefined || uri === '' || found.has('ID') || found.has('EmailAddress')) throw S3_ACL_ERRORS.malformed();
      return checkGrantee({ type: 'Group', uri }, 'Group/URI');
    }
    case 'AmazonCustomerByEmail': {
      const emailAddress = text(found, 'EmailAddress');
      if (emailAddress === undefined || emailAddress === '') throw S3_ACL_ERRORS.malformed();
      return checkGrantee({ type: 'AmazonCustomerByEmail', emailAddress }, 'EmailAddress');
    }
    default:
      throw S3_ACL_ERRORS.malformed();
  }
}

/**
 * Parses the body of PutBucketAcl / PutObjectAcl (an `AccessControlPolicy` in S3's 2006-03-01 namespace, grantees
 * typed by `xsi:type`). Anything that is not well-formed XML or not that schema answers S3's MalformedACLError; a DTD
 * is refused outright (no entity expansion). An unknown group or a canonical ID that is not one answers
 * InvalidArgument, an email grantee the 405 S3 answers since it ended them.
 */
export function parseAccessControlPolicy(xml: string): S3Acl {
  if (typeof xml !== 'string' || xml.length > MAX_XML || /<!DOCTYPE|<!ENTITY/i.test(xml)) throw S3_ACL_ERRORS.malformed();
  let root: Element | null;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        throw new Error(`${level}: ${message}`);
      },
    }).parseFromString(xml, 'text/xml');
    root = doc.documentElement;
  } catch {
    throw S3_ACL_ERRORS.malformed();
  }
  if (root === null || root.localName !== 'AccessControlPolicy' || (root.namespaceURI !== S3_NAMESPACE && root.namespaceURI !== null)) throw S3_ACL_ERRORS.malformed();
  const top = children(root, ['Owner', 'AccessControlList']);
  const ownerFields = children(one(top, 'Owner'), ['ID', 'DisplayName']);
  const ownerId = text(ownerFields, 'ID');
  if (ownerId === undefined || ownerId === '') throw S3_ACL_ERRORS.malformed();
  const displayName = text(ownerFields, 'DisplayName');
  const grants: S3Grant[] = [];
  const list = top.get('AccessControlList');
  if (list !== undefined) {
    if (list.length !== 1) throw S3_ACL_ERRORS.malformed();
    for (const grant of children(list[0] as Element, ['Grant']).get('Grant') ?? []) {
      const fields = children(grant, ['Grantee', 'Permission']);
      const permission = text(fields, 'Permission');
      if (permission === undefined || !(S3_PERMISSIONS as readonly string[]).includes(permission)) throw S3_ACL_ERRORS.malformed();
      grants.push({ grantee: granteeOf(one(fields, 'Grantee')), permission: permission as S3Permission });
      if (grants.length > MAX_GRANTS) throw S3_ACL_ERRORS.malformed();
    }
  }
  return { owner: { id: ownerId, ...(displayName !== undefined && displayName !== '' ? { displayName } : {}) }, grants };
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

function granteeXml(grantee: S3Grantee): string {
  const open = `<Grantee xmlns:xsi="${XSI}" xsi:type="${grantee.type}">`;
  switch (grantee.type) {
    case 'CanonicalUser':
      return `${open}<ID>${escapeXml(grantee.id)}</ID></Grantee>`;
    case 'Group':
      return `${open}<URI>${escapeXml(grantee.uri)}</URI></Grantee>`;
    default:
      return `${open}<EmailAddress>${escapeXml(grantee.emailAddress)}</EmailAddress></Grantee>`;
  }
}

/** The ACL as GetBucketAcl / GetObjectAcl answer it. */
export function formatAccessControlPolicy(acl: S3Acl): string {
  const owner = `<Owner><ID>${escapeXml(acl.owner.id)}</ID>${acl.owner.displayName !== undefined ? `<DisplayName>${escapeXml(acl.owner.displayName)}</DisplayName>` : ''}</Owner>`;
  const grants = acl.grants.map((g) => `<Grant>${granteeXml(g.grantee)}<Permission>${g.permission}</Permission></Grant>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy xmlns="${S3_NAMESPACE}">${owner}<AccessControlList>${grants}</AccessControlList></AccessControlPolicy>`;
}
