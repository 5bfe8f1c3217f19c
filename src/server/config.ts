import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHttpLimits, type HttpLimitOptions, type HttpLimits } from './http-limits.js';

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly accountId: string;
  readonly masterKey: Buffer;
  /** Root access key given by the environment; otherwise one is generated at first start. */
  readonly rootAccessKeyId?: string;
  readonly rootSecretAccessKey?: string;
  /**
   * Append AWS's "Encoded authorization failure message" to every AccessDenied of the policy engine, for
   * DecodeAuthorizationMessage. Off by default: AWS's own IAM and STS denials carry none.
   */
  readonly encodeAuthorizationMessages?: boolean;
  /**
   * A postgres:// or postgresql:// URL: the state lives in that PostgreSQL database, which several nodes may share.
   * Absent: the embedded SQLite database in the data directory, owned by this one process.
   */
  readonly databaseUrl?: string;
  /** Timeouts and the connection cap (see http-limits.ts); the defaults when absent. */
  readonly http?: HttpLimits;
}

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
export interface ConfigOptions extends HttpLimitOptions {
  port?: number;
  dataDir?: string;
  host?: string;
  encodeAuthorizationMessages?: boolean;
  databaseUrl?: string;
}

/**
 * The PostgreSQL URL, if one is set. Anything else that is not empty is refused rather than read as "use SQLite":
 * a node whose URL has a typo would otherwise run on its own private database, apart from the others.
 */
function databaseUrl(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  if (!/^postgres(ql)?:\/\//i.test(trimmed)) {
    throw new Error('GATEHOUSE_DATABASE_URL (--database-url) must be a postgres:// or postgresql:// URL, or unset for the embedded SQLite database');
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
  throw new Error(`${name} must be 1 or 0 (or true/false), not ${JSON.stringify(env[name])}`);
}

export function loadConfig(options: ConfigOptions, env: NodeJS.ProcessEnv): ServerConfig {
  const dataDir = options.dataDir ?? env['GATEHOUSE_DATA_DIR'] ?? './gatehouse-data';
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const portText = options.port?.toString() ?? env['GATEHOUSE_PORT'] ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${portText}`);
  const accountId = env['GATEHOUSE_ACCOUNT_ID'] ?? DEFAULT_ACCOUNT_ID;
  if (!/^\d{12}$/.test(accountId)) throw new Error('GATEHOUSE_ACCOUNT_ID must be 12 digits');
  const masterKeyText = env['GATEHOUSE_MASTER_KEY'] ?? secretFile(join(dataDir, 'master.key'), () => randomBytes(32).toString('base64'));
  const masterKey = Buffer.from(masterKeyText, 'base64');
  if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes, base64-encoded');
  const rootAccessKeyId = env['GATEHOUSE_ROOT_ACCESS_KEY_ID'];
  const rootSecretAccessKey = env['GATEHOUSE_ROOT_SECRET_ACCESS_KEY'];
  if ((rootAccessKeyId === undefined) !== (rootSecretAccessKey === undefined)) {
    throw new Error('set both GATEHOUSE_ROOT_ACCESS_KEY_ID and GATEHOUSE_ROOT_SECRET_ACCESS_KEY, or neither');
  }
  const encodeAuthorizationMessages = options.encodeAuthorizationMessages ?? envFlag(env, 'GATEHOUSE_ENCODE_AUTHORIZATION_MESSAGES') ?? false;
  const database = databaseUrl(options.databaseUrl ?? env['GATEHOUSE_DATABASE_URL']);
  const http = readHttpLimits(options, env);
  return {
    port,
    host: options.host ?? env['GATEHOUSE_HOST'] ?? '127.0.0.1',
    dataDir,
    accountId,
    masterKey,
    ...(rootAccessKeyId !== undefined ? { rootAccessKeyId, rootSecretAccessKey } : {}),
    encodeAuthorizationMessages,
    ...(database !== undefined ? { databaseUrl: database } : {}),
    http,
  };
}
