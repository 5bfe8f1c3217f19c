import type { AuditEventRecord } from '../../store/store.js';
import { cloudTrailTime, lookupUserName, type UserIdentity } from './user-identity.js';

/** The record format version whose fields Gatehouse writes (CloudTrail's current one). */
export const EVENT_VERSION = '1.11';

export type AuditService = 'iam' | 'sts' | 'organizations' | 'cloudtrail';

/** One CloudTrail management event record, fields in CloudTrail's order. */
export interface CloudTrailRecord {
  readonly eventVersion: string;
  readonly userIdentity: UserIdentity;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters: Readonly<Record<string, unknown>> | null;
  readonly responseElements: Readonly<Record<string, unknown>> | null;
  readonly additionalEventData?: Readonly<Record<string, unknown>>;
  readonly requestID: string;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly resources?: ReadonlyArray<{ readonly accountId: string; readonly type: string; readonly ARN: string }>;
  readonly eventType: 'AwsApiCall';
  readonly managementEvent: true;
  readonly recipientAccountId: string;
  readonly eventCategory: 'Management';
}

/** What the gateway knows of one request once it is answered (or about to be). */
export interface AuditedRequest {
  readonly service: AuditService;
  readonly action: string;
  readonly identity: UserIdentity;
  /** The account whose event history gets the event. */
  readonly account: string;
  readonly time: Date;
  readonly region: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly requestId: string;
  readonly eventId: string;
  /** The request's input by the model's member names (before redaction; see loggedParameters in the protocol). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The input as logged: camelCase, redacted; null when there was none to log. */
  readonly requestParameters: Readonly<Record<string, unknown>> | null;
  /** The output as logged: camelCase, redacted; ignored for calls whose responses CloudTrail does not log. */
  readonly responseElements: Readonly<Record<string, unknown>> | null;
  readonly error?: { readonly code: string; readonly message: string };
  /** Audit mode let a denial through: what the caller would have been answered. */
  readonly wouldDeny?: { readonly code: string; readonly message: string };
}

/**
 * CloudTrail marks STS calls read-only (they change no resource), and IAM's Get, List and Simulate calls (and
 * Organizations' Describe and List calls, CloudTrail's LookupEvents); everything else changes something.
 */
export function isReadOnlyEvent(service: AuditService, action: string): boolean {
  return service === 'sts' || /^(Get|List|Simulate|Describe|Lookup)/.test(action);
}

// STS calls whose answer is the point (new credentials): CloudTrail logs their response although they are read-only.
const LOGGED_STS_RESPONSES: ReadonlySet<string> = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'GetSessionToken', 'GetFederationToken', 'AssumeRoot']);

/** Whether CloudTrail logs the call's response: for calls that change something, null for Get and List. */
export function logsResponse(service: AuditService, action: string): boolean {
  if (service === 'sts') return LOGGED_STS_RESPONSES.has(action);
  return !isReadOnlyEvent(service, action);
}

// Input members that name a resource, with the CloudTrail resource type LookupEvents reports for them.
const RESOURCE_MEMBERS: ReadonlyArray<readonly [string, string]> = [
  ['UserName', 'AWS::IAM::User'],
  ['NewUserName', 'AWS::IAM::User'],
  ['GroupName', 'AWS::IAM::Group'],
  ['NewGroupName', 'AWS::IAM::Group'],
  ['RoleName', 'AWS::IAM::Role'],
  ['RoleArn', 'AWS::IAM::Role'],
  ['PolicyArn', 'AWS::IAM::Policy'],
  ['PolicyName', 'AWS::IAM::Policy'],
  ['InstanceProfileName', 'AWS::IAM::InstanceProfile'],
  ['AccessKeyId', 'AWS::IAM::AccessKey'],
  ['SerialNumber', 'AWS::IAM::MfaDevice'],
  ['VirtualMFADeviceName', 'AWS::IAM::MfaDevice'],
  ['ServerCertificateName', 'AWS::IAM::ServerCertificate'],
  ['OpenIDConnectProviderArn', 'AWS::IAM::OIDCProvider'],
  ['SAMLProviderArn', 'AWS::IAM::SAMLProvider'],
  ['PrincipalArn', 'AWS::IAM::SAMLProvider'],
];

/** The resources a request names, for lookups by ResourceName and ResourceType. */
export function resourcesOf(params: Readonly<Record<string, unknown>>): Array<{ type: string; name: string }> {
  const found: Array<{ type: string; name: string }> = [];
  for (const [member, type] of RESOURCE_MEMBERS) {
    const value = Object.hasOwn(params, member) ? params[member] : undefined;
    if (typeof value === 'string' && value !== '') found.push({ type, name: value });
  }
  return found;
}

