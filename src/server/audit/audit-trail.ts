import type { Caller } from '../../core/caller.js';
import { newEventId } from '../../core/audit/event-id.js';
import { auditEventOf, logsResponse, type AuditService } from '../../core/audit/record.js';
import { userIdentityOf, type UserIdentity } from '../../core/audit/user-identity.js';
import { loggedRequestParameters, loggedResponseElements } from '../../protocol/audit-members.js';
import { hasOperation } from '../../protocol/model.js';
import { isFormContentType, parseForm } from '../../protocol/query-decode.js';
import type { AuditEventRecord } from '../../store/store.js';

/** What the gateway knows of one IAM or STS request when it is about to answer it. */
export interface RequestFacts {
  readonly service: AuditService;
  /** The operation asked for (the Action parameter), when it could be read. */
  readonly action: string | undefined;
  /** The authenticated caller; absent for unsigned federation calls and failed authentications. */
  readonly caller?: Caller;
  /** An unsigned AssumeRoleWithWebIdentity or AssumeRoleWithSAML. */
  readonly unsigned?: boolean;
  /** The access key ID a request that failed authentication presented. */
  readonly presentedKeyId?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly result?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
  readonly wouldDeny?: { readonly code: string; readonly message: string };
  /** The region the request was signed for (STS's regional endpoints); IAM is global and always us-east-1. */
  readonly signingRegion?: string;
  readonly requestId: string;
  readonly time: Date;
  readonly sourceIp: string;
  readonly userAgent: string;
}

/** What the gateway learns of a request as it goes down, for its event; each field set once known. */
export interface GatheredFacts {
  caller?: Caller;
  /** The decoded Action. */
  opName?: string;
  params?: Readonly<Record<string, unknown>>;
  result?: unknown;
  wouldDeny?: { readonly code: string; readonly message: string };
  unsigned?: boolean;
  presentedKeyId?: string;
  signingRegion?: string;
  body?: Buffer;
  query?: string;
  time?: Date;
}

/** The facts of a request about to be answered (with `error`, or successfully). */
export function factsOf(
  gathered: GatheredFacts,
  request: { readonly service: AuditService; readonly requestId: string; readonly now: () => Date; readonly sourceIp: string | undefined; readonly userAgent: string | undefined; readonly contentType: string | undefined },
  error?: { readonly code: string; readonly message: string },
): RequestFacts {
  // Absent facts are undefined properties rather than spread-in ones: built for every audited request, and the
  // trail reads each with `=== undefined` either way.
  return {
    service: request.service,
    action: gathered.opName ?? actionOf(gathered.body, gathered.query, request.contentType),
    caller: gathered.caller,
    unsigned: gathered.unsigned === true ? true : undefined,
    presentedKeyId: gathered.presentedKeyId,
    params: gathered.params,
    result: error === undefined ? gathered.result : undefined,
    error: error === undefined ? undefined : { code: error.code, message: error.message },
    wouldDeny: gathered.wouldDeny,
    signingRegion: gathered.signingRegion,
    requestId: request.requestId,
    time: gathered.time ?? request.now(),
    sourceIp: request.sourceIp?.replace(/^::ffff:/, '') ?? '',
    userAgent: request.userAgent ?? '',
  };
}

/**
 * The Action of a request that failed before it was decoded (authentication, validation), for its event: read from
 * the form as the decoder reads it (body fields win over the query string).
 */
function actionOf(body: Buffer | undefined, query: string | undefined, contentType: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  const fields = parseForm(query ?? '');
  if (body.length > 0 && isFormContentType(contentType)) parseForm(body.toString('utf8'), fields);
  return fields.get('Action');
}

export interface AuditTrailOptions {
  /** The server's account: whose history gets events that name no other (failed authentications). */
  readonly accountId: string;
  /** Also record requests that failed authentication (AWS does not). */
  readonly failedAuthentication?: boolean;
}

const MAX_USER_AGENT = 1024;

/**
 * Turns a request's facts into its event, or decides it has none: CloudTrail records every authenticated IAM and STS
 * call (allowed, denied or failed) and the unauthenticated federation calls; requests that failed authentication only
 * when the option asks for them, and nothing for actions that do not exist.
 */
