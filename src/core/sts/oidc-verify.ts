import { compactVerify, createLocalJWKSet, decodeJwt, errors, type JSONWebKeySet, type JWTPayload } from 'jose';
import { ServiceError } from '../errors.js';

/**
 * Verifying an OpenID Connect ID token as STS does for AssumeRoleWithWebIdentity: the issuer names an IAM OIDC
 * provider, the signature checks against the issuer's published keys (discovery document → jwks_uri), the token is
 * within its validity window, and its audience is one of the provider's client IDs.
 */

export const invalidIdentityToken = (message: string): ServiceError => new ServiceError('InvalidIdentityToken', message, 400);

/** AWS's text when the issuer's keys cannot be had (discovery or JWKS unreachable or unusable). */
export const KEYS_UNAVAILABLE = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

// Gatehouse's wordings where AWS publishes none.
const MALFORMED = 'The web identity token is not a valid JWT.';
const BAD_SIGNATURE = 'The web identity token signature could not be verified.';

/** Asymmetric algorithms only: a symmetric (HS*) or `none` token cannot be verified against published keys. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/** Tolerated clock difference between Gatehouse and the identity provider when checking exp, nbf and iat. */
export const CLOCK_SKEW_SECONDS = 60;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The provider URL form IAM accepts: https://host[/path], no query or fragment. Gatehouse extension: plain http is
 * accepted when the host is loopback (127.0.0.1, localhost, [::1]), so a local test issuer can stand in for a real
 * one. Returns undefined for anything else.
 */
