// The only door between HTTP and the services for the awsJson1_1 protocol (Organizations): `POST /` with
// `X-Amz-Target: <targetPrefix>.<Operation>` and a JSON body in, a JSON document out. Members keep the model's names;
// timestamps travel as epoch seconds, blobs as base64. Errors are `{"__type": code, "Message": text, …}` with the
// error structure's further members (Organizations' `Reason`). Services never see the JSON.
import { ServiceError } from '../core/errors.js';
import { inputShape, operation, outputShape, serviceMetadata, serviceModel, shape, type ServiceName, type Shape, type StructureShape } from './model.js';
import { inputViolations, type Violation } from './validate-input.js';
import type { WireError } from './xml-error.js';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface JsonRequest {
  readonly action: string;
  /** Shaped like the operation's input structure, already checked against the model's constraints. */
  readonly params: Record<string, unknown>;
}

const serializationError = (message: string): ServiceError => new ServiceError('SerializationException', message, 400);

/** What an X-Amz-Target that names no operation of the service is answered with. */
export function unknownOperation(): ServiceError {
  return new ServiceError('UnknownOperationException', 'The requested operation is not recognized by the service.', 400);
}

/**
 * The operation an X-Amz-Target names, when it is `<the service's prefix>.<an operation of the model>`. A dotted
 * prefix may come as its last part alone: the SDK v3 sends `CloudTrail_20131101.LookupEvents` (its Smithy model's
 * service name), botocore the whole `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`; AWS takes both.
 */
export function targetOperation(service: ServiceName, target: string | undefined): string | undefined {
  const prefix = serviceMetadata(service).targetPrefix;
  if (target === undefined || prefix === undefined) return undefined;
  const short = prefix.slice(prefix.lastIndexOf('.') + 1);
  const start = target.startsWith(`${prefix}.`) ? prefix.length + 1 : target.startsWith(`${short}.`) ? short.length + 1 : -1;
  if (start === -1) return undefined;
  const name = target.slice(start);
  return operation(service, name) !== undefined ? name : undefined;
}

/**
 * Decodes and validates one request. Throws UnknownOperationException for a target that is not the service's,
 * SerializationException for a body that is not a JSON object or a member of the wrong JSON type, and the service's
 * validation error (see validationError) for constraint failures.
 */
export function decodeJsonRequest(service: ServiceName, body: Buffer | string, target: string | undefined): JsonRequest {
  const action = targetOperation(service, target);
  if (action === undefined) throw unknownOperation();
  const text = typeof body === 'string' ? body : body.toString('utf8');
  let json: unknown = {};
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw serializationError('The request body is not valid JSON.');
    }
  }
  if (!isObject(json)) throw serializationError('The request body must be a JSON object.');
  const input = inputShape(service, operation(service, action) as NonNullable<ReturnType<typeof operation>>);
  if (input === undefined) return { action, params: {} };
  const params = decodeStructure(service, input, json, '');
  const violations = inputViolations(service, input, params);
  if (violations.length > 0) throw validationError(service, violations);
  return { action, params };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function memberPath(parent: string, name: string): string {
  const lower = name.charAt(0).toLowerCase() + name.slice(1);
  return parent === '' ? lower : `${parent}.${lower}`;
}

function wrongType(path: string, expected: string): ServiceError {
  return serializationError(`Value at '${path}' must be ${expected}.`);
}

/** Only the model's members are read (own properties only): anything else the client sent is ignored, as AWS does. */
function decodeStructure(service: ServiceName, target: StructureShape, value: Record<string, unknown>, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(target.members)) {
    if (!Object.hasOwn(value, name)) continue;
    const member = value[name];
    if (member === null || member === undefined) continue;
    out[name] = decodeValue(service, shape(service, ref.shape), member, memberPath(path, name));
  }
  return out;
}

