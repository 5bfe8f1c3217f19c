/**
 * The last few results of a pure function of a string, looked up by value. Clients send the same SignedHeaders list
 * and, for a day, the same credential on every request, so remembering a handful of recent parses spares the split
 * (an allocation per piece) that dominates parsing them. Results must be immutable: callers copy what they hand out.
 */
export class RecentResults<T> {
  private readonly keys: Array<string | undefined>;
  private readonly values: Array<T | undefined>;
  private next = 0;

  constructor(readonly size: number) {
    this.keys = new Array<string | undefined>(size).fill(undefined);
    this.values = new Array<T | undefined>(size).fill(undefined);
  }

  get(key: string): T | undefined {
    for (let i = 0; i < this.size; i++) {
      if (this.keys[i] === key) return this.values[i];
    }
    return undefined;
  }

  /** Replaces the oldest entry. */
  set(key: string, value: T): void {
    this.keys[this.next] = key;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.size;
  }
}
