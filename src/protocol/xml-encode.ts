// Query protocol responses are XML shaped by the operation's output structure. Walking the model (not the result
// object) fixes element names and order and keeps stray fields a service adds out of the wire.
import {
  operation,
  serviceMetadata,
  shape,
  structure,
  type ListShape,
  type MapShape,
  type ServiceName,
  type StructureShape,
} from './model.js';

// Characters XML 1.0 cannot carry at all, even escaped; dropping them beats sending a document no client can parse.
// The input patterns reject them, so only data that never came through the API could contain them.
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for element content or a double-quoted attribute. CR is escaped because parsers fold a raw one into LF. */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>"'\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return '&#13;';
    }
  });
}

/**
 * ISO 8601 in UTC to the second, as IAM and STS send it (2026-11-25T14:24:24Z). Both SDKs also accept a fraction,
 * but sub-second precision is something AWS never shows, so it is truncated rather than rounded into the future.
 */
export function formatTimestamp(value: Date): string {
  return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function toDate(value: unknown): Date | undefined {
  const when = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  return when === undefined || Number.isNaN(when.getTime()) ? undefined : when;
}

class Encoder {
  constructor(private readonly service: ServiceName) {}

  element(name: string, shapeName: string, value: unknown, flattened = false): string {
    if (value === undefined || value === null) return '';
    const target = shape(this.service, shapeName);
    switch (target.type) {
      case 'structure':
        return typeof value === 'object' ? `<${name}>${this.members(target, value as Record<string, unknown>)}</${name}>` : '';
      case 'list':
        return this.list(name, target, value, flattened || target.flattened === true);
      case 'map':
        return this.map(name, target, value, flattened || target.flattened === true);
      default: {
        const text = this.scalar(target.type, value);
        return text === undefined ? '' : `<${name}>${escapeXml(text)}</${name}>`;
      }
    }
  }

  members(target: StructureShape, value: Readonly<Record<string, unknown>>): string {
    let out = '';
    for (const [name, ref] of Object.entries(target.members)) {
      if (!Object.hasOwn(value, name)) continue;
      out += this.element(ref.locationName ?? name, ref.shape, value[name], ref.flattened === true);
    }
    return out;
  }

  private list(name: string, target: ListShape, value: unknown, flattened: boolean): string {
    if (!Array.isArray(value)) return '';
    if (flattened) {
      const itemName = target.member.locationName ?? name;
      return value.map((item) => this.element(itemName, target.member.shape, item)).join('');
    }
    const itemName = target.member.locationName ?? 'member';
    return `<${name}>${value.map((item) => this.element(itemName, target.member.shape, item)).join('')}</${name}>`;
  }

  private map(name: string, target: MapShape, value: unknown, flattened: boolean): string {
    if (typeof value !== 'object' || value === null) return '';
    const entries = value instanceof Map ? [...(value as Map<unknown, unknown>).entries()] : Object.entries(value);
    const keyName = target.key.locationName ?? 'key';
    const valueName = target.value.locationName ?? 'value';
    const body = entries
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => {
        const inner = this.element(keyName, target.key.shape, String(k)) + this.element(valueName, target.value.shape, v);
        return flattened ? `<${name}>${inner}</${name}>` : `<entry>${inner}</entry>`;
      })
      .join('');
    return flattened ? body : `<${name}>${body}</${name}>`;
  }

  private scalar(type: string, value: unknown): string | undefined {
    switch (type) {
      case 'timestamp': {
        const when = toDate(value);
        return when === undefined ? undefined : formatTimestamp(when);
      }
      case 'blob':
        if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
        return typeof value === 'string' ? Buffer.from(value, 'utf8').toString('base64') : undefined;
      case 'boolean':
        return typeof value === 'boolean' ? String(value) : undefined;
      case 'integer':
      case 'long':
      case 'float':
      case 'double':
        return typeof value === 'number' || typeof value === 'bigint' ? String(value) : undefined;
      default:
        return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
    }
  }
}

/** Encodes one value of a named shape as `<name>…</name>`, for callers that need a fragment. */
export function encodeShapeXml(service: ServiceName, name: string, shapeName: string, value: unknown): string {
  return new Encoder(service).element(name, shapeName, value);
}

/**
 * The whole response document: `<{Action}Response xmlns=…><{resultWrapper}>…</…><ResponseMetadata><RequestId>…`.
 * Operations without an output shape (DeleteUser, TagRole, …) answer with ResponseMetadata alone.
 */
export function encodeResultXml(service: ServiceName, action: string, result: unknown, requestId: string): string {
  const op = operation(service, action);
  if (op === undefined) throw new Error(`${service} has no operation ${action}`);
  const namespace = serviceMetadata(service).xmlNamespace;
  let body = '';
  if (op.output !== undefined) {
    const wrapper = op.output.resultWrapper ?? `${action}Result`;
    const members =
      typeof result === 'object' && result !== null
        ? new Encoder(service).members(structure(service, op.output.shape), result as Record<string, unknown>)
        : '';
    body = `<${wrapper}>${members}</${wrapper}>`;
  }
  return (
    `<${action}Response xmlns="${escapeXml(namespace)}">${body}` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`
  );
}
