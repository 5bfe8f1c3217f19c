import { isAccountId, parseArn } from './arn.js';
import type { PrincipalElement } from './types.js';

export type PrincipalKind =
  | 'root'
  | 'user'
  | 'role'
  | 'assumedRole'
  | 'federatedUser'
  | 'service'
  | 'webIdentity'
  | 'canonicalUser'
  | 'anonymous';

/**
 * Everything the engine needs to know about who is asking. `identities` is the chain of principals the request is
 * made by, least specific first, as AWS sees it: a role session is the account, the role and the session at once.
 * A Principal element matches when it names any of them; a NotPrincipal only exempts a request when it names them all.
 */
export interface RequestPrincipal {
  readonly raw: string;
  readonly kind: PrincipalKind;
  readonly partition: string;
  readonly account?: string;
  /** aws:PrincipalArn: the user, the role (for its sessions), the root or the federated user. */
  readonly principalArn?: string;
  readonly userName?: string;
  readonly roleName?: string;
  readonly sessionName?: string;
  readonly identities: readonly string[];
}

// Web identity and SAML providers appear as principals of AssumeRoleWith* requests and in `Federated` entries.
const WEB_IDENTITY_PROVIDERS = new Set(['cognito-identity.amazonaws.com', 'accounts.google.com', 'www.amazon.com', 'graph.facebook.com']);

const acct = (account: string): string => `acct:${account}`;
const role = (partition: string, account: string, name: string): string => `role:${partition}:${account}:${name}`;

/** Canonical identity for one Principal-element entry or one request principal ARN. */
export function identityOfArn(text: string): string {
  const arn = parseArn(text);
  if (arn === undefined) return `raw:${text}`;
  const { partition, service, account, resource } = arn;
  if (service === 'iam') {
    if (resource === 'root') return acct(account);
    const slash = resource.lastIndexOf('/');
    const type = resource.slice(0, resource.indexOf('/'));
    const name = resource.slice(slash + 1);
    // Names are unique per account whatever the path; in a Principal element the name is case-sensitive.
    if (type === 'user') return `user:${partition}:${account}:${name}`;
    if (type === 'role') return role(partition, account, name);
    if (type === 'oidc-provider' || type === 'saml-provider') return `fed:${text}`;
  }
  if (service === 'sts') {
    const segments = resource.split('/');
    if (segments[0] === 'assumed-role' && segments.length >= 3) {
      return `session:${partition}:${account}:${segments[1] ?? ''}:${segments.slice(2).join('/')}`;
    }
    if (segments[0] === 'federated-user' && segments.length >= 2) {
      return `feduser:${partition}:${account}:${segments.slice(1).join('/')}`;
    }
  }
  return `arn:${text}`;
}

/** Describes the request's principal from what the caller gave (an ARN, a service principal, or "anonymous"). */
export function describePrincipal(raw: string, principalArnHint?: string): RequestPrincipal {
  if (raw === 'anonymous' || raw === '*') return { raw, kind: 'anonymous', partition: 'aws', identities: ['anonymous'] };
  if (isAccountId(raw)) {
    return { raw, kind: 'root', partition: 'aws', account: raw, principalArn: `arn:aws:iam::${raw}:root`, identities: [acct(raw)] };
  }
  const arn = parseArn(raw);
  if (arn === undefined) {
    if (WEB_IDENTITY_PROVIDERS.has(raw.toLowerCase())) return { raw, kind: 'webIdentity', partition: 'aws', identities: [`fed:${raw.toLowerCase()}`] };
    return { raw, kind: 'service', partition: 'aws', identities: [`svc:${raw.toLowerCase()}`] };
  }
  const { partition, account, resource } = arn;
  const self = identityOfArn(raw);
  const base = { raw, partition, account };
  if (self === acct(account)) return { ...base, kind: 'root', principalArn: raw, identities: [self] };
  if (self.startsWith('user:')) {
    return { ...base, kind: 'user', principalArn: raw, userName: resource.slice(resource.lastIndexOf('/') + 1), identities: [acct(account), self] };
  }
  if (self.startsWith('role:')) {
    return { ...base, kind: 'role', principalArn: raw, roleName: resource.slice(resource.lastIndexOf('/') + 1), identities: [acct(account), self] };
  }
  if (self.startsWith('session:')) {
    const [, roleName = '', ...session] = resource.split('/');
    const principalArn = principalArnHint ?? `arn:${partition}:iam::${account}:role/${roleName}`;
    return {
      ...base,
      kind: 'assumedRole',
      principalArn,
      roleName,
      sessionName: session.join('/'),
      identities: [acct(account), role(partition, account, roleName), self],
    };
  }
  if (self.startsWith('feduser:')) {
    return { ...base, kind: 'federatedUser', principalArn: raw, userName: resource.slice('federated-user/'.length), identities: [acct(account), self] };
  }
  if (self.startsWith('fed:')) return { ...base, kind: 'webIdentity', identities: [self] };
  return { ...base, kind: 'user', principalArn: raw, identities: [acct(account), self] };
}

/** How specifically a resource policy named the caller, which decides what its Allow can override. */
export type NamingLevel = 'any' | 'account' | 'role' | 'direct';

export interface CompiledPrincipal {
  /** The naming level of the most specific match, or undefined when the element does not name the request. */
  match(principal: RequestPrincipal): NamingLevel | undefined;
  /** NotPrincipal with Deny: true when the element names every identity in the chain, so the statement does not apply. */
  coversAll(principal: RequestPrincipal): boolean;
  /**
   * NotPrincipal with Allow: true when the element names the caller itself or, for a role session, its role. Naming
   * the account names its root user, not every principal of it, as with Deny.
   */
  namesCaller(principal: RequestPrincipal): boolean;
}

function entryIdentity(field: 'aws' | 'service' | 'federated' | 'canonicalUser', entry: string): string {
  if (field === 'service') return `svc:${entry.toLowerCase()}`;
  if (field === 'canonicalUser') return `canon:${entry}`;
  if (field === 'federated') return entry.startsWith('arn:') ? `fed:${entry}` : `fed:${entry.toLowerCase()}`;
  if (entry === '*') return '*';
  if (isAccountId(entry)) return acct(entry);
  return identityOfArn(entry);
}

export function compilePrincipal(element: PrincipalElement): CompiledPrincipal {
  if (element.kind === 'any') return { match: () => 'any', coversAll: () => true, namesCaller: () => true };
  const names = new Set<string>();
  for (const field of ['aws', 'service', 'federated', 'canonicalUser'] as const) {
    for (const entry of element[field]) names.add(entryIdentity(field, entry));
  }
  const wildcard = names.has('*');
  return {
    match(principal) {
      if (wildcard) return 'any';
      const ids = principal.identities;
      for (let i = ids.length - 1; i >= 0; i--) {
        const id = ids[i] as string;
        if (!names.has(id)) continue;
        if (id.startsWith('acct:')) return 'account';
        // Naming the role is never naming the caller directly: its sessions (and the role given as the principal of
        // a simulation) stay limited by the boundary and the session policy.
        if (id.startsWith('role:')) return 'role';
        return 'direct';
      }
      return undefined;
    },
    coversAll(principal) {
      return wildcard || principal.identities.every((id) => names.has(id));
    },
    namesCaller(principal) {
      if (wildcard) return true;
      return principal.identities.some((id) => names.has(id) && (principal.kind === 'root' || !id.startsWith('acct:')));
    },
  };
}
