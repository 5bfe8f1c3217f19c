import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Authenticator, ResolvedKey } from '../core/authenticate.js';
import type { AuthorizationRequest, Authorizer } from '../core/authorize.js';
import type { Caller } from '../core/caller.js';
import { authorizeUnder, restrictUnder, type EnforcementMode, type WouldDeny } from '../core/enforcement.js';
import { notImplemented, ServiceError } from '../core/errors.js';
import { addRequestKeys, requestedRegion, resourceKeys } from '../core/request-context.js';
import { callerRestriction } from '../core/sts/session-caller.js';
import type { CoreServices, OperationContext, OperationDefinition } from '../core/operation.js';
import { encodeClientError, type ClientProtocol } from '../protocol/client-protocol.js';
import { decodeJsonRequest, encodeJsonError, encodeJsonResult, JSON_CONTENT_TYPE } from '../protocol/json-protocol.js';
import { decodeQueryRequest, encodeQueryError, encodeQueryResult } from '../protocol/query-protocol.js';
import { hasOperation, serviceMetadata } from '../protocol/model.js';
import type { ReadOptions, Store, StoreTx } from '../store/store.js';
import { readCredentialScope, SigV4Error, verifyRequest, type SignedRequest } from '../sigv4/verify.js';
import { factsOf, type AuditTrail, type GatheredFacts } from './audit/audit-trail.js';
import type { AuditWriter } from './audit/audit-writer.js';
import type { RateLimitedLog } from './logger.js';
import type { RequestLog } from './request-log.js';
import { CONSOLE_SHORTCUTS } from './console-routes.js';
import { RESERVED_PREFIX } from './reserved-routes.js';
import { ResponseBatch } from './response-batch.js';
import { BodyTooLarge, readBody, RequestAborted } from './request-body.js';
import { foreignProtocol, headerPairs, headerValue, isService, securityTokenOf, serviceNotServed, type Service } from './request-parts.js';
import { noteAttempt, roleUseOf, type UsageRecorder } from './usage-recorder.js';

export interface GatewayDeps {
  readonly store: Store;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly operations: ReadonlyMap<string, OperationDefinition>;
  readonly services: CoreServices;
  readonly usage: UsageRecorder;
  readonly clock: () => Date;
  /** Aborted or broken requests: the client's doing, logged a few a minute at most. */
  readonly clientErrors: RateLimitedLog;
  /** Unexpected failures (answered ServiceFailure, 500): rate-limited too, since a database outage fails them all. */
  readonly serverErrors: RateLimitedLog;
  /** One line per request at info level; absent when the log level leaves those lines out (nothing is built then). */
  readonly requestLog?: RequestLog;
  /** Gatehouse's own routes under RESERVED_PREFIX (the health endpoint), which no AWS client uses. */
  readonly reserved?: (req: IncomingMessage, res: ServerResponse) => void;
  /** True for a server that only speaks TLS: aws:SecureTransport is then true. */
  readonly secure?: boolean;
  /** IAM requests must be signed for us-east-1, as AWS's IAM endpoint requires (config.ts strictIamRegion). */
  readonly strictIamRegion?: boolean;
  /** How decisions apply (core/enforcement.ts); `enforce` when absent. */
  readonly enforcement?: EnforcementMode;
  /** Where audit mode reports each denial it lets through. */
  readonly wouldDeny?: (denial: WouldDeny & { readonly requestId: string }) => void;
  /** The audit trail: each IAM and STS request's event is committed before its answer is sent. Off when absent. */
  readonly audit?: { readonly trail: AuditTrail; readonly writer: AuditWriter };
}

// The one Region AWS's IAM endpoint takes a signature for (the SDKs sign IAM requests for it whatever the profile says).
/** What the read view of a request whose settle() was confirmed is told (see ReadOptions.settled). */
const SETTLED: ReadOptions = { settled: true };

const IAM_REGIONS: readonly string[] = ['us-east-1'];
// The policy simulators only read (SimulatePrincipalPolicy, SimulateCustomPolicy): a read-only snapshot, no write lock.
const READ_ONLY = /^(Get|List|Describe|Lookup|Simulate)/;
/** Organizations and CloudTrail speak awsJson1_1; IAM and STS the Query protocol. */
const isJson = (service: Service): boolean => service === 'organizations' || service === 'cloudtrail';

