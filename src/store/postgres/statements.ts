import { MAX_SCOPED_ACCOUNTS, type WrittenScope } from '../scoped-versions.js';
import type { End } from '../rows.js';
import type { ListOptions } from '../store.js';

// The SQL side of the PostgreSQL store: row shapes and every statement's text.

/** A statement with a name, so pg prepares it once per connection instead of parsing it on every call. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

const ENTITY_COLUMNS = 'kind, account, key, id, path, owner, created, data';
const LINK_COLUMNS = 'relation, account, from_key, to_key, created, data';

export const NOTIFY_CHANNEL = 'gatehouse_version';
/**
 * Where the database itself (a trigger on entities, see migration 4) announces which entities each statement changed,
 * whoever ran it: Gatehouse, bookkeeping, or SQL run beside it. The read cache forgets exactly those.
 */
export const ENTITY_CHANNEL = 'gatehouse_entities';

/**
 * Sent as one simple query (no parameters), so opening a write transaction costs one round trip, not two. The
 * port promises that an acknowledged commit survives a crash: synchronous_commit is PostgreSQL's default, but a
 * server or database configured with it off would acknowledge commits before they reach disk, so every write
 * transaction asks for it.
 */
export const BEGIN_WRITE = 'BEGIN ISOLATION LEVEL SERIALIZABLE; SET LOCAL synchronous_commit = on';
/** Repeatable read is already a snapshot; a read-only one never fails to serialize, so views need no retry. */
export const BEGIN_READ = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/**
 * What a node announces with each commit: its own random token, how many commits it has made, and, when every write
 * was confined to its own account (see WriteScope), those accounts' IDs: `token:count:111122223333,444455556666`.
 * Without the third part the commit may have touched any account (older nodes never send one). Only twelve-digit
 * account IDs are named, at most MAX_SCOPED_ACCOUNTS: any other account string makes the commit global.
 */
const PAYLOAD = new RegExp(`^[0-9a-f]{16}:[0-9]{1,15}(?::[0-9]{12}(?:,[0-9]{12}){0,${MAX_SCOPED_ACCOUNTS - 1}})?$`);
const ACCOUNT_ID = /^[0-9]{12}$/;

/** The payload announcing a commit that made this node's count `count` and wrote `written`. */
export function commitPayload(token: string, count: number, written: WrittenScope): string {
  const accounts = [...written.accounts];
  const scoped = !written.global && accounts.length > 0 && accounts.length <= MAX_SCOPED_ACCOUNTS && accounts.every((a) => ACCOUNT_ID.test(a));
  return scoped ? `${token}:${count}:${accounts.join(',')}` : `${token}:${count}`;
}

export interface CommitNotice {
  readonly token: string;
  readonly count: number;
  /** The only accounts the commit wrote; undefined when it may have touched any. */
  readonly accounts?: readonly string[];
}

/** A commit notification read back, or undefined when it is not one this version of Gatehouse sends. */
export function parseCommitPayload(payload: string): CommitNotice | undefined {
  if (!PAYLOAD.test(payload)) return undefined;
  const [token, count, accounts] = payload.split(':') as [string, string, string | undefined];
  const n = Number(count);
  if (!Number.isSafeInteger(n) || n < 1) return undefined;
  return accounts === undefined ? { token, count: n } : { token, count: n, accounts: accounts.split(',') };
}

/**
 * The change notification and the commit in one round trip. pg_notify inside the transaction is queued and
 * delivered only if the COMMIT succeeds, so no node ever hears of a change that was rolled back; and it takes no
 * row lock, so unlike a shared counter row it adds nothing for concurrent writers to conflict on.
 */
export function notifyAndCommit(payload: string): string {
  // Embedded as a literal (a simple query has no parameters): only this exact shape may be, never free text.
  if (!PAYLOAD.test(payload)) throw new Error(`not a change notification payload: ${JSON.stringify(payload)}`);
  return `SELECT pg_notify('${NOTIFY_CHANNEL}', '${payload}'); COMMIT`;
}

export const GET_ENTITY: Statement = {
  name: 'gh_get_entity',
  text: `SELECT ${ENTITY_COLUMNS} FROM entities WHERE kind = $1 AND account = $2 AND key_lower = $3`,
};
export const GET_ENTITY_BY_ID: Statement = {
  name: 'gh_get_entity_by_id',
  text: `SELECT ${ENTITY_COLUMNS} FROM entities WHERE id = $1 AND kind = $2`,
};
/**
 * ON CONFLICT DO NOTHING (on either unique key) instead of catching a unique violation: an error would abort the
 * whole PostgreSQL transaction, while the port promises that a caught DuplicateKeyError leaves it usable. Under
 * SERIALIZABLE a conflict with a concurrent, not yet visible insert still fails with 40001 and is retried.
 */
