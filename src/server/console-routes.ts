import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { consoleSignInEvent, type SignInAttempt } from '../core/audit/console-login.js';
import { rootCredentialEvents, type RootCredentialChange } from '../core/audit/root-credentials-events.js';
import type { CoreServices } from '../core/operation.js';
import { accountOf, consoleSignIn, ConsoleSignInError, parseSignInInput } from '../core/sts/console-sign-in.js';
import { changeRootCredentials, parseRootCredentialsInput } from '../core/sts/root-credentials.js';
import type { Store } from '../store/store.js';
import type { AuditWriter } from './audit/audit-writer.js';

/** The web console's assets and its sign-in endpoint live here; `/console` redirects to it. */
// Spelled out rather than built from RESERVED_PREFIX: reserved-routes.ts imports this module.
export const CONSOLE_PREFIX = '/_gatehouse/console/';
export const CONSOLE_SHORTCUTS: ReadonlySet<string> = new Set(['/console', '/console/']);
const SIGN_IN_PATH = `${CONSOLE_PREFIX}sign-in`;
const ROOT_CREDENTIALS_PATH = `${CONSOLE_PREFIX}root-credentials`;

/** Where `npm run build:console` puts the console: dist/console at the package's root, from src/server or dist/server. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));

// Everything from this origin, nothing inline (no script or style attribute, no inline <script>), no framing. Images
// may be data: URLs (the PNG of an MFA device's QR code comes as data). connect-src 'self': the console calls this
// server's APIs only.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json',
  png: 'image/png',
  svg: 'image/svg+xml',
};

/** A plain file name with a known type: nothing else is ever looked up (no path, no dot-dot, no hidden file). */
const ASSET = /^[a-z0-9][a-z0-9.-]{0,80}\.(html|js|css|txt|json|png|svg)$/;
const MAX_SIGN_IN_BODY = 16 * 1024;
// A Host header as a browser sends it (name or address, optional port); anything else is not written into events.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

export interface ConsoleRouteDeps {
  readonly store: Store;
  readonly services: CoreServices;
  readonly clock: () => Date;
  /** The built console (dist/console by default). */
  readonly dir?: string;
  /** The audit trail's writer when auditing is on: each judged sign-in's event is committed before it is answered. */
  readonly audit?: AuditWriter;
  /** Served over TLS (for the console's address in the events). */
  readonly secure?: boolean;
}

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string | undefined, head: boolean): void {
  const bytes = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, ...(bytes !== undefined ? { 'content-length': String(bytes.length) } : {}) });
  res.end(head ? undefined : bytes);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, { 'content-type': 'application/json', 'cache-control': 'no-store' }, `${JSON.stringify(body)}\n`, false);
}

function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The console's routes: its static files (read once, from the built folder) and POST sign-in. Returns false for a
 * path that is not the console's.
 */