const ORGANIZATIONS_TARGET = `${serviceMetadata('organizations').targetPrefix ?? ''}.`;
// The SDK v3 sends only the prefix's last part (see targetOperation).
const CLOUDTRAIL_TARGET = /^(com\.amazonaws\.cloudtrail\.v20131101\.)?CloudTrail_20131101\./;
const JSON_RESPONSE = { contentType: JSON_CONTENT_TYPE } as const;

/**
 * One HTTP request, one pass down and back: authenticate (SigV4), decode (Query), authorize (the engine), run the
 * operation in one transaction, encode. Errors at any step become AWS's error document for the service asked.
 */
export function createGateway(deps: GatewayDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const enforcement = deps.enforcement ?? 'enforce';
  // By service, then by the Action parameter as sent: no `service:Action` string is built to find the operation,
  // and the action the engine is asked about (`iam:GetUser`) is built once here.
  const operations: Record<Service, Map<string, { op: OperationDefinition; action: string }>> = { iam: new Map(), sts: new Map(), organizations: new Map(), cloudtrail: new Map() };
  for (const [action, op] of deps.operations) {
    const [service, name] = action.split(':') as [string, string];
    if (isService(service)) operations[service].set(name, { op, action: op.action ?? action });
  }
  const batch = new ResponseBatch(deps.serverErrors);
  const send = batch.send.bind(batch);
  const readView = deps.store.read.bind(deps.store);
  const transaction = deps.store.transaction.bind(deps.store);
  /** A read-only operation reads a view (which may count the request's settle() as its own), others write. */
  const runOperation = <T>(readOnly: boolean, settled: boolean, work: (tx: StoreTx) => Promise<T>): Promise<T> =>
    readOnly ? readView(work, settled ? SETTLED : undefined) : transaction(work);
  const { requestLog, reserved } = deps;
  const secureTransport = deps.secure === true ? 'true' : 'false';
  const audit = deps.audit;
  // The answers of a committed batch of events go out together, at once: waiting for the batch's own turn of the
  // event loop would add a whole turn to every audited request.
  audit?.writer.afterEachBatch(() => batch.flushNow());
  return (req, res) => {
    if (reserved !== undefined && req.url !== undefined && (req.url.startsWith(RESERVED_PREFIX) || isConsoleShortcut(req.url))) {
      reserved(req, res);
      return;
    }
    const logged = requestLog !== undefined && requestLog.active;
    const started = logged ? performance.now() : 0;
    const requestId = randomUUID();
    let service: Service = 'iam';
    let foreign: ClientProtocol | undefined;
    let foreignService: string | undefined;
    // What the request log tells of a request, filled in as the request goes down.
    let principal: string | undefined;
    let action: string | undefined;
    let stage: 'before' | 'authorizing' | 'allowed' = 'before';
    // Audit mode: a denial was let through.
    let letThrough = false;
    // What the audit trail records of the request, filled in as it goes down.
    const facts: GatheredFacts = {};
    const report = (denial: WouldDeny): void => {
      letThrough = true;
      facts.wouldDeny ??= { code: denial.code, message: denial.message };
      deps.wouldDeny?.({ requestId, ...denial });
    };
    /** Sends the answer once the request's event (if it has one) is committed. */
    const answer = (sendIt: () => void, error?: ServiceError): void => {
      const event = audit === undefined || foreign !== undefined ? undefined : auditEvent(error);
      if (event === undefined) {
        sendIt();
        return;
      }
      audit?.writer.submit(event, sendIt, () => {
        // The audit trail closed (shutdown) before the event was written: the request goes unanswered, not unrecorded.
        res.destroy();
      });
    };
    const auditEvent = (error: ServiceError | undefined) =>
      (audit as NonNullable<typeof audit>).trail.eventFor(
        factsOf(facts, { service, requestId, now: deps.clock, sourceIp: req.socket.remoteAddress, userAgent: req.headers['user-agent'], contentType: req.headers['content-type'] }, error),
      );
    const logRequest = (status: number, code?: string): void => {
      if (!logged || requestLog === undefined) return;
      const decision = stage === 'allowed' ? (letThrough ? 'WouldDeny' : 'Allowed') : stage === 'authorizing' && code === 'AccessDenied' ? 'Denied' : undefined;
      requestLog.write({ requestId, principal, service: foreign === undefined ? service : foreignService, action, decision, status, code, micros: Math.round((performance.now() - started) * 1000) });
    };
    handle()
      .then(({ status, body }) => {
        answer(() => {
          send(res, status, body, requestId, isJson(service) ? JSON_RESPONSE : undefined);
          logRequest(status);
        });
      })
      .catch((error: unknown) => {
        if (error instanceof RequestAborted) {
          deps.clientErrors.log({ code: error.reason.code, remoteAddress: req.socket.remoteAddress }, `client error: request ${error.message}`);
          res.destroy();
          return;
        }
        const failure = toServiceError(error, deps.serverErrors);
        const close = error instanceof BodyTooLarge && error.closeConnection ? ['connection', 'close'] : undefined;
        if (foreign !== undefined) {
          const encoded = encodeClientError(foreign, failure, requestId);
          const headers = encoded.errorType !== undefined ? ['x-amzn-errortype', encoded.errorType, ...(close ?? [])] : close;
          send(res, encoded.status, encoded.body, requestId, { contentType: encoded.contentType, ...(headers !== undefined ? { headers } : {}) });
          logRequest(encoded.status, failure.code);
          return;
        }
        if (isJson(service)) {
          const encoded = encodeJsonError(service, failure);
          const sendJson = (): void => {
            send(res, encoded.status, encoded.body, requestId, close === undefined ? JSON_RESPONSE : { ...JSON_RESPONSE, headers: close });
            logRequest(encoded.status, failure.code);
          };
          // A failed call (denied, invalid) is recorded as AWS records it; a body too large was never read.
          if (error instanceof BodyTooLarge) sendJson();
          else answer(sendJson, failure);
          return;
        }
        const encoded = encodeQueryError(service, failure, requestId);
        // A body too large was never read: there is no request to record.
        const sendIt = (): void => {
          send(res, encoded.status, encoded.body, requestId, close === undefined ? undefined : { contentType: 'text/xml', headers: close });
          logRequest(encoded.status, failure.code);
        };
        if (error instanceof BodyTooLarge) sendIt();
        else answer(sendIt, failure);
      });

    async function handle(): Promise<{ status: number; body: string }> {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const query = q === -1 ? '' : url.slice(q + 1);
      const headers = headerPairs(req);
      // Read before the body, so that even a body too large is answered in the client's protocol.
      const scope = readCredentialScope({ query, headers });
      if (scope !== undefined && isService(scope.service)) service = scope.service;
      else if (scope === undefined && headerValue(headers, 'x-amz-target')?.startsWith(ORGANIZATIONS_TARGET) === true) {
        // Unsigned, but plainly for Organizations: its MissingAuthenticationToken is answered as Organizations would.
        service = 'organizations';
      } else if (scope === undefined && CLOUDTRAIL_TARGET.test(headerValue(headers, 'x-amz-target') ?? '')) {
        service = 'cloudtrail';
      } else {
        foreign = foreignProtocol(scope?.service, req.method ?? 'GET', headers, query);
        foreignService = scope?.service;
      }
      const body = await readBody(req);
      if (scope !== undefined && !isService(scope.service)) throw serviceNotServed(scope.service);
      facts.body = body;
      facts.query = query;
      // Another node's change acknowledged before this request (a key deleted, a policy denied) must be in every cache
      // the request reads outside a store view: its key, the compiled trust and identity policies.
      const settling = deps.authenticator.settle();
      // Confirmed, the request's read view takes this check as its own (one round trip fewer on PostgreSQL).
      const settled = settling !== undefined && (await settling);
      const signed: SignedRequest = { method: req.method ?? 'GET', path: q === -1 ? url : url.slice(0, q), query, headers, body };
      const now = deps.clock();
      facts.time = now;
      // AWS answers these without a signature: the web identity token or SAML assertion is the authentication.
      // Every other unsigned request goes on to verifyRequest and its MissingAuthenticationToken.
      if (scope === undefined && isUnsignedAction(signed, headerValue(signed.headers, 'content-type'))) {
        service = 'sts';
        return handleUnsigned(body, signed.query, now);
      }
      let key: ResolvedKey | undefined;
      let keyError: unknown;
      if (scope !== undefined) {
        facts.presentedKeyId = scope.accessKeyId;
        if (isService(scope.service)) facts.signingRegion = scope.region;
        try {
          const token = securityTokenOf(signed);
          const known = deps.authenticator.peek(scope.accessKeyId, token, now);
          key = known !== undefined ? known ?? undefined : await deps.authenticator.resolve(scope.accessKeyId, token, now);
        } catch (error) {
          keyError = error;
        }
      }
      // A bad session token is reported where an unknown key would be: after the date, clock and scope checks.
      const verified = verifyRequest(signed, {
        now,
        scope, // reuses readCredentialScope's parse of this request
        queryProtocol: !isJson(service), // IAM and STS: a presigned GET may carry a signature made for POST
        ...(deps.strictIamRegion === true && scope?.service === 'iam' ? { regions: IAM_REGIONS } : {}),
        secretFor: () => {
          if (keyError !== undefined) throw keyError;
          return key?.secret;
        },
      });
      if (!isService(verified.service)) {
        throw new ServiceError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      }
      const caller = (key as ResolvedKey).caller;
      facts.caller = caller;
      principal = caller.arn;
      deps.usage.note(caller.accessKeyId, now, verified.service, requestedRegion(service, verified.region), roleUseOf(caller));

      const decoded = isJson(service)
        ? { ...decodeJsonRequest(service, body, headerValue(signed.headers, 'x-amz-target')), version: '' }
        : decodeQueryRequest(service, body, headerValue(signed.headers, 'content-type'), signed.query);
      const found = operations[service].get(decoded.action);
      if (found === undefined) {
        if (hasOperation(service, decoded.action)) throw notImplemented(decoded.action);
        throw new ServiceError('InvalidAction', `Could not find operation ${decoded.action} for version ${decoded.version}`, 400);
      }
      const { op } = found;
      const operationAction = found.action;
      action = operationAction;
      // Access Advisor counts every authenticated attempt at an action, allowed or not, as AWS's does.
      noteAttempt(deps.usage, caller, operationAction, requestedRegion(service, verified.region), now);
      const params = decoded.params;
      facts.opName = decoded.action;
      facts.params = params;
      // Get and List operations only read (AWS's naming guarantees it): they take a snapshot, not the write lock.
      const readOnly = READ_ONLY.test(op.name) && op.writes?.(params) !== true;
      const result = await runOperation(readOnly, settled, async (tx) => {
        const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '');
        // The Host is signed (SigV4 always signs it): a value outside host[:port] syntax is no origin at all.
        const host = req.headers.host;
        const origin = host !== undefined && /^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$/.test(host) ? `${deps.secure === true ? 'https' : 'http'}://${host.toLowerCase()}` : undefined;
        const ctx: OperationContext = { caller, account: caller.account, tx, now, requestId, services: deps.services, sourceIp, ...(origin !== undefined ? { origin } : {}) };
        const resource = await op.resource(ctx, params);
        // By the action's name: AcquireRole is refused as the iam:GetRoleTemplateVersion it is authorized as.
        const restriction = callerRestriction(caller, service, operationAction.slice(operationAction.indexOf(':') + 1), resource);
        if (restriction !== undefined) restrictUnder(enforcement, restriction, { caller, action: operationAction, resource }, report);
        // Awaited only when the operation has them: an await of nothing still costs a turn of the microtask queue.
        const withoutPolicy = op.allowedWithoutPolicy !== undefined && (await op.allowedWithoutPolicy(ctx, params));
        // Built only if a statement's condition reads the context; the resource's keys are its own (see alsoRequires).
        const requestKeys = (): Record<string, string | string[]> => {
          const keys: Record<string, string | string[]> = { 'aws:RequestedRegion': requestedRegion(service, verified.region), 'aws:SecureTransport': secureTransport };
          addRequestKeys(keys, signed.headers, req.socket.remoteAddress);
          return op.conditionKeys === undefined ? keys : Object.assign(keys, op.conditionKeys(ctx, params));
        };
        if (withoutPolicy && caller.limitPolicies !== undefined) {
          // What AWS grants without a policy (a user changing its own password) a scoped or delegated session still
          // gets only within its scope-down policies.
          stage = 'authorizing';
          deps.authorizer.authorizeWithinLimits({ caller, action: operationAction, resource, now }, requestKeys);
        }
        if (!withoutPolicy) {
          const owned = op.resourcePolicy === undefined ? undefined : await op.resourcePolicy(ctx, params);
          const onResource = resourceKeys(ctx, operationAction, resource);
          const ofResource = onResource instanceof Promise ? await onResource : onResource;
          const context = (): Record<string, string | string[]> => ({ ...ofResource, ...requestKeys() });
          const request: AuthorizationRequest =
            owned === undefined
              ? { caller, action: operationAction, resource, now, context }
              : { caller, action: operationAction, resource, now, context, resourcePolicy: owned.document, resourceAccount: owned.account };
          stage = 'authorizing';
          const pending = authorizeUnder(enforcement, deps.authorizer, request, tx, report);
          if (pending !== undefined) await pending;
          if (op.alsoRequires !== undefined) {
            const required = op.alsoRequires(ctx, params);
            for (const also of required instanceof Promise ? await required : required) {
              // Another resource is decided on its own: the operation's resource policy is not that resource's.
              const onOther = typeof also === 'string' ? undefined : resourceKeys(ctx, also.action, also.resource);
              const ofOther = onOther instanceof Promise ? await onOther : onOther;
              const next: AuthorizationRequest =
                typeof also === 'string'
                  ? { ...request, action: also }
                  : { caller, action: also.action, resource: also.resource, now, context: () => ({ ...ofOther, ...requestKeys(), ...also.conditionKeys }) };
              await authorizeUnder(enforcement, deps.authorizer, next, tx, report);
            }
          }
        }
        stage = 'allowed';
        return op.run(ctx, params);
      });
      facts.result = result;
      return { status: 200, body: isJson(service) ? encodeJsonResult(service, decoded.action, result) : encodeQueryResult(service, decoded.action, result, requestId) };
    }

    /**
     * An unsigned STS request: no caller to authenticate or authorize, so the operation decides alone (it checks the
     * role's trust policy with the provider as the principal). The request context (source IP) rides on the caller.
     */
    async function handleUnsigned(body: Buffer, query: string, now: Date): Promise<{ status: number; body: string }> {
      facts.unsigned = true;
      const decoded = decodeQueryRequest('sts', body, req.headers['content-type'], query);
      facts.opName = decoded.action;
      facts.params = decoded.params;
      const op = deps.operations.get(`sts:${decoded.action}`);
      if (op === undefined) throw notImplemented(decoded.action);
      await op.prepare?.(decoded.params, { store: deps.store, now });
      const caller: Caller = {
        kind: 'anonymous',
        account: '',
        arn: 'anonymous',
        userId: 'anonymous',
        accessKeyId: '',
        context: addRequestKeys({ 'aws:SecureTransport': secureTransport }, headerPairs(req), req.socket.remoteAddress),
      };
      // A read snapshot: issuing a session writes nothing (the session token carries everything).
      const result = await deps.store.read((tx) => op.run({ caller, account: '', tx, now, requestId, services: deps.services }, decoded.params));
      facts.result = result;
      return { status: 200, body: encodeQueryResult('sts', decoded.action, result, requestId) };
    }
  };
}

