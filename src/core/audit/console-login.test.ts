import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { consoleSignInEvent, consoleSignInRecord, type SignInAttempt } from './console-login.js';

const ACCOUNT = '111122223333';
const TIME = new Date('2026-11-25T16:24:34.567Z');
const FACTS = { time: TIME, sourceIp: '192.0.2.0', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0', loginTo: 'http://127.0.0.1:8080/_gatehouse/console/', eventId: '0193f5a0-0000-7000-8000-000000000001' };
const ANAYA = { kind: 'user', userId: 'AIDACKCEVSQ6C2EXAMPLE', userName: 'anaya', arn: `arn:aws:iam::${ACCOUNT}:user/anaya` } as const;
const MFA = `arn:aws:iam::${ACCOUNT}:mfa/anaya`;

// The fields every console sign-in event has, in CloudTrail's order, before and after those that vary.
const head = (eventName = 'ConsoleLogin') => ({ eventVersion: '1.11', eventTime: '2026-11-25T16:24:34Z', eventSource: 'signin.amazonaws.com', eventName, awsRegion: 'us-east-1', sourceIPAddress: '192.0.2.0', userAgent: FACTS.userAgent });
const tail = { eventID: FACTS.eventId, readOnly: false, eventType: 'AwsConsoleSignIn', managementEvent: true, recipientAccountId: ACCOUNT, eventCategory: 'Management' };
const login = (mfaUsed: 'Yes' | 'No', mfaIdentifier?: string) => ({ LoginTo: FACTS.loginTo, MobileVersion: 'No', ...(mfaIdentifier !== undefined ? { MFAIdentifier: mfaIdentifier } : {}), MFAUsed: mfaUsed });
const failedUser = { type: 'IAMUser', principalId: ANAYA.userId, accountId: ACCOUNT, accessKeyId: '', userName: 'anaya' };
const root = { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: '' };

// Each case and the record AWS's published examples show for it (same fields, same order), and its LookupEvents Username.
const CASES: ReadonlyArray<{ name: string; attempt: SignInAttempt; record: Record<string, unknown>; lookupName: string }> = [
  {
    name: 'IAM user, success without MFA',
    attempt: { account: ACCOUNT, principal: ANAYA, outcome: 'success', mfaUsed: false },
    record: {
      ...head(), requestParameters: null, responseElements: { ConsoleLogin: 'Success' }, additionalEventData: login('No'), ...tail,
      userIdentity: { type: 'IAMUser', principalId: ANAYA.userId, arn: ANAYA.arn, accountId: ACCOUNT, userName: 'anaya' },
    },
    lookupName: 'anaya',
  },
  {
    name: 'IAM user, success with MFA: the device is named',
    attempt: { account: ACCOUNT, principal: ANAYA, outcome: 'success', mfaUsed: true, mfaSerial: MFA },
    record: {
      ...head(), requestParameters: null, responseElements: { ConsoleLogin: 'Success' }, additionalEventData: login('Yes', MFA), ...tail,
      userIdentity: { type: 'IAMUser', principalId: ANAYA.userId, arn: ANAYA.arn, accountId: ACCOUNT, userName: 'anaya' },
    },
    lookupName: 'anaya',
  },
  {
    name: 'IAM user, wrong password: no ARN, an empty accessKeyId, Failed authentication',
    attempt: { account: ACCOUNT, principal: ANAYA, outcome: 'failure', mfaUsed: false },
    record: { ...head(), errorMessage: 'Failed authentication', requestParameters: null, responseElements: { ConsoleLogin: 'Failure' }, additionalEventData: login('No'), ...tail, userIdentity: failedUser },
    lookupName: 'anaya',
  },
  {
    name: 'IAM user, wrong MFA code: MFAUsed Yes, no device named',
    attempt: { account: ACCOUNT, principal: ANAYA, outcome: 'failure', mfaUsed: true },
    record: { ...head(), errorMessage: 'Failed authentication', requestParameters: null, responseElements: { ConsoleLogin: 'Failure' }, additionalEventData: login('Yes'), ...tail, userIdentity: failedUser },
    lookupName: 'anaya',
  },
  {
    name: 'unknown user name: hidden, and AWS\'s own message for it',
    attempt: { account: ACCOUNT, principal: { kind: 'unknownUser' }, outcome: 'failure', mfaUsed: false },
    record: {
      ...head(), errorMessage: 'No username found in supplied account', requestParameters: null, responseElements: { ConsoleLogin: 'Failure' }, additionalEventData: login('No'), ...tail,
      userIdentity: { type: 'IAMUser', accountId: ACCOUNT, accessKeyId: '', userName: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
    },
    lookupName: 'HIDDEN_DUE_TO_SECURITY_REASONS',
  },
  {
    name: 'password right, MFA code still to come: CheckMfa, not a failed ConsoleLogin',
    attempt: { account: ACCOUNT, principal: ANAYA, outcome: 'mfaRequired', mfaUsed: false, mfaDevices: [MFA] },
    record: { ...head('CheckMfa'), requestParameters: null, responseElements: { CheckMfa: 'Success' }, additionalEventData: { MfaType: 'Virtual MFA' }, ...tail, userIdentity: failedUser },
    lookupName: 'anaya',
  },
  {
    name: 'CheckMfa of a user with two devices',
    attempt: { account: ACCOUNT, principal: ANAYA, outcome: 'mfaRequired', mfaUsed: false, mfaDevices: [MFA, 'GAHT12345678'] },
    record: { ...head('CheckMfa'), requestParameters: null, responseElements: { CheckMfa: 'Success' }, additionalEventData: { MfaType: 'Multiple MFA Devices' }, ...tail, userIdentity: failedUser },
    lookupName: 'anaya',
  },
  {
    name: 'password expired under HardExpiry',
    attempt: { account: ACCOUNT, principal: ANAYA, outcome: 'passwordExpired', mfaUsed: false },
    record: { ...head(), errorMessage: 'Password expired', requestParameters: null, responseElements: { ConsoleLogin: 'Failure' }, additionalEventData: login('No'), ...tail, userIdentity: failedUser },
    lookupName: 'anaya',
  },
  {
    name: 'root user, success',
    attempt: { account: ACCOUNT, principal: { kind: 'root' }, outcome: 'success', mfaUsed: false },
    record: { ...head(), requestParameters: null, responseElements: { ConsoleLogin: 'Success' }, additionalEventData: login('No'), ...tail, userIdentity: root },
    lookupName: 'root',
  },
  {
    name: 'root user, failure',
    attempt: { account: ACCOUNT, principal: { kind: 'root' }, outcome: 'failure', mfaUsed: false },
    record: { ...head(), errorMessage: 'Failed authentication', requestParameters: null, responseElements: { ConsoleLogin: 'Failure' }, additionalEventData: login('No'), ...tail, userIdentity: root },
    lookupName: 'root',
  },
];

const ORDER = ['eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'errorMessage', 'requestParameters', 'responseElements', 'additionalEventData', 'eventID', 'readOnly', 'eventType', 'managementEvent', 'recipientAccountId', 'eventCategory'];

describe('console sign-in events', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const record = consoleSignInRecord(c.attempt, FACTS);
      assert.deepEqual(record, c.record);
      assert.deepEqual(Object.keys(record), ORDER.filter((k) => k in c.record), 'CloudTrail order');
      const event = consoleSignInEvent(c.attempt, FACTS);
      assert.deepEqual(
        { ...event, record: JSON.parse(event.record) },
        { eventId: FACTS.eventId, time: TIME.getTime(), account: ACCOUNT, eventName: c.record['eventName'], eventSource: 'signin.amazonaws.com', userName: c.lookupName, readOnly: false, resources: [], record: c.record },
      );
    });
  }

  test('a long user agent is cut at 1024 characters; every event gets its own ID when none is given', () => {
    const attempt: SignInAttempt = { account: ACCOUNT, principal: ANAYA, outcome: 'success', mfaUsed: false };
    const { eventId: _, ...facts } = { ...FACTS, userAgent: 'x'.repeat(5000) };
    const a = consoleSignInRecord(attempt, facts);
    const b = consoleSignInRecord(attempt, facts);
    assert.equal(a.userAgent.length, 1024);
    assert.match(a.eventID, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a.eventID, b.eventID);
  });
});
