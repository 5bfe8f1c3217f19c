import { performance } from 'node:perf_hooks';

export interface Rate {
  readonly label: string;
  readonly perSecond: number;
}

/**
 * Runs `fn` in rounds of `batch` calls until `seconds` have passed, after a warm-up, and reports the best round's
 * rate: the best round is the least disturbed by the other work a shared machine does.
 */
export function measure(label: string, fn: (i: number) => unknown, { seconds = 1.5, batch = 50_000 } = {}): Rate {
  let sink = 0;
  for (let i = 0; i < batch; i++) if (fn(i)) sink++;
  let best = 0;
  const end = performance.now() + seconds * 1000;
  let i = 0;
  while (performance.now() < end) {
    const start = performance.now();
    for (let j = 0; j < batch; j++, i++) if (fn(i)) sink++;
    const rate = batch / ((performance.now() - start) / 1000);
    if (rate > best) best = rate;
  }
  if (sink < 0) console.log(sink);
  return { label, perSecond: best };
}

export function formatRate(rate: number): string {
  return rate >= 1e6 ? `${(rate / 1e6).toFixed(2)} M/s` : `${(rate / 1e3).toFixed(1)} k/s`;
}

/** A small deterministic generator, so every run benches the same policies. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
