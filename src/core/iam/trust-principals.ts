import type { EntityRecord, StoreTx } from '../../store/store.js';
import { isAccountId, parseArn, PARTITIONS } from '../../policy/arn.js';
import { IAM_MESSAGE_TEMPLATES } from '../../policy/errors.js';
import { roleArn, userArn } from '../arns.js';
import { malformedPolicyDocument } from '../errors.js';
import type { OperationContext } from '../operation.js';
import { KIND } from './kinds.js';

// IAM keeps the users and roles a trust policy names as their unique IDs and shows them as ARNs again when it can:
// a principal that is deleted (and perhaps recreated under the same name) stays the old ID, which matches nobody.
// Gatehouse keeps the document as written plus, for each user or role principal, the ID it was bound to when saved,
// and renders the document from the entities' current state wherever it is read or evaluated.

/** The entity one `AWS` principal value was bound to when the trust policy was saved. */
export interface TrustBinding {
  readonly kind: 'user' | 'role';
  readonly id: string;
}

/** Principal value as written → its binding. Values that name no user or role of the account have none. */
export type TrustBindings = Readonly<Record<string, TrustBinding>>;

/** Where a role record keeps the bindings of its trust policy. */
export const TRUST_BINDINGS_FIELD = 'assumeRolePolicyPrincipals';

const UNIQUE_ID = /^A[A-Z0-9]{15,}$/;
const ID_KINDS: Readonly<Record<string, TrustBinding['kind']>> = { AIDA: 'user', AROA: 'role' };
/** `user/NAME` or `role/PATH/NAME`: no empty segment, as IAM paths and names have none. */
const IAM_ENTITY = /^(user|role)((?:\/[^/]+)*)\/([^/]+)$/;
const STS_SESSION = /^assumed-role\/[^/]+\/.+$/;
const STS_FEDERATED_USER = /^federated-user\/.+$/;
/** The partition of every ARN this server issues. */
const OWN_PARTITION = 'aws';

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function statementsOf(document: Json): Json[] {
  if (!isObject(document)) return [];
  const statements = document['Statement'];
  return Array.isArray(statements) ? statements : [statements];
}

/** The `AWS` values of every Principal element, in document order (NotPrincipal is refused in trust policies). */
function awsPrincipals(document: Json): string[] {
  const out: string[] = [];
  for (const statement of statementsOf(document)) {
    if (!isObject(statement)) continue;
    const principal = statement['Principal'];
    if (!isObject(principal)) continue;
    const aws = principal['AWS'];
    for (const value of Array.isArray(aws) ? aws : [aws]) if (typeof value === 'string') out.push(value);
  }
  return out;
}

function invalidPrincipal(value: string): Error {
  return malformedPolicyDocument(IAM_MESSAGE_TEMPLATES.invalidPrincipal('AWS', value));
}

async function entityById(tx: StoreTx, account: string, binding: TrustBinding): Promise<EntityRecord | undefined> {
  const record = await tx.getById(KIND[binding.kind], binding.id);
  return record?.account === account ? record : undefined;
}

/**
 * What one `AWS` principal value binds to, or undefined when it stays as written (`*`, accounts, roots, sessions,
 * federated users, and users or roles of accounts this server does not hold); throws IAM's refusal for anything else.
 */
