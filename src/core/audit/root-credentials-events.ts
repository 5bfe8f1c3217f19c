import type { AuditEventRecord } from '../../store/store.js';
import { SIGN_IN_EVENT_SOURCE, signInIdentity } from './console-login.js';
import { newEventId } from './event-id.js';
import { EVENT_VERSION } from './record.js';
import { cloudTrailTime } from './user-identity.js';

/**
 * The root user's credential changes made in the console, as CloudTrail records them: a new root password is a
 * `PasswordUpdated` sign-in event (`signin.amazonaws.com`, type `AwsConsoleSignIn`, as in AWS's records); an MFA
 * device assigned or removed is the IAM call the console makes (`EnableMFADevice`; `DeactivateMFADevice` then
 * `DeleteVirtualMFADevice`), type `AwsApiCall`. Only changes that were made are recorded: a refused attempt changed
 * nothing, and its guesses are counted by the sign-in throttle. No password or code ever appears.
 */

export type RootCredentialChange =
  | { readonly kind: 'password' }
  | { readonly kind: 'mfaEnabled'; readonly serialNumber: string }
  | { readonly kind: 'mfaRemoved'; readonly serialNumber: string };

export interface RootChangeFacts {
  readonly account: string;
  readonly time: Date;
  readonly sourceIp: string;
  readonly userAgent: string;
}

const MAX_USER_AGENT = 1024;
const IAM_EVENT_SOURCE = 'iam.amazonaws.com';

function event(facts: RootChangeFacts, source: string, name: string, type: 'AwsConsoleSignIn' | 'AwsApiCall', request: Record<string, string> | null, response: Record<string, string> | null): AuditEventRecord {
  const eventID = newEventId(facts.time.getTime());
  const record = {
    eventVersion: EVENT_VERSION,
    userIdentity: signInIdentity(facts.account, { kind: 'root' }, true),
    eventTime: cloudTrailTime(facts.time),
    eventSource: source,
    eventName: name,
    awsRegion: 'us-east-1',
    sourceIPAddress: facts.sourceIp,
    userAgent: facts.userAgent.length > MAX_USER_AGENT ? facts.userAgent.slice(0, MAX_USER_AGENT) : facts.userAgent,
    requestParameters: request,
    responseElements: response,
    eventID,
    readOnly: false,
    eventType: type,
    managementEvent: true,
    recipientAccountId: facts.account,
    eventCategory: 'Management',
  };
  return { eventId: eventID, time: facts.time.getTime(), account: facts.account, eventName: name, eventSource: source, userName: 'root', readOnly: false, resources: [], record: JSON.stringify(record) };
}

/** The events of one change, in the order the calls were made. */
export function rootCredentialEvents(change: RootCredentialChange, facts: RootChangeFacts): AuditEventRecord[] {
  switch (change.kind) {
    case 'password':
      return [event(facts, SIGN_IN_EVENT_SOURCE, 'PasswordUpdated', 'AwsConsoleSignIn', null, { PasswordUpdated: 'Success' })];
    case 'mfaEnabled':
      return [event(facts, IAM_EVENT_SOURCE, 'EnableMFADevice', 'AwsApiCall', { serialNumber: change.serialNumber }, null)];
    case 'mfaRemoved':
      return [
        event(facts, IAM_EVENT_SOURCE, 'DeactivateMFADevice', 'AwsApiCall', { serialNumber: change.serialNumber }, null),
        event(facts, IAM_EVENT_SOURCE, 'DeleteVirtualMFADevice', 'AwsApiCall', { serialNumber: change.serialNumber }, null),
      ];
  }
}
