import type { WriteScope } from './store.js';

/** The most accounts one commit names before it counts as touching every account (a notification stays small). */
export const MAX_SCOPED_ACCOUNTS = 64;

/**
 * What one transaction (or one batch of them) wrote, as the per-account versions see it: the accounts of its
 * account-local writes, or that it wrote anything else. Filled as each write changes a row; anything the scope does
 * not call local makes the whole commit global.
 */
export class WrittenScope {
  global = false;
  readonly accounts = new Set<string>();

  constructor(private readonly scope: WriteScope | undefined) {}

  entity(kind: string, account: string): void {
    this.add(this.scope?.entityIsLocal(kind) === true, account);
  }

  link(relation: string, account: string): void {
    this.add(this.scope?.linkIsLocal(relation) === true, account);
  }

  /** Adds what another transaction of the same commit wrote. */
  merge(other: WrittenScope): void {
    if (other.global) return this.add(false, '');
    for (const account of other.accounts) this.add(true, account);
  }

  private add(local: boolean, account: string): void {
    if (this.global) return;
    if (!local || this.accounts.size >= MAX_SCOPED_ACCOUNTS) {
      this.global = true;
      this.accounts.clear();
      return;
    }
    this.accounts.add(account);
  }
}

/** Accounts whose own counters are kept before they are folded into the global one (memory stays bounded). */
const ACCOUNT_LIMIT = 100_000;

/**
 * The counters behind Store.versionOf: a global one G that moves for every write not confined to one account, and
 * one per account; versionOf(a) = G + the account's own, so it moves when either does and never decreases. Each move
 * is numbered, and each counter remembers the number of its last move, so a transaction can tell in O(1) whether an
 * account's version moved since it began (see since()).
 */
export class ScopedVersions {
  private global = 0;
  /** Moves so far, of any counter: the clock transactions are stamped with. */
  private moves = 0;
  private globalMovedAt = 0;
  private readonly accounts = new Map<string, { count: number; movedAt: number }>();

  versionOf(account: string): number {
    return this.global + (this.accounts.get(account)?.count ?? 0);
  }

  /** A change that may touch any account, or one this store cannot attribute. */
  moveGlobal(): void {
    this.moves += 1;
    this.global += 1;
    this.globalMovedAt = this.moves;
  }

  /** Moves what a committed transaction (or batch) wrote: its accounts, or everything. */
  move(written: WrittenScope): void {
    if (written.global) return this.moveGlobal();
    if (written.accounts.size === 0) return;
    this.moveAccounts(written.accounts);
  }

  moveAccounts(accounts: Iterable<string>): void {
    this.moves += 1;
    for (const account of accounts) {
      const entry = this.accounts.get(account);
      if (entry !== undefined) {
        entry.count += 1;
        entry.movedAt = this.moves;
      } else {
        this.accounts.set(account, { count: 1, movedAt: this.moves });
      }
    }
    if (this.accounts.size > ACCOUNT_LIMIT) this.fold();
  }

  /**
   * Stamps a transaction's start: the returned function gives versionOf(account) as of that moment, or NaN when that
   * account's version (or the global one) has moved since, so a cache is never labelled with a number that counts a
   * change the transaction may not see.
   */
  since(): (account: string) => number {
    const start = this.moves;
    return (account) => {
      if (this.globalMovedAt > start) return Number.NaN;
      const entry = this.accounts.get(account);
      if (entry !== undefined && entry.movedAt > start) return Number.NaN;
      return this.versionOf(account);
    };
  }

  /** Drops the per-account counters, raising G past every one of them so that no versionOf decreases. */
  private fold(): void {
    let highest = 0;
    for (const { count } of this.accounts.values()) highest = Math.max(highest, count);
    this.accounts.clear();
    this.global += highest;
    this.moveGlobal();
  }
}

/** The stamp of a transaction whose reads may never commit: no version at all. */
export const NO_VERSION = (): number => Number.NaN;
