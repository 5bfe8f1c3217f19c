import { ConfigError } from './config-error.js';
import { readFileSync } from 'node:fs';
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from './logger.js';
import { RateLimitedLog } from './logger.js';

/**
 * What one client may hold of the server. Node's own defaults (a minute for headers, five minutes for a request,
 * no connection cap) let a few hundred idle or slow connections use up the process's file descriptors, after which
 * nobody else gets in.
 */
export interface HttpLimits {
  /** Time to receive a request's headers, from the connection's (or previous response's) end. */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body. */
  readonly requestTimeoutMs: number;
  /**
   * How long an idle keep-alive connection is kept for its next request. The SDKs reuse connections, so this stays
   * well above the pause between a client's calls; Node keeps the socket one more second than this.
   */
  readonly keepAliveTimeoutMs: number;
  /** Open connections beyond this are closed as they arrive. */
  readonly maxConnections: number;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_CONNECTIONS = 1024;
/** Descriptors left for everything but client connections: the database, its pool, the log, the data files. */
const RESERVED_DESCRIPTORS = 64;

/** The process's soft limit on open files, where Linux tells it (/proc/self/limits); undefined elsewhere. */
function openFileLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return line?.[1] === undefined || line[1] === 'unlimited' ? undefined : Number(line[1]);
  } catch {
    return undefined;
  }
}

/** 1024, or fewer when the descriptor limit would run out first (keeping some for the server's own files). */
export function defaultMaxConnections(limit: number | undefined = openFileLimit()): number {
  if (limit === undefined) return DEFAULT_MAX_CONNECTIONS;
  return Math.max(1, Math.min(DEFAULT_MAX_CONNECTIONS, limit - RESERVED_DESCRIPTORS));
}

/** As given on the command line (text, checked here) or by a program (numbers). */
export interface HttpLimitOptions {
  headersTimeoutMs?: number | string;
  requestTimeoutMs?: number | string;
  keepAliveTimeoutMs?: number | string;
  maxConnections?: number | string;
}

function whole(value: number | string | undefined, name: string, min: number): number | undefined {
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be a whole number of at least ${min}, not ${JSON.stringify(String(value))}`);
  return n;
}

/** The limits from the command line, else the environment, else the defaults; refuses nonsense. */
export function readHttpLimits(options: HttpLimitOptions, env: NodeJS.ProcessEnv): HttpLimits {
  const headersTimeoutMs =
    whole(options.headersTimeoutMs ?? env['GATEHOUSE_HEADERS_TIMEOUT_MS'], 'GATEHOUSE_HEADERS_TIMEOUT_MS (--headers-timeout)', 1) ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeoutMs =
    whole(options.requestTimeoutMs ?? env['GATEHOUSE_REQUEST_TIMEOUT_MS'], 'GATEHOUSE_REQUEST_TIMEOUT_MS (--request-timeout)', 1) ?? Math.max(DEFAULT_REQUEST_TIMEOUT_MS, headersTimeoutMs);
  const keepAliveTimeoutMs =
    whole(options.keepAliveTimeoutMs ?? env['GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS'], 'GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS (--keep-alive-timeout)', 1) ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
  const maxConnections = whole(options.maxConnections ?? env['GATEHOUSE_MAX_CONNECTIONS'], 'GATEHOUSE_MAX_CONNECTIONS (--max-connections)', 1) ?? defaultMaxConnections();
  // Node refuses this combination itself, with a less helpful message.
  if (requestTimeoutMs < headersTimeoutMs) throw new ConfigError('the request timeout must be at least the headers timeout');
  return { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, maxConnections };
}

/** The options for http.createServer that enforce the timeouts. */
export function serverTimeouts(limits: HttpLimits): { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number } {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node looks for late headers and requests only this often (30 s by default), which would stretch a 10 s
    // headers timeout to 40: a sweep over the open connections each second (or sooner for shorter timeouts) is cheap.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/** What Node answers a request it could not parse, as its own default handler does. */
function responseFor(error: NodeJS.ErrnoException): string {
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n\r\n`;
}

/**
 * The connection cap and the handling of connection-level client errors (unparsable requests, timeouts, resets).
 * These are the client's doing, and a flood of them is cheap to cause: each is logged on one line at most, and
 * only a few a minute (see RateLimitedLog). Returns what close() must summarize.
 */
export function applyHttpLimits(server: Server, limits: HttpLimits, logger: Logger, clientErrors: RateLimitedLog): RateLimitedLog[] {
  server.maxConnections = limits.maxConnections;
  const drops = new RateLimitedLog(logger, 'warn', 'connections refused at the connection limit');
  server.on('drop', (data?: { remoteAddress?: string }) => {
    drops.log(
      { maxConnections: limits.maxConnections, remoteAddress: data?.remoteAddress },
      `connection limit reached (${limits.maxConnections} open): refusing new connections`,
    );
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    clientErrors.log({ code: error.code, remoteAddress: socket.remoteAddress }, `client error: ${error.message}`);
    if (socket.writable && socket.bytesWritten === 0 && error.code !== 'ECONNRESET') socket.write(responseFor(error));
    socket.destroy();
  });
  // After listen, a listening socket's error (say, accept failing) would otherwise be an uncaught 'error' event.
  const serverErrors = new RateLimitedLog(logger, 'error', 'listener errors');
  server.on('error', (error) => serverErrors.log({ err: error }, `HTTP listener error: ${error.message}`));
  return [drops, serverErrors];
}