async function bindingOf(ctx: OperationContext, value: string): Promise<TrustBinding | undefined> {
  if (value === '*' || isAccountId(value)) return undefined;
  if (UNIQUE_ID.test(value)) {
    // IAM shows a deleted principal's ID, so a document read back and saved again may carry one.
    const kind = ID_KINDS[value.slice(0, 4)];
    if (kind === undefined) return undefined;
    return (await entityById(ctx.tx, ctx.account, { kind, id: value })) !== undefined ? { kind, id: value } : undefined;
  }
  const arn = parseArn(value);
  if (arn === undefined || !PARTITIONS.includes(arn.partition) || arn.region !== '' || !isAccountId(arn.account)) throw invalidPrincipal(value);
  if (arn.service === 'sts') {
    if (STS_SESSION.test(arn.resource) || STS_FEDERATED_USER.test(arn.resource)) return undefined;
    throw invalidPrincipal(value);
  }
  if (arn.service !== 'iam') throw invalidPrincipal(value);
  if (arn.resource === 'root') return undefined;
  const entity = IAM_ENTITY.exec(arn.resource);
  if (entity === null) throw invalidPrincipal(value);
  if (arn.partition !== OWN_PARTITION || arn.account !== ctx.account) return undefined;
  const kind = entity[1] as TrustBinding['kind'];
  const path = `${entity[2] as string}/`;
  const name = entity[3] as string;
  // The store finds names without regard to case; in an ARN in a policy, IAM compares them with it.
  const record = await ctx.tx.get(KIND[kind], ctx.account, name);
  if (record === undefined || record.key !== name || record.path !== path) throw invalidPrincipal(value);
  return { kind, id: record.id };
}

/**
 * Checks that every user and role a trust policy names exists, and binds each to its unique ID. The document must
 * already have passed the policy grammar checks.
 */
export async function bindTrustPrincipals(ctx: OperationContext, document: string): Promise<TrustBindings> {
  // No prototype: the keys are whatever the document says.
  const bindings = Object.create(null) as Record<string, TrustBinding>;
  for (const value of awsPrincipals(JSON.parse(document) as Json)) {
    if (Object.hasOwn(bindings, value)) continue;
    const binding = await bindingOf(ctx, value);
    if (binding !== undefined) bindings[value] = binding;
  }
  return bindings;
}

/** How each bound value reads now: the entity's current ARN, or its old unique ID once it is gone. */
async function currentValues(tx: StoreTx, account: string, bindings: TrustBindings): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [value, binding] of Object.entries(bindings)) {
    const record = await entityById(tx, account, binding);
    if (record === undefined) out.set(value, binding.id);
    else out.set(value, (binding.kind === 'user' ? userArn : roleArn)(record.account, record.path, record.key));
  }
  return out;
}

function replacePrincipals(document: Json, current: ReadonlyMap<string, string>): void {
  const swap = (value: Json): Json => (typeof value === 'string' ? (current.get(value) ?? value) : value);
  for (const statement of statementsOf(document)) {
    if (!isObject(statement)) continue;
    const principal = statement['Principal'];
    if (!isObject(principal) || !Object.hasOwn(principal, 'AWS')) continue;
    const aws = principal['AWS'];
    principal['AWS'] = Array.isArray(aws) ? aws.map(swap) : swap(aws);
  }
}

/**
 * The trust policy as IAM shows and evaluates it now. Unchanged text when every bound principal still reads as it
 * was written; otherwise the document re-serialized with only Principal `AWS` values replaced (conditions naming
 * the same ARN keep it, as IAM's transformation covers the Principal element alone).
 */
export async function renderTrustPolicy(tx: StoreTx, account: string, document: string, bindings: TrustBindings | undefined): Promise<string> {
  if (bindings === undefined || Object.keys(bindings).length === 0) return document;
  const current = await currentValues(tx, account, bindings);
  if ([...current].every(([value, now]) => value === now)) return document;
  const parsed = JSON.parse(document) as Json;
  replacePrincipals(parsed, current);
  return JSON.stringify(parsed);
}

/** A role's trust policy as IAM shows and evaluates it now. */
export function currentTrustPolicy(tx: StoreTx, role: EntityRecord): Promise<string> {
  return renderTrustPolicy(tx, role.account, role.data['assumeRolePolicyDocument'] as string, role.data[TRUST_BINDINGS_FIELD] as TrustBindings | undefined);
}

/** The role record with its trust policy rendered, for the views that show it. */
export async function withCurrentTrust(tx: StoreTx, role: EntityRecord): Promise<EntityRecord> {
  const document = await currentTrustPolicy(tx, role);
  return document === role.data['assumeRolePolicyDocument'] ? role : { ...role, data: { ...role.data, assumeRolePolicyDocument: document } };
}
