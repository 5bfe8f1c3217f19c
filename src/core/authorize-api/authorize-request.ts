import type { DecisionResult, Explanation } from '../../policy/decide.js';
import { MalformedPolicyError } from '../../policy/errors.js';
import type { ReadOptions, Store, StoreTx } from '../../store/store.js';
import { S3AuthError } from '../../sigv4/s3-errors.js';
import type { S3Payload } from '../../sigv4/s3-payload.js';
import { verifyS3Request, type ForwardedRequest, type S3Verified } from '../../sigv4/s3-verify.js';
import { parseAmzDate } from '../../sigv4/timestamp.js';
import type { Authenticator, ResolvedKey } from '../authenticate.js';
import { denialMessage, type AuthorizationRequest, type Authorizer } from '../authorize.js';
import type { Caller } from '../caller.js';
import { ServiceError, validationError } from '../errors.js';
import { canonicalUserId } from './canonical-user-id.js';
import { callerOfArn } from './principal-of-arn.js';
import { getResourcePolicy, type ResourcePolicyRecord } from './resource-policies.js';
import { checkAclShape, type S3Acl } from './s3-acl.js';
import { aclStatements, withAclStatements } from './s3-acl-decision.js';
import { checkObjectOwnership, DEFAULT_OBJECT_OWNERSHIP, type S3ObjectOwnership } from './s3-ownership.js';

type ContextValue = string | readonly string[];
type Context = Readonly<Record<string, ContextValue>>;
/** A built-up value of a readonly interface, before it is handed out. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One question about the forwarded request: may its principal perform `action` on `resource`? */
export interface AuthorizeAction {
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource; needed when the ARN names none (S3 buckets and objects). */
  readonly resourceAccount?: string;
  /** The resource's resource-based policy, as JSON text. */
  readonly resourcePolicy?: string;
  /** Or the ARN whose registered policy applies (see resource-policies.ts). */
  readonly resourcePolicyArn?: string;
  /**
   * The ACL S3 consults for this action (the bucket's for bucket actions and for s3:PutObject / s3:DeleteObject, the
   * object's for reading an object or its ACL), in force unless `objectOwnership` is BucketOwnerEnforced.
   */
  readonly acl?: S3Acl;
  /** The bucket's Object Ownership; BucketOwnerEnforced (ACLs disabled, S3's default) when absent. */
  readonly objectOwnership?: S3ObjectOwnership;
  readonly context?: Context;
}

export interface AuthorizeInput {
  /** The request as the service received it (signed form)… */
  readonly request?: ForwardedRequest;
  /** …or the principal the caller already authenticated (trusted-caller form). Exactly one of the two. */
  readonly principalArn?: string;
  /** The service whose signing rules apply: `s3` (the only one served so far). */
  readonly service?: string;
  /** Regions the service answers for; any when absent. */
  readonly regions?: readonly string[];
  /** Defaults for every action that does not set its own. */
  readonly resourceAccount?: string;
  readonly resourcePolicy?: string;
  readonly resourcePolicyArn?: string;
  readonly acl?: S3Acl;
  readonly objectOwnership?: S3ObjectOwnership;
  readonly context?: Context;
  readonly actions: readonly AuthorizeAction[];
  /** Adds each decision's explanation (statements, policy types). */
  readonly explain?: boolean;
}

export type PrincipalType = 'Root' | 'IAMUser' | 'AssumedRole' | 'FederatedUser' | 'Anonymous';

export interface PrincipalInfo {
  readonly arn: string;
  readonly account: string;
  /** S3's canonical user ID of the principal's account (64 hex characters); absent for the anonymous principal. */
  readonly canonicalUserId?: string;
  readonly type: PrincipalType;
  readonly userId: string;
  readonly accessKeyId?: string;
  readonly sessionContext?: {
    readonly sessionIssuer?: { readonly type: 'Role' | 'IAMUser' | 'Root'; readonly arn: string; readonly principalId: string; readonly accountId: string; readonly userName?: string };
    readonly attributes: { readonly creationDate?: string; readonly expiration?: string; readonly mfaAuthenticated: boolean };
    readonly sourceIdentity?: string;
  };
}