/** `/console` (with or without a slash or query): the short address of the web console, which no AWS client uses. */
function isConsoleShortcut(url: string): boolean {
  return url.startsWith('/console') && CONSOLE_SHORTCUTS.has(url.split('?')[0] as string);
}

/** STS actions AWS accepts without SigV4 (no Authorization header, no presigned query). */
export const UNSIGNED_ACTIONS: ReadonlySet<string> = new Set(['AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML']);

/** True for a request that carries no SigV4 authentication at all and asks for one of UNSIGNED_ACTIONS. */
function isUnsignedAction(signed: SignedRequest, contentType: string | undefined): boolean {
  if (signed.headers.some(([name]) => name === 'authorization')) return false;
  const query = new URLSearchParams(signed.query);
  if (query.has('X-Amz-Algorithm')) return false;
  // As the Query decoder reads them: form body fields win over the query string.
  const form = /^application\/x-www-form-urlencoded/i.test(contentType ?? '') ? new URLSearchParams(signed.body.toString('utf8')) : undefined;
  const action = form?.get('Action') ?? query.get('Action');
  return action !== null && UNSIGNED_ACTIONS.has(action);
}

function toServiceError(error: unknown, log: RateLimitedLog): ServiceError {
  if (error instanceof ServiceError) return error;
  if (error instanceof SigV4Error) return new ServiceError(error.code, error.message, error.status);
  log.log({ err: error }, `request failed: ${error instanceof Error ? error.message : String(error)}`);
  return new ServiceError('ServiceFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500, 'Receiver');
}
