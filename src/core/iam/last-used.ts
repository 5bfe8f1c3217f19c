import type { EntityRecord } from '../../store/store.js';

// Where IAM keeps the last use of each credential, and the one reader of each: GetAccessKeyLastUsed, GetUser's
// PasswordLastUsed, GetRole's RoleLastUsed and the credential report all read through these, so they cannot disagree.
// The server writes uses off the request path (the usage recorder's batches), through the writers here too.

/** The last signed request of an access key: when, to which service (its namespace) and in which region. */
export interface AccessKeyUse {
  readonly date: Date;
  readonly service: string;
  readonly region: string;
}

/** The last use of a role's sessions; AWS leaves out what it does not know, so both members may be missing. */
export interface RoleUse {
  readonly date?: Date;
  readonly region?: string;
}

interface StoredKeyUse {
  readonly date: string;
  readonly service: string;
  readonly region: string;
}

interface StoredRoleUse {
  readonly lastUsedDate?: string;
  readonly region?: string;
}

/** The access key's last use; undefined when it has never signed a request. */
export function accessKeyLastUsed(key: EntityRecord): AccessKeyUse | undefined {
  const used = key.data['lastUsed'] as StoredKeyUse | undefined;
  return used === undefined ? undefined : { date: new Date(used.date), service: used.service, region: used.region };
}

/** The key's data with this use recorded, or undefined when a later use is recorded already (batches commit out of order). */
export function withAccessKeyUse(key: EntityRecord, use: AccessKeyUse): EntityRecord['data'] | undefined {
  const previous = accessKeyLastUsed(key);
  if (previous !== undefined && previous.date.getTime() >= use.date.getTime()) return undefined;
  const lastUsed: StoredKeyUse = { date: use.date.toISOString(), service: use.service, region: use.region };
  return { ...key.data, lastUsed };
}

/**
 * When the user's password last signed in to an AWS website. Gatehouse has no console: nothing records a sign-in, so
 * this is only ever set by data carried over from elsewhere, and is otherwise undefined (never used).
 */
export function passwordLastUsed(user: EntityRecord): Date | undefined {
  const used = user.data['passwordLastUsed'] as string | undefined;
  return used === undefined ? undefined : new Date(used);
}

/** The role's last use; undefined when its sessions were never used. */
export function roleLastUsed(role: EntityRecord): RoleUse | undefined {
  const used = role.data['roleLastUsed'] as StoredRoleUse | undefined;
  if (used === undefined) return undefined;
  return {
    ...(used.lastUsedDate !== undefined ? { date: new Date(used.lastUsedDate) } : {}),
    ...(used.region !== undefined ? { region: used.region } : {}),
  };
}

/** The role's data with this use recorded, or undefined when a later use is recorded already. */
export function withRoleUse(role: EntityRecord, date: Date, region: string): EntityRecord['data'] | undefined {
  const previous = roleLastUsed(role)?.date;
  if (previous !== undefined && previous.getTime() >= date.getTime()) return undefined;
  const roleLastUsedData: StoredRoleUse = { lastUsedDate: date.toISOString(), region };
  return { ...role.data, roleLastUsed: roleLastUsedData };
}
