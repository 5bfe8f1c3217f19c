import type { AuditEventRecord } from '../../store/store.js';
import { newEventId } from './event-id.js';
import { EVENT_VERSION } from './record.js';
import { cloudTrailTime, lookupUserName, type UserIdentity } from './user-identity.js';

/**
 * The web console's sign-ins as CloudTrail records them ("AWS Management Console sign-in events" in the CloudTrail
 * User Guide): a `ConsoleLogin` event of type `AwsConsoleSignIn` from `signin.amazonaws.com` for each attempt that was
 * judged, and a `CheckMfa` event when the password was right and the sign-in stopped to ask for the MFA code (AWS signs
 * in with MFA in two steps as well, and records the first as CheckMfa rather than as a failed ConsoleLogin: counting
 * every MFA user's first step as a failure would make brute-force alerts on failed ConsoleLogin events fire on them).
 * What was typed for the password or the code never appears; neither does a user name that names no user.
 */

export const SIGN_IN_EVENT_SOURCE = 'signin.amazonaws.com';
export const CONSOLE_LOGIN = 'ConsoleLogin';
export const CHECK_MFA = 'CheckMfa';
/** What AWS writes for the user name of a sign-in that named no user of the account. */
export const HIDDEN_USER_NAME = 'HIDDEN_DUE_TO_SECURITY_REASONS';
/** AWS's errorMessage for a wrong password or MFA code (and an existing user without a password). */
export const FAILED_AUTHENTICATION = 'Failed authentication';
/** AWS's errorMessage when the user name names no user of the account. */
export const NO_SUCH_USER = 'No username found in supplied account';
/**
 * The password was right but the password policy's hard expiry keeps the user out. AWS documents no text for it: this
 * one is Gatehouse's, so that it is not counted with the guesses that "Failed authentication" marks.
 */
export const PASSWORD_EXPIRED = 'Password expired';
const MAX_USER_AGENT = 1024;

/** Who a sign-in named, as far as it got. */
export type SignInPrincipal =
  | { readonly kind: 'root' }
  | { readonly kind: 'user'; readonly userId: string; readonly userName: string; readonly arn: string }
  /** No such user in the account (or a name that cannot be one): the name is not recorded. */
  | { readonly kind: 'unknownUser' };

/** What one sign-in attempt came to: reported by consoleSignIn, recorded by the console's route. */
export interface SignInAttempt {
  /** The account the sign-in named (its ID, or the account of its alias): whose event history gets the event. */
  readonly account: string;
  readonly principal: SignInPrincipal;
  readonly outcome: 'success' | 'failure' | 'mfaRequired' | 'passwordExpired';
  /** An MFA code was checked (right or wrong). */
  readonly mfaUsed: boolean;
  /** The serial number (ARN) of the device whose code signed the user in. */
  readonly mfaSerial?: string;
  /** The user's MFA devices' serial numbers, for CheckMfa's MfaType. */
  readonly mfaDevices?: readonly string[];
}

/** What the HTTP request tells of an attempt. */
export interface SignInRequestFacts {
  readonly time: Date;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** The console's address (AWS writes the console page the user was going to). */
  readonly loginTo: string;
  /** Given in tests; a new UUID otherwise. */
  readonly eventId?: string;
}

/** A console sign-in event record, fields in CloudTrail's order. */
export interface ConsoleSignInRecord {
  readonly eventVersion: string;
  readonly userIdentity: UserIdentity;
  readonly eventTime: string;
  readonly eventSource: typeof SIGN_IN_EVENT_SOURCE;
  readonly eventName: typeof CONSOLE_LOGIN | typeof CHECK_MFA;
  readonly awsRegion: 'us-east-1';
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly errorMessage?: string;
  readonly requestParameters: null;
  readonly responseElements: Readonly<Record<string, string>>;
  readonly additionalEventData: Readonly<Record<string, string>>;
  readonly eventID: string;
  readonly readOnly: false;
  readonly eventType: 'AwsConsoleSignIn';
  readonly managementEvent: true;
  readonly recipientAccountId: string;
  readonly eventCategory: 'Management';
}

