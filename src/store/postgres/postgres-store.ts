import pg from 'pg';
import { ReadWriteLock } from '../read-write-lock.js';
import type { Store, StoreTx, TransactionOptions } from '../store.js';
import { migrate } from './migrations.js';
import { PostgresTx } from './postgres-tx.js';
import { DEFAULT_MAX_ATTEMPTS, backoffMs, isRetryable } from './serialization-retry.js';
import { BEGIN_READ, BEGIN_WRITE, BEGIN_WRITE_READING_VERSION, BUMP_AND_COMMIT, SELECT_VERSION } from './statements.js';
import { VersionListener } from './version-listener.js';

export interface PostgresStoreOptions {
  /** A postgres:// or postgresql:// connection URL; the database must exist, the tables are created on first open. */
  readonly url: string;
  /** Connections in the pool; 10 by default. Writes use one at a time per process, read views one each. */
  readonly poolSize?: number;
  /** Runs of a transaction's work before a serialization failure or deadlock surfaces; 10 by default. */
  readonly maxAttempts?: number;
}

export const DEFAULT_POOL_SIZE = 10;

/**
 * A Store on a PostgreSQL database that several Gatehouse processes share. Each write transaction is one
 * SERIALIZABLE transaction, retried whole on serialization failure; read views are read-only snapshots. version()
 * is an in-memory copy of a counter row that every non-bookkeeping write bumps in its own transaction: this
 * process's commits move it at once, other processes' commits arrive by LISTEN/NOTIFY (one notification round trip
 * after their commit, typically well under a millisecond on a LAN) and are also read at the start of each of this
 * process's write transactions.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const connection: pg.ClientConfig = { connectionString: options.url, application_name: 'gatehouse' };
  const pool = new pg.Pool({ ...connection, max: options.poolSize ?? DEFAULT_POOL_SIZE });
  // An idle pooled connection that the server drops emits here; the pool has already discarded it and the next
  // checkout opens a fresh one, but an unhandled 'error' event would end the process.
  pool.on('error', () => undefined);
  const store = new PostgresStore(pool, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
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

type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown; readonly retryable: boolean };

class PostgresStore implements Store {
  /**
   * Transactions of this process run one at a time and read views wait for the one in flight, as in the SQLite
   * adapter: the port promises that transactions never interleave and that a read issued after a write sees it.
   * Other processes are kept consistent by SERIALIZABLE, not by this lock.
   */
  private readonly lock = new ReadWriteLock();
  private listener: VersionListener | undefined;
  private currentVersion = 0;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxAttempts: number,
  ) {}

  /** Subscribes before reading the counter, so no bump falls between the read and the subscription. */
  async listen(connection: pg.ClientConfig): Promise<void> {
    this.listener = await VersionListener.start({
      connection,
      onVersion: (version) => this.observe(version),
      onResubscribed: () => this.refreshVersion(),
    });
    await this.refreshVersion();
  }

  transaction<T>(work: (tx: StoreTx) => Promise<T>, options?: TransactionOptions): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    const bookkeeping = options?.bookkeeping === true;
    return this.lock.exclusive(() => this.withRetries(work, bookkeeping));
  }

  read<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return this.lock.shared(() => this.view(work));
  }

  version(): number {
    return this.currentVersion;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lock.idle();
    await this.listener?.close();
    await this.pool.end();
  }

  private observe(version: number): void {
    if (version > this.currentVersion) this.currentVersion = version;
  }

  private async refreshVersion(): Promise<void> {
    const result = await this.pool.query<{ value: string }>(SELECT_VERSION);
    this.observe(Number(result.rows[0]?.value ?? 0));
  }

  private async withRetries<T>(work: (tx: StoreTx) => Promise<T>, bookkeeping: boolean): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(work, bookkeeping);
      if (outcome.ok) return outcome.value;
      if (!outcome.retryable || attempt >= this.maxAttempts) throw outcome.error;
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }

  /** One run of `work` in one SERIALIZABLE transaction; says whether a failure is worth another run. */
  private attempt<T>(work: (tx: StoreTx) => Promise<T>, bookkeeping: boolean): Promise<Attempt<T>> {
    return withClient(this.pool, async (client, broken) => {
      let tx: PostgresTx | undefined;
      try {
        if (bookkeeping) {
          // Bookkeeping is the hot write (every authenticated request's key use); it neither moves nor needs the
          // counter, and not reading that row keeps it out of every other writer's serialization conflicts.
          await client.query(BEGIN_WRITE);
        } else {
          const [, , current] = (await client.query(BEGIN_WRITE_READING_VERSION)) as unknown as pg.QueryResult<{ value: string }>[];
          this.observe(Number(current?.rows[0]?.value ?? 0));
        }
        tx = new PostgresTx(client, false);
        const value = await work(tx);
        tx.finish();
        if (tx.failure !== undefined) throw tx.failure;
        if (tx.wrote && !bookkeeping) {
          const [bumped] = (await client.query(BUMP_AND_COMMIT)) as unknown as pg.QueryResult<{ value: string }>[];
          this.observe(Number(bumped?.rows[0]?.value));
        } else {
          await client.query('COMMIT');
        }
        return { ok: true, value };
      } catch (error) {
        tx?.finish();
        // The work may have caught the database's error and thrown its own: the transaction's failure decides.
        const retryable = isRetryable(error) || isRetryable(tx?.failure);
        // A connection that cannot even roll back is destroyed rather than handed to the next transaction.
        await client.query('ROLLBACK').catch(broken);
        return { ok: false, error, retryable };
      }
    });
  }

  private view<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return withClient(this.pool, async (client, broken) => {
      const tx = new PostgresTx(client, true);
      try {
        await client.query(BEGIN_READ);
        const value = await work(tx);
        tx.finish();
        await client.query('COMMIT');
        return value;
      } catch (error) {
        tx.finish();
        await client.query('ROLLBACK').catch(broken);
        throw error;
      }
    });
  }
}
