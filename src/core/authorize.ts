import { MISSING_TEXT, TYPE_TEXT } from '../policy/decide.js';
import { managedPolicyDocument } from './iam/policy-lookup.js';
import type { DecisionRequest } from '../policy/context.js';
import { compilePolicies, type CompiledPolicySet } from '../policy/engine.js';
import type { DecisionResult } from '../policy/decide.js';
import type { StatementTrace } from '../policy/policy-list.js';
import { parsePolicy } from '../policy/parse.js';
import type { Store, StoreTx } from '../store/store.js';
import type { Caller } from './caller.js';
import { accessDenied } from './errors.js';
import { protectedResourceError } from './reserved-resources.js';
import { boundaryDocument, storedBoundary } from './iam/boundaries.js';
import { attachmentKey, inlineOwner, KIND, REL, type PrincipalEntityType } from './iam/kinds.js';
import { principalOrganization } from './organizations/effective.js';
import type { AwsManagedPolicyCatalog } from './operation.js';
import { ENCODED_MESSAGE_SUFFIX, type AuthorizationMessageEncoder, type MatchedStatement } from './sts/authorization-message.js';

/** One authorization question: may the caller perform `action` on `resource`, with these extra context keys. */
export interface AuthorizationRequest {
  readonly caller: Caller;
  readonly action: string;
  readonly resource: string;
  /** Extra context keys, or a function that builds them: called only if a decision reads the context. */
  readonly context?: Readonly<Record<string, string | readonly string[]>> | (() => Readonly<Record<string, string | readonly string[]>>);
  readonly now: Date;
  /**
   * The resource's own policy (a role's trust policy for sts:AssumeRole), evaluated with the caller's policies as
   * AWS does: across accounts both must allow; within one, how the policy names the caller decides.
   */
  readonly resourcePolicy?: string;
  /** The account that owns the resource; the caller's when absent. */
  readonly resourceAccount?: string;
}

interface CachedSet {
  readonly version: number;
  readonly set: CompiledPolicySet;
  /** aws:PrincipalTag/… from the user's or role's own tags (a session's tags override them). */
  readonly principalTags: Readonly<Record<string, string>>;
  /** aws:PrincipalOrgID and aws:PrincipalOrgPaths when the caller's account is in an organization: nothing overrides them. */
  readonly orgKeys: Readonly<Record<string, string | readonly string[]>>;
}

type Compiled = Omit<CachedSet, 'version'>;

// A federation token the root user issued: AWS gives it the root user's permissions, limited by the session policy.
const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
// A policy must have a statement; this one matches no action, so as a boundary it allows nothing.
const ALLOW_NOTHING = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotAction: '*', Resource: '*' }] });

const CACHE_LIMIT = 4096;
/** The names scope-down policies get in the compiled set (and its explanations): `limit:0`, `limit:1`… */
const LIMIT_PREFIX = 'limit:';

/**
 * Decides every request with the policy engine. The policies in force for a principal are read and compiled once,
 * then reused until the store's version moves (any IAM write), so a permission change applies to the next request.
 */
export class Authorizer {
  private readonly cache = new Map<string, CachedSet>();
  /** The same entries by Caller object, for requests without a resource policy. */
  private readonly byCaller = new WeakMap<Caller, CachedSet>();

  constructor(
    private readonly store: Store,
    private readonly awsPolicies: () => AwsManagedPolicyCatalog,
    /**
     * Given when the server appends an encoded failure message to every AccessDenied (an option, off by default:
     * AWS's IAM denials carry none). Only denials read it.
     */
    private readonly encodeFailure?: AuthorizationMessageEncoder,
  ) {}

  /** Decides inside the request's transaction, so the policies read are those the operation will see. */
  async decide(request: AuthorizationRequest, tx: StoreTx, explain = false): Promise<DecisionResult> {
    const entry = await this.policiesOf(request.caller, request.resourcePolicy, tx);
    return entry.set.evaluate(new LazyDecisionRequest(request, entry), { explain });
  }

  /**
   * decide without a transaction, when the caller's policies (with this resource policy) are compiled and current;
   * undefined when they would have to be read. The authorize API decides most requests this way.
   */
  decideCached(request: AuthorizationRequest, explain = false): DecisionResult | undefined {
    const entry = this.cached(request.caller, request.resourcePolicy);
    return entry?.set.evaluate(new LazyDecisionRequest(request, entry), { explain });
  }

