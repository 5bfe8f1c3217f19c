import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EnforcementMode } from '../core/enforcement.js';
import { JWKS_SUFFIX, OUTBOUND_ISSUER_PATH, outboundDiscovery } from '../core/iam/outbound-federation.js';
import type { Store } from '../store/store.js';
import { packageVersion } from './version.js';

/**
 * Every route that is not an AWS API lives under this prefix, which no AWS client sends (AWS's paths are `/` for the
 * Query and JSON protocols, and S3-style keys never start with an underscore segment of ours).
 */
export const RESERVED_PREFIX = '/_gatehouse/';

export interface ReservedRouteDeps {
  readonly store: Store;
  /** Which store adapter serves: shown by the health endpoint. */
  readonly storeKind: 'sqlite' | 'postgresql';
  /** The enforcement mode, shown so that nobody runs unenforced without seeing it; enforce when absent. */
  readonly enforcement?: EnforcementMode;
  /** How long the health check waits for the store before answering 503. */
  readonly healthTimeoutMs?: number;
  /** The web console's routes (console-routes.ts): true when the path was the console's and is answered. */
  readonly console?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
  /** Instance and container credentials' routes (registration, container endpoint): true when it took the request. */
  readonly instances?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** The authorize API and the resource-policy registry (authorize-routes.ts): true when it took the request. */
  readonly authorize?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

const HEALTH_TIMEOUT_MS = 2000;

function json(res: ServerResponse, status: number, body: unknown, head: boolean): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(head ? undefined : text);
}

/** True when the store answers a read within the timeout (a PostgreSQL node whose database is gone does not). */
async function storeAnswers(store: Store, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([store.read(async () => true).catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An account's outbound issuer documents: `/_gatehouse/outbound/ACCOUNT/.well-known/{openid-configuration,jwks.json}`. */
const OUTBOUND_ROUTE = /^\/_gatehouse\/outbound\/([0-9]{12})(\/\.well-known\/openid-configuration|\/\.well-known\/jwks\.json)$/;

/**
 * The OpenID discovery document and JWKS of an account's outbound web identity federation (STS
 * GetWebIdentityToken), public as any OpenID issuer's are; 404 while the account has not enabled the feature.
 */
function serveOutbound(store: Store, res: ServerResponse, account: string, document: string, head: boolean): void {
  void outboundDiscovery(store, account).then(
    (found) => {
      if (found === undefined) {
        json(res, 404, { error: 'NotFound', message: `No outbound web identity federation issuer for account ${account}` }, head);
        return;
      }
      json(res, 200, document === JWKS_SUFFIX ? found.jwks : found.configuration, head);
    },
    () => json(res, 503, { error: 'Unavailable', message: 'The store did not answer.' }, head),
  );
}

/**
 * Gatehouse's own routes, unauthenticated: `GET /_gatehouse/health` for load balancers and containers (200 while the
 * store answers, 503 otherwise, with the version and the store), each account's outbound issuer documents, and the
 * web console (`/_gatehouse/console/`, and `/console` redirecting there).
 * The request body, if any, is not read. The signed routes of instance and container credentials go to their own
 * handler (see instances/registration-routes.ts).
 */
export function createReservedRoutes(deps: ReservedRouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const timeoutMs = deps.healthTimeoutMs ?? HEALTH_TIMEOUT_MS;
  return (req, res) => {
    // Before the body is drained: registrations read theirs.
    if (deps.instances?.(req, res) === true) return;
    if (deps.authorize?.(req, res) === true) return;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // The console reads its sign-in's body itself.
    if (deps.console?.(req, res, path) === true) return;
    req.resume();
    const head = req.method === 'HEAD';
    const outbound = path?.startsWith(OUTBOUND_ISSUER_PATH) === true ? OUTBOUND_ROUTE.exec(path) : null;
    if (outbound !== null && (req.method === 'GET' || head)) {
      serveOutbound(deps.store, res, outbound[1] as string, outbound[2] as string, head);
      return;
    }
    if (path !== `${RESERVED_PREFIX}health`) {
      json(res, 404, { error: 'NotFound', message: `No Gatehouse route ${path}` }, head);
      return;
    }
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      json(res, 405, { error: 'MethodNotAllowed', message: 'The health endpoint answers GET and HEAD.' }, false);
      return;
    }
    void storeAnswers(deps.store, timeoutMs).then((ok) => {
      json(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', version: packageVersion(), store: deps.storeKind, enforcement: deps.enforcement ?? 'enforce' }, head);
    });
  };
}
