import { runEngineBench } from './engine-bench.js';

// One entry point for `npm run bench`; later benches (the HTTP server) join here.
const engine = runEngineBench();
process.exitCode = engine.ok ? 0 : 1;