  /**
   * Throws AccessDenied with AWS's message unless the engine allows the request. With the caller's policies
   * compiled already (the common case) the decision takes no asynchronous step.
   */
  authorize(request: AuthorizationRequest, tx: StoreTx): Promise<void> | void {
    const entry = this.cached(request.caller, request.resourcePolicy);
    if (entry === undefined) return this.decide(request, tx).then((result) => this.settle(request, tx, result));
    return this.settle(request, tx, entry.set.evaluate(new LazyDecisionRequest(request, entry)));
  }

  /**
   * For what AWS grants without any policy (ChangePassword under AllowUsersToChangePassword): the caller's scope-down
   * policies, if it has any, must still allow it. Throws AccessDenied with AWS's text otherwise.
   */
  authorizeWithinLimits(request: Omit<AuthorizationRequest, 'context'>, context: () => Readonly<Record<string, string | readonly string[]>>): void {
    const limits = request.caller.limitPolicies;
    if (limits === undefined || limits.length === 0) return;
    const key = JSON.stringify(limits);
    let set = this.limitSets.get(key);
    if (set === undefined) {
      if (this.limitSets.size >= CACHE_LIMIT) this.limitSets.clear();
      set = compilePolicies({ identityPolicies: [ALLOW_ALL], limitingPolicies: limits.map((document, i) => ({ name: `${LIMIT_PREFIX}${i}`, document })) });
      this.limitSets.set(key, set);
    }
    const full: AuthorizationRequest = { ...request, context };
    const result = set.evaluate(new LazyDecisionRequest(full, { principalTags: {}, orgKeys: {} }), { explain: true });
    if (result.decision !== 'Allowed') throw accessDenied(denialMessage(full, result));
  }

  /** Compiled scope-down policies alone, by their JSON (they hold no store state, so no version applies). */
  private readonly limitSets = new Map<string, CompiledPolicySet>();

  private settle(request: AuthorizationRequest, tx: StoreTx, result: DecisionResult): Promise<void> | void {
    if (result.decision === 'Allowed') return;
    // The caller had the permission; AWS refuses the change to its own resource with the operation's error.
    if (result.decidedBy[0] === 'awsProtected') {
      const refusal = protectedResourceError(request.caller.arn, request.action, request.resource);
      if (refusal !== undefined) throw refusal;
    }
    return this.deny(request, tx);
  }

  private async deny(request: AuthorizationRequest, tx: StoreTx): Promise<void> {
    if (this.encodeFailure !== undefined) return this.denyEncoded(request, tx, this.encodeFailure);
    // Denials are rare: decide again with the explanation, whose statements name the policy that denied.
    throw accessDenied(denialMessage(request, await this.decide(request, tx, true)));
  }

  /** AWS's AccessDenied text followed by the encoded failure message (EC2's form) that DecodeAuthorizationMessage reads. */
  private async denyEncoded(request: AuthorizationRequest, tx: StoreTx, encode: AuthorizationMessageEncoder): Promise<void> {
    const { caller } = request;
    const entry = await this.policiesOf(caller, request.resourcePolicy, tx);
    const { set } = entry;
    const decision = new LazyDecisionRequest(request, entry);
    const result = set.evaluate(decision, { explain: true });
    const encoded = encode({
      account: caller.account,
      explicitDeny: result.decision === 'ExplicitlyDenied',
      matchedStatements: await this.matchedStatements(request, decision, result, tx),
      principal: { id: caller.userId, ...(caller.kind === 'user' && caller.userName !== undefined ? { name: caller.userName } : {}), arn: caller.arn },
      action: request.action,
      resource: request.resource,
      // Off the hot path (a denial, with the option on): the context is built here when the decision did not read it.
      conditions: decision.context,
    });
    throw accessDenied(`${denialMessage(request, result)}${ENCODED_MESSAGE_SUFFIX}${encoded}`);
  }

