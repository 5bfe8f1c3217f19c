// S3's restXml wire format for the example store: response documents, error documents, and the few request bodies
// it reads (CreateBucketConfiguration, CompleteMultipartUpload, OwnershipControls).
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { DOMParser, type Element } from '@xmldom/xmldom';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** An error S3 answers with its code, HTTP status and message (and, for some, extra elements). */
export class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const errors = {
  noSuchBucket: (bucket: string) => new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket }),
  noSuchKey: (key: string) => new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key }),
  noSuchUpload: (id: string) => new S3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', 404, { UploadId: id }),
  malformedXml: () => new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400),
  invalidArgument: (message: string, name: string, value: string) => new S3Error('InvalidArgument', message, 400, { ArgumentName: name, ArgumentValue: value }),
  invalidRequest: (message: string) => new S3Error('InvalidRequest', message, 400),
  badDigest: (message = 'The Content-MD5 you specified did not match what we received.') => new S3Error('BadDigest', message, 400),
  entityTooLarge: (max: number) => new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, { MaxSizeAllowed: String(max) }),
  notImplemented: () => new S3Error('NotImplemented', 'A header you provided implies functionality that is not implemented', 501),
  methodNotAllowed: () => new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405),
};

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

/** `<name>value</name>`, the value escaped; nothing for undefined. */
export function el(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

export function sendXml(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  res.writeHead(status, { ...headers, 'content-type': 'application/xml', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** S3's error document; a HEAD request gets the status alone, as S3 sends it. */
export function sendError(res: ServerResponse, method: string, error: S3Error, resource: string, requestId: string): void {
  const headers: Record<string, string> = { 'x-amz-request-id': requestId };
  if (method === 'HEAD') {
    res.writeHead(error.status, { ...headers, 'content-length': '0' });
    res.end();
    return;
  }
  const extra = Object.entries(error.extra)
    .map(([name, value]) => el(name, value))
    .join('');
  sendXml(res, error.status, `<Error>${el('Code', error.code)}${el('Message', error.message)}${extra}${el('Resource', resource)}${el('RequestId', requestId)}</Error>`, headers);
}

/** The document element of a request body, named `root` (in S3's namespace or none); anything else is MalformedXML. */
export function parseBody(xml: string, root: string): Element {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw errors.malformedXml();
  let element: Element | null;
  try {
    element = new DOMParser({
      onError: (level, message) => {
        throw new Error(`${level}: ${message}`);
      },
    }).parseFromString(xml, 'text/xml').documentElement;
  } catch {
    throw errors.malformedXml();
  }
  if (element === null || element.localName !== root || (element.namespaceURI !== null && element.namespaceURI !== S3_XMLNS)) throw errors.malformedXml();
  return element;
}

export function childElements(parent: Element, name: string): Element[] {
  const found: Element[] = [];
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) if (n.nodeType === 1 && (n as Element).localName === name) found.push(n as Element);
  return found;
}

/** The text of the one `name` child; undefined when absent, MalformedXML when repeated. */
export function childText(parent: Element, name: string): string | undefined {
  const found = childElements(parent, name);
  if (found.length === 0) return undefined;
  if (found.length > 1) throw errors.malformedXml();
  return (found[0]?.textContent ?? '').trim();
}
