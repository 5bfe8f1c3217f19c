// Brings src/protocol/models/*.json up to the installed AWS SDK v3 clients (@aws-sdk/client-iam, client-sts,
// client-organizations, client-cloudtrail; all Apache-2.0). The botocore models stay the base because they carry the constraints (lengths, patterns, ranges) the
// wire layer validates; the SDK's compiled schemas carry none of those, only structure. So this adds what the SDK
// has and botocore lacks: whole operations with their shapes, and new members of existing structures. Constraints of
// the added simple members come from the IAM and STS API references, written down in CONSTRAINTS below, so that a
// new member is validated as AWS documents it rather than accepted as any string.
// Usage: node --import tsx scripts/update-models-from-sdk.ts   (run after scripts/extract-models.ts, or alone)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

type Json = Record<string, unknown>;
type StaticSchema = readonly unknown[];
type SchemaRef = number | StaticSchema | (() => StaticSchema) | readonly [SchemaRef, unknown];

// The constraints the API references give for members the SDK added. Key: "Structure.Member" (or a map's
// "Structure.Member.key" / ".value"). Values are botocore shape fields.
const CONSTRAINTS: Record<string, Json> = {
  // IAM PutAccountProperties / GetAccountProperties: keys `Namespace/PropertyName`.
  'PutAccountPropertiesRequest.Properties.key': { min: 1, max: 50, pattern: '^[A-Za-z][A-Za-z0-9/_-]*$' },
  'PutAccountPropertiesRequest.Properties.value': { min: 1, max: 1024 },
  'GetAccountPropertiesResponse.Properties.key': { min: 1, max: 50, pattern: '^[A-Za-z][A-Za-z0-9/_-]*$' },
  'GetAccountPropertiesResponse.Properties.value': { min: 1, max: 1024 },
  // IAM AcquireRole / GetRoleTemplateVersion: the template's ARN.
  'AcquireRoleRequest.TemplateArn': { min: 20, max: 2048 },
  'GetRoleTemplateVersionRequest.TemplateArn': { min: 20, max: 2048 },
  // AcquireRole's ReplacementValues: at most 30 entries, each with 1 to 20 values (API_AcquireRole,
  // API_ReplacementValueEntry).
  mapStringReplacementValueEntry: { max: 30 },
  'ReplacementValueEntry.Values': { min: 1, max: 20 },
  // STS: MinimumSessionTokenSize "must not exceed 4,096 bytes"; 0 (or absent) leaves the token as it is.
  'AssumeRoleRequest.MinimumSessionTokenSize': { min: 0, max: 4096 },
  'AssumeRoleWithSAMLRequest.MinimumSessionTokenSize': { min: 0, max: 4096 },
  'AssumeRoleWithWebIdentityRequest.MinimumSessionTokenSize': { min: 0, max: 4096 },
  'AssumeRootRequest.MinimumSessionTokenSize': { min: 0, max: 4096 },
  'GetFederationTokenRequest.MinimumSessionTokenSize': { min: 0, max: 4096 },
  'GetSessionTokenRequest.MinimumSessionTokenSize': { min: 0, max: 4096 },
  'GetScopedCredentialsRequest.MinimumSessionTokenSize': { min: 0, max: 4096 },
  // STS GetScopedCredentials: a scope down policy as a session policy (2,048 characters of \u0009, \u000A, \u000D and
  // \u0020-\u00FF), 1 second to 36 hours, a description of at most 256 characters.
  'GetScopedCredentialsRequest.Policy': { min: 1, max: 2048, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' },
  'GetScopedCredentialsRequest.DurationSeconds': { min: 1, max: 129600 },
  'GetScopedCredentialsRequest.ScopedSessionDescription': { max: 256 },
  // STS GetWebIdentityToken: "Valid values are AWSIdentity and OriginIdentity".
  'GetWebIdentityTokenRequest.SubjectMode': { enum: ['AWSIdentity', 'OriginIdentity'] },
};

const SIMPLE: Record<number, string> = {
  0: 'string',
  1: 'integer',
  2: 'boolean',
  4: 'timestamp',
  5: 'timestamp',
  6: 'timestamp',
  7: 'timestamp',
  15: 'structure',
  17: 'long',
  19: 'double',
  21: 'blob',
};
const LIST_MODIFIER = 0b0100_0000;
const MAP_MODIFIER = 0b1000_0000;
const SENSITIVE = 0b1000;

interface Model {
  metadata: Json;
  operations: Record<string, Json>;
  shapes: Record<string, Json>;
}

class Merger {
  readonly added: string[] = [];
  constructor(
    private readonly model: Model,
    /** Query services wrap each result in `<Action>Result`; JSON services have no wrapper. */
    private readonly query: boolean,
  ) {}

  private deref(ref: SchemaRef): SchemaRef {
    return typeof ref === 'function' ? ref() : ref;
  }

  /** The model's shape name for a schema, adding the shape (and what it refers to) when the model lacks it. */
  shapeFor(ref: SchemaRef, hint: string): string {
    let schema = this.deref(ref);
    // A member written as [schema, traits] carries member traits (e.g. sensitive); the shape is the first part.
    if (Array.isArray(schema) && schema.length === 2 && typeof schema[1] !== 'string') {
      schema = this.deref(schema[0] as SchemaRef);
    }
    if (typeof schema === 'number') return this.simple(schema, hint, false);
    const s = schema as StaticSchema;
    const kind = s[0] as number;
    const name = s[2] as string;
    if (kind === 0) return this.named(name, s[4] as number, ((s[3] as number) & SENSITIVE) !== 0);
    if (kind === 1) return this.ensure(name, () => ({ type: 'list', member: { shape: this.shapeFor(s[4] as SchemaRef, `${name}Member`) } }));
    if (kind === 2) {
      return this.ensure(name, () => ({
        type: 'map',
        key: { shape: this.shapeFor(s[4] as SchemaRef, `${name}Key`) },
        value: { shape: this.shapeFor(s[5] as SchemaRef, `${name}Value`) },
      }));
    }
    // Unions (4) travel on the query wire as structures with one member set.
    if (kind === 3 || kind === -3 || kind === 4) return this.structure(s);
    throw new Error(`unknown schema kind ${kind} for ${name}`);
  }

  private simple(code: number, hint: string, sensitive: boolean): string {
    if ((code & MAP_MODIFIER) !== 0) {
      return this.ensure(hint, () => ({
        type: 'map',
        key: { shape: this.simple(0, `${hint}.key`, false) },
        value: { shape: this.simple(code & ~MAP_MODIFIER, `${hint}.value`, false) },
      }));
    }
    if ((code & LIST_MODIFIER) !== 0) {
      return this.ensure(hint, () => ({ type: 'list', member: { shape: this.simple(code & ~LIST_MODIFIER, `${hint}.member`, false) } }));
    }
    const type = SIMPLE[code];
    if (type === undefined) throw new Error(`unknown simple schema ${code} (${hint})`);
    return this.ensure(hint, () => ({ type, ...(sensitive ? { sensitive: true } : {}), ...(CONSTRAINTS[hint] ?? {}) }));
  }

  private named(name: string, code: number, sensitive: boolean): string {
    return this.ensure(name, () => ({ type: SIMPLE[code] ?? 'string', ...(sensitive ? { sensitive: true } : {}), ...(CONSTRAINTS[name] ?? {}) }));
  }

  private structure(s: StaticSchema): string {
    const name = s[2] as string;
    const members = s[4] as readonly string[];
    const refs = s[5] as readonly SchemaRef[];
    const requiredCount = (s[6] as number | undefined) ?? 0;
    const existing = this.model.shapes[name];
    if (existing === undefined) {
      const shape: Json = { type: 'structure', members: {} };
      this.model.shapes[name] = shape;
      this.added.push(name);
      const out: Record<string, Json> = {};
      members.forEach((m, i) => {
        out[m] = { shape: this.shapeFor(refs[i] as SchemaRef, `${name}.${m}`) };
      });
      shape.members = out;
      if (requiredCount > 0) shape.required = members.slice(0, requiredCount);
      if (s[0] === 4) shape.union = true;
      if (s[0] === -3) this.errorTraits(shape, s[3]);
      return name;
    }
    const have = existing.members as Record<string, Json>;
    members.forEach((m, i) => {
      if (have[m] !== undefined) return;
      have[m] = { shape: this.shapeFor(refs[i] as SchemaRef, `${name}.${m}`) };
      this.added.push(`${name}.${m}`);
    });
    return name;
  }

  /**
   * The HTTP status of an error the model has already: botocore's JSON models leave it out (the JSON protocols carry
   * the code in the body), and the SDK's Smithy traits have it.
   */
  errorStatus(s: StaticSchema): void {
    const shape = this.model.shapes[s[2] as string];
    if (shape === undefined || shape.error !== undefined) return;
    this.errorTraits(shape, s[3]);
    if (shape.error !== undefined) this.added.push(`${s[2] as string} status`);
  }

  private errorTraits(shape: Json, traits: unknown): void {
    shape.exception = true;
    if (typeof traits !== 'object' || traits === null) return;
    // Smithy's httpError trait (JSON services): the code on the wire is the shape's name. Without the trait Smithy
    // answers 400 for a client error and 500 for a server error.
    const { error, httpError } = traits as { error?: unknown; httpError?: unknown };
    if (typeof httpError === 'number') shape.error = { httpStatusCode: httpError, senderFault: error === 'client' };
    else if (error === 'client' || error === 'server') shape.error = { httpStatusCode: error === 'client' ? 400 : 500, senderFault: error === 'client' };
    for (const value of Object.values(traits as Record<string, unknown>)) {
      if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'number') {
        shape.error = { code: value[0], httpStatusCode: value[1], senderFault: value[1] < 500 };
      }
    }
  }

  private ensure(name: string, make: () => Json): string {
    const existing = this.model.shapes[name];
    if (existing === undefined) {
      this.model.shapes[name] = {};
      Object.assign(this.model.shapes[name]!, make());
      this.added.push(name);
    } else if (CONSTRAINTS[name] !== undefined) {
      // A rerun applies constraints written down since the shape was added, so the script stays the one way in.
      Object.assign(existing, CONSTRAINTS[name]);
    }
    return name;
  }

  operation(op: StaticSchema): void {
    const name = op[2] as string;
    const input = this.shapeFor(op[4] as SchemaRef, `${name}Request`);
    const output = this.shapeFor(op[5] as SchemaRef, `${name}Response`);
    const outputShape = this.model.shapes[output] as { members: Record<string, unknown> };
    const entry: Json = { name, http: { method: 'POST', requestUri: '/' }, input: { shape: input } };
    if (Object.keys(outputShape.members).length > 0) entry.output = this.query ? { shape: output, resultWrapper: `${name}Result` } : { shape: output };
    this.model.operations[name] = entry;
    this.added.push(`operation ${name}`);
  }
}

