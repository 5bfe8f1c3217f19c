import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createPackagedAwsManagedPolicyCatalog } from '../catalog/aws-managed-policies.js';
import { createServiceCatalogue } from '../catalog/service-catalogue.js';
import { Authenticator } from '../core/authenticate.js';
import { Authorizer } from '../core/authorize.js';
import { GuessLimiter, type GuessLimits } from '../core/guess-limiter.js';
import { newId, newSecretAccessKey } from '../core/ids.js';
import { recordAccountCreation } from '../core/iam/account-creation.js';
import { KIND } from '../core/iam/kinds.js';
import { createRoleTemplateCatalogue, RoleTemplateDefinitionError, type RoleTemplateVersionDefinition } from '../core/iam/role-templates/catalogue.js';
import type { CoreServices } from '../core/operation.js';
import { IAM_WRITE_SCOPE } from '../core/write-scope.js';
import { DatabaseInUseError, openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import type { LogLevel, ServerConfig } from './config.js';
import { createPrivateFile, DATA_FILE_MODE, secureDataDir } from './data-dir.js';
import { ConfigError } from './config-error.js';
import { writeDelivery } from './delegation-outbox.js';
import { createGateway } from './gateway.js';
import { createConsoleRoutes } from './console-routes.js';
import { createReservedRoutes } from './reserved-routes.js';
import { createAuthorizeRoutes } from './authorize-routes.js';
import { CredentialSource } from './instances/credential-source.js';
import { ImdsListeners } from './instances/imds-listeners.js';
import { createInstanceRoutes } from './instances/registration-routes.js';
import { RequestLog } from './request-log.js';
import { applyHttpLimits, readHttpLimits, serverTimeouts } from './http-limits.js';
import { createLogger, flushLogger, RateLimitedLog, type Logger } from './logger.js';
import { authorizationMessageEncoder, openAuthorizationMessage } from '../core/sts/authorization-message.js';
import { ensureRootPassword } from '../core/sts/root-password.js';
import { sealSessionToken } from '../core/sts/session-token.js';
import { OPERATIONS, recordKeyUses } from './operations.js';
import { createSealer, hashPassword, verifyPassword } from './secrets.js';
import { loadSessionKeyRing } from './session-keys.js';
import { UsageRecorder } from './usage-recorder.js';
import { AuditRetention, AuditTrail } from './audit/audit-trail.js';
import { AuditWriter } from './audit/audit-writer.js';
import { AuthorizeAudit } from './audit/authorize-events.js';

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly store: Store;
  /** Set when this start generated the root access key (first start without GATEHOUSE_ROOT_*). */
  readonly generatedRootKey?: { accessKeyId: string; secretAccessKey: string };
  /** Set when this start generated the root user's console password (first start without GATEHOUSE_ROOT_PASSWORD). */
  readonly generatedRootPassword?: string;
  /** Changes the log level while serving: at `info` and below each request writes its line, above it none does. */
  setLogLevel(level: LogLevel): void;
  /** The registered instances' IMDS listeners this node serves. */
  readonly imds: ImdsListeners;
  close(): Promise<void>;
}

/**
 * The root user's access key: the one the environment names (stored, or replaced when its secret changed), or one
 * generated at first start and written to the data directory (mode 0600). The account's creation is recorded in
 * the same transaction, at its first start.
 */
