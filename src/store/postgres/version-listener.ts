import pg from 'pg';
import { ENTITY_CHANNEL, NOTIFY_CHANNEL } from './statements.js';

export interface VersionListenerOptions {
  readonly connection: pg.ClientConfig;
  /** Called with the payload of every commit notification (this node's own included), as it arrives. */
  readonly onNotification: (payload: string) => void;
  /** Called with the payload of every entity change notification (sent by the database's trigger), as it arrives. */
  readonly onEntityChange: (payload: string) => void;
  /**
   * Called as soon as LISTEN is in place again after a lost connection: notifications sent while it was down are
   * gone, so the caller must assume it missed some.
   */
  readonly onResubscribed: () => void;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;
const SYNC_TIMEOUT_MS = 5_000;

/** Names the listening connection in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'gatehouse listener';

/**
 * A dedicated connection that LISTENs for other nodes' commits. It cannot come from the pool: LISTEN belongs to a session,
 * and a pooled connection is handed to transactions. A lost connection is reopened with backoff for as long as the
 * listener is open, since a node that stops hearing bumps would serve stale caches indefinitely.
 */
export class VersionListener {
  private client: pg.Client | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  private constructor(private readonly options: VersionListenerOptions) {}

  /** Resolves once LISTEN is active, so no commit after it goes unheard. */
  static async start(options: VersionListenerOptions): Promise<VersionListener> {
    const listener = new VersionListener(options);
    await listener.connect();
    return listener;
  }

  /** False while the connection is down (and after close): commits of other nodes may then go unheard. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /**
   * One round trip on the listening connection. PostgreSQL queues a notification before its transaction's commit is
   * acknowledged (notifying commits are serialized, so the queue is in commit order with nothing uncommitted ahead),
   * signals the listening session, and delivers pending notifications before it answers any later query. So once
   * this resolves, every commit acknowledged before it was sent has been heard (pg emits notifications as it parses
   * them, before the query's answer). Rejects while the connection is down.
   */
  sync(): Promise<unknown> {
    const client = this.client;
    if (client === undefined) return Promise.reject(new Error('the change listener is not connected'));
    // A connection that died without a word would hold every reader: past the limit it counts as lost (and is
    // reopened), and the readers waiting go to the database without the cache.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.lost(client);
        reject(new Error('the change listener did not answer'));
      }, SYNC_TIMEOUT_MS);
    });
    return Promise.race([client.query('SELECT 1'), timeout]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.options.connection, application_name: LISTENER_APPLICATION_NAME });
    client.on('notification', (message) => {
      if (message.channel === NOTIFY_CHANNEL) this.options.onNotification(message.payload ?? '');
      else if (message.channel === ENTITY_CHANNEL) this.options.onEntityChange(message.payload ?? '');
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}; LISTEN ${ENTITY_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    const reconnected = this.failures > 0;
    this.client = client;
    this.failures = 0;
    // In the same step as `listening` turns true: no reader may see it true before the caller has written off
    // what it missed.
    if (reconnected) this.options.onResubscribed();
  }

  private lost(client: pg.Client): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.failures);
    this.failures++;
    this.reconnectTimer = setTimeout(() => {
      this.connect().catch(() => this.scheduleReconnect());
    }, delay);
    // A pending reconnect alone must not keep the process alive after everything else has stopped.
    this.reconnectTimer.unref();
  }
}
