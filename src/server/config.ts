import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRoleTemplateCatalogue, RoleTemplateDefinitionError } from '../core/iam/role-templates/catalogue.js';
import ipaddr from 'ipaddr.js';
import { ConfigError } from './config-error.js';
import { loadDelegationTemplates, prepareOutbox } from './delegation-outbox.js';
import { readHttpLimits, type HttpLimitOptions, type HttpLimits } from './http-limits.js';
import { ENFORCEMENT_MODES, type EnforcementMode } from '../core/enforcement.js';

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly accountId: string;
  readonly masterKey: Buffer;
  /** Root access key given by the environment; otherwise one is generated at first start. */
  readonly rootAccessKeyId?: string;
  readonly rootSecretAccessKey?: string;
  /** The root user's console password (GATEHOUSE_ROOT_PASSWORD); otherwise one is generated at first start. */
  readonly rootPassword?: string;
  /**
   * Append AWS's "Encoded authorization failure message" to every AccessDenied of the policy engine, for
   * DecodeAuthorizationMessage. Off by default: AWS's own IAM and STS denials carry none.
   */
  readonly encodeAuthorizationMessages?: boolean;
  /**
   * Refuse an IAM request signed for any Region but us-east-1, as AWS's IAM endpoint does ("Credential should be
   * scoped to a valid region"). Off by default: clients signing for a custom endpoint use their profile's Region, and
   * AWS's own global endpoint is reached at the Region the SDKs resolve for it. STS keeps any Region either way.
   */
  readonly strictIamRegion?: boolean;
  /** The organization's account quota (AWS's default 10; AWS raises it on request, so may the operator). */
  readonly maxOrganizationAccounts?: number;
  /** Every account's IAM users quota (AWS's default 5 000, UsersPerAccount): a Gatehouse setting, for large tests. */
  readonly maxUsersPerAccount?: number;
  /**
   * A postgres:// or postgresql:// URL: the state lives in that PostgreSQL database, which several nodes may share.
   * Absent: the embedded SQLite database in the data directory, owned by this one process.
   */
  readonly databaseUrl?: string;
  /** Timeouts and the connection cap (see http-limits.ts); the defaults when absent. */
  readonly http?: HttpLimits;
  /** The certificate chain and private key (PEM) to serve HTTPS with; plain HTTP when absent. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** pino's level: `info` writes one line per request, `warn` only problems. */
  readonly logLevel?: LogLevel;
  /** enforce (AWS's behaviour), audit (denials logged and let through) or off; shown at start and by the health endpoint. */
  readonly enforcement: EnforcementMode;
  /** The audit trail (CloudTrail events): recorded unless `enabled` is false; kept `retentionDays`. */
  readonly audit: AuditConfig;
  /** True when this start made the data directory: a start that fails then removes it again. */
  readonly createdDataDir?: boolean;
  /**
   * Role templates for GetRoleTemplateVersion and AcquireRole, read from the JSON file GATEHOUSE_ROLE_TEMPLATES
   * (--role-templates) names: each a minor version as GetRoleTemplateVersion returns it. Checked already.
   */
  readonly roleTemplates?: readonly unknown[];
  /**
   * Where registered instances' IMDS listen: `host` (loopback unless the operator allowed another address) and the
   * base `port` (0: ports the system picks). Default 127.0.0.1 and 0.
   */
  readonly imds?: { readonly host: string; readonly port: number };
  /**
   * Where SendDelegationToken writes each exchange token (one 0600 JSON file per delegation request), in place of
   * AWS's SNS notification; absent: SendDelegationToken refuses (NotImplemented) and no token is released.
   */
  readonly delegationOutbox?: string;
  /** Delegation policy templates by ARN (--delegation-templates FILE), which accepted requests are rendered from. */
  readonly delegationTemplates?: ReadonlyMap<string, unknown>;
}

export interface AuditConfig {
  readonly enabled: boolean;
  /** Days an event is kept; 90 by default, as CloudTrail's event history. */
  readonly retentionDays: number;
  /** Also record requests that failed authentication (AWS does not). */
  readonly failedAuthentication: boolean;
}

export const DEFAULT_AUDIT_RETENTION_DAYS = 90;

export const DEFAULT_PORT = 4566;
export const DEFAULT_ACCOUNT_ID = '000000000000';