async function ensureRootKey(store: Store, config: ServerConfig, seal: (s: string) => string, open: (s: string) => string) {
  return store.transaction(async (tx) => {
    const now = new Date().toISOString();
    await recordAccountCreation(tx, config.accountId, new Date(now));
    if (config.rootAccessKeyId !== undefined && config.rootSecretAccessKey !== undefined) {
      const existing = await tx.getById(KIND.accessKey, config.rootAccessKeyId);
      const data = { secret: seal(config.rootSecretAccessKey), status: 'Active' };
      if (existing === undefined) {
        await tx.insert({ kind: KIND.accessKey, account: config.accountId, key: config.rootAccessKeyId, id: config.rootAccessKeyId, path: '/', owner: '', created: now, data });
      } else if (open(existing.data['secret'] as string) !== config.rootSecretAccessKey || existing.data['status'] !== 'Active') {
        await tx.update({ ...existing, data: { ...existing.data, ...data } });
      }
      return undefined;
    }
    const rootKeys = await tx.list(KIND.accessKey, config.accountId, { owner: '' });
    if (rootKeys.length > 0) return undefined;
    const accessKeyId = newId('AKIA');
    const secretAccessKey = newSecretAccessKey();
    await tx.insert({ kind: KIND.accessKey, account: config.accountId, key: accessKeyId, id: accessKeyId, path: '/', owner: '', created: now, data: { secret: seal(secretAccessKey), status: 'Active' } });
    return { accessKeyId, secretAccessKey };
  });
}

/** What a test (or an embedding) may replace; production uses the defaults. */
export interface StartOptions {
  /** The time every request is judged at (signature skew, token expiry, policy conditions). */
  readonly clock?: () => Date;
  /** Where GATEHOUSE_SESSION_KEYS is read; the process environment by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** How guessing MFA codes and passwords is throttled; DEFAULT_GUESS_LIMITS for whatever is not given. */
  readonly guessLimits?: Partial<GuessLimits>;
  /** Where the server logs; JSON lines on standard output (asynchronously) by default. */
  readonly logger?: Logger;
  /** How long a noted use (last-used dates, Access Advisor) waits before it is written; 1 s by default. */
  readonly usageIntervalMs?: number;
  /** How often a failed last-used write is retried at most (the backoff's ceiling); 60 s by default. */
  readonly usageRetryMaxMs?: number;
  /**
   * Role templates GetRoleTemplateVersion and AcquireRole serve, besides those of the configuration's file: each one
   * minor version, as GetRoleTemplateVersion returns it. None by default (AWS documents no template's contents).
   */
  readonly roleTemplates?: readonly RoleTemplateVersionDefinition[];
}

/**
 * The store: the shared PostgreSQL database when the configuration names one (several nodes), else the embedded
 * SQLite file in the data directory (one node).
 */
async function openStore(config: ServerConfig): Promise<Store> {
  if (config.databaseUrl !== undefined) {
    // Loaded only when asked for: a single SQLite node never pays for the PostgreSQL client at start.
    const { openPostgresStore } = await import('../store/postgres/postgres-store.js');
    return openPostgresStore({ url: config.databaseUrl, writeScope: IAM_WRITE_SCOPE });
  }
  const path = join(config.dataDir, 'gatehouse.db');
  const eventLogPath = join(config.dataDir, 'audit.db');
  // Made private before SQLite opens them: SQLite gives the -wal and -shm files the database file's mode.
  createPrivateFile(path);
  createPrivateFile(eventLogPath);
  return openSqliteStore({ path, eventLogPath, writeScope: IAM_WRITE_SCOPE });
}

/** Start-up failures a user causes and can fix, as one line (ConfigError); anything else as it is. */
function startError(error: unknown, config: ServerConfig): unknown {
  if (error instanceof DatabaseInUseError) return new ConfigError(error.message);
  if (error instanceof RoleTemplateDefinitionError) return new ConfigError(error.message);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new ConfigError(`port ${config.port} on ${config.host} is in use by another process`);
  if (code === 'EACCES' && (error as NodeJS.ErrnoException).syscall === 'listen') return new ConfigError(`no permission to listen on port ${config.port} on ${config.host}`);
  if (code === 'EADDRNOTAVAIL') return new ConfigError(`${config.host} is not an address of this machine`);
  return error;
}

