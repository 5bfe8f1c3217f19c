import type { StoreTx } from '../../store/store.js';
import { DuplicateKeyError } from '../../store/store.js';
import { KIND, ROOT_KEY_OWNER } from './kinds.js';

// An AWS account's root user is as old as the account. A Gatehouse account comes into being at the server's first
// start, when its root user's access key is made; that moment is recorded once, for GetUser's CreateDate of the root
// user and the credential report's <root_account> row, and never changes.

/** The account's one record is stored under this key. */
const ACCOUNT_KEY = 'account';

/** What an account never started by a server (a core test's) answers: the epoch, as GetUser always did before. */
const UNKNOWN = new Date(0);

/** When the account was created. */
export async function accountCreateDate(tx: StoreTx, account: string): Promise<Date> {
  const record = await tx.get(KIND.account, account, ACCOUNT_KEY);
  return record === undefined ? UNKNOWN : new Date(record.created);
}

/**
 * Records the account's creation, once: at `now`, or, for a data directory or database from before this was recorded,
 * when the root user's oldest access key was made (at that first start) if that is earlier.
 */
export async function recordAccountCreation(tx: StoreTx, account: string, now: Date): Promise<void> {
  if ((await tx.get(KIND.account, account, ACCOUNT_KEY)) !== undefined) return;
  const rootKeys = await tx.list(KIND.accessKey, account, { owner: ROOT_KEY_OWNER });
  // ISO 8601 strings of one format order as their times do.
  const created = rootKeys.reduce((oldest, key) => (key.created < oldest ? key.created : oldest), now.toISOString());
  try {
    await tx.insert({ kind: KIND.account, account, key: ACCOUNT_KEY, id: `account:${account}`, path: '/', owner: '', created, data: {} });
  } catch (error) {
    // Another node starting on the same database recorded it first: its moment stands.
    if (!(error instanceof DuplicateKeyError)) throw error;
  }
}
