import type { Store } from '../store/store.js';
import { rootArn, userArn } from './arns.js';
import type { Caller } from './caller.js';
import { KIND } from './iam/kinds.js';
import { accountClosed, closedAccountCredentials } from './organizations/closed.js';
import { callerFromClaims, expiredToken, invalidToken } from './sts/session-caller.js';
import { openSessionToken, type SessionKeyRing } from './sts/session-token.js';

export interface ResolvedKey {
  readonly caller: Caller;
  readonly secret: string;
}

/**
 * Maps an access key ID to its principal and secret. Long-term keys are read through the store once and kept until
 * the store's version moves, so a request pays a map lookup; an inactive or deleted key stops working at once.
 * Temporary keys (ASIA…) need their session token, which carries the principal and the secret itself: no store read
 * but whether the session's account was closed since (known per store version, as keys are).
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
   * To await before peek when the store is shared with other nodes (see Store.settle): a key revoked on another node
   * before the request was sent is then no longer in the cache. Undefined when there is nothing to wait for.
   */
  settle(): Promise<void> | undefined {
    return this.store.settle?.();
  }

  /**
   * The answer when it needs no store read (a session token, a key seen since the last write), so the common
   * request takes no asynchronous step here: a ResolvedKey, `null` for a key known not to work, or `undefined`
   * when `resolve` must be asked. Throws as `resolve` does for bad session tokens.
   */
  peek(accessKeyId: string, securityToken: string | undefined, now: Date): ResolvedKey | null | undefined {
    if (accessKeyId.startsWith('ASIA')) {
      const resolved = this.resolveSession(accessKeyId, securityToken, now);
      const closed = this.closedKnown(resolved.caller.account);
      if (closed === undefined) return undefined;
      if (closed) throw closedAccountCredentials();
      return resolved;
    }
    if (securityToken !== undefined) throw invalidToken();
    if (this.store.version() !== this.cacheVersion) return undefined;
    return this.cache.get(accessKeyId);
  }

  /**
   * The principal and secret for a signed request's key, or undefined when the key is unknown. Throws AWS's
   * InvalidClientTokenId or ExpiredToken when a session token is missing, forged, altered, for another key, passed
   * with a long-term key, or past its expiry at `now`.
   */
  async resolve(accessKeyId: string, securityToken?: string, now: Date = new Date()): Promise<ResolvedKey | undefined> {
    if (accessKeyId.startsWith('ASIA')) {
      const resolved = this.resolveSession(accessKeyId, securityToken, now);
      if (await this.isClosed(resolved.caller.account)) throw closedAccountCredentials();
      return resolved;
    }
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

  /** Whether each account asked about is closed, valid for the store version it was read at (a CloseAccount moves it). */
  private closedVersion = -1;
  private readonly closed = new Map<string, boolean>();

  private closedKnown(account: string): boolean | undefined {
    return this.store.version() === this.closedVersion ? this.closed.get(account) : undefined;
  }

  private async isClosed(account: string): Promise<boolean> {
    const known = this.closedKnown(account);
    if (known !== undefined) return known;
    let readAt = Number.NaN;
    const closed = await this.store.read(async (tx) => {
      readAt = tx.version;
      return accountClosed(tx, account);
    });
    // Kept only when nothing was committed since the read began (as for keys below).
    if (readAt === this.store.version()) {
      if (this.closedVersion !== readAt) {
        this.closed.clear();
        this.closedVersion = readAt;
      }
      if (this.closed.size > 100_000) this.closed.clear();
      this.closed.set(account, closed);
    }
    return closed;
  }

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
      // A closed account's keys stand for nobody: the same answer as an unknown key.
      if (await accountClosed(tx, key.account)) return undefined;
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
