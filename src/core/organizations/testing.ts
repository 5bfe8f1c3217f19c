// Helpers for the Organizations module's own tests: every operation on one in-memory store, callers of the
// management account and of member accounts.
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { IAM_WRITE_SCOPE } from '../write-scope.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { defineOperations, type CoreServices } from '../operation.js';
import { ROOT_CALLER, runner, testServices } from '../testing.js';
import { ACCOUNT_OPERATIONS } from './accounts.js';
import { ATTACHMENT_OPERATIONS } from './attachments.js';
import { ORGANIZATION_OPERATIONS } from './organization.js';
import { POLICY_OPERATIONS } from './policies.js';
import { TAG_OPERATIONS } from './tags.js';
import { HANDSHAKE_OPERATIONS } from './handshakes.js';
import { ALL_FEATURES_OPERATIONS } from './all-features.js';
import { RESOURCE_POLICY_OPERATIONS, withDelegation } from './resource-policy.js';
import { EFFECTIVE_POLICY_OPERATIONS } from './effective-policy.js';
import { SERVICE_ACCESS_OPERATIONS } from './service-access.js';
import { UNIT_OPERATIONS } from './units.js';

export const ORGANIZATIONS_OPERATIONS = defineOperations(
  // Organizations' reads and policy management honour the organization's delegation policy.
  withDelegation([
  ...ORGANIZATION_OPERATIONS,
  ...ACCOUNT_OPERATIONS,
  ...UNIT_OPERATIONS,
  ...POLICY_OPERATIONS,
  ...ATTACHMENT_OPERATIONS,
  ...TAG_OPERATIONS,
  ...SERVICE_ACCESS_OPERATIONS,
  ...HANDSHAKE_OPERATIONS,
  ...EFFECTIVE_POLICY_OPERATIONS,
  ...ALL_FEATURES_OPERATIONS,
  ...RESOURCE_POLICY_OPERATIONS,
  ]),
);

/** The root user of another account. */
export function rootOf(account: string): Caller {
  return { kind: 'root', account, arn: `arn:aws:iam::${account}:root`, userId: account, accessKeyId: `AKIA${account}` };
}

export interface OrgFixture {
  readonly store: Store;
  run(name: string, params?: Record<string, unknown>, caller?: Caller): Promise<Record<string, unknown>>;
}

/** A fresh store; `run` runs one operation as the test account's root user unless another caller is given. */
export function orgFixture(services: Partial<CoreServices> = {}): OrgFixture {
  const store = openSqliteStore({ path: ':memory:', writeScope: IAM_WRITE_SCOPE });
  const r = runner(store, ORGANIZATIONS_OPERATIONS, { ...testServices(), ...services });
  return { store, run: (name, params = {}, caller = ROOT_CALLER) => r.run(name, params, caller) };
}

/** An organization with SCPs enabled, its root ID, and one created member account. */
export async function organizationWithMember(f: OrgFixture): Promise<{ rootId: string; member: string }> {
  await f.run('CreateOrganization');
  const roots = (await f.run('ListRoots')) as { Roots: Array<{ Id: string }> };
  const rootId = roots.Roots[0]?.Id as string;
  await f.run('EnablePolicyType', { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
  const created = (await f.run('CreateAccount', { Email: 'member@example.com', AccountName: 'member' })) as { CreateAccountStatus: { AccountId: string } };
  return { rootId, member: created.CreateAccountStatus.AccountId };
}
