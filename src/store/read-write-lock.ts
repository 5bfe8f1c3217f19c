/**
 * A first-come readers–writer lock for async work, the in-process order every Store keeps: transactions one at a
 * time, read views alongside each other but never alongside a transaction. For SQLite it is the isolation itself
 * (one connection: without it, two requests' statements would land in one transaction, and a view would see
 * uncommitted rows); for PostgreSQL it keeps one node's behaviour the same, while SERIALIZABLE orders the nodes.
 */
export class ReadWriteLock {
  private readers = 0;
  private writer = false;
  /** Work waiting for its turn, in arrival order: a reader that arrives after a waiting writer waits behind it. */
  private readonly queue: Array<{ readonly exclusive: boolean; readonly start: () => void }> = [];
  private idleWaiters: Array<() => void> = [];

  /** Runs `work` alongside other shared holders, once no exclusive holder that came first is running or waiting. */
  shared<T>(work: () => Promise<T>): Promise<T> {
    // Uncontended by writers (the common case: a server answering reads): start at once, not a tick later.
    if (!this.writer && this.queue.length === 0) return this.hold(work, false);
    return this.enqueue(work, false);
  }

  /** Runs `work` alone, after everything that came before it has settled. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (!this.writer && this.readers === 0 && this.queue.length === 0) return this.hold(work, true);
    return this.enqueue(work, true);
  }

  /** Settles once nothing is running or waiting. */
  idle(): Promise<void> {
    if (!this.writer && this.readers === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private enqueue<T>(work: () => Promise<T>, exclusive: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ exclusive, start: () => void this.hold(work, exclusive).then(resolve, reject) });
    });
  }

  private hold<T>(work: () => Promise<T>, exclusive: boolean): Promise<T> {
    if (exclusive) this.writer = true;
    else this.readers++;
    let result: Promise<T>;
    try {
      result = work();
    } catch (error) {
      result = Promise.reject(error);
    }
    // The lock must keep moving when a holder fails; the failure belongs to that caller only.
    const release = (): void => {
      if (exclusive) this.writer = false;
      else this.readers--;
      this.next();
    };
    result.then(release, release);
    return result;
  }

  private next(): void {
    while (this.queue.length > 0) {
      const first = this.queue[0] as { readonly exclusive: boolean; readonly start: () => void };
      if (this.writer || (first.exclusive && this.readers > 0)) return;
      this.queue.shift();
      first.start();
      if (first.exclusive) return;
    }
    if (!this.writer && this.readers === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
