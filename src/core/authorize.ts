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
import { KIND } from './iam/kinds.js';
import { resourceOrganization } from './organizations/effective.js';
import { ALLOW_ALL, gatherPolicies, LIMIT_PREFIX, principalOwnerId, RCP_SERVICES } from './principal-policy-set.js';
import type { OrganizationPolicies } from '../policy/engine.js';
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

/** What the resource's account adds: aws:ResourceOrgID / aws:ResourceOrgPaths, and the RCPs of its path. */
interface ResourceSide {
  readonly version: number;
  readonly keys: Readonly<Record<string, string | readonly string[]>>;
  /** Root first, the account last; empty outside an organization, for its management account, or without RCPs. */
  readonly rcp: readonly OrganizationPolicies[];
}

const NO_RCP: readonly OrganizationPolicies[] = [];

const CACHE_LIMIT = 4096;
/**
 * Decides every request with the policy engine. The policies in force for a principal are read and compiled once,
 * then reused until its account's version moves (Store.versionOf: any write in that account, and any write that may
 * touch every account, as Organizations' do), so a permission change applies to the next request while writes in
 * other accounts leave them compiled.
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
    const side = await this.resourceSideOf(request, tx);
    const entry = await this.policiesOf(request.caller, request.resourcePolicy, tx, rcpOf(request, side));
    return entry.set.evaluate(new LazyDecisionRequest(request, entry, side.keys), { explain });
  }

  /**
   * decide without a transaction, when the caller's policies (with this resource policy) are compiled and current;
   * undefined when they would have to be read. The authorize API decides most requests this way.
   */
  decideCached(request: AuthorizationRequest, explain = false): DecisionResult | undefined {
    const side = this.resourceSideCached(resourceAccountOf(request));
    if (side === undefined) return undefined;
    const entry = this.cached(request.caller, request.resourcePolicy, rcpOf(request, side));
    return entry?.set.evaluate(new LazyDecisionRequest(request, entry, side.keys), { explain });
  }

  /**
   * Throws AccessDenied with AWS's message unless the engine allows the request. With the caller's policies
   * compiled already (the common case) the decision takes no asynchronous step.
   */
  authorize(request: AuthorizationRequest, tx: StoreTx): Promise<void> | void {
    const side = this.resourceSideCached(resourceAccountOf(request));
    const entry = side === undefined ? undefined : this.cached(request.caller, request.resourcePolicy, rcpOf(request, side));
    if (side === undefined || entry === undefined) return this.decide(request, tx).then((result) => this.settle(request, tx, result));
    return this.settle(request, tx, entry.set.evaluate(new LazyDecisionRequest(request, entry, side.keys)));
  }

  /**
   * An unsigned request (S3's anonymous users): with no identity, only the resource's policy can grant it, and the
   * RCPs of the resource's account still cap it, as they cap every principal. Without `tx`, undefined when the
   * resource's account would have to be read.
   */
  decideAnonymous(request: AuthorizationRequest, tx: StoreTx | undefined, explain = false): Promise<DecisionResult> | DecisionResult | undefined {
    if (request.resourcePolicy === undefined) return { decision: 'ImplicitlyDenied', decidedBy: ['resource'] };
    const evaluate = (side: ResourceSide): DecisionResult => {
      const rcp = rcpOf(request, side);
      const set = compilePolicies({
        resourcePolicy: { name: 'resource', document: request.resourcePolicy as string },
        ...(rcp !== undefined ? { resourceControlPolicies: rcp.levels } : {}),
      });
      const own = typeof request.context === 'function' ? request.context() : request.context;
      // The organization keys come from the store alone: nothing the request carries overrides them.
      const context = { ...(own ?? {}), ...side.keys };
      const resourceAccount = resourceAccountOf(request);
      return set.evaluate({ principal: 'anonymous', action: request.action, resource: request.resource, resourceAccount, context, time: request.now.toISOString() }, { explain });
    };
    const cached = this.resourceSideCached(resourceAccountOf(request));
    if (cached !== undefined) return evaluate(cached);
    return tx === undefined ? undefined : this.resourceSideOf(request, tx).then(evaluate);
  }

  /**
   * Resource sides by account, each valid for the account's version it was read at. They hold Organizations data
   * only, whose writes move every account's version.
   */
  private readonly resourceSides = new Map<string, ResourceSide>();

  private resourceSideCached(account: string): ResourceSide | undefined {
    const side = this.resourceSides.get(account);
    return side !== undefined && side.version === this.store.versionOf(account) ? side : undefined;
  }

  private async resourceSideOf(request: AuthorizationRequest, tx: StoreTx): Promise<ResourceSide> {
    const account = resourceAccountOf(request);
    const cached = this.resourceSideCached(account);
    if (cached !== undefined) return cached;
    const version = tx.versionOf(account);
    const org = await resourceOrganization(tx, account);
    const side: ResourceSide =
      org === undefined
        ? { version, keys: {}, rcp: NO_RCP }
        : { version, keys: { 'aws:ResourceOrgID': org.orgId, 'aws:ResourceOrgPaths': [org.path] }, rcp: org.rcp };
    if (this.resourceSides.size >= CACHE_LIMIT) this.resourceSides.clear();
    this.resourceSides.set(account, side);
    return side;
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
    const result = set.evaluate(new LazyDecisionRequest(full, { principalTags: {}, orgKeys: {} }, {}), { explain: true });
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
    const side = await this.resourceSideOf(request, tx);
    const entry = await this.policiesOf(caller, request.resourcePolicy, tx, rcpOf(request, side));
    const { set } = entry;
    const decision = new LazyDecisionRequest(request, entry, side.keys);
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

  /**
   * The compiled policies of this caller (and resource policy) when still valid: everything they were read from is
   * the caller's account's (its principals, policies, memberships) or Organizations' (its SCPs, and the RCPs of the
   * resource's account, whose writes move every account's version), so the caller's account's version covers it.
   */
  private cached(caller: Caller, resourcePolicy: string | undefined, rcp: RcpScope | undefined): CachedSet | undefined {
    const version = this.store.versionOf(caller.account);
    // The authenticator hands out the same Caller object for a key (or session token) until the store changes, so
    // most requests find their policies by that object, without building and hashing the string key.
    const plain = resourcePolicy === undefined && rcp === undefined;
    if (plain) {
      const mine = this.byCaller.get(caller);
      if (mine !== undefined && mine.version === version) return mine;
    }
    const cached = this.cache.get(cacheKey(caller, resourcePolicy, rcp));
    if (cached === undefined || cached.version !== version) return undefined;
    if (plain) this.byCaller.set(caller, cached);
    return cached;
  }

  /** The compiled policies of this caller (and resource policy, and resource's RCPs): cached, or read and compiled now. */
  private async policiesOf(caller: Caller, resourcePolicy: string | undefined, tx: StoreTx, rcp: RcpScope | undefined): Promise<CachedSet> {
    const cached = this.cached(caller, resourcePolicy, rcp);
    if (cached !== undefined) return cached;
    // The version the transaction's reads are as new as: a later reading of version() could already count a change
    // committed on another node that this transaction's snapshot does not see, and the stale policies would be
    // trusted until the next write.
    const version = tx.versionOf(caller.account);
    const entry = { version, ...(await this.load(tx, caller, resourcePolicy, rcp)) };
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(cacheKey(caller, resourcePolicy, rcp), entry);
    return entry;
  }

  private async load(tx: StoreTx, caller: Caller, resourcePolicy: string | undefined, rcp: RcpScope | undefined): Promise<Compiled> {
    const gathered = await gatherPolicies(tx, caller, this.awsPolicies, resourcePolicy, rcp?.levels);
    return { set: compilePolicies(gathered.set), principalTags: gathered.principalTags, orgKeys: gathered.orgKeys };
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
    private readonly resourceOrgKeys: Readonly<Record<string, string | readonly string[]>>,
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
    return (this.contextKeys ??= decisionContext(this.request, this.keys, this.resourceOrgKeys));
  }
}