export function parseProviderUrl(url: string): { url: string; hostPath: string } | undefined {
  const m = /^(https|http):\/\/([^/?#\s]+)(\/[^?#\s]*)?$/i.exec(url);
  if (m === null) return undefined;
  const scheme = (m[1] as string).toLowerCase();
  const authority = (m[2] as string).toLowerCase();
  const host = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.replace(/:\d+$/, '');
  if (scheme === 'http' && !LOOPBACK_HOSTS.has(host)) return undefined;
  const path = (m[3] ?? '').replace(/\/+$/, '');
  return { url: `${scheme}://${authority}${path}`, hostPath: `${authority}${path}` };
}

/** The token's claims before any verification: only to find which provider must verify it. */
export function unverifiedClaims(token: string): JWTPayload {
  try {
    return decodeJwt(token);
  } catch {
    throw invalidIdentityToken(MALFORMED);
  }
}

/** Where an issuer's signing keys come from; tests and offline setups may provide their own. */
export type KeySetSource = (issuerUrl: string) => Promise<JSONWebKeySet>;

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'error', headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** The issuer's keys, by OpenID Connect discovery: `${issuer}/.well-known/openid-configuration` → jwks_uri. */
export const discoverKeySet: KeySetSource = async (issuerUrl) => {
  const config = (await fetchJson(`${issuerUrl}/.well-known/openid-configuration`)) as { jwks_uri?: unknown };
  if (typeof config.jwks_uri !== 'string') throw new Error('no jwks_uri in the discovery document');
  // The keys must be served the way the issuer itself is (https, or the loopback http Gatehouse allows for tests).
  if (parseProviderUrl(config.jwks_uri.replace(/\/$/, '')) === undefined) throw new Error('jwks_uri is not https');
  const jwks = (await fetchJson(config.jwks_uri)) as JSONWebKeySet;
  if (!Array.isArray(jwks.keys)) throw new Error('no keys in the JWKS');
  return jwks;
};

interface CachedKeys {
  readonly keys: JSONWebKeySet;
  readonly fetched: number;
}

/**
 * Keys per issuer, kept for `maxAgeMs`. Fetching happens in `warm`, which the operation calls before its store
 * transaction so that network I/O never holds the store's lock; `verify` fetches only when the cache was emptied
 * meanwhile, and once more (at most every `refetchAfterMs`) when a token names a key the cache does not hold (the
 * issuer rotated its keys).
 */
export class OidcKeyCache {
  private readonly entries = new Map<string, CachedKeys>();

  constructor(
    private readonly source: KeySetSource = discoverKeySet,
    private readonly maxAgeMs = 10 * 60 * 1000,
    private readonly refetchAfterMs = 30 * 1000,
  ) {}

  async warm(issuerUrl: string, now: Date): Promise<void> {
    const cached = this.entries.get(issuerUrl);
    if (cached === undefined || now.getTime() - cached.fetched > this.maxAgeMs) await this.fetch(issuerUrl, now);
  }

  async keys(issuerUrl: string, now: Date, refresh = false): Promise<JSONWebKeySet> {
    const cached = this.entries.get(issuerUrl);
    const stale = cached === undefined || now.getTime() - cached.fetched > this.maxAgeMs;
    const rotate = refresh && cached !== undefined && now.getTime() - cached.fetched > this.refetchAfterMs;
    if (stale || rotate) return this.fetch(issuerUrl, now);
    return cached.keys;
  }

  clear(): void {
    this.entries.clear();
  }

  private async fetch(issuerUrl: string, now: Date): Promise<JSONWebKeySet> {
    let keys: JSONWebKeySet;
    try {
      keys = await this.source(issuerUrl);
    } catch {
      throw invalidIdentityToken(KEYS_UNAVAILABLE);
    }
    this.entries.set(issuerUrl, { keys, fetched: now.getTime() });
    return keys;
  }
}

/** The process-wide cache the STS operations use. */
export const sharedOidcKeys = new OidcKeyCache();

export interface OidcProviderForVerification {
  /** The issuer URL as registered: https://host[/path]. */
  readonly url: string;
  readonly clientIds: readonly string[];
}

const epoch = (date: Date): number => Math.floor(date.getTime() / 1000);

/** Checks the signature against the provider's keys; true when it verifies. */
async function signatureVerifies(token: string, keys: JSONWebKeySet): Promise<'ok' | 'bad' | 'no-key'> {
  try {
    await compactVerify(token, createLocalJWKSet(keys), { algorithms: ALGORITHMS });
    return 'ok';
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) return 'no-key';
    return 'bad';
  }
}

/**
 * The verified claims of `token`, issued by `provider`. Errors are AWS's: InvalidIdentityToken for a malformed or
 * badly signed token, a wrong issuer or audience; ExpiredTokenException past `exp`.
 */
export async function verifyWebIdentityToken(
  token: string,
  provider: OidcProviderForVerification,
  options: { now: Date; keys?: OidcKeyCache },
): Promise<JWTPayload> {
  const claims = unverifiedClaims(token);
  if (claims.iss !== provider.url) throw invalidIdentityToken(`No OpenIDConnect provider found in your account for ${String(claims.iss)}`);
  const cache = options.keys ?? sharedOidcKeys;
  let outcome = await signatureVerifies(token, await cache.keys(provider.url, options.now));
  if (outcome === 'no-key') outcome = await signatureVerifies(token, await cache.keys(provider.url, options.now, true));
  if (outcome !== 'ok') throw invalidIdentityToken(BAD_SIGNATURE);

  const now = epoch(options.now);
  if (typeof claims.exp !== 'number') throw invalidIdentityToken('The web identity token has no expiration (exp) claim.');
  if (now > claims.exp + CLOCK_SKEW_SECONDS) {
    throw new ServiceError('ExpiredTokenException', `Token expired: current date/time ${now} must be before the expiration date/time ${claims.exp}`, 400);
  }
  // Gatehouse's wordings: AWS documents the checks, not these texts.
  if (typeof claims.nbf === 'number' && now + CLOCK_SKEW_SECONDS < claims.nbf) throw invalidIdentityToken('The web identity token is not yet valid (nbf).');
  if (typeof claims.iat === 'number' && now + CLOCK_SKEW_SECONDS < claims.iat) throw invalidIdentityToken('The web identity token was issued in the future (iat).');

  if (matchingAudience(claims, provider.clientIds) === undefined) throw invalidIdentityToken('Incorrect token audience');
  return claims;
}

/** The token's audience that the provider lists as a client ID: `aud` (one or several), else `azp`. */
export function matchingAudience(claims: JWTPayload, clientIds: readonly string[]): string | undefined {
  const auds = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  const found = auds.find((a) => clientIds.includes(a));
  if (found !== undefined) return found;
  const azp = claims['azp'];
  return typeof azp === 'string' && clientIds.includes(azp) ? azp : undefined;
}
