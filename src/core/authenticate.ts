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
  async resolve(accessKeyId: string, securityToken?: string, now: Date = new Date()): Promise<ResolvedKey | undefined> {
    if (accessKeyId.startsWith('ASIA')) return this.resolveSession(accessKeyId, securityToken, now);
    if (securityToken !== undefined) throw invalidToken();
    return this.resolveLongTerm(accessKeyId);
  }

  private resolveSession(accessKeyId: string, securityToken: string | undefined, now: Date): ResolvedKey {
    if (securityToken === undefined || this.sessionKeys === undefined) throw invalidToken();
    const claims = openSessionToken(this.sessionKeys, securityToken);
    if (claims === undefined || claims.accessKeyId !== accessKeyId) throw invalidToken();
    if (now.getTime() >= Date.parse(claims.expires)) throw expiredToken();
    return { caller: callerFromClaims(claims), secret: claims.secretAccessKey };
  }

  private async resolveLongTerm(accessKeyId: string): Promise<ResolvedKey | undefined> {
    const version = this.store.version();
    if (version !== this.cacheVersion) {
      this.cache.clear();
      this.cacheVersion = version;
    }
    const cached = this.cache.get(accessKeyId);
    if (cached !== undefined) return cached ?? undefined;
    const resolved = await this.store.transaction(async (tx) => {
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
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(accessKeyId, resolved ?? null);
    return resolved;
  }
}