  /**
   * The statements that decided: the matching Deny statements of an explicit deny, else the Allow statements that
   * matched without being enough (a boundary or session policy lacked one). The explanation names each by policy
   * and position; its Action, Resource and Condition are read back from that policy's document. A resource policy
   * of another account is left out: the message goes to the caller's account.
   */
  private async matchedStatements(request: AuthorizationRequest, decision: LazyDecisionRequest, result: DecisionResult, tx: StoreTx): Promise<MatchedStatement[]> {
    const effect = result.decision === 'ExplicitlyDenied' ? 'Deny' : 'Allow';
    const foreign = decision.resourceAccount !== request.caller.account;
    const matched: MatchedStatement[] = [];
    for (const trace of result.explanation?.statements ?? []) {
      if (!trace.matched || trace.effect !== effect || (trace.policyType === 'resource' && foreign)) continue;
      const document = await this.documentOf(request, trace, tx);
      const statement = document === undefined ? undefined : parsePolicy(document).statements.find((s) => s.index === trace.statementIndex);
      matched.push({
        ...(trace.sid !== undefined ? { statementId: trace.sid } : {}),
        effect: trace.effect,
        principals: [decision.principalId],
        actions: statement?.action ?? [],
        resources: statement?.resource ?? [],
        conditions: (statement?.conditions ?? []).map((c) => ({ key: c.key, values: c.values })),
      });
    }
    return matched;
  }

  /** The document a traced statement came from, found by the name load() gave it. */
  private async documentOf(request: AuthorizationRequest, trace: StatementTrace, tx: StoreTx): Promise<string | undefined> {
    const { caller } = request;
    switch (trace.policyType) {
      case 'identity':
        if (trace.policyName === 'root') return ALLOW_ALL;
        if (trace.policyName.startsWith('inline:')) {
          const inline = await tx.get(KIND.inlinePolicy, caller.account, trace.policyName.slice('inline:'.length));
          return inline?.data['document'] as string | undefined;
        }
        return this.managedDocument(tx, caller.account, trace.policyName);
      case 'permissionsBoundary':
        return this.managedDocument(tx, caller.account, trace.policyName);
      case 'session':
        if (trace.policyName.startsWith(LIMIT_PREFIX)) return caller.limitPolicies?.[Number(trace.policyName.slice(LIMIT_PREFIX.length))];
        return caller.sessionPolicy;
      case 'resource':
        return request.resourcePolicy;
      default:
        return undefined;
    }
  }

  /** The compiled policies of this caller (and resource policy) when still valid. */
  private cached(caller: Caller, resourcePolicy: string | undefined): CachedSet | undefined {
    const version = this.store.version();
    // The authenticator hands out the same Caller object for a key (or session token) until the store changes, so
    // most requests find their policies by that object, without building and hashing the string key.
    if (resourcePolicy === undefined) {
      const mine = this.byCaller.get(caller);
      if (mine !== undefined && mine.version === version) return mine;
    }
    const cached = this.cache.get(cacheKey(caller, resourcePolicy));
    if (cached === undefined || cached.version !== version) return undefined;
    if (resourcePolicy === undefined) this.byCaller.set(caller, cached);
    return cached;
  }

  /** The compiled policies of this caller (and resource policy): cached, or read and compiled now. */
  private async policiesOf(caller: Caller, resourcePolicy: string | undefined, tx: StoreTx): Promise<CachedSet> {
    const cached = this.cached(caller, resourcePolicy);
    if (cached !== undefined) return cached;
    // The version the transaction's reads are as new as: a later reading of version() could already count a change
    // committed on another node that this transaction's snapshot does not see, and the stale policies would be
    // trusted until the next write.
    const version = tx.version;
    const entry = { version, ...(await this.load(tx, caller, resourcePolicy)) };
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(cacheKey(caller, resourcePolicy), entry);
    return entry;
  }

