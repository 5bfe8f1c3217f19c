import type { Store } from '../store/store.js';
import { rootArn, userArn } from './arns.js';
import type { Caller } from './caller.js';
import { KIND } from './iam/kinds.js';
import { callerFromClaims, expiredToken, invalidToken } from './sts/session-caller.js';
import { openSessionToken, type SessionKeyRing } from './sts/session-token.js';

export interface ResolvedKey {
  readonly caller: Caller;
  readonly secret: string;
}

/**
 * Maps an access key ID to its principal and secret. Long-term keys are read through the store once and kept until
 * the store's version moves, so a request pays a map lookup; an inactive or deleted key stops working at once.
 * Temporary keys (ASIA…) need their session token, which carries the principal and the secret itself: no store read.
 */
const SESSION_CACHE_LIMIT = 10_000;

export class Authenticator {
  private cacheVersion = -1;
  private readonly cache = new Map<string, ResolvedKey | null>();

  constructor(
    private readonly store: Store,
    private readonly decryptSecret: (sealed: string) => string,
    private readonly sessionKeys?: SessionKeyRing,
  ) {}

  /**
   * The principal and secret for a signed request's key, or undefined when the key is unknown. Throws AWS's
   * InvalidClientTokenId or ExpiredToken when a session token is missing, forged, altered, for another key, passed
   * with a long-term key, or past its expiry at `now`.
   */
  /**
   * The answer when it needs no store read (a session token, a key seen since the last write), so the common
   * request takes no asynchronous step here: a ResolvedKey, `null` for a key known not to work, or `undefined`
   * when `resolve` must be asked. Throws as `resolve` does for bad session tokens.
   */
  peek(accessKeyId: string, securityToken: string | undefined, now: Date): ResolvedKey | null | undefined {
    if (accessKeyId.startsWith('ASIA')) return this.resolveSession(accessKeyId, securityToken, now);
    if (securityToken !== undefined) throw invalidToken();
    if (this.store.version() !== this.cacheVersion) return undefined;
    return this.cache.get(accessKeyId);
  }

  async resolve(accessKeyId: string, securityToken?: string, now: Date = new Date()): Promise<ResolvedKey | undefined> {
    if (accessKeyId.startsWith('ASIA')) return this.resolveSession(accessKeyId, securityToken, now);
    if (securityToken !== undefined) throw invalidToken();
    return this.resolveLongTerm(accessKeyId);
  }

  private resolveSession(accessKeyId: string, securityToken: string | undefined, now: Date): ResolvedKey {
    if (securityToken === undefined || this.sessionKeys === undefined) throw invalidToken();
    // A token is immutable and authenticated: the same text always opens to the same claims, so a session's
    // requests decrypt it once. Expiry is still checked on every request.
    let opened = this.sessions.get(securityToken);
    if (opened === undefined) {
      const claims = openSessionToken(this.sessionKeys, securityToken);
      if (claims === undefined) throw invalidToken();
      opened = { accessKeyId: claims.accessKeyId, expiresMs: Date.parse(claims.expires), resolved: { caller: callerFromClaims(claims), secret: claims.secretAccessKey } };
      if (this.sessions.size >= SESSION_CACHE_LIMIT) this.sessions.clear();
      this.sessions.set(securityToken, opened);
    }
    if (opened.accessKeyId !== accessKeyId) throw invalidToken();
    if (now.getTime() >= opened.expiresMs) throw expiredToken();
    return opened.resolved;
  }

  private readonly sessions = new Map<string, { accessKeyId: string; expiresMs: number; resolved: ResolvedKey }>();

  private async resolveLongTerm(accessKeyId: string): Promise<ResolvedKey | undefined> {
    const version = this.store.version();
    if (version !== this.cacheVersion) {
      this.cache.clear();
      this.cacheVersion = version;
    }
    const cached = this.cache.get(accessKeyId);
    if (cached !== undefined) return cached ?? undefined;
    let readAt = Number.NaN;
    const resolved = await this.store.read(async (tx) => {
      // Labelled with the version this read is as new as (see StoreTx.version), not the one read before it queued.
      readAt = tx.version;
      const key = await tx.getById(KIND.accessKey, accessKeyId);
      if (key === undefined || key.data['status'] !== 'Active') return undefined;
      const secret = this.decryptSecret(key.data['secret'] as string);
      if (key.owner === '') {
        const caller: Caller = { kind: 'root', account: key.account, arn: rootArn(key.account), userId: key.account, accessKeyId };
        return { caller, secret };
      }
      const user = await tx.get(KIND.user, key.account, key.owner);
      if (user === undefined) return undefined;
      const caller: Caller = {
        kind: 'user',
        account: key.account,
        arn: userArn(key.account, user.path, user.key),
        userId: user.id,
        userName: user.key,
        accessKeyId,
      };
      return { caller, secret };
    });
    // Kept only if nothing was committed since the read began: a key deactivated meanwhile (perhaps on another node)
    // must not be cached as active under the newer version, where it would work until the next write.
    if (readAt === this.cacheVersion && readAt === this.store.version()) {
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(accessKeyId, resolved ?? null);
    }
    return resolved;
  }
}
