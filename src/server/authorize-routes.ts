import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Authenticator } from '../core/authenticate.js';
import type { Authorizer } from '../core/authorize.js';
import { AuthorizeApi, type AuthorizeAction, type AuthorizeInput, type Mutable } from '../core/authorize-api/authorize-request.js';
import { aclOf, ownershipOf } from './authorize-acl-json.js';
import { deleteResourcePolicy, getResourcePolicy, putResourcePolicy, putResourceTags, type ResourcePolicyRecord } from '../core/authorize-api/resource-policies.js';
import type { Caller } from '../core/caller.js';
import { ServiceError, validationError } from '../core/errors.js';
import { addRequestKeys } from '../core/request-context.js';
import type { Store } from '../store/store.js';
import type { SignedRequest } from '../sigv4/verify.js';
import type { ForwardedRequest } from '../sigv4/s3-verify.js';
import { readAuthParameters } from '../sigv4/auth-parameters.js';
import { ReplayGuard } from './instances/replay-guard.js';
import type { RateLimitedLog } from './logger.js';
import { answerFailure, authenticateSigned, headerPairs, sendJson, sendJsonText } from './signed-json-route.js';
import { answerJson } from './authorize-answer-json.js';
import { noteDecisions, type UsageRecorder } from './usage-recorder.js';
import { readLimitedBody } from './read-limited-body.js';
import type { AuthorizeAudit } from './audit/authorize-events.js';
import { AuditWriterClosedError } from './audit/audit-writer.js';

/**
 * The authorize API and the resource-policy registry over HTTP, under the reserved prefix:
 *
 *   POST   /_gatehouse/authorize                     decide a forwarded request (JSON in, JSON out)
 *   GET    /_gatehouse/resource-policies?arn=ARN     the registered policy and tags of ARN
 *   PUT    /_gatehouse/resource-policies?arn=ARN     {"Policy": "...", "Account": "111122223333"}
 *   DELETE /_gatehouse/resource-policies?arn=ARN
 *   PUT    /_gatehouse/resource-tags?arn=ARN         {"Tags": [{"Key": "k", "Value": "v"}], "Account": "..."}
 *
 * Every call is signed with SigV4 (service `iam`, any region) by a Gatehouse principal (the service's own IAM user
 * or role) and decided by the policy engine as one of GATEHOUSE_ACTIONS.
 */
export const AUTHORIZE_PATH = '/_gatehouse/authorize';
export const RESOURCE_POLICIES_PATH = '/_gatehouse/resource-policies';
export const RESOURCE_TAGS_PATH = '/_gatehouse/resource-tags';

/** The permissions a calling service needs; grant them in its identity policy. */
export const GATEHOUSE_ACTIONS = {
  /** Decide a signed request a user sent to the service. Resource: `arn:aws:gatehouse:::service/SERVICE`. */
  authorize: 'gatehouse:Authorize',
  /** Decide for a principal the caller authenticated itself (PrincipalArn). Resource: the principal's ARN. */
  authorizeAsPrincipal: 'gatehouse:AuthorizeAsPrincipal',
  /** Receive the explanation of each decision (it quotes the principal's policies). Resource: as Authorize. */
  explainDecision: 'gatehouse:ExplainDecision',
  /** Receive the request's signing key to verify chunk signatures of a streaming upload. Resource: as Authorize. */
  getChunkSigningKey: 'gatehouse:GetChunkSigningKey',
  /** The registry's calls; resource: the ARN whose policy or tags are read or written. */
  getResourcePolicy: 'gatehouse:GetResourcePolicy',
  putResourcePolicy: 'gatehouse:PutResourcePolicy',
  deleteResourcePolicy: 'gatehouse:DeleteResourcePolicy',
  tagResource: 'gatehouse:TagResource',
} as const;

export const serviceResource = (service: string): string => `arn:aws:gatehouse:::service/${service}`;

export interface AuthorizeRoutesDeps {
  readonly store: Store;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly clock: () => Date;
  /** Where unexpected failures are told (rate-limited). */
  readonly failures: RateLimitedLog;
  readonly secure: boolean;
  /** Where decisions for users and roles are noted for Access Advisor; nowhere when absent. */
  readonly usage?: UsageRecorder;
  /**
   * The account Gatehouse was started with. Only its principals may call these routes: another account's
   * administrator can grant its own users any action, `gatehouse:*` included, and a service of that account would
   * otherwise receive other accounts' users' signing keys, act as their principals and write their resources'
   * policies.
   */
  readonly operatorAccount: string;
  /** The audit trail: the S3 management operations decided are recorded, committed before the answer. Off when absent. */
  readonly audit?: AuthorizeAudit;
}

