import { startServer } from '../server/app.js';
import { DEFAULT_PORT, describeDatabaseUrl, loadConfig, type ConfigOptions } from '../server/config.js';
import type { CommandIo } from './io.js';

export const SERVE_USAGE = `usage: gatehouse serve [--port N] [--data-dir DIR] [--host ADDR] [--database-url URL] [--encode-authorization-messages]
  Serves IAM and STS (AWS Query protocol, SigV4) on one port, default ${DEFAULT_PORT} on 127.0.0.1, keeping state in
  DIR (default ./gatehouse-data). --database-url postgresql://… keeps the state in that PostgreSQL database instead,
  shared by every node given the same URL, master key and session keys. --encode-authorization-messages appends
  AWS's "Encoded authorization failure message" to every AccessDenied, for sts decode-authorization-message.
  Environment: GATEHOUSE_PORT, GATEHOUSE_DATA_DIR, GATEHOUSE_DATABASE_URL, GATEHOUSE_ACCOUNT_ID,
  GATEHOUSE_ROOT_ACCESS_KEY_ID, GATEHOUSE_ROOT_SECRET_ACCESS_KEY, GATEHOUSE_MASTER_KEY, GATEHOUSE_SESSION_KEYS,
  GATEHOUSE_ENCODE_AUTHORIZATION_MESSAGES=1.
`;

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
      void running.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