function decodeValue(service: ServiceName, target: Shape, value: unknown, path: string): unknown {
  switch (target.type) {
    case 'string':
      if (typeof value !== 'string') throw wrongType(path, 'a string');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongType(path, 'a boolean');
      return value;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(path, 'an integer');
      return value;
    case 'float':
    case 'double':
      if (typeof value !== 'number') throw wrongType(path, 'a number');
      return value;
    case 'timestamp':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(path, 'a timestamp in epoch seconds');
      return new Date(value * 1000);
    case 'blob':
      if (typeof value !== 'string') throw wrongType(path, 'base64 text');
      return Buffer.from(value, 'base64');
    case 'list': {
      if (!Array.isArray(value)) throw wrongType(path, 'a list');
      const member = shape(service, target.member.shape);
      return value.map((item, i) => (item === null ? null : decodeValue(service, member, item, `${path}.${i + 1}.member`)));
    }
    case 'map': {
      if (!isObject(value)) throw wrongType(path, 'a map');
      const entryShape = shape(service, target.value.shape);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const entry = value[key];
        // A client's key may be `__proto__`: defining the property keeps it data instead of the object's prototype.
        Object.defineProperty(out, key, { value: entry === null ? null : decodeValue(service, entryShape, entry, `${path}.${key}`), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'structure':
      if (!isObject(value)) throw wrongType(path, 'a structure');
      return decodeStructure(service, target, value, path);
  }
}

// Organizations checks the model's constraints itself and answers InvalidInputException with a Reason, in the texts
// of the API reference's list of reasons (the first failure decides).
const ORGANIZATIONS_REASONS: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/^Member must not be null/, 'INPUT_REQUIRED', 'You must include a value for all required parameters.'],
  [/^Member must satisfy enum value set: \[[^\]]*(SERVICE_CONTROL_POLICY|TAG_POLICY)/, 'INVALID_ENUM_POLICY_TYPE', 'You specified an invalid policy type string.'],
  [/^Member must satisfy enum value set/, 'INVALID_ENUM', 'You specified an invalid value.'],
  [/^Member must have length greater than or equal to/, 'MIN_LENGTH_EXCEEDED', 'You provided a string parameter that is shorter than allowed.'],
  [/^Member must have length less than or equal to/, 'MAX_LENGTH_EXCEEDED', 'You provided a string parameter that is longer than allowed.'],
  [/^Member must have value greater than or equal to/, 'MIN_VALUE_EXCEEDED', 'You provided a numeric parameter that has a smaller value than allowed.'],
  [/^Member must have value less than or equal to/, 'MAX_VALUE_EXCEEDED', 'You provided a numeric parameter that has a larger value than allowed.'],
];

/** The service's answer to input that fails the model's constraints. */
export function validationError(service: ServiceName, violations: readonly Violation[]): ServiceError {
  const first = violations[0] as Violation;
  if (service === 'organizations') {
    if (first.constraint.startsWith('Member must satisfy regular expression pattern')) {
      return /(^|\.)targetId$/.test(first.path)
        ? invalidInputException('INVALID_PATTERN_TARGET_ID', "You specified a policy target ID that doesn't match the required pattern.")
        : invalidInputException('INVALID_PATTERN', 'You provided a value that does not match the required pattern.');
    }
    for (const [test, reason, message] of ORGANIZATIONS_REASONS) if (test.test(first.constraint)) return invalidInputException(reason, message);
  }
  if (service === 'cloudtrail') {
    // CloudTrail names its LookupEvents input errors after the parameter (the API reference's error list).
    if (/^maxResults$/.test(first.path)) return new ServiceError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.', 400);
    if (/^lookupAttributes\b/.test(first.path)) return new ServiceError('InvalidLookupAttributesException', `The lookup attribute is not valid: ${first.constraint}.`, 400);
    if (/^eventCategory$/.test(first.path)) return new ServiceError('InvalidEventCategoryException', 'The event category is not valid; the only valid value is insight.', 400);
  }
  const count = violations.length === 1 ? '1 validation error detected' : `${violations.length} validation errors detected`;
  return new ServiceError('ValidationException', `${count}: ${violations.map((v) => `${v.shown} at '${v.path}' failed to satisfy constraint: ${v.constraint}`).join('; ')}`, 400);
}

function invalidInputException(reason: string, message: string): ServiceError {
  return new ServiceError('InvalidInputException', message, 400, 'Sender', { Reason: reason });
}

// --- results ---------------------------------------------------------------------------------------------------------

/** The JSON document of a successful call: `result` shaped like the output structure (`{}` when there is none). */
export function encodeJsonResult(service: ServiceName, action: string, result: unknown): string {
  const op = operation(service, action);
  const output = op === undefined ? undefined : outputShape(service, op);
  if (output === undefined || !isObject(result)) return '{}';
  return JSON.stringify(encodeStructure(service, output, result));
}

function encodeStructure(service: ServiceName, target: StructureShape, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(target.members)) {
    if (!Object.hasOwn(value, name)) continue;
    const member = value[name];
    if (member === undefined || member === null) continue;
    out[name] = encodeValue(service, shape(service, ref.shape), member);
  }
  return out;
}