export interface ActionDecision {
  readonly action: string;
  readonly resource: string;
  readonly decision: DecisionResult['decision'];
  readonly allowed: boolean;
  /** AWS's AccessDenied text when not allowed. */
  readonly message?: string;
  readonly explanation?: Explanation;
  /** The resource's account as decided (for the audit trail; not part of the HTTP answer). */
  readonly resourceAccount?: string;
}

export interface AuthorizeAnswer {
  /** False when the forwarded request's authentication failed: `error` then says how, in the service's words. */
  readonly authenticated: boolean;
  readonly error?: { readonly code: string; readonly message: string; readonly status: number };
  /** True when every action is allowed. */
  readonly allowed: boolean;
  readonly results: readonly ActionDecision[];
  readonly principal?: PrincipalInfo;
  /** The region the forwarded request was signed for (signed form only). */
  readonly region?: string;
  /** What the body must be: the hash to compare while reading it, or the streaming mode whose chunks to verify. */
  readonly payload?: S3Payload;
  /** For STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER): what chunk signatures chain from (see s3-chunks.ts). */
  readonly streaming?: { readonly seedSignature: string; readonly timestamp: string; readonly scope: string; readonly signingKey: Buffer };
  /** The principal decided for (for the audit trail's userIdentity; not part of the HTTP answer). */
  readonly caller?: Caller;
  /** The access key ID a request that failed authentication presented (for the audit trail). */
  readonly presentedKeyId?: string;
}

export interface AuthorizeApiDeps {
  readonly store: Store;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly clock: () => Date;
}

const MAX_ACTIONS = 64;
/** Thrown (and caught in authorize) when a decision needs the store and none was opened. */
const NEEDS_STORE = Symbol('needs a store read');
/** The read views of a request whose settle() was confirmed (see ReadOptions.settled). */
const SETTLED: ReadOptions = { settled: true };
/** Canonical user IDs by account: a hash each, the same for every request of the account. */
const canonicalIds = new Map<string, string>();

function canonicalIdOf(account: string): string {
  let id = canonicalIds.get(account);
  if (id === undefined) {
    if (canonicalIds.size >= 10_000) canonicalIds.clear();
    id = canonicalUserId(account);
    canonicalIds.set(account, id);
  }
  return id;
}
const ACTION = /^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/;
const ACCOUNT_ID = /^[0-9]{12}$/;

function principalType(caller: Caller): PrincipalType {
  switch (caller.kind) {
    case 'root':
      return 'Root';
    case 'user':
      return 'IAMUser';
    case 'assumedRole':
      return 'AssumedRole';
    case 'federatedUser':
      return 'FederatedUser';
    default:
      return 'Anonymous';
  }
}

export function principalInfo(caller: Caller): PrincipalInfo {
  // Assigned in the order printed, not spread: conditional spreads cost far more on this path (see actionOf in
  // the authorize routes).
  const base: Mutable<PrincipalInfo> = { arn: caller.arn, account: caller.account } as Mutable<PrincipalInfo>;
  if (caller.kind !== 'anonymous') base.canonicalUserId = canonicalIdOf(caller.account);
  base.type = principalType(caller);
  base.userId = caller.userId;
  if (caller.accessKeyId !== '') base.accessKeyId = caller.accessKeyId;
  return withSession(caller, base);
}

