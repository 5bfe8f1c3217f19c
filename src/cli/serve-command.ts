import { startServer } from '../server/app.js';
import { DEFAULT_PORT, describeDatabaseUrl, loadConfig, type ConfigOptions } from '../server/config.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT_MS } from '../server/http-limits.js';
import type { CommandIo } from './io.js';

export const SERVE_USAGE = `usage: gatehouse serve [--port N] [--data-dir DIR] [--host ADDR] [--database-url URL] [--encode-authorization-messages]
                      [--headers-timeout MS] [--request-timeout MS] [--keep-alive-timeout MS] [--max-connections N]
  Serves IAM and STS (AWS Query protocol, SigV4) on one port, default ${DEFAULT_PORT} on 127.0.0.1, keeping state in
  DIR (default ./gatehouse-data; made 0700, its files 0600, at every start). --database-url postgresql://… keeps the
  state in that PostgreSQL database instead, shared by every node given the same URL, master key and session keys.
  --encode-authorization-messages appends AWS's "Encoded authorization failure message" to every AccessDenied, for
  sts decode-authorization-message.
  Connections: --headers-timeout (default ${DEFAULT_HEADERS_TIMEOUT_MS} ms) to send a request's headers,
  --request-timeout (default ${DEFAULT_REQUEST_TIMEOUT_MS} ms) for the whole request, --keep-alive-timeout (default
  ${DEFAULT_KEEP_ALIVE_TIMEOUT_MS} ms; below 2000 the SDKs stop reusing connections) for an idle connection, and
  --max-connections (default ${DEFAULT_MAX_CONNECTIONS}, fewer under a low open-file limit) open at once: more are closed
  as they arrive.
  Logs are JSON lines on standard output.
  Environment: GATEHOUSE_PORT, GATEHOUSE_DATA_DIR, GATEHOUSE_DATABASE_URL, GATEHOUSE_ACCOUNT_ID,
  GATEHOUSE_ROOT_ACCESS_KEY_ID, GATEHOUSE_ROOT_SECRET_ACCESS_KEY, GATEHOUSE_MASTER_KEY, GATEHOUSE_SESSION_KEYS,
  GATEHOUSE_ENCODE_AUTHORIZATION_MESSAGES=1, GATEHOUSE_HEADERS_TIMEOUT_MS, GATEHOUSE_REQUEST_TIMEOUT_MS,
  GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS, GATEHOUSE_MAX_CONNECTIONS.
`;

/** The numeric options, and where each goes in ConfigOptions. */
const NUMBER_OPTIONS = {
  '--headers-timeout': 'headersTimeoutMs',
  '--request-timeout': 'requestTimeoutMs',
  '--keep-alive-timeout': 'keepAliveTimeoutMs',
  '--max-connections': 'maxConnections',
} as const;

const isNumberOption = (arg: string | undefined): arg is keyof typeof NUMBER_OPTIONS => arg !== undefined && Object.hasOwn(NUMBER_OPTIONS, arg);

export async function runServe(args: string[], io: CommandIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const options: ConfigOptions = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = args[i + 1];
    if (arg === '--help' || arg === '-h') {
      io.stdout(SERVE_USAGE);
      return 0;
    }
    if (arg === '--encode-authorization-messages') {
      options.encodeAuthorizationMessages = true;
      continue;
    }
    if ((arg === '--port' || arg === '--data-dir' || arg === '--host' || arg === '--database-url') && value !== undefined) {
      if (arg === '--port') options.port = Number(value);
      else if (arg === '--data-dir') options.dataDir = value;
      else if (arg === '--database-url') options.databaseUrl = value;
      else options.host = value;
      i++;
      continue;
    }
    if (isNumberOption(arg) && value !== undefined) {
      // Checked (whole, positive) by loadConfig, which names the option in its message.
      options[NUMBER_OPTIONS[arg]] = value;
      i++;
      continue;
    }
    io.stderr(`gatehouse serve: unexpected argument ${arg}\n${SERVE_USAGE}`);
    return 64;
  }
  const config = loadConfig(options, env);
  const running = await startServer(config);
  const state = config.databaseUrl !== undefined ? `state in ${describeDatabaseUrl(config.databaseUrl)}, keys in ${config.dataDir}` : `data in ${config.dataDir}`;
  io.stdout(`Gatehouse listening on http://${config.host}:${running.port} (account ${config.accountId}, ${state})\n`);
  if (running.generatedRootKey !== undefined) {
    // Printed this once; it is also in the data directory's root-credentials.json (mode 0600).
    io.stdout(
      `Root access key (generated now, shown once):\n  AWS_ACCESS_KEY_ID=${running.generatedRootKey.accessKeyId}\n  AWS_SECRET_ACCESS_KEY=${running.generatedRootKey.secretAccessKey}\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      // A failing close (the database already gone) is reported, not left to end the process as an unhandled rejection.
      running.close().then(resolve, (error: unknown) => {
        io.stderr(`gatehouse serve: closing: ${error instanceof Error ? error.message : String(error)}\n`);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
