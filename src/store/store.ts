/**
 * The storage port. Services never see SQL: they read and write entities (users, roles, policies, keys…) and the
 * links between them inside a transaction. Entity kinds and link relations are named by the core; adapters store
 * them generically, so a new kind needs no migration. Every adapter passes the contract suite in contract.ts.
 */

/** A named thing in an account: unique by (kind, account, key), with the key compared case-insensitively as IAM does. */
export interface EntityRecord {
  readonly kind: string;
  readonly account: string;
  /** The unique name (user name, role name, policy ARN, access key ID…), as first written. */
  readonly key: string;
  /** The immutable unique ID (AIDA…, AROA…); unique across kinds and accounts. */
  readonly id: string;
  /** IAM path, `/` when the kind has none; listed with a prefix filter. */
  readonly path: string;
  /** The owning entity's key for child kinds (an access key's user, a policy version's policy); `''` otherwise. */
  readonly owner: string;
  /** ISO 8601 creation time. */
  readonly created: string;
  /** Everything else, as JSON. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** A directed link (user→group membership, role→attached policy ARN…), unique by (relation, account, from, to). */
export interface LinkRecord {
  readonly relation: string;
  readonly account: string;
  /** Keys are compared case-insensitively, like entity keys. */
  readonly from: string;
  readonly to: string;
  readonly created: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface ListOptions {
  /** Only entities whose path starts with this (case-sensitive, as IAM's PathPrefix). */
  readonly pathPrefix?: string;
  /** Only children of this owner key (case-insensitive). */
  readonly owner?: string;
  /**
   * One window of the ordered list (a page): the first `offset` matching entities skipped, at most `limit`
   * returned, so a page of a large account costs a page, not the account. count() ignores both.
   */
  readonly offset?: number;
  readonly limit?: number;
}

/** Thrown by insert/link when the unique key is taken, so services can answer EntityAlreadyExists. */
export class DuplicateKeyError extends Error {
  override readonly name = 'DuplicateKeyError';
}

/**
 * Operations inside one transaction. Entity lists are ordered by the lower-cased key in byte order (so `_x` sorts
 * before `a`), then by key; link lists by `from`, then `to`, the same way. A caught DuplicateKeyError leaves the
 * transaction usable. A `tx` is invalid once its transaction has settled.
 */
export interface StoreTx {
  /**
   * The store's version() read just before this transaction's first statement: everything it reads is at least that
   * new. A cache filled from what it read must be labelled with this number, never with a later reading of version()
   * (a change committed meanwhile, on another node, would otherwise be hidden under the newer number). It may be
   * NaN, which no version equals, when what the transaction reads may never commit (PostgreSQL: a transaction carried
   * after others' uncommitted writes in one batch): a cache labelled with it is never used.
   */
  readonly version: number;
  /**
   * versionOf(account) as of this transaction's start, with the same guarantee as `version`: everything it reads
   * of that account (and of no account's, see WriteScope) is at least that new. NaN, never cached, when that number
   * may have moved since the transaction began, and after the transaction's own writes (as `version`).
   */
  versionOf(account: string): number;
  get(kind: string, account: string, key: string): Promise<EntityRecord | undefined>;
  getById(kind: string, id: string): Promise<EntityRecord | undefined>;
  list(kind: string, account: string, options?: ListOptions): Promise<EntityRecord[]>;
  count(kind: string, account: string, options?: ListOptions): Promise<number>;
  /** Throws DuplicateKeyError when (kind, account, key) or the id exists. */
  insert(record: EntityRecord): Promise<void>;
  /** Replaces path, owner and data of an existing entity (matched by kind, account, key); false when absent. */
  update(record: EntityRecord): Promise<boolean>;
  /** Deletes the entity; false when absent. Does not touch links or children: services check those first. */
  delete(kind: string, account: string, key: string): Promise<boolean>;

