import type { Store } from '../store/store.js';
import { rootArn, userArn } from './arns.js';
import type { Caller } from './caller.js';
import { KIND } from './iam/kinds.js';

export interface ResolvedKey {
  readonly caller: Caller;
  readonly secret: string;
}

/**
 * Maps a long-term access key ID to its principal and secret. Keys are read through the store once and kept until
 * the store's version moves, so a request pays a map lookup; an inactive or deleted key stops working at once.
 */
export class Authenticator {
  private cacheVersion = -1;
  private readonly cache = new Map<string, ResolvedKey | null>();

  constructor(
    private readonly store: Store,
    private readonly decryptSecret: (sealed: string) => string,
  ) {}

  async resolve(accessKeyId: string): Promise<ResolvedKey | undefined> {
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
