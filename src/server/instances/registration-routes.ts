import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { Authenticator } from '../../core/authenticate.js';
import type { Authorizer } from '../../core/authorize.js';
import type { Caller } from '../../core/caller.js';
import { ServiceError, validationError } from '../../core/errors.js';
import { deregisterContainer, deregisterInstance, registerContainer, registerInstance, type Authorize, type HttpTokens } from '../../core/instances/registrations.js';
import type { CoreServices, OperationContext } from '../../core/operation.js';
import { addRequestKeys, IAM_REGION, resourceKeys } from '../../core/request-context.js';
import type { Store } from '../../store/store.js';
import { SigV4Error, type SignedRequest } from '../../sigv4/verify.js';
import type { Logger, RateLimitedLog } from '../logger.js';
import type { CredentialSource } from './credential-source.js';
import type { ImdsListeners } from './imds-listeners.js';
import { ReplayGuard } from './replay-guard.js';
import { readAuthParameters } from '../../sigv4/auth-parameters.js';
import { readLimitedBody } from '../read-limited-body.js';
import { answerFailure, authenticateSigned, headerPairs, sendJson } from '../signed-json-route.js';

/**
 * Gatehouse's own API for instance and container credentials, under the reserved prefix (no AWS client sends these):
 *
 *   POST   /_gatehouse/instances            {"InstanceProfileName": "...", "HttpTokens": "required"|"optional"}
 *   DELETE /_gatehouse/instances/i-…
 *   POST   /_gatehouse/containers           {"RoleArn": "arn:aws:iam::…:role/…"}
 *   DELETE /_gatehouse/containers/TASKID
 *   GET    /_gatehouse/container-credentials/TASKID   (Authorization: the task's token)
 *
 * The first four are signed with SigV4 (service `iam`) by a principal of the account, and decided by the policy
 * engine as iam:PassRole on the role; each is written to the log as an audit line, allowed or not. The last is what
 * AWS_CONTAINER_CREDENTIALS_FULL_URI points at.
 */

export const INSTANCES_PATH = '/_gatehouse/instances';
export const CONTAINERS_PATH = '/_gatehouse/containers';
export const CONTAINER_CREDENTIALS_PATH = '/_gatehouse/container-credentials/';

export interface InstanceRoutesDeps {
  readonly store: Store;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly services: CoreServices;
  readonly clock: () => Date;
  readonly logger: Logger;
  /** Where unexpected failures are told (rate-limited). */
  readonly failures: RateLimitedLog;
  readonly listeners: ImdsListeners;
  readonly source: CredentialSource;
  /** True when the server speaks TLS only. */
  readonly secure: boolean;
}

const MAX_BODY = 16 * 1024;


