import { startServer, type RunningServer } from '../server/app.js';
import { ConfigError } from '../server/config-error.js';
import { DEFAULT_PORT, describeDatabaseUrl, LOG_LEVELS, loadConfig, type ConfigOptions, type ServerConfig } from '../server/config.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT_MS } from '../server/http-limits.js';
import { parseCommandArgs, stringOption, UsageError, type ParsedArgs } from './args.js';
import type { CommandIo } from './io.js';

export const SERVE_USAGE = `usage: gatehouse serve [--port N] [--data-dir DIR] [--host ADDR] [--database-url URL] [--encode-authorization-messages]
                      [--strict-iam-region] [--max-org-accounts N] [--max-users N]
                      [--tls-cert FILE --tls-key FILE] [--log-level LEVEL] [--enforcement enforce|audit|off]
                      [--role-templates FILE] [--imds-host ADDR] [--imds-port N] [--imds-allow-non-loopback]
                      [--delegation-outbox DIR] [--delegation-templates FILE]
                      [--headers-timeout MS] [--request-timeout MS] [--keep-alive-timeout MS] [--max-connections N]
                      [--audit on|off] [--audit-retention-days N] [--audit-failed-authentication]
  Serves IAM and STS (AWS Query protocol, SigV4) on one port, default ${DEFAULT_PORT} on 127.0.0.1, keeping state in
  DIR (default ./gatehouse-data; made 0700, its files 0600, at every start). --database-url postgresql://… keeps the
  state in that PostgreSQL database instead, shared by every node given the same URL, master key and session keys.
  --encode-authorization-messages appends AWS's "Encoded authorization failure message" to every AccessDenied, for
  sts decode-authorization-message.
  --strict-iam-region refuses an IAM request signed for a Region other than us-east-1 (SignatureDoesNotMatch,
  "Credential should be scoped to a valid region"), as AWS's IAM endpoint does; by default any Region is taken and
  IAM is evaluated as us-east-1. STS takes any Region.
  --max-org-accounts N raises the organization's account quota (AWS's default 10, which AWS raises on request).
  --max-users N sets every account's IAM users quota (UsersPerAccount, AWS's 5000; GetAccountSummary's UsersQuota).
  Connections: --headers-timeout (default ${DEFAULT_HEADERS_TIMEOUT_MS} ms) to send a request's headers,
  --request-timeout (default ${DEFAULT_REQUEST_TIMEOUT_MS} ms) for the whole request, --keep-alive-timeout (default
  ${DEFAULT_KEEP_ALIVE_TIMEOUT_MS} ms; below 2000 the SDKs stop reusing connections) for an idle connection, and
  --max-connections (default ${DEFAULT_MAX_CONNECTIONS}, fewer under a low open-file limit) open at once: more are closed
  as they arrive.
  --tls-cert and --tls-key (PEM files) serve HTTPS instead of HTTP (aws:SecureTransport is then true).
  --enforcement audit decides every request and logs each denial with its explanation (level warn) but lets it
  through; off decides nothing; authentication is required in every mode. Default enforce, as AWS.
  --role-templates FILE: the role templates GetRoleTemplateVersion and AcquireRole serve (JSON, a list of
  RoleTemplateVersion structures as get-role-template-version prints them); none without it.
  IAM temporary delegation: --delegation-templates FILE (a JSON object from policy template ARN to policy document
  with @{parameter} placeholders) is what accepted delegation requests delegate; --delegation-outbox DIR is where
  SendDelegationToken writes each exchange token (DIR/<DelegationRequestId>.json, mode 0600) for the partner to pick
  up and trade in with sts get-delegated-access-token.
  --audit on records every authenticated IAM, STS and Organizations call and the unsigned federation calls as
  CloudTrail events (secrets redacted), each committed before its answer is sent (default off: it costs about a
  quarter of the throughput today); kept --audit-retention-days
  (default 90); --audit-failed-authentication also records requests that failed authentication. Exported by
  gatehouse export-events.
  Logs are JSON lines on standard output; --log-level (${LOG_LEVELS.join(', ')}; default info) info writes one line per
  request, warn only problems. GET /_gatehouse/health answers 200 while the store does (for load balancers).
  Instances registered with gatehouse register-instance each get an IMDS on --imds-host (default 127.0.0.1; another
  address than loopback also takes --imds-allow-non-loopback) and a port from --imds-port up (default 0: one the
  system picks, kept across restarts).
  Environment: GATEHOUSE_PORT, GATEHOUSE_DATA_DIR, GATEHOUSE_DATABASE_URL, GATEHOUSE_ACCOUNT_ID,
  GATEHOUSE_ROOT_ACCESS_KEY_ID, GATEHOUSE_ROOT_SECRET_ACCESS_KEY, GATEHOUSE_ROOT_PASSWORD, GATEHOUSE_MASTER_KEY, GATEHOUSE_SESSION_KEYS,
  GATEHOUSE_ENCODE_AUTHORIZATION_MESSAGES=1, GATEHOUSE_STRICT_IAM_REGION=1, GATEHOUSE_MAX_ORG_ACCOUNTS, GATEHOUSE_MAX_USERS, GATEHOUSE_HEADERS_TIMEOUT_MS, GATEHOUSE_REQUEST_TIMEOUT_MS,
  GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS, GATEHOUSE_MAX_CONNECTIONS, GATEHOUSE_TLS_CERT, GATEHOUSE_TLS_KEY, GATEHOUSE_LOG_LEVEL,
  GATEHOUSE_ENFORCEMENT, GATEHOUSE_ROLE_TEMPLATES, GATEHOUSE_IMDS_HOST, GATEHOUSE_IMDS_PORT,
  GATEHOUSE_IMDS_ALLOW_NON_LOOPBACK=1, GATEHOUSE_DELEGATION_OUTBOX, GATEHOUSE_DELEGATION_TEMPLATES,
  GATEHOUSE_AUDIT, GATEHOUSE_AUDIT_RETENTION_DAYS, GATEHOUSE_AUDIT_FAILED_AUTHENTICATION=1.
`;

