import { compilePolicies, type CompiledPolicySet } from '../policy/engine.js';
import type { DecisionResult } from '../policy/decide.js';
import type { Store, StoreTx } from '../store/store.js';
import type { Caller } from './caller.js';
import { accessDenied } from './errors.js';
import { attachmentKey, inlineOwner, KIND, REL, type PrincipalEntityType } from './iam/kinds.js';
import type { AwsManagedPolicyCatalog } from './operation.js';

/** One authorization question: may the caller perform `action` on `resource`, with these extra context keys. */
export interface AuthorizationRequest {
  readonly caller: Caller;
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  readonly now: Date;
}

interface CachedSet {
  readonly version: number;
  readonly set: CompiledPolicySet;
}

const CACHE_LIMIT = 4096;

/**
 * Decides every request with the policy engine. The policies in force for a principal are read and compiled once,
 * then reused until the store's version moves (any IAM write), so a permission change applies to the next request.
 */
export class Authorizer {
  private readonly cache = new Map<string, CachedSet>();

  constructor(
    private readonly store: Store,
    private readonly awsPolicies: () => AwsManagedPolicyCatalog,
  ) {}

  /** Decides inside the request's transaction, so the policies read are those the operation will see. */
  async decide(request: AuthorizationRequest, tx: StoreTx, explain = false): Promise<DecisionResult> {
    const set = await this.policiesOf(request.caller, tx);
    const context: Record<string, string | readonly string[]> = { ...(request.caller.context ?? {}), ...(request.context ?? {}) };
    return set.evaluate({
      principal: request.caller.arn,
      action: request.action,
      resource: request.resource,
      resourceAccount: request.caller.account,
      time: request.now.toISOString(),
      principalId: request.caller.kind === 'assumedRole' ? request.caller.userId.split(':')[0] : request.caller.userId,
      context: request.caller.roleArn !== undefined ? { 'aws:PrincipalArn': request.caller.roleArn, ...context } : context,
    }, { explain });
  }

  /** Throws AccessDenied with AWS's message unless the engine allows the request. */
  async authorize(request: AuthorizationRequest, tx: StoreTx): Promise<void> {
    const result = await this.decide(request, tx);
    if (result.decision === 'Allowed') return;
    // Denials are rare: decide again with the explanation, whose statements name the policy that denied.
    throw accessDenied(denialMessage(request, await this.decide(request, tx, true)));
  }

  private async policiesOf(caller: Caller, tx: StoreTx): Promise<CompiledPolicySet> {
    const version = this.store.version();
    const key = `${caller.arn}\n${caller.sessionPolicy ?? ''}`;
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.version === version) return cached.set;
    const set = await this.load(tx, caller);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, { version, set });
    return set;
  }

  private async load(tx: StoreTx, caller: Caller): Promise<CompiledPolicySet> {
    if (caller.kind === 'root') return compilePolicies({});
    const identity: Array<{ name: string; document: string }> = [];
    let boundaryArn: string | undefined;
    const add = async (type: PrincipalEntityType, name: string): Promise<void> => {
      for (const inline of await tx.list(KIND.inlinePolicy, caller.account, { owner: inlineOwner(type, name) })) {
        identity.push({ name: `inline:${inline.key}`, document: inline.data['document'] as string });
      }
      for (const link of await tx.links(REL.attached, caller.account, { from: attachmentKey(type, name) })) {
        const document = await this.managedDocument(tx, caller.account, link.to);
        if (document !== undefined) identity.push({ name: link.to, document });
      }
    };
    if (caller.kind === 'user' || caller.kind === 'federatedUser') {
      const name = caller.userName as string;
      const user = await tx.get(KIND.user, caller.account, name);
      if (user !== undefined) {
        boundaryArn = user.data['permissionsBoundary'] as string | undefined;
        await add('user', user.key);
        for (const membership of await tx.links(REL.groupMember, caller.account, { from: user.key })) await add('group', membership.to);
      }
    } else if (caller.kind === 'assumedRole' && caller.roleName !== undefined) {
      const role = await tx.get(KIND.role, caller.account, caller.roleName);
      if (role !== undefined) {
        boundaryArn = role.data['permissionsBoundary'] as string | undefined;
        await add('role', role.key);
      }
    }
    const boundary = boundaryArn === undefined ? undefined : await this.managedDocument(tx, caller.account, boundaryArn);
    return compilePolicies({
      identityPolicies: identity.map((p) => ({ name: p.name, document: p.document })),
      ...(boundary !== undefined ? { permissionsBoundary: { name: boundaryArn, document: boundary } } : {}),
      ...(caller.sessionPolicy !== undefined ? { sessionPolicy: { name: 'session', document: caller.sessionPolicy } } : {}),
    });
  }

  private async managedDocument(tx: StoreTx, account: string, arn: string): Promise<string | undefined> {
    if (arn.startsWith('arn:aws:iam::aws:policy/')) {
      const policy = this.awsPolicies().get(arn);
      return policy?.versions.find((v) => v.versionId === policy.defaultVersionId)?.document;
    }
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    const policy = await tx.get(KIND.policy, account, name);
    if (policy === undefined) return undefined;
    const version = await tx.get(KIND.policyVersion, account, `${policy.key}:${policy.data['defaultVersionId'] as string}`);
    return version?.data['document'] as string | undefined;
  }
}

const DENY_WHERE: Record<string, string> = {
  identity: 'an identity-based policy',
  permissionsBoundary: 'a permissions boundary',
  session: 'a session policy',
  resource: 'a resource-based policy',
  scp: 'a service control policy',
  rcp: 'a resource control policy',
};

const NO_ALLOW: Record<string, string> = {
  identity: 'no identity-based policy allows',
  permissionsBoundary: 'no permissions boundary allows',
  session: 'no session policy allows',
  resource: 'no resource-based policy allows',
  scp: 'no service control policy allows',
  rcp: 'no resource control policy allows',
};

/**
 * AWS's AccessDenied text, naming the policy type that decided. IAM names a managed policy resource as
 * `policy ARN`, and an explicit deny in a permissions boundary is followed by the boundary's ARN, as AWS writes them.
 */
export function denialMessage(request: AuthorizationRequest, result: DecisionResult): string {
  const resource = /^arn:aws:iam::[^:]*:policy\//.test(request.resource) ? `policy ${request.resource}` : request.resource;
  const head = `User: ${request.caller.arn} is not authorized to perform: ${request.action} on resource: ${resource}`;
  const factor = result.decidedBy[0] ?? 'identity';
  if (result.decision === 'ExplicitlyDenied') {
    const where = `${head} with an explicit deny in ${DENY_WHERE[factor] ?? 'a policy'}`;
    if (factor !== 'permissionsBoundary') return where;
    const denying = result.explanation?.statements.find((s) => s.policyType === 'permissionsBoundary' && s.effect === 'Deny' && s.matched);
    return denying === undefined ? where : `${where}: ${denying.policyName}`;
  }
  return `${head} because ${NO_ALLOW[factor] ?? 'no policy allows'} the ${request.action} action`;
}
