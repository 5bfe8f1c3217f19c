import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IssuedSession } from '../../core/instances/role-sessions.js';
import type { CredentialSource, InstanceView } from './credential-source.js';
import { ImdsTokens, tokenTtl } from './imds-tokens.js';

/**
 * One instance's Instance Metadata Service, as the EC2 User Guide describes it: `PUT /latest/api/token` for an
 * IMDSv2 session token (TTL 1-21600 s, echoed in X-aws-ec2-metadata-token-ttl-seconds; 400 without a valid TTL; 403
 * for a request through a proxy, which carries X-Forwarded-For), and under `/latest/meta-data/` the items an SDK's
 * credential provider reads: `instance-id`, `iam/info` and `iam/security-credentials/ROLE`. A GET with a token that
 * is not valid (expired, another instance's, made up) is 401; without one it is 401 too when the instance requires
 * IMDSv2, and served as IMDSv1 otherwise.
 */

export interface ImdsInstance {
  readonly instanceId: string;
  readonly httpTokens: 'required' | 'optional';
}

export interface ImdsHandlerDeps {
  readonly source: Pick<CredentialSource, 'instance'>;
  readonly clock: () => Date;
  /** Called when a request finds the instance deregistered (perhaps by another node): its listener should close. */
  readonly onGone?: () => void;
}

const TOKEN_PATH = '/latest/api/token';
const CREDENTIALS_PREFIX = '/latest/meta-data/iam/security-credentials/';

function page(status: number, title: string): string {
  // IMDS's own error pages are this XHTML shape.
  return `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
	"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>${status} - ${title}</title>
 </head>
 <body>
  <h1>${status} - ${title}</h1>
 </body>
</html>
`;
}

const TITLES: Readonly<Record<number, string>> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 503: 'Service Unavailable' };

function send(res: ServerResponse, status: number, body: string, head: boolean, extra: Record<string, string> = {}): void {
  const html = status >= 400;
  const text = html ? page(status, TITLES[status] ?? 'Error') : body;
  res.writeHead(status, {
    'content-type': html ? 'text/html' : 'text/plain',
    'content-length': Buffer.byteLength(text),
    server: 'EC2ws',
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(head ? undefined : text);
}

/** IMDS's JSON documents: two-space indent, `"Key" : value`, as an instance shows them. */
export function imdsJson(fields: ReadonlyArray<readonly [string, string]>): string {
  return `{\n${fields.map(([key, value]) => `  ${JSON.stringify(key)} : ${JSON.stringify(value)}`).join(',\n')}\n}`;
}

/** ISO 8601 to the second, as IMDS writes LastUpdated and Expiration. */
const iso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function credentialsDocument(session: IssuedSession): string {
  return imdsJson([
    ['Code', 'Success'],
    ['LastUpdated', iso(session.issued)],
    ['Type', 'AWS-HMAC'],
    ['AccessKeyId', session.AccessKeyId],
    ['SecretAccessKey', session.SecretAccessKey],
    ['Token', session.SessionToken],
    ['Expiration', iso(session.Expiration)],
  ]);
}

/** IMDS answers 200 with a Code and Message when EC2 cannot assume the profile's role (the SDKs then log and move on). */
function cannotAssume(roleName: string, now: Date): string {
  return imdsJson([
    ['Code', 'AssumeRoleUnauthorizedAccess'],
    // Gatehouse's wording: the role's trust policy is what decides, as in AWS.
    ['Message', `EC2 cannot assume the role ${roleName}: its trust policy must allow sts:AssumeRole to the service principal ec2.amazonaws.com.`],
    ['LastUpdated', iso(now)],
  ]);
}

/**
 * The Host a browser tricked by DNS rebinding would send is a name; the SDKs send the address they were given. Only
 * an IP literal or localhost may reach the metadata, so that no web page can read it through a name of its own.
 */
function hostAllowed(host: string | undefined): boolean {
  if (host === undefined) return false;
  return /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]|localhost)(:\d{1,5})?$/i.test(host);
}

export function createImdsHandler(instance: ImdsInstance, deps: ImdsHandlerDeps, tokens = new ImdsTokens()): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    req.resume();
    const head = req.method === 'HEAD';
    const path = (req.url ?? '/').split('?')[0] as string;
    handle(req, res, path, head).catch(() => {
      if (!res.headersSent) send(res, 503, '', head);
      else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, head: boolean): Promise<void> {
    if (!hostAllowed(req.headers.host)) return send(res, 403, '', head);
    const now = deps.clock();
    if (path === TOKEN_PATH) {
      if (req.method !== 'PUT') return send(res, 405, '', head, { allow: 'PUT' });
      // A token request that went through a proxy is refused: a token must not leave the instance.
      if (req.headers['x-forwarded-for'] !== undefined) return send(res, 403, '', false);
      const ttl = tokenTtl(req.headers['x-aws-ec2-metadata-token-ttl-seconds'] as string | undefined);
      if (ttl === undefined) return send(res, 400, '', false);
      if ((await deps.source.instance(instance.instanceId, false)).state === 'gone') return gone(res, head);
      return send(res, 200, tokens.issue(ttl, now), false, { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
    }
    if (req.method !== 'GET' && !head) return send(res, 405, '', head, { allow: 'GET, HEAD' });
    const token = req.headers['x-aws-ec2-metadata-token'];
    if (token !== undefined ? typeof token !== 'string' || !tokens.valid(token, now) : instance.httpTokens === 'required') return send(res, 401, '', head);
    const wantsCredentials = path.startsWith(CREDENTIALS_PREFIX) && path.length > CREDENTIALS_PREFIX.length;
    const view = await deps.source.instance(instance.instanceId, wantsCredentials);
    if (view.state === 'gone') return gone(res, head);
    const body = route(path, view, now);
    if (body === undefined) return send(res, 404, '', head);
    return send(res, 200, body, head);
  }

  function gone(res: ServerResponse, head: boolean): void {
    tokens.clear();
    // Told once the answer is out: closing the listener closes its connections, this one's included.
    res.once('finish', () => deps.onGone?.());
    send(res, 404, '', head);
  }

  function route(rawPath: string, view: Extract<InstanceView, { state: 'registered' }>, now: Date): string | undefined {
    // A directory answers with or without its trailing slash.
    const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
    const hasIam = view.profile !== undefined;
    switch (path) {
      case '/':
        return 'latest';
      case '/latest':
        return 'meta-data';
      case '/latest/meta-data':
        return hasIam ? 'iam/\ninstance-id' : 'instance-id';
      case '/latest/meta-data/instance-id':
        return instance.instanceId;
      case '/latest/meta-data/iam':
        return hasIam ? 'info\nsecurity-credentials/' : undefined;
      case '/latest/meta-data/iam/info': {
        if (view.profile === undefined) return undefined;
        if (view.roleName !== undefined && !view.trusted) return cannotAssume(view.roleName, now);
        return imdsJson([
          ['Code', 'Success'],
          ['LastUpdated', iso(now)],
          ['InstanceProfileArn', view.profile.arn],
          ['InstanceProfileId', view.profile.id],
        ]);
      }
      case '/latest/meta-data/iam/security-credentials':
        return hasIam ? view.roleName : undefined;
    }
    if (!path.startsWith(CREDENTIALS_PREFIX) || view.roleName === undefined) return undefined;
    if (path.slice(CREDENTIALS_PREFIX.length) !== view.roleName) return undefined;
    if (!view.trusted) return cannotAssume(view.roleName, now);
    return view.credentials === undefined ? undefined : credentialsDocument(view.credentials);
  }
}
