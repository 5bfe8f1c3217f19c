// Runs in a child process so the load generator and the server under test do not share a core:
// `gatehouse DATA_DIR` starts Gatehouse, `bare BODY_FILE` a bare node:http server answering those bytes.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { startServer } from '../src/server/app.js';
import { openSync } from 'node:fs';
import { loadConfig } from '../src/server/config.js';
import { createLogger } from '../src/server/logger.js';
import { LogDestination } from '../src/server/log-destination.js';

const [mode, arg] = process.argv.slice(2);
// A normal exit on SIGTERM, so `--cpu-prof` (in NODE_OPTIONS) can write its profile.
process.on('SIGTERM', () => process.exit(0));

if (mode === 'gatehouse') {
  // Standard output carries the port to the bench: the request log, when measured, goes to a file, and SIGUSR2
  // switches it on and off (the level between info and warn) so one process is measured both ways.
  const logFile = process.env['GATEHOUSE_BENCH_REQUEST_LOG'];
  const logger = createLogger(logFile === undefined ? { level: 'warn' } : { level: 'warn', destination: new LogDestination(openSync(logFile, 'a')) });
  const config = loadConfig({ port: 0, dataDir: arg as string, host: '127.0.0.1' }, process.env);
  const running = await startServer(config, { logger });
  let logging = false;
  process.on('SIGUSR2', () => {
    logging = !logging;
    running.setLogLevel(logging ? 'info' : 'warn');
  });
  process.stdout.write(`${running.port}\n`);
} else {
  const body = readFileSync(arg as string);
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml', 'content-length': body.length, 'x-amzn-requestid': '00000000-0000-0000-0000-000000000000' });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
}
