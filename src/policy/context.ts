import { arnAccount } from './arn.js';
import type { RequestPrincipal } from './principal.js';
import type { ContextInputValue } from './types.js';
import type { ContextLookup } from './variables.js';

/** The request as the engine sees it. The engine reads no clock: the time comes with the request. */
export interface DecisionRequest {
  /** An IAM/STS ARN, a 12-digit account ID (its root user), a service principal such as ec2.amazonaws.com, or "anonymous". */
  readonly principal: string;
  readonly action: string;
  /** The resource ARN; "*" for actions that take none. */
  readonly resource?: string;
  /** The account that owns the resource; taken from the resource ARN when absent, else the principal's account. */
  readonly resourceAccount?: string;
  /** Context keys (case-insensitive) to string, number, boolean or arrays of them. */
  readonly context?: Readonly<Record<string, ContextInputValue>>;
  /** ISO 8601 time of the request; gives aws:CurrentTime and aws:EpochTime unless the context sets them. */
  readonly time?: string;
  /** The principal's unique ID (AIDA… for a user, AROA… for a role), for aws:userid. */
  readonly principalId?: string;
}

function toValues(value: ContextInputValue): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === 'string' ? v : String(v)));
}

const PRINCIPAL_TYPES: Partial<Record<RequestPrincipal['kind'], string>> = {
  root: 'Account',
  user: 'User',
  role: 'AssumedRole',
  assumedRole: 'AssumedRole',
  federatedUser: 'FederatedUser',
  anonymous: 'Anonymous',
};

/** The account that owns the resource, when it can be known. */
export function resourceAccountOf(request: DecisionRequest, principal: RequestPrincipal): string | undefined {
  if (request.resourceAccount !== undefined) return request.resourceAccount;
  const account = request.resource === undefined ? undefined : arnAccount(request.resource);
  return account !== undefined && account !== '' && account !== 'aws' ? account : principal.account;
}

/**
 * A case-insensitive view of the request context plus the keys AWS derives from the principal and the request.
 * Both are computed on first use, key by key, so decisions whose statements read no context pay nothing.
 */
export class RequestContext {
  private own: Map<string, string[] | undefined> | undefined;

  constructor(
    private readonly request: DecisionRequest,
    private readonly principal: RequestPrincipal,
    private readonly resourceAccount: string | undefined,
  ) {}

  readonly lookup: ContextLookup = (keyLower) => {
    if (this.own === undefined) {
      this.own = new Map();
      const context = this.request.context;
      if (context !== undefined) for (const key in context) this.own.set(key.toLowerCase(), toValues(context[key] as ContextInputValue));
    }
    const own = this.own.get(keyLower);
    if (own !== undefined || this.own.has(keyLower)) return own;
    // Remembered, absent ones too, so a policy that reads a key many times derives it once per request.
    const derived = this.derived(keyLower);
    this.own.set(keyLower, derived);
    return derived;
  };

  private derived(keyLower: string): string[] | undefined {
    const p = this.principal;
    const one = (value: string | undefined): string[] | undefined => (value === undefined ? undefined : [value]);
    switch (keyLower) {
      case 'aws:principalarn':
        return one(p.principalArn);
      case 'aws:principalaccount':
        return one(p.account);
      case 'aws:principaltype':
        return one(PRINCIPAL_TYPES[p.kind]);
      case 'aws:username':
        return p.kind === 'user' ? one(p.userName) : undefined;
      case 'aws:userid':
        return one(userId(p, this.request.principalId));
      case 'aws:principalisawsservice':
        return [p.kind === 'service' ? 'true' : 'false'];
      case 'aws:principalservicename':
        return p.kind === 'service' ? [p.raw.toLowerCase()] : undefined;
      case 'aws:resourceaccount':
        return one(this.resourceAccount);
      case 'aws:currenttime':
      case 'aws:epochtime': {
        const ms = this.request.time === undefined ? Number.NaN : Date.parse(this.request.time);
        if (Number.isNaN(ms)) return undefined;
        return keyLower === 'aws:epochtime' ? [String(Math.floor(ms / 1000))] : [new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')];
      }
      default:
        return undefined;
    }
  }
}

function userId(principal: RequestPrincipal, principalId: string | undefined): string | undefined {
  switch (principal.kind) {
    case 'root':
      return principal.account;
    case 'anonymous':
      return 'anonymous';
    case 'assumedRole':
      return principalId === undefined ? undefined : `${principalId}:${principal.sessionName}`;
    case 'federatedUser':
      return `${principal.account}:${principal.userName}`;
    default:
      return principalId;
  }
}