export class AuditTrail {
  /**
   * A caller's userIdentity and its JSON, made once per caller: a caller is immutable, and the authenticator hands
   * the same object to each request signed with the same key, so the identity is not rebuilt and re-serialized for
   * every event.
   */
  private readonly identities = new WeakMap<Caller, { readonly identity: UserIdentity; readonly text: string }>();

  constructor(private readonly options: AuditTrailOptions) {}

  private identityOf(caller: Caller): { readonly identity: UserIdentity; readonly text: string } {
    let known = this.identities.get(caller);
    if (known === undefined) {
      const identity = userIdentityOf(caller);
      known = { identity, text: JSON.stringify(identity) };
      this.identities.set(caller, known);
    }
    return known;
  }

  eventFor(facts: RequestFacts): AuditEventRecord | undefined {
    const action = facts.action;
    if (action === undefined || !hasOperation(facts.service, action)) return undefined;
    let identity: UserIdentity;
    let identityText: string | undefined;
    let account: string;
    if (facts.caller !== undefined && facts.caller.kind !== 'anonymous') {
      ({ identity, text: identityText } = this.identityOf(facts.caller));
      account = facts.caller.account;
    } else if (facts.unsigned === true) {
      identity = federatedIdentity(action, facts.result);
      const roleArn = facts.params?.['RoleArn'];
      const roleAccount = typeof roleArn === 'string' ? roleArn.split(':')[4] : undefined;
      account = roleAccount !== undefined && /^\d{12}$/.test(roleAccount) ? roleAccount : this.options.accountId;
    } else {
      if (this.options.failedAuthentication !== true) return undefined;
      identity = { type: 'Unknown', ...(facts.presentedKeyId !== undefined ? { accessKeyId: facts.presentedKeyId } : {}) };
      account = this.options.accountId;
    }
    // The input of a request that failed authentication is nobody's: it is not logged.
    const params = identity.type === 'Unknown' && facts.unsigned !== true ? {} : (facts.params ?? {});
    return auditEventOf({
      service: facts.service,
      action,
      identity,
      account,
      time: facts.time,
      region: facts.service === 'iam' ? 'us-east-1' : (facts.signingRegion ?? 'us-east-1'),
      sourceIp: facts.sourceIp,
      userAgent: facts.userAgent.length > MAX_USER_AGENT ? facts.userAgent.slice(0, MAX_USER_AGENT) : facts.userAgent,
      requestId: facts.requestId,
      eventId: newEventId(facts.time.getTime()),
      params,
      requestParameters: facts.params === undefined ? null : loggedRequestParameters(facts.service, action, params),
      // Walked only for the calls whose responses CloudTrail logs (not the Gets and Lists that most requests are).
      responseElements: facts.error === undefined && facts.result !== undefined && logsResponse(facts.service, action) ? loggedResponseElements(facts.service, action, facts.result) : null,
      error: facts.error,
      wouldDeny: facts.wouldDeny,
    }, undefined, identityText);
  }
}

/**
 * The identity of an unsigned federation call, as the provider vouched for it: known only once the token or
 * assertion was verified (the call succeeded). A refused one is recorded without a principal: what an unverified
 * token claims is not evidence.
 */
function federatedIdentity(action: string, result: unknown): UserIdentity {
  const out = typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {};
  const text = (name: string): string | undefined => (typeof out[name] === 'string' ? (out[name] as string) : undefined);
  if (action === 'AssumeRoleWithWebIdentity') {
    const provider = text('Provider');
    const subject = text('SubjectFromWebIdentityToken');
    const audience = text('Audience');
    if (provider === undefined || subject === undefined) return { type: 'WebIdentityUser' };
    return { type: 'WebIdentityUser', principalId: `${provider}:${audience ?? ''}:${subject}`, userName: subject, identityProvider: provider };
  }
  const qualifier = text('NameQualifier');
  const subject = text('Subject');
  if (qualifier === undefined || subject === undefined) return { type: 'SAMLUser' };
  return { type: 'SAMLUser', principalId: `${qualifier}:${subject}`, userName: subject, identityProvider: qualifier };
}

/** Deletes events past the retention period: at start, then every hour. */
export class AuditRetention {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sweep: (before: number) => Promise<number>,
    private readonly days: number,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(intervalMs = 3_600_000): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
  }

  async runOnce(): Promise<number> {
    try {
      return await this.sweep(this.now() - this.days * 86_400_000);
    } catch (error) {
      this.onError(error);
      return 0;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