/** The composition root: the one place that picks the adapters. */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel !== undefined ? { level: config.logLevel } : {});
  let store: Store | undefined;
  try {
    secureDataDir(config.dataDir, logger);
    store = await openStore(config);
    return await startOnStore(store, config, options, logger);
  } catch (error) {
    // A PostgreSQL pool left open would keep a failed start's process alive.
    await store?.close();
    await flushLogger(logger);
    // A first start that failed leaves nothing behind: the next one starts as fresh as this one did.
    if (config.createdDataDir === true) rmSync(config.dataDir, { recursive: true, force: true });
    throw startError(error, config);
  }
}

async function startOnStore(store: Store, config: ServerConfig, options: StartOptions, logger: Logger): Promise<RunningServer> {
  const sealer = createSealer(config.masterKey);
  const awsPolicies = createPackagedAwsManagedPolicyCatalog();
  const serviceCatalogue = createServiceCatalogue();
  const roleTemplates = createRoleTemplateCatalogue([...(config.roleTemplates ?? []), ...(options.roleTemplates ?? [])]);
  const sessionKeys = loadSessionKeyRing(config.dataDir, options.env ?? process.env);
  const services: CoreServices = {
    events: store.events,
    encryptSecret: sealer.seal,
    decryptSecret: sealer.open,
    hashPassword,
    verifyPassword,
    awsManagedPolicies: () => awsPolicies,
    serviceCatalogue: () => serviceCatalogue,
    roleTemplates: () => roleTemplates,
    guessLimiter: new GuessLimiter(options.guessLimits),
    ...(config.maxOrganizationAccounts !== undefined ? { maxOrganizationAccounts: config.maxOrganizationAccounts } : {}),
    ...(config.maxUsersPerAccount !== undefined ? { maxUsersPerAccount: config.maxUsersPerAccount } : {}),
    sealSessionToken: (claims) => sealSessionToken(sessionKeys, claims),
    // Decoding works whether or not this node encodes: another node sharing the ring may.
    openAuthorizationMessage: (account, encoded) => openAuthorizationMessage(sessionKeys, account, encoded),
    ...(config.delegationTemplates !== undefined ? { delegationTemplate: (arn: string) => config.delegationTemplates?.get(arn) } : {}),
    ...(config.delegationOutbox !== undefined ? { deliverDelegationToken: (delivery) => writeDelivery(config.delegationOutbox as string, delivery) } : {}),
  };
  const generatedRootKey = await ensureRootKey(store, config, sealer.seal, sealer.open);
  const generatedRootPassword = await ensureRootPassword(store, services, config.accountId, config.rootPassword);
  if (generatedRootKey !== undefined) {
    writeFileSync(
      join(config.dataDir, 'root-credentials.json'),
      // The console password joins the key when both are new (a first start): otherwise it is only printed.
      `${JSON.stringify({ accountId: config.accountId, ...generatedRootKey, ...(generatedRootPassword !== undefined ? { consolePassword: generatedRootPassword } : {}) }, null, 2)}\n`,
      { mode: DATA_FILE_MODE },
    );
    // `mode` applies only to a file writeFileSync creates: one left from an earlier start keeps its own.
    chmodSync(join(config.dataDir, 'root-credentials.json'), DATA_FILE_MODE);
  }
  // Whatever the start created (the database's -wal and -shm files) is private as well.
  secureDataDir(config.dataDir, logger);
  const usage = new UsageRecorder(store, recordKeyUses, {
    logger,
    ...(options.usageRetryMaxMs !== undefined ? { maxBackoffMs: options.usageRetryMaxMs } : {}),
    ...(options.usageIntervalMs !== undefined ? { intervalMs: options.usageIntervalMs } : {}),
  });
  const clientErrors = new RateLimitedLog(logger, 'info', 'client errors');
  const serverErrors = new RateLimitedLog(logger, 'error', 'request failures');
  const requestLog = RequestLog.of(logger);
  const clock = options.clock ?? (() => new Date());
  const authenticator = new Authenticator(store, sealer.open, sessionKeys);
  const authorizer = new Authorizer(store, () => awsPolicies, config.encodeAuthorizationMessages === true ? authorizationMessageEncoder(sessionKeys) : undefined);
  const source = new CredentialSource(store, services, clock);
  const listeners = new ImdsListeners({ store, source, clock, logger, options: { host: config.imds?.host ?? '127.0.0.1', basePort: config.imds?.port ?? 0 } });
  await listeners.start();
  const instances = createInstanceRoutes({ store, authenticator, authorizer, services, clock, logger, failures: serverErrors, listeners, source, secure: config.tls !== undefined });
  const auditFailures = new RateLimitedLog(logger, 'error', 'audit write failures');
  const audit = config.audit.enabled
    ? {
        trail: new AuditTrail({ accountId: config.accountId, failedAuthentication: config.audit.failedAuthentication }),
        writer: new AuditWriter(store.events, { failures: auditFailures }),
      }
    : undefined;
  const retention = new AuditRetention((before) => store.events.deleteBefore(before), config.audit.retentionDays, (error) => auditFailures.log({ err: error }, 'audit retention sweep failed'));
  retention.start();
  const authorizeAudit = audit === undefined ? undefined : new AuthorizeAudit(audit.writer, { accountId: config.accountId, failedAuthentication: config.audit.failedAuthentication });
  const authorize = createAuthorizeRoutes({
    store,
    authenticator,
    authorizer,
    clock,
    failures: serverErrors,
    secure: config.tls !== undefined,
    usage,
    operatorAccount: config.accountId,
    ...(authorizeAudit !== undefined ? { audit: authorizeAudit } : {}),
  });
  const handler = createGateway({
    ...(audit !== undefined ? { audit } : {}),
    ...(requestLog !== undefined ? { requestLog } : {}),
    reserved: createReservedRoutes({
      store,
      storeKind: config.databaseUrl !== undefined ? 'postgresql' : 'sqlite',
      enforcement: config.enforcement,
      instances,
      authorize,
      console: createConsoleRoutes({ store, services, clock, secure: config.tls !== undefined, ...(audit !== undefined ? { audit: audit.writer } : {}) }),
    }),
    enforcement: config.enforcement,
    // Warn, not info: a denial let through is what audit mode is run to see, at any log level that shows problems.
    wouldDeny: (denial) => logger.warn({ wouldDeny: denial }, `audit mode let through: ${denial.action} by ${denial.principal} on ${denial.resource}`),
    secure: config.tls !== undefined,
    strictIamRegion: config.strictIamRegion === true,
    store,
    authenticator,
    authorizer,
    operations: OPERATIONS,
    services,
    usage,
    clock,
    clientErrors,
    serverErrors,
  });
  const limits = config.http ?? readHttpLimits({}, {});
  const server = config.tls !== undefined ? createHttpsServer({ ...serverTimeouts(limits), ...config.tls }, handler) : createServer(serverTimeouts(limits), handler);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await listeners.closeAll();
    throw error;
  }
  const listenerLogs = applyHttpLimits(server, limits, logger, clientErrors);
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    store,
    imds: listeners,
    ...(generatedRootKey !== undefined ? { generatedRootKey } : {}),
    ...(generatedRootPassword !== undefined ? { generatedRootPassword } : {}),
    setLogLevel(level) {
      logger.level = level;
      if (requestLog !== undefined) {
        requestLog.flush();
        requestLog.active = logger.isLevelEnabled('info');
      }
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await listeners.closeAll();
      retention.stop();
      const unwritten = (await audit?.writer.close()) ?? 0;
      if (unwritten > 0) logger.error({ events: unwritten }, 'audit events not written at shutdown: their requests were not answered');
      try {
        await usage.flush();
      } catch (error) {
        logger.warn({ err: error }, 'access key last-used dates not recorded at shutdown');
      }
      await store.close();
      for (const log of [clientErrors, serverErrors, auditFailures, ...listenerLogs]) log.summarize();
      requestLog?.flush();
      await flushLogger(logger);
    },
  };
}
