import type { Caller } from '../core/caller.js';
import type { AuthorizeAnswer } from '../core/authorize-api/authorize-request.js';
import type { ServiceUse } from '../core/iam/access-advisor/records.js';
import { tracksActions } from '../core/iam/access-advisor/tracked-services.js';
import type { Store } from '../store/store.js';
import type { Logger } from './logger.js';

export interface KeyUse {
  readonly accessKeyId: string;
  readonly date: Date;
  readonly service: string;
  readonly region: string;
  /** For a role session's key: the role it stands for (GetRole's RoleLastUsed). */
  readonly role?: RoleUse;
}

/** The role a session was issued for, by its unique ID: a role recreated under the same name is another role. */
export interface RoleUse {
  readonly account: string;
  readonly name: string;
  readonly id: string;
}

/** The role a caller's requests count as a use of: a role session's, none for other callers. */
export function roleUseOf(caller: Caller): RoleUse | undefined {
  if (caller.kind !== 'assumedRole' || caller.roleName === undefined) return undefined;
  return { account: caller.account, name: caller.roleName, id: caller.userId.split(':')[0] as string };
}

export interface UsageRecorderOptions {
  /** How long a noted use waits before it is written; 1 s by default. */
  readonly intervalMs?: number;
  /** The longest wait between attempts while writes keep failing; 60 s by default. */
  readonly maxBackoffMs?: number;
  /** Where a failed write is reported; nowhere by default. */
  readonly logger?: Logger;
  /**
   * The most distinct (principal, service, action) uses kept waiting to be written; 50,000 by default. Past it (the
   * database down for long under varied traffic) further new ones are dropped and counted, so memory stays bounded.
   */
  readonly maxPendingServiceUses?: number;
}

/** The principal (by unique ID) whose Access Advisor record a caller's requests count for: a user or a role; none for others. */
export function accessPrincipalOf(caller: Caller): string | undefined {
  if (caller.kind === 'user') return caller.userId;
  if (caller.kind === 'assumedRole' && caller.roleName !== undefined) return caller.userId.split(':')[0] as string;
  return undefined;
}

function noteAction(usage: UsageRecorder, account: string, principalId: string, action: string, region: string, date: Date): void {
  const colon = action.indexOf(':');
  const service = action.slice(0, colon).toLowerCase();
  const name = action.slice(colon + 1);
  // A wildcard (the authorize API may be asked about one) is no attempt at any one action.
  const named = !name.includes('*') && !name.includes('?');
  // Two literals rather than a conditional spread, which costs several times more on every authorize request.
  usage.noteService(named && tracksActions(service) ? { account, principalId, service, action: name, region, date } : { account, principalId, service, region, date });
}

/**
 * Notes an authenticated request's attempt at `action` (`service:Name`) for Access Advisor, allowed or not, as AWS's
 * data counts attempts; only users' and roles' attempts are reported.
 */
export function noteAttempt(usage: UsageRecorder, caller: Caller, action: string, region: string, date: Date): void {
  const principalId = accessPrincipalOf(caller);
  if (principalId !== undefined) noteAction(usage, caller.account, principalId, action, region, date);
}

/**
 * Each action the authorize API decided is an attempt of the forwarded request's principal, in the region that
 * request was signed for (else the authorize call's own).
 */
export function noteDecisions(usage: UsageRecorder, answer: AuthorizeAnswer, callRegion: string | undefined, date: Date): void {
  const principal = answer.principal;
  const region = answer.region ?? callRegion;
  if (!answer.authenticated || principal === undefined || region === undefined) return;
  const principalId = principal.type === 'IAMUser' ? principal.userId : principal.type === 'AssumedRole' ? (principal.userId.split(':')[0] as string) : undefined;
  if (principalId === undefined) return;
  for (const result of answer.results) noteAction(usage, principal.account, principalId, result.action, region, date);
  // The same request is a use of its key (signed form) and of the session's role, so that GetAccessKeyLastUsed and
  // RoleLastUsed never lag behind the service last accessed data.
  const first = answer.results[0];
  if (first === undefined) return;
  const service = first.action.slice(0, first.action.indexOf(':')).toLowerCase();
  const issuer = principal.sessionContext?.sessionIssuer;
  const role = principal.type === 'AssumedRole' && issuer?.userName !== undefined ? { account: principal.account, name: issuer.userName, id: principalId } : undefined;
  if (principal.accessKeyId !== undefined && answer.region !== undefined) usage.note(principal.accessKeyId, date, service, region, role);
  // No key signed a trusted caller's question, but a role session's use is still the role's.
  else if (role !== undefined) usage.note(`role:${principalId}`, date, service, region, role);
}

type PendingUse = { accessKeyId: string; date: Date; service: string; region: string; role?: RoleUse };