/** Reads a file that holds a secret, creating it (mode 0600) with `create()` when it does not exist. */
function secretFile(path: string, create: () => string): string {
  if (!existsSync(path)) {
    writeFileSync(path, create(), { mode: 0o600 });
    chmodSync(path, 0o600);
  }
  return readFileSync(path, 'utf8').trim();
}

/** What the command line may set; each falls back to its environment variable, then to the default. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];


export interface ConfigOptions extends HttpLimitOptions {
  tlsCert?: string;
  tlsKey?: string;
  logLevel?: string;
  port?: number | string;
  dataDir?: string;
  host?: string;
  encodeAuthorizationMessages?: boolean;
  strictIamRegion?: boolean;
  maxOrgAccounts?: string | number;
  maxUsers?: string | number;
  enforcement?: string;
  databaseUrl?: string;
  roleTemplates?: string;
  imdsHost?: string;
  imdsPort?: number | string;
  imdsAllowNonLoopback?: boolean;
  delegationOutbox?: string;
  delegationTemplates?: string;
  audit?: string;
  auditRetentionDays?: string | number;
  auditFailedAuthentication?: boolean;
}

/** --audit on|off, --audit-retention-days N, --audit-failed-authentication (and their environment variables). */
function auditConfig(options: ConfigOptions, env: NodeJS.ProcessEnv): AuditConfig {
  // Off by default while recording costs more than its target allows (npm run bench: about 0.6 of GetUser's rate, the
  // target 0.9): on by default it would halve every server's throughput.
  const mode = (options.audit ?? env['GATEHOUSE_AUDIT'] ?? 'off').trim().toLowerCase();
  if (mode !== 'on' && mode !== 'off') throw new ConfigError(`--audit (GATEHOUSE_AUDIT) must be on or off, not ${JSON.stringify(options.audit ?? env['GATEHOUSE_AUDIT'])}`);
  const daysText = String(options.auditRetentionDays ?? env['GATEHOUSE_AUDIT_RETENTION_DAYS'] ?? DEFAULT_AUDIT_RETENTION_DAYS).trim();
  const retentionDays = /^\d+$/.test(daysText) ? Number(daysText) : Number.NaN;
  if (!Number.isSafeInteger(retentionDays) || retentionDays < 1) throw new ConfigError(`--audit-retention-days (GATEHOUSE_AUDIT_RETENTION_DAYS) must be a whole number of days, 1 or more, not ${JSON.stringify(daysText)}`);
  const failedAuthentication = options.auditFailedAuthentication ?? envFlag(env, 'GATEHOUSE_AUDIT_FAILED_AUTHENTICATION') ?? false;
  return { enabled: mode === 'on', retentionDays, failedAuthentication };
}

/**
 * The PostgreSQL URL, if one is set. Anything else that is not empty is refused rather than read as "use SQLite":
 * a node whose URL has a typo would otherwise run on its own private database, apart from the others.
 */
function databaseUrl(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  if (!/^postgres(ql)?:\/\//i.test(trimmed)) {
    throw new ConfigError('GATEHOUSE_DATABASE_URL (--database-url) must be a postgres:// or postgresql:// URL, or unset for the embedded SQLite database');
  }
  return trimmed;
}

/** The URL without its password, for log lines. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgresql://${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgresql://…';
  }
}

/** A yes/no environment variable: 1/true/yes/on or 0/false/no/off (any case), empty or unset for the default. */
function envFlag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const text = env[name]?.trim().toLowerCase();
  if (text === undefined || text === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new ConfigError(`${name} must be 1 or 0 (or true/false), not ${JSON.stringify(env[name])}`);
}

function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  if (!ipaddr.isValid(host)) return false;
  let parsed = ipaddr.parse(host);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'loopback';
}

/**
 * The IMDS listeners' address and base port. Anyone who reaches an IMDS gets the instance's role credentials, so an
 * address other than loopback takes a second, explicit setting besides the address itself.
 */