/** True for a peer on this machine: 127.0.0.0/8 or ::1, an IPv4-mapped one included. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined || !ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'loopback';
}

/** A string member of the JSON body, or undefined; anything but an object body is refused. */
function member(body: unknown, name: string): string | undefined {
  if (!Object.hasOwn(body as object, name)) return undefined;
  const value = (body as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw validationError(`${name} must be a string`);
  return value;
}

function parseBody(raw: Buffer): unknown {
  let body: unknown;
  try {
    body = JSON.parse(raw.length === 0 ? '{}' : raw.toString('utf8'));
  } catch {
    throw validationError('The request body must be a JSON object');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw validationError('The request body must be a JSON object');
  return body;
}

function required(body: unknown, name: string): string {
  const value = member(body, name);
  if (value === undefined || value === '') throw validationError(`${name} is required`);
  return value;
}

/** The handler for the reserved paths this module serves: true when it took the request. */
export function createInstanceRoutes(deps: InstanceRoutesDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const secureTransport = deps.secure ? 'true' : 'false';
  const replays = new ReplayGuard();

  /** Runs a registration change in one transaction, the engine deciding each check as it would an IAM request's. */
  function inTransaction<T>(req: IncomingMessage, signed: SignedRequest, caller: Caller, now: Date, requestId: string, work: (ctx: OperationContext, authorize: Authorize) => Promise<T>): Promise<T> {
    return deps.store.transaction(async (tx) => {
      const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '');
      const ctx: OperationContext = { caller, account: caller.account, tx, now, requestId, services: deps.services, ...(sourceIp !== undefined ? { sourceIp } : {}) };
      const authorize: Authorize = async (check) => {
        const ofResource = await resourceKeys(ctx, check.action, check.resource);
        const context = (): Record<string, string | string[]> => ({
          ...ofResource,
          ...addRequestKeys({ 'aws:RequestedRegion': IAM_REGION, 'aws:SecureTransport': secureTransport }, signed.headers, req.socket.remoteAddress),
          ...check.conditionKeys,
        });
        await deps.authorizer.authorize({ caller, action: check.action, resource: check.resource, now, context }, tx);
      };
      return work(ctx, authorize);
    });
  }

  async function registration(req: IncomingMessage, res: ServerResponse, path: string, query: string, requestId: string): Promise<void> {
    const method = req.method ?? 'GET';
    const isInstances = path === INSTANCES_PATH || path.startsWith(`${INSTANCES_PATH}/`);
    const collection = isInstances ? INSTANCES_PATH : CONTAINERS_PATH;
    const id = path.length > collection.length ? path.slice(collection.length + 1) : undefined;
    const allowed = id === undefined ? 'POST' : 'DELETE';
    if (method !== allowed) {
      req.resume();
      sendJson(res, 405, { Code: 'MethodNotAllowed', Message: `${path} answers ${allowed}.` }, requestId, { allow: allowed });
      return;
    }
    const body = await readLimitedBody(req, MAX_BODY);
    const signed: SignedRequest = { method, path, query, headers: headerPairs(req), body };
    const now = deps.clock();
    const audit: Record<string, unknown> = { requestId, action: `${allowed === 'POST' ? 'Register' : 'Deregister'}${isInstances ? 'Instance' : 'Container'}`, sourceIp: req.socket.remoteAddress };
    try {
      const { caller, region } = await authenticateSigned(deps.authenticator, signed, now);
      audit['principal'] = caller.arn;
      // Authentic, so its signature is worth remembering.
      replays.check(readAuthParameters(signed).signature.toLowerCase(), now);
      const result = isInstances ? await instances(req, signed, caller, region, now, requestId, id, body) : await containers(req, signed, caller, region, now, requestId, id, body);
      Object.assign(audit, result.audit, { outcome: 'Allowed' });
      deps.logger.info({ audit }, 'instance credentials registration');
      sendJson(res, 200, result.body, requestId);
    } catch (error) {
      if (error instanceof ServiceError || error instanceof SigV4Error) {
        Object.assign(audit, { outcome: error.code === 'AccessDenied' ? 'Denied' : 'Failed', code: error.code, message: error.message });
        deps.logger.info({ audit }, 'instance credentials registration');
      }
      throw error;
    }
  }

  async function instances(req: IncomingMessage, signed: SignedRequest, caller: Caller, region: string, now: Date, requestId: string, id: string | undefined, raw: Buffer) {
    if (id !== undefined) {
      const gone = await inTransaction(req, signed, caller, now, requestId, (ctx, authorize) => deregisterInstance(ctx, id, authorize));
      await deps.listeners.stop(gone.instanceId);
      return { body: { InstanceId: gone.instanceId }, audit: { instanceId: gone.instanceId } };
    }
    const body = parseBody(raw);
    const instanceProfileName = required(body, 'InstanceProfileName');
    const tokens = member(body, 'HttpTokens') ?? 'required';
    if (tokens !== 'required' && tokens !== 'optional') throw validationError('HttpTokens must be required or optional');
    const httpTokens: HttpTokens = tokens;
    // Bound before the record is written, so that the port the record names is one this node holds.
    const listener = await deps.listeners.reserve();
    let registered;
    try {
      registered = await inTransaction(req, signed, caller, now, requestId, (ctx, authorize) => registerInstance(ctx, { instanceProfileName, httpTokens, port: listener.port, region }, authorize));
    } catch (error) {
      await listener.close();
      throw error;
    }
    listener.activate({ instanceId: registered.instanceId, httpTokens });
    return {
      body: {
        InstanceId: registered.instanceId,
        InstanceProfileArn: registered.instanceProfileArn,
        RoleArn: registered.roleArn,
        HttpTokens: registered.httpTokens,
        MetadataEndpoint: deps.listeners.endpoint(registered.port),
      },
      audit: { instanceId: registered.instanceId, instanceProfileArn: registered.instanceProfileArn, roleArn: registered.roleArn, httpTokens, port: registered.port },
    };
  }

  async function containers(req: IncomingMessage, signed: SignedRequest, caller: Caller, region: string, now: Date, requestId: string, id: string | undefined, raw: Buffer) {
    if (id !== undefined) {
      const gone = await inTransaction(req, signed, caller, now, requestId, (ctx, authorize) => deregisterContainer(ctx, id, authorize));
      deps.source.forget(gone.taskId, 'task');
      return { body: { TaskId: gone.taskId }, audit: { taskId: gone.taskId } };
    }
    const roleArn = required(parseBody(raw), 'RoleArn');
    const registered = await inTransaction(req, signed, caller, now, requestId, (ctx, authorize) => registerContainer(ctx, { roleArn, region }, authorize));
    return {
      body: {
        TaskId: registered.taskId,
        RoleArn: registered.roleArn,
        AuthorizationToken: registered.authorizationToken,
        CredentialsPath: `${CONTAINER_CREDENTIALS_PATH}${registered.taskId}`,
      },
      // The token is never logged.
      audit: { taskId: registered.taskId, roleArn: registered.roleArn },
    };
  }

  async function containerCredentials(req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<void> {
    req.resume();
    if (req.method !== 'GET') {
      sendJson(res, 405, { Code: 'MethodNotAllowed', Message: 'The container credentials endpoint answers GET.' }, requestId, { allow: 'GET' });
      return;
    }
    // The SDKs send the token in clear only to a loopback address; the server holds to the same rule.
    if (!deps.secure && !isLoopback(req.socket.remoteAddress)) {
      sendJson(res, 403, { Code: 'AccessDenied', Message: 'Container credentials are served over plain HTTP to loopback clients only: serve Gatehouse with TLS to reach it from elsewhere.' }, requestId);
      return;
    }
    const view = await deps.source.container(path.slice(CONTAINER_CREDENTIALS_PATH.length), req.headers.authorization);
    if (view.state === 'refused') {
      sendJson(res, 401, { Code: 'AccessDenied', Message: 'The authorization token is missing or is not the token of this task.' }, requestId);
      return;
    }
    if (view.state === 'unavailable') {
      const message =
        view.reason === 'no-role'
          ? `The role ${view.roleArn} passed to this task no longer exists.`
          : `ECS tasks cannot assume the role ${view.roleArn}: its trust policy must allow sts:AssumeRole to the service principal ecs-tasks.amazonaws.com.`;
      sendJson(res, 403, { Code: 'AssumeRoleUnauthorizedAccess', Message: message }, requestId);
      return;
    }
    const { credentials } = view;
    const iso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
    sendJson(
      res,
      200,
      { AccessKeyId: credentials.AccessKeyId, Expiration: iso(credentials.Expiration), RoleArn: credentials.roleArn, SecretAccessKey: credentials.SecretAccessKey, Token: credentials.SessionToken },
      requestId,
    );
  }

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    const isRegistration = path === INSTANCES_PATH || path.startsWith(`${INSTANCES_PATH}/`) || path === CONTAINERS_PATH || path.startsWith(`${CONTAINERS_PATH}/`);
    const isCredentials = path.startsWith(CONTAINER_CREDENTIALS_PATH);
    if (!isRegistration && !isCredentials) return false;
    const requestId = randomUUID();
    const work = isCredentials ? containerCredentials(req, res, path, requestId) : registration(req, res, path, query, requestId);
    work.catch((error: unknown) => answerFailure(res, error, requestId, deps.failures, 'instance credentials request'));
    return true;
  };
}