function withSession(caller: Caller, base: Mutable<PrincipalInfo>): PrincipalInfo {
  const session = caller.session;
  if (session === undefined && caller.kind !== 'assumedRole') return base;
  const issuer =
    caller.kind === 'assumedRole' && caller.roleArn !== undefined
      ? { type: 'Role' as const, arn: caller.roleArn, principalId: caller.userId.split(':')[0] as string, accountId: caller.account, ...(caller.roleName !== undefined ? { userName: caller.roleName } : {}) }
      : session?.userName !== undefined
        ? { type: 'IAMUser' as const, arn: `arn:aws:iam::${caller.account}:user/${session.userName}`, principalId: session.issuerUserId ?? session.userId, accountId: caller.account, userName: session.userName }
        : undefined;
  base.sessionContext = {
    ...(issuer !== undefined ? { sessionIssuer: issuer } : {}),
    attributes: { ...(session !== undefined ? { creationDate: session.issued, expiration: session.expires } : {}), mfaAuthenticated: session?.mfaAuthTime !== undefined },
    ...(session?.sourceIdentity !== undefined ? { sourceIdentity: session.sourceIdentity } : {}),
  };
  return base;
}

/** yyyymmddThhmmssZ (already checked by the verifier) as epoch milliseconds, read as the verifier reads it. */
function amzTimeMs(t: string): number {
  return (parseAmzDate(t) as Date).getTime();
}

/** The condition keys S3 derives from a verified signature (they override any the caller sent: see DERIVED_KEY). */
function signatureKeys(verified: S3Verified, now: Date): Record<string, string> {
  return {
    's3:signatureversion': 'AWS4-HMAC-SHA256',
    's3:authType': verified.presigned ? 'REST-QUERY-STRING' : 'REST-HEADER',
    's3:signatureAge': String(Math.max(0, now.getTime() - amzTimeMs(verified.timestamp))),
    's3:x-amz-content-sha256': verified.payload.signedValue,
    'aws:RequestedRegion': verified.region,
  };
}

const ANONYMOUS: Caller = { kind: 'anonymous', account: '', arn: 'anonymous', userId: 'anonymous', accessKeyId: '' };

/** The first value of a header (`name` lower-case), by a plain loop: this runs twice on every request. */
function headerValue(request: ForwardedRequest, name: string): string | undefined {
  for (let i = 0; i < request.headers.length; i++) {
    const header = request.headers[i] as readonly [string, string];
    if (header[0].toLowerCase() === name) return header[1];
  }
  return undefined;
}

/** The session token of a forwarded request: the header, or a presigned URL's parameter. */
function securityTokenOf(request: ForwardedRequest): string | undefined {
  const header = headerValue(request, 'x-amz-security-token');
  if (header !== undefined) return header;
  for (const pair of request.query.split('&')) {
    if (!pair.startsWith('X-Amz-Security-Token=')) continue;
    try {
      return decodeURIComponent(pair.slice('X-Amz-Security-Token='.length));
    } catch {
      return pair.slice('X-Amz-Security-Token='.length);
    }
  }
  return undefined;
}

function accessKeyIdOf(request: ForwardedRequest): string | undefined {
  const authorization = headerValue(request, 'authorization');
  const credential = authorization !== undefined ? /Credential=([^/,\s]+)/.exec(authorization)?.[1] : /(?:^|&)X-Amz-Credential=([^&%]+)(?:%2F|\/)/i.exec(request.query)?.[1];
  return credential;
}

/** S3's answer to a bad session token (its codes differ from IAM's). */
function s3TokenError(error: unknown): unknown {
  if (!(error instanceof ServiceError)) return error;
  if (error.code === 'ExpiredToken') return new S3AuthError('ExpiredToken', 'The provided token has expired.');
  if (error.code === 'InvalidClientTokenId') return new S3AuthError('InvalidToken', 'The provided token is malformed or otherwise invalid.');
  return error;
}

/**
 * Keys Gatehouse derives from the principal, its session, its organization, the clock and the signature: a calling
 * service describes the request (aws:SourceIp, aws:SecureTransport, s3:prefix…), never who made it, or it could
 * name another principal, tags or MFA into the decision.
 */
const DERIVED_KEY =
  /^(?:aws:(?:principal|userid$|username$|multifactorauth|tokenissuetime$|sourceidentity$|federatedprovider$|currenttime$|epochtime$|resourceaccount$|resourceorg|assumedroot$|viaawsservice$|calledvia|ec2instancesource|rolesessionname$|requestedregion$)|s3:(?:signatureversion$|authtype$|signatureage$|x-amz-content-sha256$)|sts:)/i;