const require = createRequire(import.meta.url);
for (const service of ['iam', 'sts', 'organizations', 'cloudtrail']) {
  const file = join('src/protocol/models', `${service}.json`);
  const model = JSON.parse(readFileSync(file, 'utf8')) as Model;
  const sdk = require(`@aws-sdk/client-${service}`) as Record<string, unknown>;
  const merger = new Merger(model, model.metadata['protocol'] === 'query');
  for (const [key, value] of Object.entries(sdk).sort(([a], [b]) => a.localeCompare(b))) {
    if (!key.endsWith('$') || !Array.isArray(value)) continue;
    if (value[0] === 9 && model.operations[value[2] as string] === undefined) merger.operation(value);
  }
  // Errors the SDK knows and the model lacks (e.g. RoleTemplateDisabled); the service's base exception has no code.
  for (const [key, value] of Object.entries(sdk).sort(([a], [b]) => a.localeCompare(b))) {
    if (!key.endsWith('$') || !Array.isArray(value) || value[0] !== -3 || value[3] === 0) continue;
    if (model.shapes[value[2] as string] === undefined) merger.shapeFor(value, value[2] as string);
  }
  // New members of structures the model already has (e.g. Role.SourceRoleTemplate).
  for (const [key, value] of Object.entries(sdk).sort(([a], [b]) => a.localeCompare(b))) {
    if (!key.endsWith('$') || !Array.isArray(value)) continue;
    if ((value[0] === 3 || value[0] === -3) && model.shapes[value[2] as string] !== undefined) merger.shapeFor(value, value[2] as string);
  }
  // The HTTP status of each error of a JSON service (the query models have their codes and statuses from botocore).
  for (const [key, value] of Object.entries(sdk).sort(([a], [b]) => a.localeCompare(b))) {
    if (model.metadata['protocol'] === 'query') break;
    if (!key.endsWith('$') || !Array.isArray(value) || value[0] !== -3 || value[3] === 0) continue;
    merger.errorStatus(value);
  }
  // Constraints written down after a shape was first added reach it on a rerun too.
  for (const [name, constraints] of Object.entries(CONSTRAINTS)) {
    if (model.shapes[name] !== undefined) Object.assign(model.shapes[name], constraints);
  }
  writeFileSync(file, `${JSON.stringify(model)}\n`);
  console.log(`${service}: ${Object.keys(model.operations).length} operations; added ${merger.added.length}: ${merger.added.join(', ')}`);
}