export function createConsoleRoutes(deps: ConsoleRouteDeps): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  const dir = deps.dir ?? DEFAULT_CONSOLE_DIR;
  let assets: Map<string, Asset> | undefined;
  const load = (): Map<string, Asset> => {
    if (assets !== undefined) return assets;
    const found = new Map<string, Asset>();
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // Not built: answered 503 below, and looked for again on the next request.
      return found;
    }
    for (const name of names) {
      const m = ASSET.exec(name);
      if (m !== null) found.set(name, { body: readFileSync(join(dir, name)), type: TYPES[m[1] as string] as string });
    }
    if (found.has('index.html')) assets = found;
    return found;
  };

  /** The body of a POST to one of the console's JSON endpoints, parsed; undefined once the request was answered. */
  async function readJson<T>(req: IncomingMessage, res: ServerResponse, parse: (body: unknown) => T): Promise<T | undefined> {
    // JSON only: a cross-site form cannot send it without the browser asking this server first (CORS), which it never allows.
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      req.resume();
      sendJson(res, 415, { error: 'InvalidRequest', message: 'Send the request as application/json.' });
      return undefined;
    }
    const body = await readLimited(req, MAX_SIGN_IN_BODY);
    if (body === undefined) {
      sendJson(res, 413, { error: 'InvalidRequest', message: 'The request is too large.' });
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      sendJson(res, 400, { error: 'InvalidRequest', message: 'The request body is not JSON.' });
      return undefined;
    }
    try {
      return parse(parsed);
    } catch (error) {
      if (error instanceof ConsoleSignInError) {
        sendJson(res, error.status, { error: error.code, message: error.message });
        return undefined;
      }
      throw error;
    }
  }

  async function signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Malformed requests (a body parseSignInInput refuses) are no sign-in attempt: no event.
    const input = await readJson(req, res, parseSignInInput);
    if (input === undefined) return;
    const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '');
    const now = deps.clock();
    // consoleSignIn reports what the attempt came to once it judged the credentials. Throttled attempts refused before
    // the check, and those whose parts cannot be valid (a user name IAM cannot have, a password over 128 characters,
    // a code that is not six digits) or whose alias names no account, are not: they record no event. The failures
    // that led to throttling are each recorded, and a refusal that costs no password check must not cost an audit
    // write either (a flood of them would otherwise fill the trail). An MFA code refused by its own throttling, once
    // the password was right, is recorded as a failed ConsoleLogin.
    let attempt: SignInAttempt | undefined;
    const env = {
      store: deps.store,
      services: deps.services,
      now,
      ...(sourceIp !== undefined ? { sourceIp } : {}),
      ...(deps.audit !== undefined ? { observe: (a: SignInAttempt) => void (attempt = a) } : {}),
    };
    let status: number;
    let answer: unknown;
    try {
      answer = await consoleSignIn(env, input);
      status = 200;
    } catch (error) {
      // Anything else (the store failing) is not a judged attempt: answered 500 below, with no event.
      if (!(error instanceof ConsoleSignInError)) throw error;
      status = error.status;
      answer = { error: error.code, message: error.message };
    }
    if (deps.audit !== undefined && attempt !== undefined) {
      // The answer (with a session's credentials) goes out only once its event is committed; a writer closed first
      // (shutdown) rejects, and the request is answered 500 without them.
      await deps.audit.record(consoleSignInEvent(attempt, { time: now, sourceIp: sourceIp ?? '', userAgent: req.headers['user-agent'] ?? '', loginTo: loginToOf(req) }));
    }
    sendJson(res, status, answer);
  }

  /** Root's password change and MFA devices (root-credentials.ts): each request proves again that it is root's. */
  async function rootCredentials(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const input = await readJson(req, res, parseRootCredentialsInput);
    if (input === undefined) return;
    const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '');
    const now = deps.clock();
    const env = { store: deps.store, services: deps.services, now, ...(sourceIp !== undefined ? { sourceIp } : {}) };
    let answer: Record<string, unknown>;
    try {
      answer = await changeRootCredentials(env, input);
    } catch (error) {
      if (!(error instanceof ConsoleSignInError)) throw error;
      sendJson(res, error.status, { error: error.code, message: error.message });
      return;
    }
    if (deps.audit !== undefined) {
      // Made, so recorded before it is answered (a writer closed first answers 500, as for sign-ins).
      const account = await accountOf(env, input.account);
      const change: RootCredentialChange =
        input.action === 'changePassword' ? { kind: 'password' } : input.action === 'enableMfa' ? { kind: 'mfaEnabled', serialNumber: input.serialNumber } : { kind: 'mfaRemoved', serialNumber: input.serialNumber };
      if (account !== undefined) {
        for (const event of rootCredentialEvents(change, { account, time: now, sourceIp: sourceIp ?? '', userAgent: req.headers['user-agent'] ?? '' })) await deps.audit.record(event);
      }
    }
    sendJson(res, 200, answer);
  }

  function loginToOf(req: IncomingMessage): string {
    const host = req.headers.host;
    return host !== undefined && HOST.test(host) ? `${deps.secure === true ? 'https' : 'http'}://${host}${CONSOLE_PREFIX}` : CONSOLE_PREFIX;
  }

  return (req, res, path) => {
    const head = req.method === 'HEAD';
    if (CONSOLE_SHORTCUTS.has(path)) {
      req.resume();
      send(res, 302, { location: CONSOLE_PREFIX, 'cache-control': 'no-store' }, undefined, head);
      return true;
    }
    if (!path.startsWith(CONSOLE_PREFIX)) return false;
    const endpoint = path === SIGN_IN_PATH ? signIn : path === ROOT_CREDENTIALS_PATH ? rootCredentials : undefined;
    if (endpoint !== undefined) {
      if (req.method !== 'POST') {
        req.resume();
        res.setHeader('allow', 'POST');
        sendJson(res, 405, { error: 'MethodNotAllowed', message: 'Send this request with POST.' });
        return true;
      }
      endpoint(req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { error: 'ServiceFailure', message: 'The sign-in failed on the server. Try again.' });
        else res.destroy();
      });
      return true;
    }
    req.resume();
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, { error: 'MethodNotAllowed', message: 'The console answers GET and HEAD.' });
      return true;
    }
    const name = path === CONSOLE_PREFIX ? 'index.html' : path.slice(CONSOLE_PREFIX.length);
    const files = load();
    if (!files.has('index.html')) {
      send(res, 503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, 'The web console is not built: run `npm run build:console`.\n', head);
      return true;
    }
    const asset = ASSET.test(name) ? files.get(name) : undefined;
    if (asset === undefined) {
      send(res, 404, { 'content-type': 'text/plain; charset=utf-8' }, `No console file ${name}\n`, head);
      return true;
    }
    // no-cache: a browser asks again rather than keeping an old console across an upgrade.
    send(res, 200, { 'content-type': asset.type, 'cache-control': 'no-cache' }, asset.body, head);
    return true;
  };
}