/**
 * Access key (and role) last-used bookkeeping, as AWS does it "eventually": requests note the use in memory, and a timer writes
 * the latest use per key in one transaction, so no request waits on a write. A write that fails (the database gone,
 * the disk full) must not take the server with it: its uses are kept, merged with newer ones, and written again
 * after a delay that doubles with each failure, so a database that comes back gets the dates it missed.
 */
export class UsageRecorder {
  private pending = new Map<string, PendingUse>();
  private pendingServices = new Map<string, ServiceUse>();
  private droppedServiceUses = 0;
  private readonly maxPendingServiceUses: number;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private failures = 0;
  private readonly intervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly logger: Logger | undefined;

  constructor(
    private readonly store: Store,
    private readonly write: (store: Store, uses: readonly KeyUse[], serviceUses: readonly ServiceUse[]) => Promise<void>,
    options: UsageRecorderOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.logger = options.logger;
    this.maxPendingServiceUses = options.maxPendingServiceUses ?? 50_000;
  }

  /**
   * Notes an attempt to use a service (Access Advisor). Like note(), it only touches memory: the latest use per
   * principal, service and action waits for the next batch.
   */
  noteService(use: ServiceUse): void {
    const key = `${use.account}\n${use.principalId}\n${use.service}\n${use.action ?? ''}`;
    const pending = this.pendingServices.get(key);
    if (pending !== undefined) {
      if (pending.date.getTime() <= use.date.getTime()) this.pendingServices.set(key, use);
    } else if (this.pendingServices.size >= this.maxPendingServiceUses) {
      this.droppedServiceUses++;
      return;
    } else {
      this.pendingServices.set(key, use);
    }
    if (this.timer === undefined && this.writing === undefined) this.schedule(this.intervalMs);
  }

  /** How many uses noteService dropped since the last report, because too many were waiting. */
  get dropped(): number {
    return this.droppedServiceUses;
  }

  note(accessKeyId: string, date: Date, service: string, region: string, role?: RoleUse): void {
    // Requests from one key arrive many times a second: its pending record is updated in place, not replaced.
    const pending = this.pending.get(accessKeyId);
    if (pending !== undefined) {
      pending.date = date;
      pending.service = service;
      pending.region = region;
    } else {
      // A key stands for one principal for its whole life: the role is set once, with the key's first use.
      this.pending.set(accessKeyId, role === undefined ? { accessKeyId, date, service, region } : { accessKeyId, date, service, region, role });
    }
    if (this.timer === undefined && this.writing === undefined) this.schedule(this.intervalMs);
  }

  /**
   * Writes what is pending now (at close). Rejects if that write fails; the uses stay pending. A background write
   * in flight is waited for first, so two writes never race each other.
   */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing !== undefined) await this.writing.catch(() => undefined);
    await this.writeOnce();
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writeInBackground();
    }, delayMs);
    this.timer.unref();
  }

  private writeInBackground(): void {
    const writing = this.writeOnce().then(
      () => {
        if (this.failures > 0) this.logger?.info({ failedAttempts: this.failures }, 'access key last-used dates recorded again');
        this.failures = 0;
      },
      (error: unknown) => {
        this.failures++;
        const retryMs = Math.min(this.maxBackoffMs, this.intervalMs * 2 ** this.failures);
        this.logger?.warn(
          { err: error, keys: this.pending.size, failedAttempts: this.failures, retryMs },
          'could not record access key last-used dates; will retry',
        );
      },
    );
    this.writing = writing.finally(() => {
      this.writing = undefined;
      if ((this.pending.size > 0 || this.pendingServices.size > 0) && this.timer === undefined) {
        this.schedule(this.failures === 0 ? this.intervalMs : Math.min(this.maxBackoffMs, this.intervalMs * 2 ** this.failures));
      }
    });
  }

  private async writeOnce(): Promise<void> {
    if (this.pending.size === 0 && this.pendingServices.size === 0) return;
    if (this.droppedServiceUses > 0) {
      this.logger?.warn({ dropped: this.droppedServiceUses }, 'too many service uses waiting to be recorded; some were dropped');
      this.droppedServiceUses = 0;
    }
    const uses = [...this.pending.values()];
    const serviceEntries = [...this.pendingServices];
    this.pending = new Map();
    this.pendingServices = new Map();
    try {
      await this.write(this.store, uses, serviceEntries.map(([, use]) => use));
    } catch (error) {
      // Put back, unless a request noted a later use of the key meanwhile.
      for (const use of uses) {
        const newer = this.pending.get(use.accessKeyId);
        if (newer === undefined || newer.date.getTime() < use.date.getTime()) this.pending.set(use.accessKeyId, use);
      }
      for (const [key, use] of serviceEntries) {
        const newer = this.pendingServices.get(key);
        if (newer === undefined) {
          if (this.pendingServices.size < this.maxPendingServiceUses) this.pendingServices.set(key, use);
          else this.droppedServiceUses++;
        } else if (newer.date.getTime() < use.date.getTime()) this.pendingServices.set(key, use);
      }
      throw error;
    }
  }
}