function checkContext(context: unknown, where: string): Context | undefined {
  if (context === undefined) return undefined;
  if (typeof context !== 'object' || context === null || Array.isArray(context)) throw validationError(`${where} must be an object of context keys`);
  for (const [key, value] of Object.entries(context)) {
    if (DERIVED_KEY.test(key)) throw validationError(`${where}.${key.slice(0, 64)} is derived by Gatehouse from the principal, its session and the signature: it cannot be given`);
    const ok = typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!ok || key.length > 256) throw validationError(`${where}.${key.slice(0, 64)} must be a string or a list of strings`);
  }
  return context as Context;
}

/** The ACL that decides with the policies: none when the bucket's Object Ownership disables ACLs (the default). */
function aclInForce(item: AuthorizeAction, input: AuthorizeInput, index: number): S3Acl | undefined {
  const where = `Actions[${index}]`;
  const ownership = checkObjectOwnership(item.objectOwnership ?? input.objectOwnership ?? DEFAULT_OBJECT_OWNERSHIP, `${where}.ObjectOwnership`);
  const raw = item.acl ?? input.acl;
  if (raw === undefined) return undefined;
  const acl = checkAclShape(raw, `${where}.Acl`);
  return ownership === 'BucketOwnerEnforced' ? undefined : acl;
}

/** The account an ARN names, if any. */
function accountOfArn(arn: string): string | undefined {
  // The fifth field, found without splitting the whole ARN (a resource's own part may hold many colons).
  let start = 0;
  for (let field = 0; field < 4; field++) {
    start = arn.indexOf(':', start) + 1;
    if (start === 0) return undefined;
  }
  const end = arn.indexOf(':', start);
  const account = end === -1 ? arn.slice(start) : arn.slice(start, end);
  return ACCOUNT_ID.test(account) ? account : undefined;
}

/**
 * The resource's account. A caller's ResourceAccount that contradicts the account the registry holds the resource
 * under, or the one its ARN names, is refused: taken as given, it would turn a cross-account request into a
 * same-account one, where the resource policy alone grants.
 */
function ownerAccount(index: number, given: string | undefined, registered: ResourcePolicyRecord | undefined, policyArn: string | undefined, resource: string): string | undefined {
  const named = accountOfArn(resource);
  if (given === undefined) return registered?.account ?? named;
  if (!ACCOUNT_ID.test(given)) throw validationError(`Actions[${index}].ResourceAccount must be a 12-digit account ID`);
  if (registered !== undefined && registered.account !== given) {
    throw validationError(`Actions[${index}].ResourceAccount ${given} is not the resource's account: ${policyArn ?? resource} is registered in account ${registered.account}`);
  }
  if (named !== undefined && named !== given) throw validationError(`Actions[${index}].ResourceAccount ${given} is not the resource's account: ${resource} belongs to account ${named}`);
  return given;
}

/**
 * The authorize API as a library call: verifies the forwarded request as its service does (or takes the trusted
 * caller's principal), resolves the principal, and decides each action with every policy that applies: identity,
 * group, boundary, session, resource (inline or registered) and the organization's.
 */
export class AuthorizeApi {
  constructor(private readonly deps: AuthorizeApiDeps) {}

