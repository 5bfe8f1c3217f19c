import pg from 'pg';
import { NOTIFY_CHANNEL } from './statements.js';

export interface VersionListenerOptions {
  readonly connection: pg.ClientConfig;
  /** Called with every version another (or this) node committed, as its notification arrives. */
  readonly onVersion: (version: number) => void;
  /**
   * Called once LISTEN is in place again after a lost connection: notifications sent while it was down are gone,
   * so the caller reads the counter itself.
   */
  readonly onResubscribed: () => Promise<void>;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/**
 * A dedicated connection that LISTENs for version bumps. It cannot come from the pool: LISTEN belongs to a session,
 * and a pooled connection is handed to transactions. A lost connection is reopened with backoff for as long as the
 * listener is open, since a node that stops hearing bumps would serve stale caches indefinitely.
 */
export class VersionListener {
  private client: pg.Client | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  private constructor(private readonly options: VersionListenerOptions) {}

  /** Resolves once LISTEN is active, so no bump committed after it is missed. */
  static async start(options: VersionListenerOptions): Promise<VersionListener> {
    const listener = new VersionListener(options);
    await listener.connect();
    return listener;
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
      if (message.channel !== NOTIFY_CHANNEL || message.payload === undefined) return;
      const version = Number(message.payload);
      if (Number.isSafeInteger(version)) this.options.onVersion(version);
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
    this.client = client;
    this.failures = 0;
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
      this.connect().then(
        // A failed catch-up read is not a lost subscription: the next write transaction reads the counter anyway.
        () => void (this.closed ? undefined : this.options.onResubscribed().catch(() => undefined)),
        () => this.scheduleReconnect(),
      );
    }, delay);
    // A pending reconnect alone must not keep the process alive after everything else has stopped.
    this.reconnectTimer.unref();
  }
}