function imdsSettings(options: ConfigOptions, env: NodeJS.ProcessEnv): { host: string; port: number } {
  const host = options.imdsHost ?? env['GATEHOUSE_IMDS_HOST'] ?? '127.0.0.1';
  const portText = options.imdsPort?.toString() ?? env['GATEHOUSE_IMDS_PORT'] ?? '0';
  const port = /^\d+$/.test(portText.trim()) ? Number(portText) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid IMDS port ${JSON.stringify(portText)}: give a number from 0 to 65535`);
  const allowed = options.imdsAllowNonLoopback ?? envFlag(env, 'GATEHOUSE_IMDS_ALLOW_NON_LOOPBACK') ?? false;
  if (!isLoopbackHost(host) && !allowed) {
    throw new ConfigError(`the IMDS host ${host} is not a loopback address: whoever reaches an IMDS gets its role's credentials; add --imds-allow-non-loopback (GATEHOUSE_IMDS_ALLOW_NON_LOOPBACK=1) if that is meant`);
  }
  return { host, port };
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`cannot read the TLS ${what} ${path}: ${(error as Error).message.split(',')[0]}`);
  }
}

/** The TLS certificate and key, both or neither (--tls-cert/--tls-key, GATEHOUSE_TLS_CERT/GATEHOUSE_TLS_KEY). */
function tlsFiles(options: ConfigOptions, env: NodeJS.ProcessEnv): ServerConfig['tls'] {
  const certPath = options.tlsCert ?? env['GATEHOUSE_TLS_CERT'];
  const keyPath = options.tlsKey ?? env['GATEHOUSE_TLS_KEY'];
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined) throw new ConfigError('give both --tls-cert and --tls-key (GATEHOUSE_TLS_CERT and GATEHOUSE_TLS_KEY), or neither');
  return { cert: readPem(certPath, 'certificate'), key: readPem(keyPath, 'key') };
}

/**
 * The role template definitions of a JSON file: a list of RoleTemplateVersion structures (or of GetRoleTemplateVersion
 * answers), or one of them. Checked here, so a template that cannot be served stops the start with its reason.
 */
function roleTemplateFile(path: string | undefined): readonly unknown[] | undefined {
  if (path === undefined || path.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new ConfigError(`cannot read the role templates ${path}: ${(error as Error).message.split(',')[0]}`);
  }
  const definitions = Array.isArray(parsed) ? parsed : [parsed];
  try {
    createRoleTemplateCatalogue(definitions);
  } catch (error) {
    if (error instanceof RoleTemplateDefinitionError) throw new ConfigError(`${path}: ${error.message}`);
    throw error;
  }
  return definitions;
}

/**
 * Reads and checks the whole configuration before anything is written: a start refused for a bad port or account
 * leaves no data directory behind.
 */