  private async load(tx: StoreTx, caller: Caller, resourcePolicy: string | undefined): Promise<Compiled> {
    const resource = resourcePolicy !== undefined ? { resourcePolicy: { name: 'resource', document: resourcePolicy } } : {};
    // SCPs bind every principal of a member account, its root user included; the engine exempts the management account.
    const org = await principalOrganization(tx, caller.account);
    const orgKeys: CachedSet['orgKeys'] = org === undefined ? {} : { 'aws:PrincipalOrgID': org.orgId, 'aws:PrincipalOrgPaths': [org.path] };
    const organization = (scp: boolean) => (org === undefined ? {} : { serviceControlPolicies: scp ? org.scp : [], managementAccountId: org.management });
    // Scope-down policies bind every caller that has them, the root user's delegated or scoped sessions included.
    const limits = caller.limitPolicies !== undefined ? { limitingPolicies: caller.limitPolicies.map((document, i) => ({ name: `${LIMIT_PREFIX}${i}`, document })) } : {};
    if (caller.kind === 'root') return { set: compilePolicies({ ...resource, ...organization(true), ...limits }), principalTags: {}, orgKeys };
    const identity: Array<{ name: string; document: string }> = [];
    const principalTags: Record<string, string> = {};
    const tagsOf = (record: { data: Record<string, unknown> }): void => {
      for (const tag of (record.data['tags'] as Array<{ Key: string; Value: string }> | undefined) ?? []) principalTags[`aws:PrincipalTag/${tag.Key}`] = tag.Value;
    };
    const add = async (type: PrincipalEntityType, name: string): Promise<void> => {
      for (const inline of await tx.list(KIND.inlinePolicy, caller.account, { owner: inlineOwner(type, name) })) {
        identity.push({ name: `inline:${inline.key}`, document: inline.data['document'] as string });
      }
      for (const link of await tx.links(REL.attached, caller.account, { from: attachmentKey(type, name) })) {
        const document = await this.managedDocument(tx, caller.account, link.to);
        if (document !== undefined) identity.push({ name: link.to, document });
      }
    };
    // The user or role whose policies apply, when it is still the one the credentials were issued to: a namesake
    // created after a deletion is another principal (AWS binds credentials to the unique ID, AIDA… or AROA…).
    const ownerName = caller.kind === 'assumedRole' ? caller.roleName : caller.userName;
    const ownerKind = caller.kind === 'assumedRole' ? KIND.role : KIND.user;
    const owner = ownerName === undefined ? undefined : await tx.get(ownerKind, caller.account, ownerName);
    let boundary: { name: string; document: string } | undefined;
    if (owner !== undefined && owner.id === principalOwnerId(caller)) {
      tagsOf(owner);
      if (caller.kind === 'assumedRole') {
        await add('role', owner.key);
      } else {
        await add('user', owner.key);
        for (const membership of await tx.links(REL.groupMember, caller.account, { from: owner.key })) await add('group', membership.to);
      }
      const stored = storedBoundary(owner);
      if (stored !== undefined) {
        const resolved = await boundaryDocument({ tx, account: caller.account, services: { awsManagedPolicies: this.awsPolicies } }, stored);
        // A boundary that no longer resolves still binds: it allows nothing, rather than nothing limiting the principal.
        boundary = resolved === undefined ? { name: stored.arn, document: ALLOW_NOTHING } : { name: resolved.arn, document: resolved.document };
      }
    } else if (caller.kind === 'federatedUser' && caller.userName === undefined) {
      identity.push({ name: 'root', document: ALLOW_ALL });
    } else {
      // Credentials whose user or role is gone (or replaced): no identity policies, and a boundary that allows
      // nothing, so a resource policy naming the role or account cannot grant either.
      boundary = { name: 'none', document: ALLOW_NOTHING };
    }
    const set = compilePolicies({
      identityPolicies: identity.map((p) => ({ name: p.name, document: p.document })),
      ...(boundary !== undefined ? { permissionsBoundary: boundary } : {}),
      ...(caller.sessionPolicy !== undefined ? { sessionPolicy: { name: 'session', document: caller.sessionPolicy } } : {}),
      ...limits,
      ...resource,
      // Service-linked roles act for their service: SCPs do not restrict them.
      ...organization(!(caller.kind === 'assumedRole' && owner?.data['serviceLinked'] === true)),
    });
    return { set, principalTags, orgKeys };
  }

  /** The default document of an attached policy or boundary, found as every IAM operation finds it. */
  private managedDocument(tx: StoreTx, account: string, arn: string): Promise<string | undefined> {
    return managedPolicyDocument({ tx, account, services: { awsManagedPolicies: this.awsPolicies } }, arn);
  }

}


/**
 * AWS's AccessDenied text, naming the policy type that decided. IAM names a managed policy resource as
 * `policy ARN`, and an explicit deny in a permissions boundary is followed by the boundary's ARN, as AWS writes them.
 */
