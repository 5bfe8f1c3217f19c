import { roleArn } from '../arns.js';
import { invalidInput, validationError } from '../errors.js';
import { type AlsoRequired, type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { KIND } from './kinds.js';
import { isServiceLinked } from './roles.js';
import { linkedService } from './service-linked-role-names.js';
import { createLinkedRole, serviceRolePath } from './service-linked-roles.js';

// IAM account properties (GetAccountProperties, PutAccountProperties): account-wide settings of IAM features, keyed
// `Namespace/PropertyName`, values strings the service checks against each property's type (IAM API Reference). The
// one namespace AWS documents is RoleManager, with the boolean RoleManager/Enabled (IAM User Guide, "Create roles
// automatically with role manager": "A value of true enables role manager; false disables it"; "For most AWS
// accounts, role manager is disabled by default").
//
// The refusals and their texts are AWS's answers as recorded in a public capture of PutAccountProperties: "Property
// key must be in format Namespace/PropertyName: RoleManager", "All properties must belong to the same namespace",
// "Unsupported namespace: X", "RoleManager namespace requires Enabled property" (also for RoleManager/Enabled/Other,
// so the namespace ends at the first "/"), "Enabled must be 'true' or 'false'" (for FALSE, "false " and 0). The same
// capture shows a further property of a known namespace ignored beside Enabled, and only RoleManager/Enabled read back.

interface PropertySpec {
  readonly defaultValue: string;
  /** The value as stored, or a refusal in AWS's words. */
  readonly parse: (name: string, value: string) => string;
}

const BOOLEAN: Omit<PropertySpec, 'defaultValue'> = {
  parse: (name, value) => {
    if (value !== 'true' && value !== 'false') throw invalidInput(`${name} must be 'true' or 'false'`);
    return value;
  },
};

/** Namespace -> its properties, each required in a request that names the namespace. A Map: keys come from clients. */
const NAMESPACES: ReadonlyMap<string, ReadonlyMap<string, PropertySpec>> = new Map([
  ['RoleManager', new Map<string, PropertySpec>([['Enabled', { ...BOOLEAN, defaultValue: 'false' }]])],
]);

export const ROLE_MANAGER_ENABLED = 'RoleManager/Enabled';
/** The service principal of role manager's service-linked role (see service-linked-role-names.ts). */
export const ROLE_MANAGER_SERVICE = 'role-manager.iam.amazonaws.com';

/** An account's properties are one record; only properties of known namespaces are ever stored. */
const PROPERTIES_KEY = 'default';

/** The stored properties over the documented defaults, as `Namespace/PropertyName` -> value. */
export async function readAccountProperties(ctx: Pick<OperationContext, 'tx' | 'account'>): Promise<Map<string, string>> {
  const record = await ctx.tx.get(KIND.accountProperties, ctx.account, PROPERTIES_KEY);
  const stored = (record?.data['properties'] ?? {}) as Record<string, unknown>;
  const out = new Map<string, string>();
  for (const [namespace, properties] of NAMESPACES) {
    for (const [name, spec] of properties) {
      const key = `${namespace}/${name}`;
      const value = Object.hasOwn(stored, key) ? stored[key] : undefined;
      out.set(key, typeof value === 'string' ? value : spec.defaultValue);
    }
  }
  return out;
}

/** The namespace of a key: up to its first "/" (the whole key when it has none). */
const namespaceOf = (key: string): string => {
  const slash = key.indexOf('/');
  return slash === -1 ? key : key.slice(0, slash);
};

/** The request's map as [key, value] pairs: own keys only, `__proto__` and `constructor` included, as data. */
function entriesOf(p: Params): Array<[string, string]> {
  const map = p['Properties'];
  if (map === null || typeof map !== 'object') return [];
  return Object.entries(map as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string');
}

export interface PropertyChange {
  readonly namespace: string;
  /** `Namespace/PropertyName` -> the value to store, for the namespace's properties only. */
  readonly values: ReadonlyMap<string, string>;
}

/** Checks a PutAccountProperties request in the order AWS's answers show, returning what it changes. */
export function parsePropertyChange(p: Params): PropertyChange {
  const entries = entriesOf(p);
  // The CLI and boto3 send nothing for an empty map: AWS answers as for a missing member (its recorded text).
  if (entries.length === 0) throw validationError("1 validation error detected: Value at 'properties' failed to satisfy constraint: Member must not be null");
  const byNamespace = new Map<string, Map<string, string>>();
  for (const [key, value] of entries) {
    const slash = key.indexOf('/');
    if (slash <= 0 || slash === key.length - 1) throw invalidInput(`Property key must be in format Namespace/PropertyName: ${key}`);
    const namespace = key.slice(0, slash);
    let properties = byNamespace.get(namespace);
    if (properties === undefined) byNamespace.set(namespace, (properties = new Map()));
    properties.set(key.slice(slash + 1), value);
  }
  if (byNamespace.size > 1) throw invalidInput('All properties must belong to the same namespace');
  const [namespace, given] = [...byNamespace][0] as [string, Map<string, string>];
  const specs = NAMESPACES.get(namespace);
  if (specs === undefined) throw invalidInput(`Unsupported namespace: ${namespace}`);
  for (const name of specs.keys()) {
    if (!given.has(name)) throw invalidInput(`${namespace} namespace requires ${name} property`);
  }
  const values = new Map<string, string>();
  for (const [name, spec] of specs) values.set(`${namespace}/${name}`, spec.parse(name, given.get(name) as string));
  return { namespace, values };
}

/** The change, when the request is valid; its refusal is left to run(), after authorization. */
function changeOf(p: Params): PropertyChange | undefined {
  try {
    return parsePropertyChange(p);
  } catch {
    return undefined;
  }
}

const roleManagerRoleName = (): string => linkedService(ROLE_MANAGER_SERVICE)?.roleName as string;

const roleManagerRoleArn = (account: string): string => roleArn(account, serviceRolePath(ROLE_MANAGER_SERVICE), roleManagerRoleName());

/**
 * Role manager works through its service-linked role: enabling it creates the role when the account has none. A role
 * of that name made through CreateRole is not the service's and is not adopted: the creation is refused as
 * CreateServiceLinkedRole refuses a taken name, and the setting is left as it was.
 */
async function ensureRoleManagerRole(ctx: OperationContext): Promise<void> {
  const existing = await ctx.tx.get(KIND.role, ctx.account, roleManagerRoleName());
  if (existing !== undefined && isServiceLinked(existing) && existing.data['serviceName'] === ROLE_MANAGER_SERVICE) return;
  await createLinkedRole(ctx, ROLE_MANAGER_SERVICE);
}

async function getAccountProperties(ctx: OperationContext): Promise<Record<string, unknown>> {
  // A map result is a plain object whose own keys are the map's keys; they are the registry's, never a client's.
  return { Properties: Object.fromEntries(await readAccountProperties(ctx)) };
}

async function putAccountProperties(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const change = parsePropertyChange(p);
  if (change.values.get(ROLE_MANAGER_ENABLED) === 'true') await ensureRoleManagerRole(ctx);
  const record = await ctx.tx.get(KIND.accountProperties, ctx.account, PROPERTIES_KEY);
  const stored = new Map(Object.entries((record?.data['properties'] ?? {}) as Record<string, string>));
  for (const [key, value] of change.values) stored.set(key, value);
  const data = { properties: Object.fromEntries(stored) };
  if (record !== undefined) {
    await ctx.tx.update({ ...record, data });
  } else {
    await ctx.tx.insert({
      kind: KIND.accountProperties,
      account: ctx.account,
      key: PROPERTIES_KEY,
      id: `account-properties:${ctx.account}`,
      path: '/',
      owner: '',
      created: ctx.now.toISOString(),
      data,
    });
  }
  // Disabling leaves the role: "Roles created by role manager are not deleted when you disable role manager."
  return {};
}

/**
 * iam:AccountPropertyNamespaces (ArrayOfString): "the account property namespaces being read or modified". A read
 * returns every namespace; a write names those of its keys.
 */
const readNamespaces = (): Record<string, string[]> => ({ 'iam:AccountPropertyNamespaces': [...NAMESPACES.keys()] });

const writtenNamespaces = (_ctx: OperationContext, p: Params): Record<string, string[]> => ({
  'iam:AccountPropertyNamespaces': [...new Set(entriesOf(p).map(([key]) => namespaceOf(key)))].sort(),
});

/**
 * Enabling role manager "requires the iam:PutAccountProperties and iam:CreateServiceLinkedRole permissions" (IAM User
 * Guide, with no exception for an account that has the role already); the recorded AccessDenied names
 * iam:CreateServiceLinkedRole on .../role-manager.iam.amazonaws.com/AWSServiceRoleForIAMRoleManager. Disabling needs
 * PutAccountProperties alone (the User Guide; the capture shows it allowed to a user denied the role).
 */
function roleManagerRequires(ctx: OperationContext, p: Params): AlsoRequired[] {
  if (changeOf(p)?.values.get(ROLE_MANAGER_ENABLED) !== 'true') return [];
  return [{ action: 'iam:CreateServiceLinkedRole', resource: roleManagerRoleArn(ctx.account), conditionKeys: { 'iam:AWSServiceName': ROLE_MANAGER_SERVICE } }];
}

// The Service Authorization Reference names no resource type for either action: they are authorized against "*".
const op = operationsOf('iam', () => '*');

export const ACCOUNT_PROPERTY_OPERATIONS: readonly OperationDefinition[] = [
  op('GetAccountProperties', getAccountProperties, { conditionKeys: readNamespaces }),
  op('PutAccountProperties', putAccountProperties, { conditionKeys: writtenNamespaces, alsoRequires: roleManagerRequires }),
];
