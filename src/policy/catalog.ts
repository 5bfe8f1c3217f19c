// What the validator needs to know about AWS services, behind a synchronous interface so src/policy/ stays pure:
// the asynchronous loading happens elsewhere (src/catalog/), before validation starts.

/** Condition key data types, as the Service Authorization Reference names them. */
export type ConditionKeyType =
  | 'String'
  | 'ArrayOfString'
  | 'ARN'
  | 'ArrayOfARN'
  | 'Bool'
  | 'ArrayOfBool'
  | 'Numeric'
  | 'ArrayOfNumeric'
  | 'Date'
  | 'ArrayOfDate'
  | 'IPAddress'
  | 'ArrayOfIPAddress'
  | 'Binary'
  | 'ArrayOfBinary';

const KEY_TYPES: ReadonlySet<string> = new Set<ConditionKeyType>([
  'String',
  'ArrayOfString',
  'ARN',
  'ArrayOfARN',
  'Bool',
  'ArrayOfBool',
  'Numeric',
  'ArrayOfNumeric',
  'Date',
  'ArrayOfDate',
  'IPAddress',
  'ArrayOfIPAddress',
  'Binary',
  'ArrayOfBinary',
]);

export function isConditionKeyType(value: string): value is ConditionKeyType {
  return KEY_TYPES.has(value);
}

export interface ConditionKeyInfo {
  /** Canonical spelling; for pattern keys the pattern itself, e.g. `aws:PrincipalTag/${TagKey}`. */
  readonly key: string;
  readonly type: ConditionKeyType;
}

export interface ServiceCatalog {
  /** Case-insensitive. */
  hasService(prefix: string): boolean;
  /** Canonical action names (without the prefix); empty for an unknown service. */
  actionNames(prefix: string): readonly string[];
  /** Case-insensitive on both parts, as IAM matches actions. */
  hasAction(prefix: string, name: string): boolean;
  /** Service-specific and global keys, case-insensitive; pattern keys match any non-empty text in the placeholder. */
  conditionKey(key: string): ConditionKeyInfo | undefined;
}

export interface StaticServiceDefinition {
  readonly actions: readonly string[];
  /** Key name (with its prefix) to type. */
  readonly conditionKeys?: Readonly<Record<string, ConditionKeyType>>;
}

export interface StaticCatalogInput {
  /** Keyed by service prefix. */
  readonly services: Readonly<Record<string, StaticServiceDefinition>>;
  /** Global (`aws:`) and other keys that belong to no single service. */
  readonly globalConditionKeys?: Readonly<Record<string, ConditionKeyType>>;
}

const PLACEHOLDER = /\$\{[^}]*\}/;

interface KeyPattern {
  readonly regex: RegExp;
  readonly info: ConditionKeyInfo;
}

function escapeRegex(text: string): string {
  return text.replace(/[.+^$*?{}()|[\]\\]/g, '\\$&');
}

/** `aws:PrincipalTag/${TagKey}` becomes `^aws:principaltag/.+$` over lower-cased input. */
function patternFor(key: string): RegExp {
  const source = key
    .toLowerCase()
    .split(/\$\{[^}]*\}/)
    .map(escapeRegex)
    .join('.+');
  return new RegExp(`^${source}$`, 's');
}

/**
 * Builds the lookup structures once so every query is a map access (or, for pattern keys, a short scan). Shared by
 * the static catalog and the iam-data loader.
 */
export class IndexedCatalog implements ServiceCatalog {
  private readonly actionsByService = new Map<string, { names: string[]; lower: Set<string> }>();
  private readonly exactKeys = new Map<string, ConditionKeyInfo>();
  private readonly patternKeys: KeyPattern[] = [];

  constructor(serviceNames: Iterable<string>) {
    for (const name of serviceNames) this.ensureService(name);
  }

  private ensureService(prefix: string): { names: string[]; lower: Set<string> } {
    const lower = prefix.toLowerCase();
    let entry = this.actionsByService.get(lower);
    if (entry === undefined) {
      entry = { names: [], lower: new Set() };
      this.actionsByService.set(lower, entry);
    }
    return entry;
  }

  addActions(prefix: string, names: readonly string[]): void {
    const entry = this.ensureService(prefix);
    for (const name of names) {
      const lower = name.toLowerCase();
      if (entry.lower.has(lower)) continue;
      entry.lower.add(lower);
      entry.names.push(name);
    }
  }

  addConditionKey(key: string, type: ConditionKeyType): void {
    const info: ConditionKeyInfo = { key, type };
    if (PLACEHOLDER.test(key)) {
      if (!this.patternKeys.some((p) => p.info.key.toLowerCase() === key.toLowerCase())) {
        this.patternKeys.push({ regex: patternFor(key), info });
      }
    } else if (!this.exactKeys.has(key.toLowerCase())) {
      this.exactKeys.set(key.toLowerCase(), info);
    }
  }

  hasService(prefix: string): boolean {
    return this.actionsByService.has(prefix.toLowerCase());
  }

  actionNames(prefix: string): readonly string[] {
    return this.actionsByService.get(prefix.toLowerCase())?.names ?? [];
  }

  hasAction(prefix: string, name: string): boolean {
    return this.actionsByService.get(prefix.toLowerCase())?.lower.has(name.toLowerCase()) ?? false;
  }

  conditionKey(key: string): ConditionKeyInfo | undefined {
    const lower = key.toLowerCase();
    const exact = this.exactKeys.get(lower);
    if (exact !== undefined) return exact;
    return this.patternKeys.find((p) => p.regex.test(lower))?.info;
  }
}

/** An in-memory catalog, mainly for tests and for embedders that ship their own service data. */
export function createStaticCatalog(input: StaticCatalogInput): ServiceCatalog {
  const catalog = new IndexedCatalog(Object.keys(input.services));
  for (const [prefix, service] of Object.entries(input.services)) {
    catalog.addActions(prefix, service.actions);
    for (const [key, type] of Object.entries(service.conditionKeys ?? {})) catalog.addConditionKey(key, type);
  }
  for (const [key, type] of Object.entries(input.globalConditionKeys ?? {})) catalog.addConditionKey(key, type);
  return catalog;
}
