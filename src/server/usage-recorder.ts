import type { Store } from '../store/store.js';

export interface KeyUse {
  readonly accessKeyId: string;
  readonly date: Date;
  readonly service: string;
  readonly region: string;
}

/**
 * Access key last-used bookkeeping, as AWS does it "eventually": requests note the use in memory, and a timer writes
 * the latest use per key in one transaction, so no request waits on a write.
 */
export class UsageRecorder {
  private pending = new Map<string, { accessKeyId: string; date: Date; service: string; region: string }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly write: (store: Store, uses: readonly KeyUse[]) => Promise<void>,
    private readonly intervalMs = 1000,
  ) {}

  note(accessKeyId: string, date: Date, service: string, region: string): void {
    // Requests from one key arrive many times a second: its pending record is updated in place, not replaced.
    const pending = this.pending.get(accessKeyId);
    if (pending !== undefined) {
      pending.date = date;
      pending.service = service;
      pending.region = region;
    } else {
      this.pending.set(accessKeyId, { accessKeyId, date, service, region });
    }
    if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const uses = [...this.pending.values()];
    this.pending = new Map();
    await this.write(this.store, uses);
  }
}