export const INSERT_ENTITY: Statement = {
  name: 'gh_insert_entity',
  text: `INSERT INTO entities (kind, account, key, key_lower, id, path, owner, owner_lower, created, data)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
};
export const UPDATE_ENTITY: Statement = {
  name: 'gh_update_entity',
  text: 'UPDATE entities SET path = $1, owner = $2, owner_lower = $3, data = $4 WHERE kind = $5 AND account = $6 AND key_lower = $7',
};
export const DELETE_ENTITY: Statement = {
  name: 'gh_delete_entity',
  text: 'DELETE FROM entities WHERE kind = $1 AND account = $2 AND key_lower = $3',
};
export const INSERT_LINK: Statement = {
  name: 'gh_insert_link',
  text: `INSERT INTO links (relation, account, from_key, from_lower, to_key, to_lower, created, data)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
};
export const DELETE_LINK: Statement = {
  name: 'gh_delete_link',
  text: 'DELETE FROM links WHERE relation = $1 AND account = $2 AND from_lower = $3 AND to_lower = $4',
};

/** The variable-filter statements, named by their text the first time they are built. */
const named = new Map<string, Statement>();
function statement(text: string): Statement {
  let found = named.get(text);
  if (found === undefined) {
    found = { name: `gh_q${named.size + 1}`, text };
    named.set(text, found);
  }
  return found;
}

/** SELECT/COUNT over entities of a kind in an account, filtered as ListOptions says; $1 kind, $2 account. */
export function entityQuery(mode: 'rows' | 'count', options: ListOptions | undefined): { statement: Statement; params: Array<string | number> } {
  const where = ['kind = $1', 'account = $2'];
  const params: Array<string | number> = [];
  const prefix = options?.pathPrefix;
  if (prefix !== undefined && prefix !== '') {
    // A range start lets the (kind, account, path) index narrow the scan; starts_with() then checks the prefix
    // exactly, where LIKE would treat `_` and `%` in the prefix as wildcards.
    params.push(prefix);
    where.push(`path >= $${params.length + 2}`, `starts_with(path, $${params.length + 2})`);
  }
  if (options?.owner !== undefined) {
    params.push(options.owner.toLowerCase());
    where.push(`owner_lower = $${params.length + 2}`);
  }
  let window = '';
  if (mode === 'rows' && options?.limit !== undefined) {
    params.push(windowNumber(options.limit));
    window += ` LIMIT $${params.length + 2}`;
  }
  if (mode === 'rows' && options?.offset !== undefined) {
    params.push(windowNumber(options.offset));
    window += ` OFFSET $${params.length + 2}`;
  }
  // key_lower alone: it is unique within (kind, account) (the primary key), so the index gives the order and a
  // page window reads only as far as it reaches, with no sort of the whole account.
  const text =
    mode === 'rows'
      ? `SELECT ${ENTITY_COLUMNS} FROM entities WHERE ${where.join(' AND ')} ORDER BY key_lower${window}`
      : `SELECT count(*)::integer AS n FROM entities WHERE ${where.join(' AND ')}`;
  return { statement: statement(text), params };
}

/** SELECT/COUNT/DELETE over links of a relation in an account, limited to one end when given; $1 relation, $2 account. */
export function linkQuery(mode: 'rows' | 'count' | 'delete', end: End): { statement: Statement; params: string[] } {
  const where = ['relation = $1', 'account = $2'];
  const params: string[] = [];
  if (end?.from !== undefined) {
    params.push(end.from.toLowerCase());
    where.push(`from_lower = $${params.length + 2}`);
  }
  if (end?.to !== undefined) {
    params.push(end.to.toLowerCase());
    where.push(`to_lower = $${params.length + 2}`);
  }
  const filter = where.join(' AND ');
  const text =
    mode === 'rows'
      ? `SELECT ${LINK_COLUMNS} FROM links WHERE ${filter} ORDER BY from_lower, to_lower`
      : mode === 'count'
        ? `SELECT count(*)::integer AS n FROM links WHERE ${filter}`
        : `DELETE FROM links WHERE ${filter}`;
  return { statement: statement(text), params };
}

/** A page window bound: a whole number of at least zero. */
function windowNumber(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`a list window needs whole numbers of at least 0, not ${value}`);
  return value;
}
