// The scale bench's data, written straight to a Store before any server opens it: an organization (through the
// core's own Organizations operations, in process, so the records are exactly those the core reads), then users and
// roles in bulk, thousands per transaction, in the shapes CreateUser and CreateRole write.
import { KIND } from '../src/core/iam/kinds.js';
import { TRUST_BINDINGS_FIELD } from '../src/core/iam/trust-principals.js';
import { DEFAULT_ACCESS_ROLE } from '../src/core/organizations/account-namespace.js';
import { ORGANIZATIONS_OPERATIONS } from '../src/core/organizations/testing.js';
import { ROOT_CALLER, runner, testServices } from '../src/core/testing.js';
import type { EntityRecord, Store } from '../src/store/store.js';

/** The full-size organization of the issue; GATEHOUSE_BENCH_SCALE multiplies every count (0.01: a hundredth). */
export interface ScaleShape {
  readonly accounts: number;
  readonly users: number;
  readonly roles: number;
  /** OUs nested under the root, an SCP attached at the root, at each OU and at the measured account. */
  readonly levels: number;
}

export function scaleShape(scale: number): ScaleShape {
  return {
    accounts: Math.max(2, Math.round(1_000 * scale)),
    users: Math.round(1_000_000 * scale),
    roles: Math.round(100_000 * scale),
    levels: 5,
  };
}

/** What the bench needs to address: the measured member account (in the deepest OU) and the users it reads. */
export interface Seeded {
  readonly management: string;
  readonly member: string;
  readonly memberRole: string;
  /** User names present in both the management and the member account. */
  readonly userNames: readonly string[];
  /** Member accounts other than the measured one, one per client of the tenant load. */
  readonly tenants: readonly string[];
  /** User names present in every account (the tenants' included). */
  readonly commonUserNames: readonly string[];
  readonly entities: number;
}

const BATCH = 20_000;
const CREATED = '2026-11-25T12:00:00.000Z';
/** Users and roles every store gets, the empty one included, so both answer the same requests. */
const BASE_USERS = 100;
const BASE_ROLES = 10;

const userName = (i: number): string => `user-${String(i).padStart(7, '0')}`;
const roleName = (i: number): string => `role-${String(i).padStart(6, '0')}`;
const SERVICE_TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

/** An SCP that allows everything but one action, so every level holds a real Allow and a real Deny to evaluate. */
const scp = (level: number): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: `arn:aws:s3:::protected-level-${level}` },
    ],
  });

let nextId = 0;
/** Unique IDs in IAM's shape (prefix + 17 characters), distinct across kinds and runs of one process. */
function bulkId(prefix: string): string {
  nextId += 1;
  return `${prefix}${'B'}${String(nextId).padStart(16, '0')}`;
}

/**
 * Seeds `store`. `populated` false writes the same organization with only the measured accounts (the management
 * account and the measured member, at the shape's share of users and roles) and the `tenantCount` tenant accounts
 * (BASE_USERS users and BASE_ROLES roles each): the empty-store baseline answers the same requests.
 */