const MAX_BODY = 256 * 1024;

type Json = Record<string, unknown>;

function parseObject(raw: Buffer): Json {
  let body: unknown;
  try {
    body = JSON.parse(raw.length === 0 ? '{}' : raw.toString('utf8'));
  } catch {
    throw validationError('The request body must be a JSON object');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw validationError('The request body must be a JSON object');
  return body as Json;
}

/** An own member only: a client's `__proto__` or `constructor` key is data, never the prototype's. */
function own(object: Json, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}

function optionalString(object: Json, name: string, where = name): string | undefined {
  const value = own(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(`${where} must be a string`);
  return value;
}

function stringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw validationError(`${where} must be a list of strings`);
  return value as string[];
}

/** A policy given as JSON text or as the document itself. */
function policyText(object: Json, name: string, where: string): string | undefined {
  const value = own(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  throw validationError(`${where} must be a policy document or its JSON text`);
}

function contextOf(value: unknown): Record<string, string | string[]> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw validationError('Context must be an object');
  // Copied onto a prototype-less object: keys come from the client.
  const context: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, v] of Object.entries(value as Json)) {
    if (typeof v === 'string') context[key] = v;
    else context[key] = stringList(v, `Context.${key.slice(0, 64)}`) ?? [];
  }
  return context;
}

function forwardedRequest(value: unknown): ForwardedRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw validationError('Request must be an object');
  const request = value as Json;
  const method = optionalString(request, 'Method', 'Request.Method');
  const path = optionalString(request, 'Path', 'Request.Path');
  if (method === undefined || path === undefined) throw validationError('Request.Method and Request.Path are required');
  const rawHeaders = own(request, 'Headers');
  const headers: Array<[string, string]> = [];
  if (Array.isArray(rawHeaders)) {
    for (const pair of rawHeaders) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') throw validationError('Request.Headers must be [name, value] pairs');
      headers.push([pair[0].toLowerCase(), pair[1]]);
    }
  } else if (typeof rawHeaders === 'object' && rawHeaders !== null) {
    for (const [name, v] of Object.entries(rawHeaders as Json)) {
      for (const one of typeof v === 'string' ? [v] : (stringList(v, `Request.Headers.${name}`) ?? [])) headers.push([name.toLowerCase(), one]);
    }
  } else {
    throw validationError('Request.Headers is required');
  }
  const bodySha256 = optionalString(request, 'BodySha256', 'Request.BodySha256');
  if (bodySha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(bodySha256)) throw validationError('Request.BodySha256 must be a hex SHA-256');
  const forwarded: ForwardedRequest = { method, path, query: optionalString(request, 'Query', 'Request.Query') ?? '', headers };
  if (bodySha256 !== undefined) forwarded.bodySha256 = bodySha256;
  return forwarded;
}

function actionOf(value: unknown, index: number): AuthorizeAction {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw validationError(`Actions[${index}] must be an object`);
  const item = value as Json;
  const action = optionalString(item, 'Action', `Actions[${index}].Action`);
  const resource = optionalString(item, 'Resource', `Actions[${index}].Resource`);
  if (action === undefined || resource === undefined) throw validationError(`Actions[${index}] needs Action and Resource`);
  const resourceAccount = optionalString(item, 'ResourceAccount', `Actions[${index}].ResourceAccount`);
  const resourcePolicy = policyText(item, 'ResourcePolicy', `Actions[${index}].ResourcePolicy`);
  const resourcePolicyArn = optionalString(item, 'ResourcePolicyArn', `Actions[${index}].ResourcePolicyArn`);
  const context = contextOf(own(item, 'Context'));
  const acl = aclOf(own(item, 'Acl'), `Actions[${index}].Acl`);
  const objectOwnership = ownershipOf(item, `Actions[${index}].ObjectOwnership`);
  // Assigned one by one, not spread: a chain of conditional spreads made building and reading this input take
  // ~8 µs a request (measured), assignment well under one.
  const out: Mutable<AuthorizeAction> = { action, resource };
  if (resourceAccount !== undefined) out.resourceAccount = resourceAccount;
  if (resourcePolicy !== undefined) out.resourcePolicy = resourcePolicy;
  if (resourcePolicyArn !== undefined) out.resourcePolicyArn = resourcePolicyArn;
  if (acl !== undefined) out.acl = acl;
  if (objectOwnership !== undefined) out.objectOwnership = objectOwnership;
  if (context !== undefined) out.context = context;
  return out;
}

