import pg from 'pg';
import { NOTIFY_CHANNEL } from './statements.js';

export interface VersionListenerOptions {
  readonly connection: pg.ClientConfig;
  /** Called with the payload of every change notification (this node's own included), as it arrives. */
  readonly onNotification: (payload: string) => void;
  /**
   * Called as soon as LISTEN is in place again after a lost connection: notifications sent while it was down are
   * gone, so the caller must assume it missed some.
   */
  readonly onResubscribed: () => void;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

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

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.options.connection);
    client.on('notification', (message) => {
      if (message.channel === NOTIFY_CHANNEL) this.options.onNotification(message.payload ?? '');
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
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
