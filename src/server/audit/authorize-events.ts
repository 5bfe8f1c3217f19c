import { randomUUID } from 'node:crypto';
import type { AuthorizeAnswer, AuthorizeInput } from '../../core/authorize-api/authorize-request.js';
import { s3ManagementEvents, s3ManagementOperation, type S3Decision } from '../../core/audit/s3-management-events.js';
import { userIdentityOf, type UserIdentity } from '../../core/audit/user-identity.js';
import type { AuditEventRecord } from '../../store/store.js';
import type { AuditWriter } from './audit-writer.js';

/**
 * What CloudTrail shows as the source of a call an AWS service made for someone: used when the calling service did
 * not say which address its client called from (no aws:SourceIp in the Context), rather than the calling service's
 * own address, which would name the wrong machine.
 */
export const SOURCE_IP_PLACEHOLDER = 'AWS Internal';

const MAX_USER_AGENT = 1024;
/** An IPv4 or IPv6 address's characters: the Context value is the service's word, kept only when it looks like one. */
const ADDRESS = /^[0-9A-Fa-f:.]{2,45}$/;

export interface AuthorizeAuditOptions {
  /** The server's account: whose history gets the events of requests that failed authentication. */
  readonly accountId: string;
  /** Also record forwarded requests that failed authentication (AWS does not). */
  readonly failedAuthentication?: boolean;
  readonly newId?: () => string;
}

/** One authorize call: what the service sent, what Gatehouse answered, and the call's own facts. */
export interface AuthorizeCallFacts {
  readonly input: AuthorizeInput;
  readonly answer: AuthorizeAnswer;
  /** The region the authorize call itself was signed for: the trusted-caller form's region (it forwards no request). */
  readonly callRegion: string;
  readonly requestId: string;
  readonly time: Date;
}

function header(input: AuthorizeInput, name: string): string | undefined {
  return input.request?.headers.find(([key]) => key.toLowerCase() === name)?.[1];
}

function sourceIpOf(input: AuthorizeInput): string {
  const value = input.actions[0]?.context?.['aws:SourceIp'] ?? input.context?.['aws:SourceIp'];
  const address = typeof value === 'string' ? value : undefined;
  return address !== undefined && ADDRESS.test(address) ? address : SOURCE_IP_PLACEHOLDER;
}

/**
 * The audit trail of the authorize API: the S3 management operations (bucket-level calls) it decides become
 * CloudTrail events as S3 logs them; data events (object-level calls) are not recorded, as CloudTrail's event history
 * does not record them.
 *
 * One call is one S3 request, and S3 logs one event per request: the operation is the one the first action
 * authorizes (the others are the further permissions the same request needs, such as s3:PutBucketAcl for a
 * CreateBucket that sets an ACL), and it failed with AccessDenied when any of its actions was denied.
 */
export class AuthorizeAudit {
  private readonly newId: () => string;

  constructor(
    private readonly writer: AuditWriter,
    private readonly options: AuthorizeAuditOptions,
  ) {
    this.newId = options.newId ?? randomUUID;
  }

  eventsFor(facts: AuthorizeCallFacts): AuditEventRecord[] {
    const { input, answer } = facts;
    // Most calls are object reads and writes: nothing to build for them.
    const first = input.actions[0];
    if (first === undefined || s3ManagementOperation(first.action) === undefined) return [];
    let identity: UserIdentity;
    let principalAccount: string | undefined;
    let decision: S3Decision;
    if (answer.authenticated) {
      const caller = answer.caller;
      const result = answer.results[0];
      if (caller === undefined || result === undefined) return [];
      identity = caller.kind === 'anonymous' ? { type: 'AWSAccount', principalId: '', accountId: 'anonymous' } : userIdentityOf(caller);
      principalAccount = caller.kind === 'anonymous' ? undefined : caller.account;
      const denied = answer.results.find((r) => !r.allowed);
      decision = {
        action: result.action,
        resource: result.resource,
        ...(result.resourceAccount !== undefined ? { resourceAccount: result.resourceAccount } : {}),
        ...(denied !== undefined ? { error: { code: 'AccessDenied', message: denied.message ?? 'Access Denied' } } : {}),
      };
    } else {
      if (this.options.failedAuthentication !== true) return [];
      // Who the request claims to be is not evidence, nor its ResourceAccount: the server's account gets the event.
      identity = { type: 'Unknown', ...(answer.presentedKeyId !== undefined ? { accessKeyId: answer.presentedKeyId.slice(0, 128) } : {}) };
      principalAccount = undefined;
      const error = { code: answer.error?.code ?? 'AccessDenied', message: answer.error?.message ?? 'Access Denied' };
      decision = { action: first.action, resource: first.resource, resourceAccount: this.options.accountId, error };
    }
    const userAgent = header(input, 'user-agent') ?? '';
    const host = header(input, 'host');
    return s3ManagementEvents(
      {
        identity,
        principalAccount,
        fallbackAccount: this.options.accountId,
        region: answer.region ?? facts.callRegion,
        sourceIp: sourceIpOf(input),
        userAgent: userAgent.length > MAX_USER_AGENT ? userAgent.slice(0, MAX_USER_AGENT) : userAgent,
        ...(host !== undefined ? { host: host.slice(0, 256) } : {}),
        requestId: facts.requestId,
        time: facts.time,
        newId: this.newId,
      },
      [decision],
    );
  }

  /** Resolves once every event of the call is committed: the answer goes out only then. */
  async record(facts: AuthorizeCallFacts): Promise<void> {
    const events = this.eventsFor(facts);
    if (events.length === 0) return;
    await Promise.all(events.map((event) => this.writer.record(event)));
  }
}