/** The JSON body of POST /_gatehouse/authorize, as the library call takes it. */
export function authorizeInputOf(body: Json): AuthorizeInput & { includeChunkSigningKey: boolean } {
  const actions = own(body, 'Actions');
  if (!Array.isArray(actions)) throw validationError('Actions must be a list');
  const requestValue = own(body, 'Request');
  const principalArn = optionalString(body, 'PrincipalArn');
  const service = optionalString(body, 'Service');
  const regions = stringList(own(body, 'Regions'), 'Regions');
  const resourceAccount = optionalString(body, 'ResourceAccount');
  const resourcePolicy = policyText(body, 'ResourcePolicy', 'ResourcePolicy');
  const resourcePolicyArn = optionalString(body, 'ResourcePolicyArn');
  const context = contextOf(own(body, 'Context'));
  const acl = aclOf(own(body, 'Acl'), 'Acl');
  const objectOwnership = ownershipOf(body, 'ObjectOwnership');
  // Built in a fixed order without spreads, for the reason actionOf gives.
  // The forwarded request is checked before the actions, so a body wrong in both is told about the request.
  const request = requestValue !== undefined && requestValue !== null ? forwardedRequest(requestValue) : undefined;
  const input: Mutable<AuthorizeInput> & { includeChunkSigningKey: boolean } = {
    actions: actions.map(actionOf),
    explain: own(body, 'Explain') === true,
    includeChunkSigningKey: own(body, 'IncludeChunkSigningKey') === true,
  };
  if (request !== undefined) input.request = request;
  if (principalArn !== undefined) input.principalArn = principalArn;
  if (service !== undefined) input.service = service;
  if (regions !== undefined) input.regions = regions;
  if (resourceAccount !== undefined) input.resourceAccount = resourceAccount;
  if (resourcePolicy !== undefined) input.resourcePolicy = resourcePolicy;
  if (resourcePolicyArn !== undefined) input.resourcePolicyArn = resourcePolicyArn;
  if (acl !== undefined) input.acl = acl;
  if (objectOwnership !== undefined) input.objectOwnership = objectOwnership;
  if (context !== undefined) input.context = context;
  return input;
}

function recordJson(record: ResourcePolicyRecord): Json {
  return { Arn: record.arn, Account: record.account, ...(record.policy !== undefined ? { Policy: record.policy } : {}), Tags: record.tags };
}