/** The numeric options, and where each goes in ConfigOptions. */
const NUMBER_OPTIONS = {
  'headers-timeout': 'headersTimeoutMs',
  'request-timeout': 'requestTimeoutMs',
  'keep-alive-timeout': 'keepAliveTimeoutMs',
  'max-connections': 'maxConnections',
} as const;

const STRING_OPTIONS = ['port', 'host', 'data-dir', 'database-url', 'tls-cert', 'tls-key', 'log-level', 'enforcement', 'role-templates', 'max-org-accounts', 'max-users', 'imds-host', 'imds-port', 'delegation-outbox', 'delegation-templates', 'audit', 'audit-retention-days', ...Object.keys(NUMBER_OPTIONS)];

function configOptions(parsed: ParsedArgs): ConfigOptions {
  const options: ConfigOptions = {};
  const port = stringOption(parsed, 'port');
  if (port !== undefined) options.port = port;
  const fields = {
    host: 'host',
    'data-dir': 'dataDir',
    'database-url': 'databaseUrl',
    'tls-cert': 'tlsCert',
    'tls-key': 'tlsKey',
    'log-level': 'logLevel',
    enforcement: 'enforcement',
    'role-templates': 'roleTemplates',
    'max-org-accounts': 'maxOrgAccounts',
    'max-users': 'maxUsers',
    'imds-host': 'imdsHost',
    'imds-port': 'imdsPort',
    'delegation-outbox': 'delegationOutbox',
    'delegation-templates': 'delegationTemplates',
    audit: 'audit',
    'audit-retention-days': 'auditRetentionDays',
  } as const;
  for (const [name, field] of Object.entries(fields)) {
    const value = stringOption(parsed, name);
    if (value !== undefined) options[field] = value;
  }
  // Checked (whole, positive) by loadConfig, which names the option in its message.
  for (const [name, field] of Object.entries(NUMBER_OPTIONS)) {
    const value = stringOption(parsed, name);
    if (value !== undefined) options[field] = value;
  }
  if (parsed.values['encode-authorization-messages'] === true) options.encodeAuthorizationMessages = true;
  if (parsed.values['strict-iam-region'] === true) options.strictIamRegion = true;
  if (parsed.values['imds-allow-non-loopback'] === true) options.imdsAllowNonLoopback = true;
  if (parsed.values['audit-failed-authentication'] === true) options.auditFailedAuthentication = true;
  return options;
}

export async function runServe(args: string[], io: CommandIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed: ParsedArgs;
  try {
    parsed = parseCommandArgs(args, {
      ...Object.fromEntries(STRING_OPTIONS.map((name) => [name, { type: 'string' as const }])),
      'encode-authorization-messages': { type: 'boolean' },
      'strict-iam-region': { type: 'boolean' },
      'imds-allow-non-loopback': { type: 'boolean' },
      'audit-failed-authentication': { type: 'boolean' },
    });
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`gatehouse serve: ${error.message}\n${SERVE_USAGE}`);
    return 64;
  }
  if (parsed.values['help'] === true) {
    io.stdout(SERVE_USAGE);
    return 0;
  }
  let config: ServerConfig;
  let running: RunningServer;
  try {
    config = loadConfig(configOptions(parsed), env);
    running = await startServer(config);
  } catch (error) {
    // What the user can fix is one line; anything else is a bug, and its stack is worth having.
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`gatehouse serve: ${error.message}\n`);
    return 1;
  }
  const state = config.databaseUrl !== undefined ? `state in ${describeDatabaseUrl(config.databaseUrl)}, keys in ${config.dataDir}` : `data in ${config.dataDir}`;
  io.stdout(`Gatehouse listening on ${config.tls !== undefined ? 'https' : 'http'}://${config.host}:${running.port} (account ${config.accountId}, ${state}, enforcement ${config.enforcement})\n`);
  if (!config.audit.enabled) io.stdout('AUDIT: off: no CloudTrail events are recorded\n');
  if (config.enforcement !== 'enforce') {
    io.stdout(
      config.enforcement === 'audit'
        ? 'ENFORCEMENT: audit: denials are logged and let through; authentication is still required\n'
        : 'ENFORCEMENT: off: no request is authorized against policies; authentication is still required\n',
    );
  }
  if (running.generatedRootKey !== undefined) {
    // Printed this once; it is also in the data directory's root-credentials.json (mode 0600).
    io.stdout(
      `Root access key (generated now, shown once):\n  AWS_ACCESS_KEY_ID=${running.generatedRootKey.accessKeyId}\n  AWS_SECRET_ACCESS_KEY=${running.generatedRootKey.secretAccessKey}\n`,
    );
  }
  if (running.generatedRootPassword !== undefined) {
    // Printed this once, as the root key is; GATEHOUSE_ROOT_PASSWORD replaces it at any later start.
    io.stdout(`Root console password (generated now, shown once; sign in at /console as the root user):\n  ${running.generatedRootPassword}\n`);
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
