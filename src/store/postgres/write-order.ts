/**
 * The in-process order of the PostgreSQL store: write transactions one at a time, in arrival order. Read views do not
 * wait for writes: each reads its own database snapshot, which sees every commit acknowledged before it (the port's
 * promise; a change heard of since is checked by the view's freshness round trip), and a write still in flight has
 * been acknowledged to nobody. Making views wait for it kept every read behind the node's queue of write commits: with
 * a tenth of the requests writing, reads waited ~50 ms each (the scale bench's mixed load).
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

  /** Runs `work` at once, alongside other reads and the writes (counted, so idle() waits for it). */
  read<T>(work: () => Promise<T>): Promise<T> {
    this.reads++;
    return this.hold(work, false);
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
