/**
 * A FIFO lock for async work. better-sqlite3 has one connection and one transaction at a time, while transaction
 * bodies await between statements: without this queue, two requests' statements would land in the same SQLite
 * transaction.
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `work` after every earlier call has settled; its result or error is passed through. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    // The queue must keep moving when one holder fails; the failure belongs to that caller only.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Settles once everything queued so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}
