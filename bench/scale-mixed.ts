// A load of reads alone, or a mixed load: many keep-alive clients spread over the nodes, most reading (GetUser of a varying user), some
// writing (TagUser, each client on its own user), counted after a warm-up in which every client has read its users. Reads on one node see writes made on the
// other, so with two PostgreSQL nodes it exercises the read cache and its invalidation together. Given one key per
// client (the tenant load), each client is its own account's user and reads and writes only that account, so a write
// should cost only that account's cached keys and policies.
import { Agent } from 'node:http';
import { call, signed, type BenchKey } from './http-bench.js';

export interface MixedResult {
  readonly clients: number;
  readonly writeShare: number;
  /** How many distinct callers (accounts) the clients sign as: 1 for one shared key. */
  readonly callers: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
}

export const CLIENTS = Number(process.env['GATEHOUSE_BENCH_MIXED_CLIENTS'] ?? '50');
const WARM_UP_MS = 1_000;
/** The warm-up ends once every client has made as many requests as there are users, or after this long. */
const WARM_UP_LIMIT_MS = 30_000;
const MEASURE_MS = Number(process.env['GATEHOUSE_BENCH_MIXED_SECONDS'] ?? '4') * 1000;

/**
 * `writeShare` of the requests (0, or tenths) are writes. Client c signs with `keys[c % keys.length]`; `users` are
 * names every caller's own account holds (GetUser and TagUser name a user of the caller's account).
 */
export async function mixedLoad(ports: readonly number[], keys: readonly BenchKey[], users: readonly string[], writeShare: number): Promise<MixedResult> {
  if (keys.length === 0) throw new Error('mixedLoad needs at least one key');
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const times: number[] = [];
  let failed = 0;
  let firstFailure = '';
  try {
    // Counted from the steady state: every client has read each of its users once (50 tenants' 100 users are 5 000
    // entities, most of a 1-second warm-up's reads on PostgreSQL), so the rate is the cache's, not its filling.
    const started = Date.now();
    let warmClients = 0;
    let measureFrom = Number.POSITIVE_INFINITY;
    let end = started + WARM_UP_LIMIT_MS + MEASURE_MS;
    const startMeasuring = (now: number): void => {
      measureFrom = Math.max(now, started + WARM_UP_MS);
      end = measureFrom + MEASURE_MS;
    };
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const port = ports[c % ports.length] as number;
        const key = keys[c % keys.length] as BenchKey;
        // Writers tag users the readers read too, so their caches are invalidated as they would be in service.
        const own = users[c % users.length] as string;
        for (let i = 0; Date.now() < end; i++) {
          const write = (i * 7 + c) % 10 < writeShare * 10;
          const params: Record<string, string> = write
            ? { Action: 'TagUser', UserName: own, 'Tags.member.1.Key': 'n', 'Tags.member.1.Value': String(i) }
            : { Action: 'GetUser', UserName: users[(i * 31 + c * 977) % users.length] as string };
          const body = new URLSearchParams({ Version: '2010-05-08', ...params }).toString();
          const start = performance.now();
          const res = await call(agent, port, signed(port, key, body));
          const took = performance.now() - start;
          const now = Date.now();
          if (i + 1 === users.length && ++warmClients === CLIENTS) startMeasuring(now);
          if (measureFrom === Number.POSITIVE_INFINITY && now - started >= WARM_UP_LIMIT_MS) startMeasuring(now);
          if (now < measureFrom) continue;
          if (res.status === 200) times.push(took);
          else {
            failed++;
            firstFailure ||= `${res.status} ${res.body.slice(0, 300)}`;
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  if (failed > 0) console.log(`    mixed load: ${failed} failed, first: ${firstFailure}`);
  times.sort((a, b) => a - b);
  const at = (p: number): number => times[Math.min(times.length - 1, Math.floor((times.length * p) / 100))] ?? Number.NaN;
  return { clients: CLIENTS, writeShare, callers: Math.min(CLIENTS, keys.length), perSecond: times.length / (MEASURE_MS / 1000), p50: at(50), p99: at(99), failed };
}