/**
 * The userIdentity AWS's examples show: a successful sign-in names the principal with its ARN; a failed one names it
 * without, with an empty accessKeyId; an unknown user name is replaced by HIDDEN_DUE_TO_SECURITY_REASONS (what was
 * typed may be someone's password in the wrong field).
 */
export function signInIdentity(account: string, principal: SignInPrincipal, succeeded: boolean): UserIdentity {
  switch (principal.kind) {
    case 'root':
      return { type: 'Root', principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account, accessKeyId: '' };
    case 'user':
      return succeeded
        ? { type: 'IAMUser', principalId: principal.userId, arn: principal.arn, accountId: account, userName: principal.userName }
        : { type: 'IAMUser', principalId: principal.userId, accountId: account, accessKeyId: '', userName: principal.userName };
    case 'unknownUser':
      return { type: 'IAMUser', accountId: account, accessKeyId: '', userName: HIDDEN_USER_NAME };
  }
}

/** CheckMfa's MfaType: AWS names the kinds of device; a serial that is not an ARN is a hardware TOTP token's. */
function mfaTypeOf(devices: readonly string[]): string {
  if (devices.length > 1) return 'Multiple MFA Devices';
  return devices[0]?.startsWith('arn:') === false ? 'Hardware MFA' : 'Virtual MFA';
}

function errorMessageOf(attempt: SignInAttempt): string | undefined {
  switch (attempt.outcome) {
    case 'success':
    case 'mfaRequired':
      return undefined;
    case 'passwordExpired':
      return PASSWORD_EXPIRED;
    case 'failure':
      return attempt.principal.kind === 'unknownUser' ? NO_SUCH_USER : FAILED_AUTHENTICATION;
  }
}

/** The CloudTrail record of one sign-in attempt. */
export function consoleSignInRecord(attempt: SignInAttempt, facts: SignInRequestFacts): ConsoleSignInRecord {
  const succeeded = attempt.outcome === 'success';
  const checkMfa = attempt.outcome === 'mfaRequired';
  const errorMessage = errorMessageOf(attempt);
  return {
    eventVersion: EVENT_VERSION,
    userIdentity: signInIdentity(attempt.account, attempt.principal, succeeded),
    eventTime: cloudTrailTime(facts.time),
    eventSource: SIGN_IN_EVENT_SOURCE,
    eventName: checkMfa ? CHECK_MFA : CONSOLE_LOGIN,
    // AWS records root sign-ins and those of its global sign-in endpoint in us-east-1; Gatehouse has one endpoint.
    awsRegion: 'us-east-1',
    sourceIPAddress: facts.sourceIp,
    userAgent: facts.userAgent.length > MAX_USER_AGENT ? facts.userAgent.slice(0, MAX_USER_AGENT) : facts.userAgent,
    ...(errorMessage !== undefined ? { errorMessage } : {}),
    requestParameters: null,
    responseElements: checkMfa ? { CheckMfa: 'Success' } : { ConsoleLogin: succeeded ? 'Success' : 'Failure' },
    additionalEventData: checkMfa
      ? { MfaType: mfaTypeOf(attempt.mfaDevices ?? []) }
      : {
          LoginTo: facts.loginTo,
          MobileVersion: 'No',
          // Only a sign-in that MFA completed names the device, as in AWS's examples.
          ...(succeeded && attempt.mfaUsed && attempt.mfaSerial !== undefined ? { MFAIdentifier: attempt.mfaSerial } : {}),
          MFAUsed: attempt.mfaUsed ? 'Yes' : 'No',
        },
    eventID: facts.eventId ?? newEventId(facts.time.getTime()),
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    managementEvent: true,
    recipientAccountId: attempt.account,
    eventCategory: 'Management',
  };
}

/** The attempt's record with the fields the event log looks it up by (EventName, EventSource, Username). */
export function consoleSignInEvent(attempt: SignInAttempt, facts: SignInRequestFacts): AuditEventRecord {
  const record = consoleSignInRecord(attempt, facts);
  const userName = lookupUserName(record.userIdentity);
  return {
    eventId: record.eventID,
    time: facts.time.getTime(),
    account: attempt.account,
    eventName: record.eventName,
    eventSource: record.eventSource,
    ...(userName !== undefined ? { userName } : {}),
    readOnly: false,
    resources: [],
    record: JSON.stringify(record),
  };
}
