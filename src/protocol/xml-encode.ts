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

// Any character escapeXml would drop or replace; most text has none and is returned as it is.
const XML_SPECIAL = /[&<>"'\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Escapes text for element content or a double-quoted attribute. CR is escaped because parsers fold a raw one into LF. */
export function escapeXml(text: string): string {
  if (!XML_SPECIAL.test(text)) return text;
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
  const time = value.getTime();
  // Years 0000–9999 are formatted by hand (toISOString is several times slower); the rest, and invalid dates (which
  // throw), take toISOString, which always ends in exactly three fraction digits and Z (.sssZ).
  if (!(time >= YEAR_0 && time < YEAR_10000)) return `${value.toISOString().slice(0, -5)}Z`;
  const msOfDay = ((time % DAY_MS) + DAY_MS) % DAY_MS;
  // Days to civil date (Howard Hinnant's algorithm), counting from 0000-03-01 so leap days fall at the end of a year.
  const days = (time - msOfDay) / DAY_MS + 719468;
  const era = Math.floor(days / 146097);
  const dayOfEra = days - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const seconds = Math.floor(msOfDay / 1000);
  const yyyy = year < 1000 ? String(year).padStart(4, '0') : String(year);
  return (
    `${yyyy}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${TWO_DIGITS[Math.floor(seconds / 3600)]}:` +
    `${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}Z`
  );
}

const DAY_MS = 86_400_000;
const YEAR_0 = -62_167_219_200_000; // 0000-01-01T00:00:00Z
const YEAR_10000 = 253_402_300_800_000; // 10000-01-01T00:00:00Z
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

function toDate(value: unknown): Date | undefined {
  const when = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  return when === undefined || Number.isNaN(when.getTime()) ? undefined : when;
}

// Each (shape, element name, flattened) is compiled once, on first use, into a function producing its whole element
// (`''` when there is nothing to send), so encoding a result is string concatenation over precomputed tags rather
// than a walk of the model per value.
type ElementEncoder = (value: unknown) => string;
type MembersEncoder = (value: Readonly<Record<string, unknown>>) => string;

const elementEncoders: Readonly<Record<ServiceName, Map<string, ElementEncoder>>> = { iam: new Map(), sts: new Map(), organizations: new Map(), cloudtrail: new Map() };
const membersEncoders: Readonly<Record<ServiceName, Map<string, MembersEncoder>>> = { iam: new Map(), sts: new Map(), organizations: new Map(), cloudtrail: new Map() };

function elementEncoder(service: ServiceName, name: string, shapeName: string, flattened: boolean): ElementEncoder {
  const cache = elementEncoders[service];
  const key = `${shapeName}\n${name}\n${flattened ? 1 : 0}`;
  let encoder = cache.get(key);
  if (encoder === undefined) {
    // Registered before compiling so a recursive shape refers to itself through the cache instead of looping.
    let compiled: ElementEncoder | undefined;
    cache.set(key, (value) => (compiled as ElementEncoder)(value));
    try {
      compiled = compileElement(service, name, shapeName, flattened);
    } catch (error) {
      cache.delete(key);
      throw error;
    }
    cache.set(key, compiled);
    encoder = compiled;
  }
  return encoder;
}

function compileElement(service: ServiceName, name: string, shapeName: string, flattened: boolean): ElementEncoder {
  const target = shape(service, shapeName);
  const open = `<${name}>`;
  const close = `</${name}>`;
  switch (target.type) {
    case 'structure': {
      const members = membersEncoder(service, shapeName);
      return (value) =>
        value === undefined || value === null || typeof value !== 'object'
          ? ''
          : open + members(value as Record<string, unknown>) + close;
    }
    case 'list':
      return compileList(service, name, target, flattened || target.flattened === true);
    case 'map':
      return compileMap(service, name, target, flattened || target.flattened === true);
    case 'string':
      return (value) => {
        if (value === undefined || value === null) return '';
        if (typeof value === 'string') return open + escapeXml(value) + close;
        return typeof value === 'number' || typeof value === 'boolean' ? open + escapeXml(String(value)) + close : '';
      };
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return (value) =>
        typeof value === 'number' || typeof value === 'bigint' ? open + escapeXml(String(value)) + close : '';
    case 'boolean':
      return (value) => (typeof value === 'boolean' ? open + String(value) + close : '');
    case 'timestamp':
      return (value) => {
        if (value === undefined || value === null) return '';
        const when = toDate(value);
        return when === undefined ? '' : open + formatTimestamp(when) + close;
      };
    case 'blob':
      return (value) => {
        if (value instanceof Uint8Array) return open + escapeXml(Buffer.from(value).toString('base64')) + close;
        return typeof value === 'string' ? open + escapeXml(Buffer.from(value, 'utf8').toString('base64')) + close : '';
      };
  }
}

function compileList(service: ServiceName, name: string, target: ListShape, flattened: boolean): ElementEncoder {
  const itemName = target.member.locationName ?? (flattened ? name : 'member');
  const item = elementEncoder(service, itemName, target.member.shape, false);
  const open = flattened ? '' : `<${name}>`;
  const close = flattened ? '' : `</${name}>`;
  return (value) => {
    if (!Array.isArray(value)) return '';
    let out = open;
    for (let i = 0; i < value.length; i++) out += item(value[i]);
    return out + close;
  };
}

function compileMap(service: ServiceName, name: string, target: MapShape, flattened: boolean): ElementEncoder {
  const keyElement = elementEncoder(service, target.key.locationName ?? 'key', target.key.shape, false);
  const valueElement = elementEncoder(service, target.value.locationName ?? 'value', target.value.shape, false);
  const entryOpen = flattened ? `<${name}>` : '<entry>';
  const entryClose = flattened ? `</${name}>` : '</entry>';
  const open = flattened ? '' : `<${name}>`;
  const close = flattened ? '' : `</${name}>`;
  return (value) => {
    if (typeof value !== 'object' || value === null) return '';
    const entries = value instanceof Map ? [...(value as Map<unknown, unknown>).entries()] : Object.entries(value);
    let out = open;
    for (const [k, v] of entries) {
      if (v === undefined || v === null) continue;
      out += entryOpen + keyElement(String(k)) + valueElement(v) + entryClose;
    }
    return out + close;
  };
}

function membersEncoder(service: ServiceName, shapeName: string): MembersEncoder {
  const cache = membersEncoders[service];
  let encoder = cache.get(shapeName);
  if (encoder === undefined) {
    let compiled: MembersEncoder | undefined;
    cache.set(shapeName, (value) => (compiled as MembersEncoder)(value));
    try {
      compiled = compileMembers(service, structure(service, shapeName));
    } catch (error) {
      cache.delete(shapeName);
      throw error;
    }
    cache.set(shapeName, compiled);
    encoder = compiled;
  }
  return encoder;
}

function compileMembers(service: ServiceName, target: StructureShape): MembersEncoder {
  const names: string[] = [];
  const encoders: ElementEncoder[] = [];
  for (const [name, ref] of Object.entries(target.members)) {
    names.push(name);
    encoders.push(elementEncoder(service, ref.locationName ?? name, ref.shape, ref.flattened === true));
  }
  const count = names.length;
  return (value) => {
    let out = '';
    for (let i = 0; i < count; i++) {
      const name = names[i] as string;
      if (Object.hasOwn(value, name)) out += (encoders[i] as ElementEncoder)(value[name]);
    }
    return out;
  };
}

/** Encodes one value of a named shape as `<name>…</name>`, for callers that need a fragment. */
export function encodeShapeXml(service: ServiceName, name: string, shapeName: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  return elementEncoder(service, name, shapeName, false)(value);
}

interface ResultEncoder {
  /** `<{Action}Response xmlns=…>` */
  readonly head: string;
  /** `<{resultWrapper}>`, `</{resultWrapper}>` and the output's members, when the operation has an output. */
  readonly output?: { readonly open: string; readonly close: string; readonly members: MembersEncoder };
  readonly tail: string;
}

const resultEncoders: Readonly<Record<ServiceName, Map<string, ResultEncoder>>> = { iam: new Map(), sts: new Map(), organizations: new Map(), cloudtrail: new Map() };

function resultEncoder(service: ServiceName, action: string): ResultEncoder {
  const cache = resultEncoders[service];
  let encoder = cache.get(action);
  if (encoder === undefined) {
    const op = operation(service, action);
    if (op === undefined) throw new Error(`${service} has no operation ${action}`);
    const namespace = serviceMetadata(service).xmlNamespace ?? '';
    const head = `<${action}Response xmlns="${escapeXml(namespace)}">`;
    const tail = `</RequestId></ResponseMetadata></${action}Response>`;
    if (op.output === undefined) {
      encoder = { head, tail };
    } else {
      const wrapper = op.output.resultWrapper ?? `${action}Result`;
      const members = membersEncoder(service, op.output.shape);
      encoder = { head, output: { open: `<${wrapper}>`, close: `</${wrapper}>`, members }, tail };
    }
    cache.set(action, encoder);
  }
  return encoder;
}

/**
 * The whole response document: `<{Action}Response xmlns=…><{resultWrapper}>…</…><ResponseMetadata><RequestId>…`.
 * Operations without an output shape (DeleteUser, TagRole, …) answer with ResponseMetadata alone.
 */
export function encodeResultXml(service: ServiceName, action: string, result: unknown, requestId: string): string {
  const { head, output, tail } = resultEncoder(service, action);
  let body = '';
  if (output !== undefined) {
    const members = typeof result === 'object' && result !== null ? output.members(result as Record<string, unknown>) : '';
    body = output.open + members + output.close;
  }
  return `${head + body}<ResponseMetadata><RequestId>${escapeXml(requestId)}${tail}`;
}