export async function seedOrganization(store: Store, shape: ScaleShape, populated: boolean, tenantCount: number, progress: (line: string) => void = () => undefined): Promise<Seeded> {
  // Member accounts: the shape's (one in the empty store), and at least enough beside the measured one for the
  // tenant load's clients. Accounts added for the tenants alone hold BASE_USERS and BASE_ROLES, as in the empty store.
  const shapeMembers = populated ? shape.accounts - 1 : 1;
  const memberCount = Math.max(shapeMembers, 1 + tenantCount);
  // An organization of 1 000 accounts is past AWS's default quota of 10, as it is for AWS's large customers.
  const r = runner(store, ORGANIZATIONS_OPERATIONS, { ...testServices(), maxOrganizationAccounts: memberCount + 1 });
  const management = ROOT_CALLER.account;
  await r.run('CreateOrganization', {});
  const roots = (await r.run('ListRoots', {})) as { Roots: Array<{ Id: string }> };
  const rootId = roots.Roots[0]?.Id as string;
  await r.run('EnablePolicyType', { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
  const parents = [rootId];
  for (let level = 1; level <= shape.levels; level++) {
    const ou = (await r.run('CreateOrganizationalUnit', { ParentId: parents[level - 1], Name: `level-${level}` })) as { OrganizationalUnit: { Id: string } };
    parents.push(ou.OrganizationalUnit.Id);
  }
  const attach = async (target: string, level: number): Promise<void> => {
    const policy = (await r.run('CreatePolicy', { Name: `scp-level-${level}`, Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: scp(level) })) as { Policy: { PolicySummary: { Id: string } } };
    await r.run('AttachPolicy', { PolicyId: policy.Policy.PolicySummary.Id, TargetId: target });
  };
  for (const [level, target] of parents.entries()) await attach(target, level);

  // Member accounts, spread over the levels; the first, the one measured, in the deepest OU with its own SCP.
  const members: string[] = [];
  for (let i = 0; i < memberCount; i++) {
    const created = (await r.run('CreateAccount', { Email: `member-${i}@example.com`, AccountName: `member-${i}` })) as { CreateAccountStatus: { AccountId: string } };
    const account = created.CreateAccountStatus.AccountId;
    const destination = i === 0 ? parents[shape.levels] : parents[i % parents.length];
    if (destination !== rootId) await r.run('MoveAccount', { AccountId: account, SourceParentId: rootId, DestinationParentId: destination });
    members.push(account);
    if (i > 0 && i % 200 === 0) progress(`${i} accounts`);
  }
  const member = members[0] as string;
  await attach(member, shape.levels + 1);

  // Users and roles: the accounts' share of the totals each (the management account is one of the accounts).
  const accounts = [management, ...members];
  const usersPer = Math.max(BASE_USERS, Math.floor(shape.users / shape.accounts));
  const rolesPer = Math.max(BASE_ROLES, Math.floor(shape.roles / shape.accounts));
  let pending: EntityRecord[] = [];
  let entities = 0;
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    await store.transaction(async (tx) => {
      for (const record of batch) await tx.insert(record);
    });
    entities += batch.length;
  };
  const add = async (record: EntityRecord): Promise<void> => {
    pending.push(record);
    if (pending.length >= BATCH) {
      await flush();
      if (entities % 100_000 < BATCH) progress(`${entities} users and roles`);
    }
  };
  for (const [index, account] of accounts.entries()) {
    // The measured accounts (management and member) hold the shape's share in both stores: the latencies then
    // compare the same requests on the same users, which neither store has read before, and differ only by the
    // rest of the organization. (With 100 users there, the empty store answered from its cache after the warm-up
    // while the full one read each user from the database: a cache hit rate, not the organization's size.)
    const inShape = index <= 1 || (populated && index <= shapeMembers);
    for (let i = 0; i < (inShape ? usersPer : BASE_USERS); i++) {
      await add({ kind: KIND.user, account, key: userName(i), id: bulkId('AIDA'), path: '/', owner: '', created: CREATED, data: { tags: [] } });
    }
    for (let i = 0; i < (inShape ? rolesPer : BASE_ROLES); i++) {
      await add({
        kind: KIND.role,
        account,
        key: roleName(i),
        id: bulkId('AROA'),
        path: '/',
        owner: '',
        created: CREATED,
        data: { assumeRolePolicyDocument: SERVICE_TRUST, [TRUST_BINDINGS_FIELD]: {}, maxSessionDuration: 3600, tags: [] },
      });
    }
  }
  await flush();
  return {
    management,
    member,
    memberRole: DEFAULT_ACCESS_ROLE,
    userNames: Array.from({ length: usersPer }, (_, i) => userName(i)),
    tenants: members.slice(1, 1 + tenantCount),
    commonUserNames: Array.from({ length: BASE_USERS }, (_, i) => userName(i)),
    entities,
  };
}
