import { parseArn } from './arn.js';
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

/** The context keys AWS fills in from the principal and the request when the caller did not supply them. */
function derivedKeys(request: DecisionRequest, principal: RequestPrincipal, resourceAccount: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const put = (key: string, value: string | undefined): void => {
    if (value !== undefined) out.set(key, [value]);
  };
  put('aws:principalarn', principal.principalArn);
  put('aws:principalaccount', principal.account);
  put('aws:principaltype', PRINCIPAL_TYPES[principal.kind]);
  if (principal.kind === 'user') put('aws:username', principal.userName);
  put('aws:userid', userId(principal, request.principalId));
  put('aws:principalisawsservice', principal.kind === 'service' ? 'true' : 'false');
  if (principal.kind === 'service') put('aws:principalservicename', principal.raw.toLowerCase());
  put('aws:resourceaccount', resourceAccount);
  if (request.time !== undefined) {
    const ms = Date.parse(request.time);
    if (!Number.isNaN(ms)) {
      put('aws:currenttime', new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
      put('aws:epochtime', String(Math.floor(ms / 1000)));
    }
  }
  return out;
}

/** The account that owns the resource, when it can be known. */
export function resourceAccountOf(request: DecisionRequest, principal: RequestPrincipal): string | undefined {
  if (request.resourceAccount !== undefined) return request.resourceAccount;
  const arn = request.resource === undefined ? undefined : parseArn(request.resource);
  if (arn !== undefined && arn.account !== '' && arn.account !== 'aws') return arn.account;
  return principal.account;
}

/** A case-insensitive view of the context, built on first use so that decisions without conditions pay nothing. */
export function createLookup(request: DecisionRequest, principal: RequestPrincipal, resourceAccount: string | undefined): ContextLookup {
  let keys: Map<string, string[]> | undefined;
  return (keyLower) => {
    if (keys === undefined) {
      keys = derivedKeys(request, principal, resourceAccount);
      if (request.context !== undefined) {
        for (const [key, value] of Object.entries(request.context)) keys.set(key.toLowerCase(), toValues(value));
      }
    }
    return keys.get(keyLower);
  };
}
