import pg from 'pg';
import type { ReadOptions, Store, StoreTx, TransactionOptions, WriteScope } from '../store.js';
import { NO_VERSION, WrittenScope } from '../scoped-versions.js';
import { NodeVersions } from './node-versions.js';
import { PostgresEventLog } from './event-log.js';
import { migrate } from './migrations.js';
import { PostgresTx } from './postgres-tx.js';
import { DEFAULT_RETRY_BUDGET_MS, backoffMs, isRetryable, retriesExhausted } from './serialization-retry.js';
import { EntityMemo } from '../entity-memo.js';
import { CoalescedCheck } from './coalesced-check.js';
import { CachedView, ReadCache } from './read-cache.js';
import { BEGIN_READ, BEGIN_WRITE, notifyAndCommit } from './statements.js';
import { VersionListener } from './version-listener.js';
import { WriteOrder } from './write-order.js';

export interface PostgresStoreOptions {
  /** A postgres:// or postgresql:// connection URL; the database must exist, the tables are created on first open. */
  readonly url: string;
  /** Connections in the pool; 10 by default. Writes use one at a time per process, read views one each. */
  readonly poolSize?: number;
  /**
   * Milliseconds a transaction is retried after serialization failures and deadlocks before the caller gets AWS's
   * Throttling error; 10 000 by default.
   */
  readonly retryBudgetMs?: number;
  /** Which writes move only their own account's versionOf (the core's); without it, every write moves every account's. */
  readonly writeScope?: WriteScope;
}

export const DEFAULT_POOL_SIZE = 10;

/**
 * A Store on a PostgreSQL database that several Gatehouse processes share. Each write transaction is one
 * SERIALIZABLE transaction, retried whole on serialization failure; read views are read-only snapshots.
 *
 * version() and versionOf() are kept in memory (node-versions.ts): each node announces its commits by NOTIFY, inside
 * the transaction; its own commits move them at once, another node's one notification round trip after their commit
 * (typically well under a millisecond on a LAN). Two nodes that have heard each other's latest commits report the
 * same version(). A notification it cannot place, and any gap in hearing them (the listening connection lost), only
 * ever moves them further.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const connection: pg.ClientConfig = { connectionString: options.url, application_name: 'gatehouse' };
  const pool = new pg.Pool({ ...connection, max: options.poolSize ?? DEFAULT_POOL_SIZE });
  // An idle pooled connection that the server drops emits here; the pool has already discarded it and the next
  // checkout opens a fresh one, but an unhandled 'error' event would end the process.
  pool.on('error', () => undefined);
  const store = new PostgresStore(pool, options.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS, options.writeScope);
  try {
    await withClient(pool, async (client, broken) => {
      try {
        await migrate(client);
      } catch (error) {
        broken(error);
        throw error;
      }
    });
    await store.listen(connection);
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * Checks a connection out for `use`, and destroys it instead of pooling it again when it failed. A connection lost
 * while checked out is reported to the pending query and also as an 'error' event on the client, which would end
 * the process if nothing listened: a database restart must fail the transactions in flight, not the server.
 */
async function withClient<T>(pool: pg.Pool, use: (client: pg.PoolClient, broken: (error: unknown) => void) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  const broken = (error: unknown): void => {
    failure ??= error instanceof Error ? error : new Error(String(error));
  };
  client.on('error', broken);
  try {
    return await use(client, broken);
  } finally {
    client.off('error', broken);
    client.release(failure);
  }
}

/** The most transactions one database transaction carries: a retry of the batch runs them all again. */
const MAX_BATCH = 32;

interface QueuedWrite {
  readonly work: (tx: StoreTx) => Promise<unknown>;
  readonly bookkeeping: boolean;
  taken: boolean;
  readonly settled: Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown; readonly retryable: boolean };

class PostgresStore implements Store {
  /**
   * Transactions of this process run one at a time (the port promises they never interleave); read views wait for
   * no write (each reads its own snapshot, which holds everything acknowledged before it) and no write waits for
   * them. Other processes are kept consistent by SERIALIZABLE.
   */
  private readonly order = new WriteOrder();
  /** Transactions waiting for their turn, in arrival order; the first one's turn runs them together (drain). */
  private readonly queued: QueuedWrite[] = [];
  private listener: VersionListener | undefined;
  /** version() and versionOf(), as this node has counted and heard commits. */
  private readonly versions = new NodeVersions();
  private closed = false;
  /**
   * Entities read by views, kept as of every entity change this node has heard (the database announces each one,
   * whoever commits it). A view first makes sure it has heard every commit acknowledged before it began (`fresh`,
   * one round trip on the listening connection shared by all the views waiting for it), then is answered from the
   * cache when it holds all the view needs, with no database transaction at all.
   */
  private readonly cache = new ReadCache();
  private readonly fresh = new CoalescedCheck(() => this.sync());

  readonly events: PostgresEventLog;

