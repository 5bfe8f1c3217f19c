import { randomBytes } from 'node:crypto';
import type { Store } from '../../store/store.js';
import type { CoreServices } from '../operation.js';

/**
 * The root user's console password: one record per account, its scrypt hash only. IAM's password policy does not
 * apply to it (AWS's root password has its own rules), and no IAM operation reads or lists it.
 */
export const ROOT_LOGIN_KIND = 'root-login';
export const ROOT_LOGIN_KEY = 'root';

export interface RootLoginData {
  readonly passwordHash: string;
  readonly passwordChanged: string;
  readonly passwordLastUsed?: string;
}

/** 24 random bytes as base64url (32 characters), with a fixed tail so that it has every character class. */
export function newRootPassword(): string {
  return `${randomBytes(24).toString('base64url')}-Aa1`;
}

/**
 * The root password at start: `configured` (GATEHOUSE_ROOT_PASSWORD) replaces the stored one when it differs;
 * without it, an account that has none gets a generated one, returned so that it is shown once. Undefined when
 * nothing was generated.
 */
export async function ensureRootPassword(store: Store, services: CoreServices, account: string, configured: string | undefined, now = new Date()): Promise<string | undefined> {
  return store.transaction(async (tx) => {
    const existing = await tx.get(ROOT_LOGIN_KIND, account, ROOT_LOGIN_KEY);
    const data = existing?.data as RootLoginData | undefined;
    if (configured !== undefined && data !== undefined && (await services.verifyPassword(configured, data.passwordHash))) return undefined;
    if (configured === undefined && existing !== undefined) return undefined;
    const password = configured ?? newRootPassword();
    const next: RootLoginData = { passwordHash: await services.hashPassword(password), passwordChanged: now.toISOString() };
    if (existing === undefined) {
      await tx.insert({ kind: ROOT_LOGIN_KIND, account, key: ROOT_LOGIN_KEY, id: `root-login:${account}`, path: '/', owner: '', created: now.toISOString(), data: { ...next } });
    } else {
      await tx.update({ ...existing, data: { ...next } });
    }
    return configured === undefined ? password : undefined;
  });
}