/** The handler for the reserved paths this module serves: true when it took the request. */
export function createAuthorizeRoutes(deps: AuthorizeRoutesDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const api = new AuthorizeApi({ store: deps.store, authenticator: deps.authenticator, authorizer: deps.authorizer, clock: deps.clock });
  const secureTransport = deps.secure ? 'true' : 'false';
  // A registry write replayed within the signature's 15 minutes could put back a policy changed since: refused.
  const replays = new ReplayGuard();

  /**
   * Throws AccessDenied unless the calling service's policies allow `action` on `resource`. An allowed call is
   * usually decided at once, without a promise: one is returned only when the decision reads the store.
   */
  function permit(req: IncomingMessage, signed: SignedRequest, caller: Caller, action: string, resource: string, now: Date): Promise<void> | undefined {
    if (caller.account !== deps.operatorAccount) {
      throw new ServiceError(
        'AccessDenied',
        `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource} because only principals of account ${deps.operatorAccount}, which operates this Gatehouse, may call it`,
        403,
      );
    }
    const context = () => addRequestKeys({ 'aws:SecureTransport': secureTransport }, signed.headers, req.socket.remoteAddress);
    const request = { caller, action, resource, now, context };
    // The calling service's policies are compiled after its first call: an allowed call needs no read. A denial
    // goes the whole way, for AWS's text.
    if (deps.authorizer.decideCached(request)?.decision === 'Allowed') return undefined;
    return deps.store.read(async (tx) => {
      await deps.authorizer.authorize(request, tx);
    });
  }

  /** The answer's JSON text. */
  async function authorizeCall(req: IncomingMessage, signed: SignedRequest, caller: Caller, callRegion: string, settled: boolean, now: Date, requestId: string): Promise<string> {
    const input = authorizeInputOf(parseObject(signed.body));
    const service = input.service ?? 's3';
    // Every call asks this one: awaited only when it reads (an await of nothing still costs a microtask turn).
    const reading = permit(req, signed, caller, GATEHOUSE_ACTIONS.authorize, serviceResource(service), now);
    if (reading !== undefined) await reading;
    if (input.principalArn !== undefined) await permit(req, signed, caller, GATEHOUSE_ACTIONS.authorizeAsPrincipal, input.principalArn, now);
    if (input.explain === true) await permit(req, signed, caller, GATEHOUSE_ACTIONS.explainDecision, serviceResource(service), now);
    if (input.includeChunkSigningKey) await permit(req, signed, caller, GATEHOUSE_ACTIONS.getChunkSigningKey, serviceResource(service), now);
    // authenticateSigned settled the store for this request: a second wait would be one more round trip on PostgreSQL.
    const answer = await api.authorize(input, { settled });
    if (deps.usage !== undefined) noteDecisions(deps.usage, answer, callRegion, now);
    if (deps.audit !== undefined) await deps.audit.record({ input, answer, callRegion, requestId, time: now });
    return answerJson(answer, input.includeChunkSigningKey);
  }

  async function registryCall(req: IncomingMessage, signed: SignedRequest, caller: Caller, now: Date, tags: boolean): Promise<{ status: number; body: Json }> {
    const arn = new URLSearchParams(signed.query).get('arn');
    if (arn === null || arn === '') throw validationError('The arn query parameter is required');
    const method = signed.method.toUpperCase();
    if (method !== 'GET') replays.check(readAuthParameters(signed).signature.toLowerCase(), now);
    if (tags) {
      if (method !== 'PUT') throw new ServiceError('MethodNotAllowed', `${RESOURCE_TAGS_PATH} answers PUT.`, 405);
      await permit(req, signed, caller, GATEHOUSE_ACTIONS.tagResource, arn, now);
      const body = parseObject(signed.body);
      const account = optionalString(body, 'Account');
      const record = await deps.store.transaction((tx) => putResourceTags(tx, { arn, ...(account !== undefined ? { account } : {}), tags: own(body, 'Tags') }, now));
      return { status: 200, body: record === undefined ? { Arn: arn, Tags: [] } : recordJson(record) };
    }
    if (method === 'GET') {
      await permit(req, signed, caller, GATEHOUSE_ACTIONS.getResourcePolicy, arn, now);
      const record = await deps.store.read((tx) => getResourcePolicy(tx, arn));
      if (record === undefined) throw new ServiceError('ResourceNotFoundException', 'Nothing is registered for this resource.', 404);
      return { status: 200, body: recordJson(record) };
    }
    if (method === 'PUT') {
      await permit(req, signed, caller, GATEHOUSE_ACTIONS.putResourcePolicy, arn, now);
      const body = parseObject(signed.body);
      const account = optionalString(body, 'Account');
      const policy = policyText(body, 'Policy', 'Policy');
      if (policy === undefined) throw validationError('Policy is required');
      const record = await deps.store.transaction((tx) => putResourcePolicy(tx, { arn, ...(account !== undefined ? { account } : {}), policy }, now));
      return { status: 200, body: recordJson(record) };
    }
    if (method === 'DELETE') {
      await permit(req, signed, caller, GATEHOUSE_ACTIONS.deleteResourcePolicy, arn, now);
      await deps.store.transaction((tx) => deleteResourcePolicy(tx, arn, now));
      return { status: 204, body: {} };
    }
    throw new ServiceError('MethodNotAllowed', `${RESOURCE_POLICIES_PATH} answers GET, PUT and DELETE.`, 405);
  }

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    const kind = path === AUTHORIZE_PATH ? 'authorize' : path === RESOURCE_POLICIES_PATH ? 'policies' : path === RESOURCE_TAGS_PATH ? 'tags' : undefined;
    if (kind === undefined) return false;
    const requestId = randomUUID();
    const work = async (): Promise<void> => {
      if (kind === 'authorize' && req.method !== 'POST') {
        req.resume();
        throw new ServiceError('MethodNotAllowed', `${AUTHORIZE_PATH} answers POST.`, 405);
      }
      const body = await readLimitedBody(req, MAX_BODY);
      const signed: SignedRequest = { method: req.method ?? 'GET', path, query, headers: headerPairs(req), body };
      const now = deps.clock();
      const { caller, region, settled } = await authenticateSigned(deps.authenticator, signed, now);
      if (kind === 'authorize') {
        sendJsonText(res, 200, await authorizeCall(req, signed, caller, region, settled, now, requestId), requestId);
        return;
      }
      const result = await registryCall(req, signed, caller, now, kind === 'tags');
      if (result.status === 204) {
        res.writeHead(204, { 'x-amzn-requestid': requestId, 'cache-control': 'no-store' });
        res.end();
        return;
      }
      sendJson(res, result.status, result.body, requestId);
    };
    work().catch((error: unknown) => {
      // The audit trail closed (shutdown) before the decisions' events were written: unanswered, not unrecorded.
      if (error instanceof AuditWriterClosedError) res.destroy();
      else answerFailure(res, error, requestId, deps.failures, 'authorize API request');
    });
    return true;
  };
}
