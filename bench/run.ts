import { runEngineBench } from './engine-bench.js';
import { runHttpBench } from './http-bench.js';
import { runWriteBench } from './write-bench.js';

// One entry point for `npm run bench`: each part prints its rates next to a baseline measured in the same run.
const engine = runEngineBench();
const http = await runHttpBench();
const writes = await runWriteBench();
process.exitCode = engine.ok && http.ok && writes.ok ? 0 : 1;
