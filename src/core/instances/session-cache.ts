import { REFRESH_BEFORE_SECONDS, type IssuedSession } from './role-sessions.js';

/**
 * The credentials an instance or task is being served, so that every fetch does not mint a new session: the same set
 * until it comes within `refreshBeforeSeconds` of expiring (AWS makes new ones available at least five minutes
 * before; the SDKs refetch five minutes before), or until the role behind it is another one.
 */
export class SessionCache {
  private readonly entries = new Map<string, { readonly roleId: string; readonly session: IssuedSession }>();

  constructor(
    private readonly refreshBeforeSeconds = REFRESH_BEFORE_SECONDS,
    /** Past this many entries the oldest goes first (an entry is only a cache: it is minted again when needed). */
    private readonly limit = 5000,
  ) {}

  /** The cached session for `key` while it is still the role `roleId`'s and fresh at `now`, else a new one from `issue`. */
  get(key: string, roleId: string, now: Date, issue: () => IssuedSession): IssuedSession {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.roleId === roleId && entry.session.Expiration.getTime() - this.refreshBeforeSeconds * 1000 > now.getTime()) {
      return entry.session;
    }
    const session = issue();
    this.entries.delete(key);
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { roleId, session });
    return session;
  }

  drop(key: string): void {
    this.entries.delete(key);
  }
}