  /**
   * `settled`: the caller has already awaited the authenticator's settle() for this request and it was confirmed (the
   * HTTP route has); otherwise it is awaited here.
   */
  async authorize(input: AuthorizeInput, options: { readonly settled?: boolean } = {}): Promise<AuthorizeAnswer> {
    const service = input.service ?? 's3';
    if (service !== 's3') throw validationError(`Service ${service} is not served: the authorize API verifies S3's signatures (service s3).`);
    if ((input.request === undefined) === (input.principalArn === undefined)) throw validationError('Exactly one of Request and PrincipalArn is required');
    if (!Array.isArray(input.actions) || input.actions.length === 0 || input.actions.length > MAX_ACTIONS) throw validationError(`Actions must list 1 to ${MAX_ACTIONS} actions`);
    const now = this.deps.clock();
    // On a shared database, the caches read below (keys, compiled policies) must count every commit acknowledged
    // before this call, on any node.
    const settling = options.settled === true ? undefined : this.deps.authenticator.settle();
    // Confirmed, this request's read views take that check as their own (one round trip fewer on PostgreSQL).
    const views = settling === undefined || (await settling) ? SETTLED : undefined;

    let caller: Caller;
    let verified: S3Verified | undefined;
    if (input.request !== undefined) {
      const request = input.request;
      const token = securityTokenOf(request);
      const keyId = accessKeyIdOf(request);
      let key: ResolvedKey | undefined;
      let keyError: unknown;
      if (keyId !== undefined) {
        try {
          const known = this.deps.authenticator.peek(keyId, token, now);
          key = known !== undefined ? (known ?? undefined) : await this.deps.authenticator.resolve(keyId, token, now);
        } catch (error) {
          keyError = s3TokenError(error);
        }
      }
      try {
        verified = verifyS3Request(request, {
          now,
          service,
          regions: input.regions,
          secretFor: (accessKeyId, securityToken) => {
            if (accessKeyId !== keyId || securityToken !== token) return undefined;
            if (keyError !== undefined) throw keyError;
            return key?.secret;
          },
        });
      } catch (error) {
        if (error instanceof S3AuthError) {
          const failed: Mutable<AuthorizeAnswer> = { authenticated: false, error: { code: error.code, message: error.message, status: error.status }, allowed: false, results: [] };
          if (keyId !== undefined) failed.presentedKeyId = keyId;
          return failed;
        }
        throw error;
      }
      caller = verified === undefined ? ANONYMOUS : (key as ResolvedKey).caller;
    } else {
      const found = await this.deps.store.read((tx) => callerOfArn(tx, input.principalArn as string), views);
      if (found === undefined) throw new ServiceError('NoSuchEntity', `The principal ${String(input.principalArn).slice(0, 256)} does not exist.`, 404);
      caller = found;
    }

    // Most requests need no read: the principal's policies are compiled and no registered policy is asked for.
    let results: ActionDecision[];
    try {
      results = await this.decideAll(undefined, input, caller, verified, now);
    } catch (error) {
      if (error !== NEEDS_STORE) throw error;
      results = await this.deps.store.read((tx) => this.decideAll(tx, input, caller, verified, now), views);
    }
    const answer: Mutable<AuthorizeAnswer> = { authenticated: true, allowed: results.every((r) => r.allowed), results, principal: principalInfo(caller), caller };
    if (verified !== undefined) {
      answer.payload = verified.payload;
      answer.region = verified.region;
      if (verified.payload.signedChunks) {
        answer.streaming = { seedSignature: verified.signature, timestamp: verified.timestamp, scope: verified.scope, signingKey: verified.signingKey };
      }
    }
    return answer;
  }

