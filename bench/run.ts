import { runAuthorizeBench } from './authorize-bench.js';
import { runEngineBench } from './engine-bench.js';
import { runHttpBench } from './http-bench.js';
import { runScaleBench } from './scale-bench.js';
import { runWriteBench } from './write-bench.js';

// One entry point for `npm run bench`: each part prints its rates next to a baseline measured in the same run.
// GATEHOUSE_BENCH_ONLY=request-log (or =audit, or =authorize) runs that one comparison; GATEHOUSE_BENCH_ONLY=scale the
// scale run alone (GATEHOUSE_BENCH_SCALE=0.01 at a hundredth of the full size).
const only = process.env['GATEHOUSE_BENCH_ONLY'];
if (only === 'scale') {
  process.exitCode = (await runScaleBench()).ok ? 0 : 1;
} else {
  const engine = only === undefined ? runEngineBench() : { ok: true };
  const http = only === 'authorize' ? { ok: true } : await runHttpBench();
  const writes = only === undefined ? await runWriteBench() : { ok: true };
  const authorize = only === undefined || only === 'authorize' ? await runAuthorizeBench() : { ok: true };
  const scale = only === undefined ? await runScaleBench() : { ok: true };
  process.exitCode = engine.ok && http.ok && writes.ok && authorize.ok && scale.ok ? 0 : 1;
}