  constructor(
    private readonly pool: pg.Pool,
    private readonly retryBudgetMs: number,
    private readonly writeScope: WriteScope | undefined,
  ) {
    this.events = new PostgresEventLog(pool);
  }

  async listen(connection: pg.ClientConfig): Promise<void> {
    this.listener = await VersionListener.start({
      connection,
      onNotification: (payload) => this.versions.hear(payload),
      onEntityChange: (payload) => this.cache.heard(payload),
      onResubscribed: () => {
        this.versions.unplace();
        this.cache.forgetAll();
      },
    });
  }

  transaction<T>(work: (tx: StoreTx) => Promise<T>, options?: TransactionOptions): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    let resolve!: (value: unknown) => void;
    let reject!: (error: unknown) => void;
    const settled = new Promise<unknown>((res, rej) => ((resolve = res), (reject = rej)));
    // Settled by the batch that carries it, perhaps before its own turn comes to hand it to the caller.
    settled.catch(() => undefined);
    const item: QueuedWrite = { work, bookkeeping: options?.bookkeeping === true, taken: false, settled, resolve, reject };
    this.queued.push(item);
    return this.order.write(() => this.drain(item)) as Promise<T>;
  }

  read<T>(work: (tx: StoreTx) => Promise<T>, options?: ReadOptions): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    const settled = options?.settled === true;
    return this.order.read(() => this.view(work, settled));
  }

  version(): number {
    // Not listening, this node cannot know what the others commit: every reading is then a new version, so no cache
    // entry is trusted until the subscription is back.
    if (this.listener?.listening === false) this.versions.unplace();
    return this.versions.total();
  }

  versionOf(account: string): number {
    // Deaf, as version(): every reading is new.
    if (this.listener?.listening === false) this.versions.unplace();
    return this.versions.versionOf(account);
  }

  async settle(): Promise<boolean> {
    // Not listening, version() moves at every reading: no cache is trusted, so there is nothing to wait for (and
    // nothing confirmed: a view still checks for itself).
    if (this.listener?.listening !== true) return false;
    try {
      await this.fresh.fresh();
      return this.listener.listening;
    } catch {
      // The check failed (the listener is going down): count an unknown commit, so no cache entry read before counts.
      this.versions.unplace();
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.order.idle();
    await this.listener?.close();
    await this.pool.end();
  }

  /**
   * Runs the transactions queued on this node together, when it is their turn, in one database transaction: one
   * durable commit (one fsync) for them all rather than one each, which is what a node's write rate is bound by.
   * Each runs after the one before it has finished, inside its own savepoint, so one that throws is rolled back
   * alone and the port's promises hold (one at a time, all or nothing each, version() moved when each resolves).
   * A lone transaction takes no savepoint: it is exactly one database transaction, as before.
   */
  private drain(item: QueuedWrite): Promise<unknown> {
    if (item.taken) return item.settled;
    const batch = this.queued.splice(0, MAX_BATCH);
    for (const queued of batch) queued.taken = true;
    // The item whose turn it is may sit behind the batch's limit: it then runs in the next batch, at its own turn.
    if (!item.taken) return this.drain(item);
    return this.withRetries(batch).then(() => item.settled);
  }

  private async withRetries(batch: QueuedWrite[]): Promise<void> {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(batch);
      if (outcome.ok) {
        for (const [i, item] of batch.entries()) {
          const result = outcome.value[i] as Attempt<unknown>;
          if (result.ok) item.resolve(result.value);
          else item.reject(result.error);
        }
        return;
      }
      if (!outcome.retryable) {
        for (const item of batch) item.reject(outcome.error);
        return;
      }
      const wait = backoffMs(attempt);
      if (performance.now() - started + wait > this.retryBudgetMs) {
        for (const item of batch) item.reject(retriesExhausted(outcome.error));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /**
   * One run of the batch in one SERIALIZABLE transaction: each item's own outcome when it commits, or the failure
   * that undid them all and whether it is worth another run.
   */
  private attempt(batch: readonly QueuedWrite[]): Promise<Attempt<Array<Attempt<unknown>>>> {
    return withClient(this.pool, async (client, broken) => {
      let tx: PostgresTx | undefined;
      let committing = false;
      const outcomes: Array<Attempt<unknown>> = [];
      const savepoints = batch.length > 1;
      try {
        // Read before BEGIN: a commit heard of by now is in the snapshot the transaction's first statement takes.
        const version = this.version();
        const versionOf = this.versions.since();
        await client.query(BEGIN_WRITE);
        let announced = 0;
        let uncommitted = false;
        const written = new WrittenScope(this.writeScope);
        for (const item of batch) {
          if (savepoints) await client.query('SAVEPOINT gh_item');
          // After another item's writes, this one reads rows that are not committed and may never be: labelled with a
          // version that nothing equals, what it reads is never cached (a cache is kept only under its label).
          tx = new PostgresTx(client, false, uncommitted ? Number.NaN : version, uncommitted ? NO_VERSION : versionOf, new WrittenScope(this.writeScope));
          try {
            const value = await item.work(tx);
            tx.finish();
            if (tx.failure !== undefined) throw tx.failure;
            if (savepoints) await client.query('RELEASE SAVEPOINT gh_item');
            outcomes.push({ ok: true, value });
            uncommitted ||= tx.wrote;
            if (tx.wrote && !item.bookkeeping) {
              announced += 1;
              written.merge(tx.written);
            }
          } catch (error) {
            tx.finish();
            // The work may have caught the database's error and thrown its own: the transaction's failure decides.
            if (!savepoints || isRetryable(error) || isRetryable(tx.failure)) throw error;
            // Later items read after this undo: none of them sees what it wrote.
            await client.query('ROLLBACK TO SAVEPOINT gh_item');
            outcomes.push({ ok: false, error, retryable: false });
          }
        }
        tx = undefined;
        committing = announced > 0;
        if (committing) {
          // One move per transaction, as if each had committed alone.
          await client.query(notifyAndCommit(this.versions.payload(announced, written)));
          this.versions.committed(announced, written);
        } else {
          await client.query('COMMIT');
        }
        return { ok: true, value: outcomes };
      } catch (error) {
        tx?.finish();
        const retryable = isRetryable(error) || isRetryable(tx?.failure);
        // A serialization failure at COMMIT rolled everything back, but another failure there (a lost connection)
        // leaves it unknown whether the writes committed: a spurious move only costs a cache refill.
        if (committing && !retryable) this.versions.unplace();
        // A connection that cannot even roll back is destroyed rather than handed to the next transaction.
        await client.query('ROLLBACK').catch(broken);
        return { ok: false, error, retryable };
      }
    });
  }

  /** One freshness round trip (see VersionListener.sync); fails when this node is not listening. */
  private sync(): Promise<unknown> {
    const listener = this.listener;
    if (listener === undefined) return Promise.reject(new Error('not listening'));
    return listener.sync();
  }

  /**
   * A read view. Served from the cache when it can be, in a REPEATABLE READ transaction otherwise; a view answered
   * by the database leaves what it read for the cache to keep.
   */
  private async view<T>(work: (tx: StoreTx) => Promise<T>, settled: boolean): Promise<T> {
    // Read on arrival: whatever the view sees is at least this new, and commits heard later may not be in the cache.
    const version = this.version();
    const versionOf = this.versions.since();
    let trusted = false;
    if (this.listener?.listening === true) {
      try {
        // The request's own settle() was sent after it arrived: what it confirmed is all this view owes the request.
        if (!settled) await this.fresh.fresh();
        trusted = this.listener.listening;
      } catch {
        // Not listening (or the listener just failed): the database answers, and the cache keeps nothing.
      }
    }
    if (trusted) {
      const label = this.cache.label;
      const cached = new CachedView(this.cache.memo, version, versionOf);
      let outcome: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };
      try {
        outcome = { ok: true, value: await work(cached) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      cached.finish();
      // A view that needed more than the cache holds, or read entries that changed while it ran, starts again in a
      // transaction: it never answers from two different states.
      if (!cached.missed && this.cache.unchangedSince(label, cached.read)) {
        if (outcome.ok) return outcome.value;
        throw outcome.error;
      }
    }
    return this.transactionView(work, version, versionOf, trusted);
  }

  private transactionView<T>(work: (tx: StoreTx) => Promise<T>, version: number, versionOf: (account: string) => number, keep: boolean): Promise<T> {
    return withClient(this.pool, async (client, broken) => {
      // Read before BEGIN: the snapshot includes every change heard by now.
      const label = this.cache.label;
      let tx: PostgresTx | undefined;
      try {
        await client.query(BEGIN_READ);
        const read = keep ? new EntityMemo() : undefined;
        tx = new PostgresTx(client, true, version, versionOf, new WrittenScope(undefined), read);
        const value = await work(tx);
        tx.finish();
        // Not awaited: a read-only transaction has nothing to make durable, and the connection runs its queries in
        // order, so the next checkout's BEGIN simply follows this COMMIT. The answer leaves one round trip sooner.
        // Only a lost connection makes it fail, and then the next query on that connection fails too.
        client.query('COMMIT').catch(() => undefined);
        if (read !== undefined && read.size > 0) this.keepLater(label, read);
        return value;
      } catch (error) {
        tx?.finish();
        await client.query('ROLLBACK').catch(broken);
        throw error;
      }
    });
  }

  /**
   * Hands the cache what a view read once every commit in the view's snapshot has been heard: a freshness check
   * sent now (after the snapshot was taken) has returned. The cache then keeps only entries no heard change touched.
   */
  private keepLater(label: number, read: EntityMemo): void {
    this.fresh.fresh().then(
      () => {
        if (this.listener?.listening === true) this.cache.keep(label, read);
      },
      () => undefined,
    );
  }
}
