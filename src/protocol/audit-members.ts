// How CloudTrail shows a request's input (requestParameters) and output (responseElements): the model's members
// with the first letter lower-cased (UserName → userName, Tags[].Key → tags[].key), numbers and booleans as JSON
// values, times as AWS's Java-formatted dates ("Nov 25, 2026, 2:24:24 PM"), and no secret. Walking the model means
// only members it names are ever copied (nothing a client adds, no `__proto__`), and its `sensitive` shapes
// (passwords, private keys, secret access keys, SAML assertions, web identity tokens…) are left out wherever they
// appear.
import { inputShape, operation, outputShape, shape, type ServiceName, type Shape, type StructureShape } from './model.js';

/**
 * Secrets the model does not mark sensitive: one-time MFA codes, the context assertions of ProvidedContexts, and a
 * session token should a request ever carry one as a parameter. Responses keep Credentials.SessionToken, as AWS's
 * example AssumeRole events do: without the secret access key it cannot sign a request.
 */
const UNLOGGED_INPUT: ReadonlySet<string> = new Set(['TokenCode', 'AuthenticationCode1', 'AuthenticationCode2', 'ContextAssertion', 'SessionToken', 'Password', 'NewPassword', 'OldPassword', 'PrivateKey', 'SAMLAssertion', 'WebIdentityToken', 'SecretAccessKey']);
const UNLOGGED_OUTPUT: ReadonlySet<string> = new Set(['SecretAccessKey', 'ServicePassword', 'ServiceCredentialSecret', 'Base32StringSeed', 'QRCodePNG', 'WebIdentityToken', 'Password', 'PrivateKey']);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** A time as CloudTrail shows IAM's and STS's response dates (createDate, expiration): "Nov 25, 2026, 2:24:24 PM", UTC. */
export function cloudTrailResponseDate(value: Date): string {
  const hours = value.getUTCHours();
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[value.getUTCMonth()]} ${value.getUTCDate()}, ${value.getUTCFullYear()}, ${hours % 12 === 0 ? 12 : hours % 12}:${two(value.getUTCMinutes())}:${two(value.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

const camel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

function logged(service: ServiceName, target: Shape, value: unknown, unlogged: ReadonlySet<string>): unknown {
  if (target.sensitive === true) return undefined;
  switch (target.type) {
    case 'structure':
      return typeof value === 'object' && value !== null ? loggedStructure(service, target, value as Record<string, unknown>, unlogged) : undefined;
    case 'list': {
      if (!Array.isArray(value)) return undefined;
      const member = shape(service, target.member.shape);
      return value.map((item) => logged(service, member, item, unlogged) ?? null);
    }
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : typeof value === 'object' && value !== null ? Object.entries(value) : [];
      const member = shape(service, target.value.shape);
      // fromEntries defines own properties: a `__proto__` key stays a plain key.
      return Object.fromEntries(entries.map(([key, item]) => [String(key), logged(service, member, item, unlogged) ?? null]));
    }
    case 'timestamp': {
      const when = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
      return when === undefined || Number.isNaN(when.getTime()) ? undefined : cloudTrailResponseDate(when);
    }
    case 'blob':
      return Buffer.isBuffer(value) ? value.toString('base64') : typeof value === 'string' ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : undefined;
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined;
    case 'string':
      return typeof value === 'string' ? value : undefined;
  }
}

function loggedStructure(service: ServiceName, target: StructureShape, value: Readonly<Record<string, unknown>>, unlogged: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(target.members)) {
    if (unlogged.has(name) || !Object.hasOwn(value, name)) continue;
    const item = logged(service, shape(service, ref.shape), value[name], unlogged);
    if (item !== undefined) out[camel(name)] = item;
  }
  return out;
}

/** requestParameters: null when the operation takes no input or none was given, as CloudTrail shows it. */
export function loggedRequestParameters(service: ServiceName, action: string, params: Readonly<Record<string, unknown>>): Record<string, unknown> | null {
  const op = operation(service, action);
  const input = op === undefined ? undefined : inputShape(service, op);
  if (input === undefined) return null;
  const out = loggedStructure(service, input, params, UNLOGGED_INPUT);
  return Object.keys(out).length === 0 ? null : out;
}

/** responseElements (for the calls whose responses CloudTrail logs): null when the operation has no output. */
export function loggedResponseElements(service: ServiceName, action: string, result: unknown): Record<string, unknown> | null {
  const op = operation(service, action);
  const output = op === undefined ? undefined : outputShape(service, op);
  if (output === undefined || typeof result !== 'object' || result === null) return null;
  const out = loggedStructure(service, output, result as Record<string, unknown>, UNLOGGED_OUTPUT);
  return Object.keys(out).length === 0 ? null : out;
}