function encodeValue(service: ServiceName, target: Shape, value: unknown): unknown {
  switch (target.type) {
    case 'timestamp': {
      const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number(value) * 1000;
      return ms / 1000;
    }
    case 'blob':
      return Buffer.isBuffer(value) || value instanceof Uint8Array ? Buffer.from(value).toString('base64') : String(value);
    case 'list': {
      const member = shape(service, target.member.shape);
      return Array.isArray(value) ? value.map((item) => encodeValue(service, member, item)) : [];
    }
    case 'map': {
      if (!isObject(value)) return {};
      const entryShape = shape(service, target.value.shape);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        Object.defineProperty(out, key, { value: encodeValue(service, entryShape, value[key]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'structure':
      return isObject(value) ? encodeStructure(service, target, value) : {};
    default:
      return value;
  }
}

// --- errors ----------------------------------------------------------------------------------------------------------

// The codes the shared front end (authentication, authorization, our own failures) uses, as JSON services name them.
const JSON_CODES: Readonly<Record<string, { readonly code: string; readonly message?: string; readonly status?: number }>> = {
  AccessDenied: { code: 'AccessDeniedException' },
  InvalidClientTokenId: { code: 'UnrecognizedClientException' },
  SignatureDoesNotMatch: { code: 'InvalidSignatureException' },
  MissingAuthenticationToken: { code: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' },
  IncompleteSignature: { code: 'IncompleteSignatureException' },
  ExpiredToken: { code: 'ExpiredTokenException' },
  ServiceFailure: { code: 'ServiceException', message: "AWS Organizations can't complete your request because of an internal service error. Try again later.", status: 500 },
};

export interface EncodedJsonError {
  readonly status: number;
  readonly body: string;
}

/**
 * The error document: `__type` and `Message`, then the error structure's other members that the error carries (only
 * those the model declares, so nothing else can reach the document).
 */
export function encodeJsonError(service: ServiceName, error: WireError): EncodedJsonError {
  const renamed = JSON_CODES[error.code];
  const code = renamed?.code ?? error.code;
  const given = renamed?.status ?? error.status;
  const status = given !== undefined && Number.isInteger(given) && given >= 400 && given <= 599 ? given : 400;
  // The internal-failure text names Organizations: other services keep the generic one.
  const message = error.code === 'ServiceFailure' && service !== 'organizations' ? error.message : (renamed?.message ?? error.message);
  const document: Record<string, unknown> = { __type: code, Message: message };
  const shapes = serviceModel(service).shapes;
  const errorShape = Object.hasOwn(shapes, code) ? shapes[code] : undefined;
  if (error.fields !== undefined && errorShape?.type === 'structure') {
    for (const [name, value] of Object.entries(error.fields)) {
      if (name !== 'Message' && Object.hasOwn(errorShape.members, name)) document[name] = value;
    }
  }
  return { status, body: JSON.stringify(document) };
}
