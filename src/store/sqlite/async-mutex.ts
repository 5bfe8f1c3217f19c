/**
 * A FIFO lock for async work. better-sqlite3 has one connection and one transaction at a time, while transaction
 * bodies await between statements: without this queue, two requests' statements would land in the same SQLite
 * transaction.
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();
  private held = 0;

  /** Runs `work` after every earlier call has settled; its result or error is passed through. */
  run<T>(work: () => Promise<T>): Promise<T> {
    // Uncontended (the common case for a server under light load): start at once instead of a tick later.
    const result = this.held === 0 ? invoke(work) : this.tail.then(work);
    this.held++;
    // The queue must keep moving when one holder fails; the failure belongs to that caller only.
    const release = (): void => {
      this.held--;
    };
    this.tail = result.then(release, release);
    return result;
  }

  /** Settles once everything queued so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}

function invoke<T>(work: () => Promise<T>): Promise<T> {
  try {
    return work();
  } catch (error) {
    return Promise.reject(error);
  }
}
