import { randomBytes } from 'node:crypto';
import { ScopedVersions, type WrittenScope } from '../scoped-versions.js';
import { commitPayload, parseCommitPayload } from './statements.js';

/**
 * One node's version() and versionOf(), kept in memory (no row holds them: a counter row that every write bumped
 * made any two concurrent writers on different nodes conflict). The node counts its own committed (non-bookkeeping)
 * write transactions and announces each commit by NOTIFY with a random per-process token, that count and, when its
 * writes were confined to some accounts, those accounts. version() is its own count plus the latest count heard from
 * every other node, plus the moves it could not place; versionOf() moves for the accounts a commit names, and for
 * every account when it names none (an older node, a global write) or cannot be read. Nothing from the entity
 * channel: links are not announced there.
 */
export class NodeVersions {
  /** Names this process in its notifications, so it can tell its own from other nodes'. */
  readonly token = randomBytes(8).toString('hex');
  /** This process's committed non-bookkeeping write transactions. */
  private commits = 0;
  /** The latest commit count heard from each other node (by token), and their sum. */
  private readonly heard = new Map<string, number>();
  private heardTotal = 0;
  /** Moves for changes that may have happened unheard or cannot be attributed to a node's count. */
  private unplaced = 0;
  private readonly scoped = new ScopedVersions();

  total(): number {
    return this.commits + this.heardTotal + this.unplaced;
  }

  versionOf(account: string): number {
    return this.scoped.versionOf(account);
  }

  /** See ScopedVersions.since: a transaction's per-account labels. */
  since(): (account: string) => number {
    return this.scoped.since();
  }

  /** The notification for this node's next `announced` commits, which wrote `written`. */
  payload(announced: number, written: WrittenScope): string {
    return commitPayload(this.token, this.commits + announced, written);
  }

  /** Counts commits this node has just made (with the payload() given to their COMMIT). */
  committed(announced: number, written: WrittenScope): void {
    this.commits += announced;
    this.scoped.move(written);
  }

  /** Something may have changed that no count accounts for: version() and every account's versionOf move. */
  unplace(): void {
    this.unplaced += 1;
    this.scoped.moveGlobal();
  }

  /** A commit announced by some node (this one's own included: those were counted when they committed). */
  hear(payload: string): void {
    const commit = parseCommitPayload(payload);
    if (commit === undefined) {
      // Not ours to read (another version of Gatehouse?), but someone committed something.
      this.unplace();
      return;
    }
    const { token, count, accounts } = commit;
    if (token === this.token) return;
    const before = this.heard.get(token) ?? 0;
    if (count > before) {
      this.heard.set(token, count);
      this.heardTotal += count - before;
      // Only the accounts the commit names, when it names them; anything else may touch every account.
      if (accounts !== undefined) this.scoped.moveAccounts(accounts);
      else this.scoped.moveGlobal();
    } else {
      // A node's commits are announced in order, so this should not happen; if it does, still move.
      this.unplace();
    }
  }
}