  /** Without `tx`, throws NEEDS_STORE as soon as a decision would have to read. */
  private async decideAll(tx: StoreTx | undefined, input: AuthorizeInput, caller: Caller, verified: S3Verified | undefined, now: Date): Promise<ActionDecision[]> {
    const shared = checkContext(input.context, 'Context');
    const results: ActionDecision[] = [];
    for (let index = 0; index < input.actions.length; index++) {
      const item = input.actions[index] as AuthorizeAction;
      if (typeof item?.action !== 'string' || !ACTION.test(item.action)) throw validationError(`Actions[${index}].Action must be service:Action`);
      if (typeof item.resource !== 'string' || item.resource.length === 0 || item.resource.length > 2048) throw validationError(`Actions[${index}].Resource is required`);
      const own = checkContext(item.context, `Actions[${index}].Context`);
      const policyArn = item.resourcePolicyArn ?? (item.resourcePolicy === undefined ? input.resourcePolicyArn : undefined);
      if (policyArn !== undefined && tx === undefined) throw NEEDS_STORE;
      const registered = policyArn !== undefined && tx !== undefined ? await getResourcePolicy(tx, policyArn) : undefined;
      const bucketPolicy = item.resourcePolicy ?? (policyArn !== undefined ? registered?.policy : input.resourcePolicy);
      if (bucketPolicy !== undefined && typeof bucketPolicy !== 'string') throw validationError(`Actions[${index}].ResourcePolicy must be JSON text`);
      const resourceAccount = ownerAccount(index, item.resourceAccount ?? input.resourceAccount, registered, policyArn, item.resource);
      const acl = aclInForce(item, input, index);
      if (resourceAccount === undefined && (bucketPolicy !== undefined || acl !== undefined || caller.kind === 'anonymous')) {
        throw validationError(`Actions[${index}].ResourceAccount is required: the resource's ARN names no account`);
      }
      // An ACL in force is a resource-based grant next to the bucket policy: its statements join the policy's.
      const resourcePolicy =
        acl === undefined
          ? bucketPolicy
          : withAclStatements(
              bucketPolicy,
              aclStatements(acl, {
                actionLower: item.action.toLowerCase(),
                resource: item.resource,
                callerAccount: caller.kind === 'anonymous' ? undefined : caller.account,
                callerCanonicalId: caller.kind === 'anonymous' ? undefined : canonicalIdOf(caller.account),
                resourceOwnerCanonicalId: canonicalIdOf(resourceAccount as string),
              }),
            );
      // Built only if a decision reads the context: most policies have no condition, and the keys cost a copy each.
      const context = (): Context => ({ ...shared, ...own, ...(verified !== undefined ? signatureKeys(verified, now) : undefined) });
      // Assigned, not spread: conditional spreads cost far more per request (see principalInfo).
      const request: Mutable<AuthorizationRequest> = { caller, action: item.action, resource: item.resource, now, context };
      if (resourcePolicy !== undefined) request.resourcePolicy = resourcePolicy;
      if (resourceAccount !== undefined) request.resourceAccount = resourceAccount;
      const decide = (explain: boolean): Promise<DecisionResult> | DecisionResult => {
        if (caller.kind === 'anonymous') {
          const anonymous = this.deps.authorizer.decideAnonymous(request, tx, explain);
          if (anonymous === undefined) throw NEEDS_STORE;
          return anonymous;
        }
        if (tx !== undefined) return this.deps.authorizer.decide(request, tx, explain);
        const cached = this.deps.authorizer.decideCached(request, explain);
        if (cached === undefined) throw NEEDS_STORE;
        return cached;
      };
      let result: DecisionResult;
      try {
        const decision = decide(input.explain === true);
        // Most decisions come from the compiled policies at once: awaiting those would cost a microtask turn each.
        result = decision instanceof Promise ? await decision : decision;
      } catch (error) {
        // Only a policy the caller sent or referenced can be malformed here: stored ones were checked when written.
        if (error instanceof MalformedPolicyError) throw new ServiceError('MalformedPolicyDocument', `Actions[${index}]: ${error.message}`, 400);
        throw error;
      }
      const allowed = result.decision === 'Allowed';
      let message: string | undefined;
      if (!allowed) {
        // The boundary's text names the denying statement: decided again with the explanation when it was not asked.
        const explained = result.explanation !== undefined || caller.kind === 'anonymous' ? result : await decide(true);
        message = caller.kind === 'anonymous' ? 'Access Denied' : denialMessage(request, explained);
      }
      const decided: Mutable<ActionDecision> = { action: item.action, resource: item.resource, decision: result.decision, allowed };
      if (message !== undefined) decided.message = message;
      if (resourceAccount !== undefined) decided.resourceAccount = resourceAccount;
      if (input.explain === true && result.explanation !== undefined) decided.explanation = result.explanation;
      results.push(decided);
    }
    return results;
  }
}