export function denialMessage(request: AuthorizationRequest, result: DecisionResult): string {
  const resource = /^arn:aws:iam::[^:]*:policy\//.test(request.resource) ? `policy ${request.resource}` : request.resource;
  const head = `User: ${request.caller.arn} is not authorized to perform: ${request.action} on resource: ${resource}`;
  const factor = result.decidedBy[0] ?? 'identity';
  // A trust policy that does not let the caller in: STS names no reason (it would tell outsiders about the role).
  if (request.action.startsWith('sts:') && factor === 'resource' && result.decision === 'ImplicitlyDenied') return head;
  if (result.decision === 'ExplicitlyDenied') {
    const where = `${head} with an explicit deny in ${TYPE_TEXT[factor]}`;
    if (factor !== 'permissionsBoundary') return where;
    const denying = result.explanation?.statements.find((s) => s.policyType === 'permissionsBoundary' && s.effect === 'Deny' && s.matched);
    return denying === undefined ? where : `${where}: ${denying.policyName}`;
  }
  return `${head} because ${MISSING_TEXT[factor] ?? 'no policy allows'} the ${request.action} action`;
}

/**
 * The engine reads the time and the context only when a statement's condition or variable needs them, and most
 * decisions never do: both are built on first read. A class keeps the getters on its prototype (an object literal
 * with getters is slow to create on every request).
 */
class LazyDecisionRequest implements DecisionRequest {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly principalId: string;
  private timeText: string | undefined;
  private contextKeys: Record<string, string | readonly string[]> | undefined;

  constructor(
    private readonly request: AuthorizationRequest,
    private readonly keys: Pick<CachedSet, 'principalTags' | 'orgKeys'>,
  ) {
    const { caller } = request;
    this.principal = caller.arn;
    this.action = request.action;
    this.resource = request.resource;
    this.resourceAccount = request.resourceAccount ?? caller.account;
    this.principalId = caller.kind === 'assumedRole' ? (caller.userId.split(':')[0] as string) : caller.userId;
  }

  get time(): string {
    return (this.timeText ??= this.request.now.toISOString());
  }

  get context(): Record<string, string | readonly string[]> {
    return (this.contextKeys ??= decisionContext(this.request, this.keys));
  }
}

/**
 * The unique ID (AIDA…, AROA…) of the user or role whose policies the caller has: its own for an IAM user (and its
 * GetSessionToken sessions), the role's for a role session, the issuing user's for a federation token.
 */
function principalOwnerId(caller: Caller): string | undefined {
  switch (caller.kind) {
    case 'user':
      return caller.userId;
    case 'assumedRole':
      return caller.userId.split(':')[0];
    case 'federatedUser':
      return caller.session?.issuerUserId;
    default:
      return undefined;
  }
}

// The user name and the owner's unique ID are part of the key: federated users of the same name may come from
// different IAM users, and a user or role recreated under the same name is another principal.
function cacheKey(caller: Caller, resourcePolicy: string | undefined): string {
  const limits = caller.limitPolicies === undefined ? '' : JSON.stringify(caller.limitPolicies);
  return `${caller.kind}\n${caller.arn}\n${caller.userName ?? ''}\n${principalOwnerId(caller) ?? ''}\n${caller.sessionPolicy ?? ''}\n${limits}\n${resourcePolicy ?? ''}`;
}

/** The request's context keys: the principal's tags, the session's keys, then the request's own. */
function decisionContext(request: AuthorizationRequest, principal: Pick<CachedSet, 'principalTags' | 'orgKeys'>): Record<string, string | readonly string[]> {
  const { caller, now } = request;
  const own = typeof request.context === 'function' ? request.context() : request.context;
  const context: Record<string, string | readonly string[]> = { ...principal.principalTags, ...(caller.context ?? {}), ...(own ?? {}), ...principal.orgKeys };
  const mfaAuthTime = caller.session?.mfaAuthTime;
  if (mfaAuthTime !== undefined) {
    context['aws:MultiFactorAuthAge'] = String(Math.max(0, Math.floor((now.getTime() - Date.parse(mfaAuthTime)) / 1000)));
  }
  return caller.roleArn !== undefined ? { 'aws:PrincipalArn': caller.roleArn, ...context } : context;
}