export function loadConfig(options: ConfigOptions, env: NodeJS.ProcessEnv): ServerConfig {
  const dataDir = options.dataDir ?? env['GATEHOUSE_DATA_DIR'] ?? './gatehouse-data';
  const portText = options.port?.toString() ?? env['GATEHOUSE_PORT'] ?? String(DEFAULT_PORT);
  const port = /^\d+$/.test(portText.trim()) ? Number(portText) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid port ${JSON.stringify(portText)}: give a number from 0 to 65535`);
  const accountId = env['GATEHOUSE_ACCOUNT_ID'] ?? DEFAULT_ACCOUNT_ID;
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError(`GATEHOUSE_ACCOUNT_ID must be 12 digits, not ${JSON.stringify(accountId)}`);
  const rootAccessKeyId = env['GATEHOUSE_ROOT_ACCESS_KEY_ID'];
  const rootSecretAccessKey = env['GATEHOUSE_ROOT_SECRET_ACCESS_KEY'];
  if ((rootAccessKeyId === undefined) !== (rootSecretAccessKey === undefined)) {
    throw new ConfigError('set both GATEHOUSE_ROOT_ACCESS_KEY_ID and GATEHOUSE_ROOT_SECRET_ACCESS_KEY, or neither');
  }
  const rootPassword = env['GATEHOUSE_ROOT_PASSWORD'];
  if (rootPassword !== undefined && (rootPassword.length < 8 || rootPassword.length > 128)) throw new ConfigError('GATEHOUSE_ROOT_PASSWORD must be 8 to 128 characters');
  const encodeAuthorizationMessages = options.encodeAuthorizationMessages ?? envFlag(env, 'GATEHOUSE_ENCODE_AUTHORIZATION_MESSAGES') ?? false;
  const strictIamRegion = options.strictIamRegion ?? envFlag(env, 'GATEHOUSE_STRICT_IAM_REGION') ?? false;
  const maxAccountsText = options.maxOrgAccounts?.toString() ?? env['GATEHOUSE_MAX_ORG_ACCOUNTS'];
  const maxOrganizationAccounts = maxAccountsText === undefined ? undefined : Number(maxAccountsText);
  if (maxOrganizationAccounts !== undefined && !(/^\d+$/.test(maxAccountsText?.trim() ?? '') && maxOrganizationAccounts >= 1 && maxOrganizationAccounts <= 100_000)) {
    throw new ConfigError(`--max-org-accounts must be a whole number from 1 to 100000, not ${JSON.stringify(maxAccountsText)}`);
  }
  const maxUsersText = options.maxUsers?.toString() ?? env['GATEHOUSE_MAX_USERS'];
  const maxUsersPerAccount = maxUsersText === undefined ? undefined : Number(maxUsersText);
  if (maxUsersPerAccount !== undefined && !(/^\d+$/.test(maxUsersText?.trim() ?? '') && maxUsersPerAccount >= 1 && maxUsersPerAccount <= 1_000_000)) {
    throw new ConfigError(`--max-users must be a whole number from 1 to 1000000, not ${JSON.stringify(maxUsersText)}`);
  }
  const database = databaseUrl(options.databaseUrl ?? env['GATEHOUSE_DATABASE_URL']);
  const http = readHttpLimits(options, env);
  const tls = tlsFiles(options, env);
  const roleTemplates = roleTemplateFile(options.roleTemplates ?? env['GATEHOUSE_ROLE_TEMPLATES']);
  const imds = imdsSettings(options, env);
  const logLevelText = options.logLevel ?? env['GATEHOUSE_LOG_LEVEL'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelText)) throw new ConfigError(`the log level must be one of ${LOG_LEVELS.join(', ')}, not ${JSON.stringify(logLevelText)}`);
  const enforcement = options.enforcement ?? env['GATEHOUSE_ENFORCEMENT'] ?? 'enforce';
  if (!(ENFORCEMENT_MODES as readonly string[]).includes(enforcement)) throw new ConfigError(`the enforcement mode must be one of ${ENFORCEMENT_MODES.join(', ')}, not ${JSON.stringify(enforcement)}`);
  const audit = auditConfig(options, env);
  const envMasterKey = env['GATEHOUSE_MASTER_KEY'];
  if (envMasterKey !== undefined && Buffer.from(envMasterKey, 'base64').length !== 32) throw new ConfigError('GATEHOUSE_MASTER_KEY must be 32 bytes, base64-encoded');
  const templatesFile = nonEmpty(options.delegationTemplates ?? env['GATEHOUSE_DELEGATION_TEMPLATES']);
  const delegationTemplates = templatesFile === undefined ? undefined : loadDelegationTemplates(templatesFile);
  const createdDataDir = !existsSync(dataDir);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ConfigError(`cannot create the data directory ${dataDir}: ${(error as Error).message.split(',')[0]}`);
  }
  const masterKey = Buffer.from(envMasterKey ?? secretFile(join(dataDir, 'master.key'), () => randomBytes(32).toString('base64')), 'base64');
  if (masterKey.length !== 32) throw new ConfigError(`${join(dataDir, 'master.key')} must hold 32 bytes, base64-encoded`);
  const delegationOutbox = nonEmpty(options.delegationOutbox ?? env['GATEHOUSE_DELEGATION_OUTBOX']);
  if (delegationOutbox !== undefined) prepareOutbox(delegationOutbox);

  return {
    port,
    host: options.host ?? env['GATEHOUSE_HOST'] ?? '127.0.0.1',
    dataDir,
    accountId,
    masterKey,
    ...(rootAccessKeyId !== undefined ? { rootAccessKeyId, rootSecretAccessKey } : {}),
    ...(rootPassword !== undefined ? { rootPassword } : {}),
    encodeAuthorizationMessages,
    strictIamRegion,
    ...(maxOrganizationAccounts !== undefined ? { maxOrganizationAccounts } : {}),
    ...(maxUsersPerAccount !== undefined ? { maxUsersPerAccount } : {}),
    ...(database !== undefined ? { databaseUrl: database } : {}),
    http,
    ...(tls !== undefined ? { tls } : {}),
    logLevel: logLevelText as LogLevel,
    enforcement: enforcement as EnforcementMode,
    audit,
    createdDataDir,
    ...(roleTemplates !== undefined ? { roleTemplates } : {}),
    imds,
    ...(delegationOutbox !== undefined ? { delegationOutbox } : {}),
    ...(delegationTemplates !== undefined ? { delegationTemplates } : {}),
  };
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}
