import { runEngineBench } from './engine-bench.js';
import { runHttpBench } from './http-bench.js';
import { runWriteBench } from './write-bench.js';

// One entry point for `npm run bench`: each part prints its rates next to a baseline measured in the same run.
// GATEHOUSE_BENCH_ONLY=request-log (or =audit) runs that one comparison.
const only = process.env['GATEHOUSE_BENCH_ONLY'];
const engine = only === undefined ? runEngineBench() : { ok: true };
const http = await runHttpBench();
const writes = only === undefined ? await runWriteBench() : { ok: true };
process.exitCode = engine.ok && http.ok && writes.ok ? 0 : 1;