// The user name and the owner's unique ID are part of the key: federated users of the same name may come from
// different IAM users, and a user or role recreated under the same name is another principal.
// The RCPs are those of the resource's account: the account is part of the key (its policies are read at the entry's
// version, as the caller's are).
function cacheKey(caller: Caller, resourcePolicy: string | undefined, rcp: RcpScope | undefined): string {
  const limits = caller.limitPolicies === undefined ? '' : JSON.stringify(caller.limitPolicies);
  return `${caller.kind}\n${caller.arn}\n${caller.userName ?? ''}\n${principalOwnerId(caller) ?? ''}\n${caller.sessionPolicy ?? ''}\n${limits}\n${rcp?.account ?? ''}\n${resourcePolicy ?? ''}`;
}

/** The RCPs that bind a request: those of the resource's account path, for the services AWS applies RCPs to. */
interface RcpScope {
  readonly account: string;
  readonly levels: readonly OrganizationPolicies[];
}

function rcpOf(request: AuthorizationRequest, side: ResourceSide): RcpScope | undefined {
  if (side.rcp.length === 0) return undefined;
  const service = request.action.slice(0, request.action.indexOf(':')).toLowerCase();
  return RCP_SERVICES.has(service) ? { account: resourceAccountOf(request), levels: side.rcp } : undefined;
}

/** The account that owns the resource, as the decision sees it (LazyDecisionRequest). */
function resourceAccountOf(request: AuthorizationRequest): string {
  return request.resourceAccount ?? request.caller.account;
}

/** The request's context keys: the principal's tags, the session's keys, then the request's own. */
function decisionContext(
  request: AuthorizationRequest,
  principal: Pick<CachedSet, 'principalTags' | 'orgKeys'>,
  resourceOrg: Readonly<Record<string, string | readonly string[]>>,
): Record<string, string | readonly string[]> {
  const { caller, now } = request;
  const own = typeof request.context === 'function' ? request.context() : request.context;
  // The organization keys come from the store alone: nothing the request carries overrides them.
  const context: Record<string, string | readonly string[]> = { ...principal.principalTags, ...(caller.context ?? {}), ...(own ?? {}), ...principal.orgKeys, ...resourceOrg };
  const mfaAuthTime = caller.session?.mfaAuthTime;
  if (mfaAuthTime !== undefined) {
    context['aws:MultiFactorAuthAge'] = String(Math.max(0, Math.floor((now.getTime() - Date.parse(mfaAuthTime)) / 1000)));
  }
  return caller.roleArn !== undefined ? { 'aws:PrincipalArn': caller.roleArn, ...context } : context;
}
