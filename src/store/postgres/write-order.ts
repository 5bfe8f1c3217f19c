/**
 * The in-process order of the PostgreSQL store: write transactions one at a time, in arrival order, and each read
 * view started only once every write that arrived before it has settled (so a read queued behind a write sees it,
 * as the port promises). Unlike the SQLite adapter's readers–writer lock, a write does not wait for the views
 * already running: each of those reads its own database snapshot, which a commit cannot change, so holding the
 * write back would only keep every view that arrives behind it waiting too.
 */
export class WriteOrder {
  /** Settles when the last write that arrived has settled (never rejects). */
  private tail: Promise<void> = Promise.resolve();
  private writes = 0;
  private reads = 0;
  private idleWaiters: Array<() => void> = [];

  /** Runs `work` once every write that arrived before it has settled. */
  write<T>(work: () => Promise<T>): Promise<T> {
    const start = (): Promise<T> => this.hold(work, true);
    const result = this.writes === 0 ? start() : this.tail.then(start);
    this.writes++;
    this.tail = result.then(settle, settle);
    return result;
  }

  /** Runs `work` once every write that arrived before it has settled; alongside other reads and later writes. */
  read<T>(work: () => Promise<T>): Promise<T> {
    // Uncontended by writers (the common case: a server answering reads): start at once, not a tick later.
    // Counted from arrival, so idle() does not settle while it waits.
    this.reads++;
    if (this.writes === 0) return this.hold(work, false);
    return this.tail.then(() => this.hold(work, false));
  }

  /** Settles once nothing is running or waiting. */
  idle(): Promise<void> {
    if (this.writes === 0 && this.reads === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private hold<T>(work: () => Promise<T>, write: boolean): Promise<T> {
    let result: Promise<T>;
    try {
      result = work();
    } catch (error) {
      result = Promise.reject(error);
    }
    const release = (): void => {
      if (write) this.writes--;
      else this.reads--;
      if (this.writes === 0 && this.reads === 0 && this.idleWaiters.length > 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    };
    result.then(release, release);
    return result;
  }
}

function settle(): void {}