  /** Throws DuplicateKeyError when the link exists. */
  link(record: LinkRecord): Promise<void>;
  unlink(relation: string, account: string, from: string, to: string): Promise<boolean>;
  /** Links of a relation from an entity, or to one (give one of from/to), or all of the relation in the account. */
  links(relation: string, account: string, end?: { readonly from?: string; readonly to?: string }): Promise<LinkRecord[]>;
  countLinks(relation: string, account: string, end?: { readonly from?: string; readonly to?: string }): Promise<number>;
  /** Removes every link of the relation from (or to) an entity; returns how many. One of from/to is required. */
  unlinkAll(relation: string, account: string, end: { readonly from?: string; readonly to?: string }): Promise<number>;
}

/**
 * Which writes are confined to their own account: given by the core, which knows what its entity kinds and link
 * relations mean (an adapter stores them generically). A write of an account-local kind or relation in account `a`
 * moves versionOf(a) only; every other write (a kind or relation not named, any unknown or future one) moves every
 * account's. Without a scope every write is treated as affecting every account.
 */
export interface WriteScope {
  /** True only when an entity of this kind in account `a` changes nothing cached for any other account. */
  entityIsLocal(kind: string): boolean;
  /** True only when a link of this relation in account `a` changes nothing cached for any other account. */
  linkIsLocal(relation: string): boolean;
}

export interface TransactionOptions {
  /**
   * The writes are bookkeeping that no cached credential or decision depends on (an access key's last use): they
   * commit like any others and every later read sees them, but neither version() nor any versionOf() moves, so the
   * caches stay warm.
   */
  readonly bookkeeping?: boolean;
}

export interface ReadOptions {
  /**
   * The caller awaited settle() after its request arrived, and it resolved true. The view may then take that check
   * as its own: it sees every transaction committed before that settle() call (which is all a request may ask), and
   * a store whose view would otherwise make the same check again (PostgreSQL: one more round trip) skips it.
   */
  readonly settled?: boolean;
}

export interface Store {
  /**
   * Runs `work` in one serializable transaction: all its writes commit together when it resolves (durably: an
   * acknowledged write survives a crash), or none do when it throws. Transactions never interleave their effects.
   */
  transaction<T>(work: (tx: StoreTx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Runs `work` against a consistent read-only view: it sees every transaction committed before it started and none
   * after; its write methods reject. Cheaper than `transaction` (no write lock), for Get/List operations. It need not
   * wait for a transaction still in flight (acknowledged to nobody yet): it sees that one whole or not at all.
   * Neither may be called from inside another: use the `tx` given (a nested call would wait for itself).
   * `work` may run more than once (PostgreSQL tries it against the read cache first and runs it again in a database
   * transaction when it needs more than the cache holds): only its result counts, so it must have no other effects.
   */
  read<T>(work: (tx: StoreTx) => Promise<T>, options?: ReadOptions): Promise<T>;
  /**
   * A counter that every committed transaction with writes increases, bookkeeping ones excepted; caches of derived
   * data (compiled policies, access keys) compare it to know they are stale. Reading it is cheap (no I/O on the hot
   * path). It never decreases, and may move without a change (it only ever errs towards stale). This process's
   * commits move it before `transaction` resolves; another process's commits to a shared database move it once the
   * adapter hears of them (SQLite: at this process's next write transaction; PostgreSQL: by notification, one round
   * trip after their commit).
   */
  version(): number;
  /**
   * A counter for caches of one account's data: it moves whenever a commit wrote anything of `account` of a kind or
   * relation the store's WriteScope calls account-local, and whenever a commit wrote anything else (of any account):
   * so it moves at least whenever version() moves for a change that may touch what is derived from that account's
   * own principals. Bookkeeping transactions leave it alone, as version(). Cheap, never decreasing, heard of from
   * other processes as version() is, and covered by settle() the same way. Only comparable with itself (the same
   * account, the same store), never with version() or with another account's number.
   */
  versionOf(account: string): number;
  /**
   * For a store other processes write too (PostgreSQL): resolves once version() counts every commit acknowledged
   * anywhere before the call, so a cache checked against version() afterwards holds nothing a request sent after that
   * commit may not see. A request checks its caches outside any read view (its access key, first of all) only after
   * it. Resolves true when that is confirmed, false when it could not be (the store then trusts no cache entry read
   * before the call either way). Absent where version() is always current (a store only this process writes).
   */
  settle?(): Promise<boolean>;
  /** The audit trail (CloudTrail events), shared by every node of a shared database. */
  readonly events: EventLog;
  close(): Promise<void>;
}

/**
 * One audit event as the event log keeps it: the CloudTrail record, whole, as JSON text, and beside it the fields
 * it is looked up by (CloudTrail's LookupEvents attributes), so a query never parses records it does not return.
 */
export interface AuditEventRecord {
  /** The record's eventID (a UUID): unique, so a batch appended twice (a retry after an unclear failure) is kept once. */
  readonly eventId: string;
  /** The record's eventTime, as epoch milliseconds (the record itself shows whole seconds, as CloudTrail does). */
  readonly time: number;
  /** recipientAccountId: whose event history it belongs to. */
  readonly account: string;
  readonly eventName: string;
  readonly eventSource: string;
  /** LookupEvents' Username: the user name, role session name, federated user name, `root`; absent when none. */
  readonly userName?: string;
  /** The access key the request was signed with; absent for unsigned federation calls. */
  readonly accessKeyId?: string;
  readonly readOnly: boolean;
  /** The resources the event names (LookupEvents' ResourceType and ResourceName). */
  readonly resources: ReadonlyArray<{ readonly type: string; readonly name: string }>;
  /** The CloudTrail record as JSON text. */
  readonly record: string;
}

/** A lookup of events, newest first; every given filter must match (they combine with AND). */
export interface AuditEventQuery {
  /** One account's events (LookupEvents); every account's when absent (the export). */
  readonly account?: string;
  /** Inclusive lower bound, epoch milliseconds. */
  readonly startTime?: number;
  /** Inclusive upper bound, epoch milliseconds. */
  readonly endTime?: number;
  readonly eventId?: string;
  readonly eventName?: string;
  readonly eventSource?: string;
  readonly userName?: string;
  readonly accessKeyId?: string;
  readonly readOnly?: boolean;
  readonly resourceName?: string;
  readonly resourceType?: string;
  /** At most this many events (1 to 1000). */
  readonly maxResults: number;
  /** The previous page's nextToken: the page after it, under the same filters. */
  readonly nextToken?: string;
}

export interface AuditEventPage {
  readonly events: readonly AuditEventRecord[];
  /** Present when more events match: pass it back for the next page. */
  readonly nextToken?: string;
}

/**
 * The audit trail's storage: append-only, apart from retention. Separate from the entity transactions: an event is
 * appended after its request's work has committed (or failed), and never takes the entity store's write lock.
 */
export interface EventLog {
  /** Appends the events durably (an acknowledged append survives a process crash) and all-or-nothing. */
  append(events: readonly AuditEventRecord[]): Promise<void>;
  query(query: AuditEventQuery): Promise<AuditEventPage>;
  /** Deletes events older than `time` (epoch milliseconds); returns how many. */
  deleteBefore(time: number): Promise<number>;
}

/** A nextToken that this log did not issue (or a tampered one): the caller asked for a page that does not exist. */
export class InvalidEventTokenError extends Error {
  override readonly name = 'InvalidEventTokenError';
}
