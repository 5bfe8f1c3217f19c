// A new AWS account, as CreateAccount makes it: a fresh 12-digit ID that no user, role, key or organization uses
// yet, becoming an IAM namespace of its own (every IAM entity is keyed by its account) with its root user, and the
// role AWS creates in it for the management account: OrganizationAccountAccessRole (or the name asked for), trusting
// the management account's root (so its administrators may assume it), with administrator rights in an inline policy
// named AdministratorAccess.
import type { StoreTx } from '../../store/store.js';
import { newId } from '../ids.js';
import { inlineKey, inlineOwner, KIND } from '../iam/kinds.js';
import { DEFAULT_MAX_SESSION_DURATION } from '../iam/roles.js';
import { TRUST_BINDINGS_FIELD } from '../iam/trust-principals.js';
import { membershipId, newAccountId, ORG_KIND } from './kinds.js';

export const DEFAULT_ACCESS_ROLE = 'OrganizationAccountAccessRole';
export const ACCESS_ROLE_POLICY_NAME = 'AdministratorAccess';
export const ADMINISTRATOR_DOCUMENT = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

export function accessRoleTrustPolicy(management: string): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${management}:root` }, Action: 'sts:AssumeRole' }] });
}

export const accountRecordId = (account: string): string => `account:${account}`;
export const emailId = (email: string): string => `account-email:${email.toLowerCase()}`;

/** True when anything in the store already belongs to the account (the server's own account has its root key). */
async function inUse(tx: StoreTx, account: string): Promise<boolean> {
  if ((await tx.getById(ORG_KIND.accountRecord, accountRecordId(account))) !== undefined) return true;
  if ((await tx.getById(ORG_KIND.account, membershipId(account))) !== undefined) return true;
  for (const kind of [KIND.accessKey, KIND.user, KIND.role, KIND.group, KIND.policy]) {
    if ((await tx.count(kind, account)) > 0) return true;
  }
  return false;
}

export async function unusedAccountId(tx: StoreTx): Promise<string> {
  // A clash among 10^12 IDs is unlikely; a few tries make it impossible in practice.
  for (let i = 0; i < 16; i++) {
    const id = newAccountId();
    if (!(await inUse(tx, id))) return id;
  }
  throw new Error('no unused account ID found');
}

/** True when an account created here (by any organization) already has this email address. */
export async function emailTaken(tx: StoreTx, email: string): Promise<boolean> {
  return (await tx.getById(ORG_KIND.accountEmail, emailId(email))) !== undefined;
}

export interface NewAccount {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly management: string;
  readonly roleName: string;
  readonly created: string;
}

export async function createAccountNamespace(tx: StoreTx, account: NewAccount): Promise<void> {
  const { id, created } = account;
  const base = { path: '/', owner: '', created };
  await tx.insert({ ...base, kind: ORG_KIND.accountEmail, account: '', key: account.email.toLowerCase(), id: emailId(account.email), data: { account: id } });
  await tx.insert({ ...base, kind: ORG_KIND.accountRecord, account: id, key: id, id: accountRecordId(id), data: { name: account.name, email: account.email, createdBy: account.management } });
  const roleId = newId('AROA');
  await tx.insert({
    ...base,
    kind: KIND.role,
    account: id,
    key: account.roleName,
    id: roleId,
    data: {
      assumeRolePolicyDocument: accessRoleTrustPolicy(account.management),
      // The trust policy names an account root, which binds to no user or role.
      [TRUST_BINDINGS_FIELD]: {},
      maxSessionDuration: DEFAULT_MAX_SESSION_DURATION,
      tags: [],
    },
  });
  await tx.insert({
    ...base,
    kind: KIND.inlinePolicy,
    account: id,
    key: inlineKey('role', account.roleName, ACCESS_ROLE_POLICY_NAME),
    id: `${roleId}:${ACCESS_ROLE_POLICY_NAME}`,
    owner: inlineOwner('role', account.roleName),
    data: { document: ADMINISTRATOR_DOCUMENT },
  });
}
