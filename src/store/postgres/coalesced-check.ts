/**
 * Shares one freshness round trip among concurrent readers without ever handing a reader an answer that could be
 * older than the reader. A reader that arrives at time t needs a check that was SENT after t: whatever was
 * acknowledged before t then precedes the check. So a reader arriving while a check is in flight waits for the next
 * one, which is sent as soon as the current one returns; every reader that arrived meanwhile shares it. Under load
 * one round trip serves however many readers arrived during the one before.
 */
export class CoalescedCheck {
  /** Readers waiting for a check that has not been sent yet. */
  private waiting: Array<{ readonly resolve: () => void; readonly reject: (error: unknown) => void }> = [];
  private inFlight = false;

  /** `send` starts one check when called (synchronously: what it sends must leave before it returns its promise). */
  constructor(private readonly send: () => Promise<unknown>) {}

  /** Settles once a check sent after this call has returned (rejects if that check failed). */
  fresh(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.inFlight) this.sendNext();
    });
  }

  private sendNext(): void {
    // The readers this check answers are exactly those that arrived before it was sent.
    const answering = this.waiting;
    this.waiting = [];
    this.inFlight = true;
    let sent: Promise<unknown>;
    try {
      sent = this.send();
    } catch (error) {
      sent = Promise.reject(error);
    }
    const done = (error: unknown, failed: boolean): void => {
      for (const reader of answering) {
        if (failed) reader.reject(error);
        else reader.resolve();
      }
      this.inFlight = false;
      if (this.waiting.length > 0) this.sendNext();
    };
    sent.then(
      () => done(undefined, false),
      (error: unknown) => done(error, true),
    );
  }
}
