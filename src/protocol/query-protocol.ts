// The only door between HTTP and the services for IAM and STS: bytes in, { action, version, params } out; results
// and errors in, XML out. Services never see form fields or XML.
import { ServiceError } from '../core/errors.js';
import { inputShape, operation, serviceMetadata, type ServiceName, type StructureShape } from './model.js';
import { decodeInput, isFormContentType, parseForm } from './query-decode.js';
import { inputViolations, validationFailure } from './validate-input.js';
import { encodeResultXml } from './xml-encode.js';
import { encodeErrorXml, type EncodedError, type WireError } from './xml-error.js';

/** IAM and STS answer with this media type, for results and errors alike. */
export const QUERY_RESPONSE_CONTENT_TYPE = 'text/xml';

export interface QueryRequest {
  readonly action: string;
  readonly version: string;
  /** Shaped like the operation's input structure, already checked against the model's constraints. */
  readonly params: Record<string, unknown>;
}

interface KnownOperation {
  readonly input: StructureShape | undefined;
}

// Operations by Action, filled as they are first called; names the model lacks are never stored.
const knownOperations: Readonly<Record<ServiceName, Map<string, KnownOperation>>> = { iam: new Map(), sts: new Map(), organizations: new Map(), cloudtrail: new Map() };

function knownOperation(service: ServiceName, action: string): KnownOperation | undefined {
  const cache = knownOperations[service];
  let known = cache.get(action);
  if (known === undefined) {
    const op = operation(service, action);
    if (op === undefined) return undefined;
    known = { input: inputShape(service, op) };
    cache.set(action, known);
  }
  return known;
}

/**
 * Decodes and validates one Query request. `rawQuery` is the URL's query string (with or without `?`); for a POST
 * its fields are read too (presigned URLs carry X-Amz-* there), and the body's win where both name a field.
 * Throws ServiceError: MissingAction, MissingParameter (Version), InvalidAction (unknown operation or version),
 * ValidationError (types and constraints).
 */
export function decodeQueryRequest(
  service: ServiceName,
  body: Buffer | string,
  contentType: string | undefined,
  rawQuery: string,
): QueryRequest {
  const fields = parseForm(rawQuery);
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.length > 0 && isFormContentType(contentType)) parseForm(text, fields);

  const action = fields.get('Action');
  if (action === undefined || action === '') throw new ServiceError('MissingAction', 'Missing Action', 400);
  const version = fields.get('Version');
  if (version === undefined || version === '') {
    throw new ServiceError('MissingParameter', 'The request must contain the parameter Version', 400);
  }
  const known = knownOperation(service, action);
  if (known === undefined || version !== serviceMetadata(service).apiVersion) {
    throw new ServiceError('InvalidAction', `Could not find operation ${action} for version ${version}`, 400);
  }

  const input = known.input;
  if (input === undefined) return { action, version, params: {} };
  const decoded = decodeInput(service, input, fields);
  // Unconvertible values are reported on their own: validating what is left would add a misleading "must not be
  // null" for the very member the caller did send.
  if (decoded.violations.length > 0) throw validationFailure(decoded.violations);
  const violations = inputViolations(service, input, decoded.params);
  if (violations.length > 0) throw validationFailure(violations);
  return { action, version, params: decoded.params };
}

/** The XML document for a successful call; `result` is shaped like the output structure (ignored when there is none). */
export function encodeQueryResult(service: ServiceName, action: string, result: unknown, requestId: string): string {
  return encodeResultXml(service, action, result, requestId);
}

/** The XML error document and HTTP status for a ServiceError, a SigV4 failure or any `{ code, message, status }`. */
export function encodeQueryError(service: ServiceName, error: WireError, requestId: string): EncodedError {
  return encodeErrorXml(service, error, requestId);
}

export type { EncodedError, WireError } from './xml-error.js';
export type { ServiceName } from './model.js';