/** The CloudTrail record of one request. */
export function buildRecord(request: AuditedRequest): CloudTrailRecord {
  const readOnly = isReadOnlyEvent(request.service, request.action);
  const roleArn = request.service === 'sts' && request.action.startsWith('AssumeRole') ? request.params['RoleArn'] : undefined;
  return {
    eventVersion: EVENT_VERSION,
    userIdentity: request.identity,
    eventTime: cloudTrailTime(request.time),
    eventSource: `${request.service}.amazonaws.com`,
    eventName: request.action,
    awsRegion: request.region,
    sourceIPAddress: request.sourceIp,
    userAgent: request.userAgent,
    ...(request.error !== undefined ? { errorCode: request.error.code, errorMessage: request.error.message } : {}),
    requestParameters: request.requestParameters,
    responseElements: request.error === undefined && logsResponse(request.service, request.action) ? request.responseElements : null,
    // A Gatehouse extension (CloudTrail has no such field): audit mode let this request through a denial.
    ...(request.wouldDeny !== undefined ? { additionalEventData: { gatehouseWouldDeny: { errorCode: request.wouldDeny.code, errorMessage: request.wouldDeny.message } } } : {}),
    requestID: request.requestId,
    eventID: request.eventId,
    readOnly,
    // AWS lists the role among an AssumeRole* event's resources.
    ...(typeof roleArn === 'string' ? { resources: [{ accountId: roleArn.split(':')[4] ?? '', type: 'AWS::IAM::Role', ARN: roleArn }] } : {}),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: request.account,
    eventCategory: 'Management',
  };
}

/** `,"name":value` as JSON.stringify writes an object's property, or nothing for a value it leaves out (undefined). */
function member(name: string, value: unknown): string {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? '' : `,"${name}":${text}`;
}

/**
 * The record as JSON text, the very bytes of JSON.stringify(buildRecord(request)) (record.test.ts holds them to it),
 * written field by field: no record object is built and then walked for every audited request, and the identity's
 * text can be given, as the audit trail keeps it per caller.
 */
export function recordText(request: AuditedRequest, identityText: string = JSON.stringify(request.identity)): string {
  const { service, action } = request;
  const roleArn = service === 'sts' && action.startsWith('AssumeRole') ? request.params['RoleArn'] : undefined;
  let text = `{"eventVersion":${JSON.stringify(EVENT_VERSION)},"userIdentity":${identityText}${member('eventTime', cloudTrailTime(request.time))}${member('eventSource', `${service}.amazonaws.com`)}${member('eventName', action)}${member('awsRegion', request.region)}${member('sourceIPAddress', request.sourceIp)}${member('userAgent', request.userAgent)}`;
  if (request.error !== undefined) text += `${member('errorCode', request.error.code)}${member('errorMessage', request.error.message)}`;
  text += `${member('requestParameters', request.requestParameters)}${member('responseElements', request.error === undefined && logsResponse(service, action) ? request.responseElements : null)}`;
  if (request.wouldDeny !== undefined) text += member('additionalEventData', { gatehouseWouldDeny: { errorCode: request.wouldDeny.code, errorMessage: request.wouldDeny.message } });
  text += `${member('requestID', request.requestId)}${member('eventID', request.eventId)},"readOnly":${isReadOnlyEvent(service, action) ? 'true' : 'false'}`;
  if (typeof roleArn === 'string') text += member('resources', [{ accountId: roleArn.split(':')[4] ?? '', type: 'AWS::IAM::Role', ARN: roleArn }]);
  return `${text},"eventType":"AwsApiCall","managementEvent":true${member('recipientAccountId', request.account)},"eventCategory":"Management"}`;
}

/**
 * The record with the fields the event log looks it up by. Without `record`, its text is written by recordText (with
 * `identityText`, the identity's JSON, when the caller has it).
 */
export function auditEventOf(request: AuditedRequest, record?: CloudTrailRecord, identityText?: string): AuditEventRecord {
  const userName = lookupUserName(request.identity);
  const accessKeyId = request.identity.accessKeyId;
  return {
    eventId: request.eventId,
    time: request.time.getTime(),
    account: request.account,
    eventName: request.action,
    eventSource: record?.eventSource ?? `${request.service}.amazonaws.com`,
    ...(userName !== undefined ? { userName } : {}),
    ...(accessKeyId !== undefined && accessKeyId !== '' ? { accessKeyId } : {}),
    readOnly: record?.readOnly ?? isReadOnlyEvent(request.service, request.action),
    resources: resourcesOf(request.params),
    record: record !== undefined ? JSON.stringify(record) : recordText(request, identityText),
  };
}
