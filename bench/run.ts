import { runAuthorizeBench } from './authorize-bench.js';
import { runEngineBench } from './engine-bench.js';
import { runHttpBench } from './http-bench.js';
import { runWriteBench } from './write-bench.js';

// One entry point for `npm run bench`: each part prints its rates next to a baseline measured in the same run.
// GATEHOUSE_BENCH_ONLY=request-log (or =audit, or =authorize) runs that one comparison.
const only = process.env['GATEHOUSE_BENCH_ONLY'];
const engine = only === undefined ? runEngineBench() : { ok: true };
const http = only === 'authorize' ? { ok: true } : await runHttpBench();
const writes = only === undefined ? await runWriteBench() : { ok: true };
const authorize = only === undefined || only === 'authorize' ? await runAuthorizeBench() : { ok: true };
process.exitCode = engine.ok && http.ok && writes.ok && authorize.ok ? 0 : 1;
