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
 * their account's version moves (Store.versionOf: any write in that account, or any write that may touch every
 * account), so a request pays a map lookup; an inactive or deleted key stops working at once, and writes in other
 * accounts leave it cached. Temporary keys (ASIA…) need their session token, which carries the principal and the
 * secret itself: no store read but whether the session's account was closed since (known per version, as keys are).
 */
const SESSION_CACHE_LIMIT = 10_000;
const KEY_CACHE_LIMIT = 100_000;

/**
 * A key as last read, valid while the version it was read at is current: its account's versionOf, or for a key ID
 * no account holds, the store's version() (a key may be created in any account).
 */
interface CachedKey {
  readonly resolved: ResolvedKey | null;
  readonly account: string | undefined;
  readonly version: number;
}

export class Authenticator {
  private readonly cache = new Map<string, CachedKey>();

  constructor(
    private readonly store: Store,
    private readonly decryptSecret: (sealed: string) => string,
    private readonly sessionKeys?: SessionKeyRing,
  ) {}

  /**
   * To await before peek when the store is shared with other nodes (see Store.settle): a key revoked on another node
   * before the request was sent is then no longer in the cache. Undefined when there is nothing to wait for; true when
   * the store confirmed it (a read view of the same request may then skip its own check: ReadOptions.settled).
   */
  settle(): Promise<boolean> | undefined {
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
    return this.cachedKey(accessKeyId);
  }

  /** The cached answer for a long-term key while it is current; undefined when it must be read. */
  private cachedKey(accessKeyId: string): ResolvedKey | null | undefined {
    const entry = this.cache.get(accessKeyId);
    if (entry === undefined) return undefined;
    const current = entry.account === undefined ? this.store.version() : this.store.versionOf(entry.account);
    return entry.version === current ? entry.resolved : undefined;
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

  /**
   * Whether each account asked about is closed, valid for the account's version it was read at. Closing is an
   * Organizations write (and the `account` record's), which moves every account's version (core/write-scope.ts).
   */
  private readonly closed = new Map<string, { readonly closed: boolean; readonly version: number }>();

  private closedKnown(account: string): boolean | undefined {
    const known = this.closed.get(account);
    return known !== undefined && known.version === this.store.versionOf(account) ? known.closed : undefined;
  }

  private async isClosed(account: string): Promise<boolean> {
    const known = this.closedKnown(account);
    if (known !== undefined) return known;
    let readAt = Number.NaN;
    const closed = await this.store.read(async (tx) => {
      readAt = tx.versionOf(account);
      return accountClosed(tx, account);
    });
    // Kept only when nothing was committed since the read began (as for keys below).
    if (readAt === this.store.versionOf(account)) {
      if (this.closed.size > KEY_CACHE_LIMIT) this.closed.clear();
      this.closed.set(account, { closed, version: readAt });
    }
    return closed;
  }

  private async resolveLongTerm(accessKeyId: string): Promise<ResolvedKey | undefined> {
    const cached = this.cachedKey(accessKeyId);
    if (cached !== undefined) return cached ?? undefined;
    let readAt = Number.NaN;
    let account: string | undefined;
    const resolved = await this.store.read(async (tx) => {
      // Labelled with the version this read is as new as (see StoreTx.version), not the one read before it queued:
      // the account's, once the key names one (its key, user and closed flag are all the answer depends on). The
      // work may run twice (Store.read): each run starts over.
      account = undefined;
      readAt = tx.version;
      const key = await tx.getById(KIND.accessKey, accessKeyId);
      if (key === undefined) return undefined;
      account = key.account;
      readAt = tx.versionOf(key.account);
      if (key.data['status'] !== 'Active') return undefined;
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
    const current = account === undefined ? this.store.version() : this.store.versionOf(account);
    if (readAt === current) {
      if (this.cache.size > KEY_CACHE_LIMIT) this.cache.clear();
      this.cache.set(accessKeyId, { resolved: resolved ?? null, account, version: readAt });
    }
    return resolved;
  }
}
