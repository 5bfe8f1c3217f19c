import type { AuditEventRecord } from '../../store/store.js';
import { EVENT_VERSION } from './record.js';
import { cloudTrailTime, lookupUserName, type UserIdentity } from './user-identity.js';

/**
 * The S3 operations CloudTrail records as management events (bucket-level, control-plane calls), by the IAM action
 * that authorizes each, with the event name S3 logs. Object-level operations (GetObject, PutObject, DeleteObject,
 * the multipart calls) and the listings of a bucket's contents (s3:ListBucket: ListObjects, ListObjectsV2,
 * HeadBucket; s3:ListBucketVersions; s3:ListBucketMultipartUploads) are data events: recorded only by trails with data
 * event selectors and never in event history, so not here. Where one IAM action authorizes several operations
 * (s3:PutBucketCORS also authorizes DeleteBucketCors), the action says only which family: its Put or Get operation is
 * named.
 */
const OPERATIONS: ReadonlyArray<readonly [action: string, eventName: string]> = [
  ['CreateBucket', 'CreateBucket'],
  ['DeleteBucket', 'DeleteBucket'],
  ['ListAllMyBuckets', 'ListBuckets'],
  ['GetBucketLocation', 'GetBucketLocation'],
  ['GetBucketPolicy', 'GetBucketPolicy'],
  ['PutBucketPolicy', 'PutBucketPolicy'],
  ['DeleteBucketPolicy', 'DeleteBucketPolicy'],
  ['GetBucketPolicyStatus', 'GetBucketPolicyStatus'],
  ['GetBucketAcl', 'GetBucketAcl'],
  ['PutBucketAcl', 'PutBucketAcl'],
  ['GetBucketOwnershipControls', 'GetBucketOwnershipControls'],
  ['PutBucketOwnershipControls', 'PutBucketOwnershipControls'],
  ['GetBucketPublicAccessBlock', 'GetPublicAccessBlock'],
  ['PutBucketPublicAccessBlock', 'PutPublicAccessBlock'],
  ['GetBucketCORS', 'GetBucketCors'],
  ['PutBucketCORS', 'PutBucketCors'],
  ['GetBucketWebsite', 'GetBucketWebsite'],
  ['PutBucketWebsite', 'PutBucketWebsite'],
  ['DeleteBucketWebsite', 'DeleteBucketWebsite'],
  ['GetBucketVersioning', 'GetBucketVersioning'],
  ['PutBucketVersioning', 'PutBucketVersioning'],
  ['GetBucketLogging', 'GetBucketLogging'],
  ['PutBucketLogging', 'PutBucketLogging'],
  ['GetBucketNotification', 'GetBucketNotification'],
  ['PutBucketNotification', 'PutBucketNotification'],
  ['GetBucketTagging', 'GetBucketTagging'],
  ['PutBucketTagging', 'PutBucketTagging'],
  ['GetBucketRequestPayment', 'GetBucketRequestPayment'],
  ['PutBucketRequestPayment', 'PutBucketRequestPayment'],
  ['GetLifecycleConfiguration', 'GetBucketLifecycle'],
  ['PutLifecycleConfiguration', 'PutBucketLifecycle'],
  ['GetEncryptionConfiguration', 'GetBucketEncryption'],
  ['PutEncryptionConfiguration', 'PutBucketEncryption'],
  ['GetReplicationConfiguration', 'GetBucketReplication'],
  ['PutReplicationConfiguration', 'PutBucketReplication'],
  ['GetAccelerateConfiguration', 'GetBucketAccelerateConfiguration'],
  ['PutAccelerateConfiguration', 'PutBucketAccelerateConfiguration'],
  ['GetAnalyticsConfiguration', 'GetBucketAnalyticsConfiguration'],
  ['PutAnalyticsConfiguration', 'PutBucketAnalyticsConfiguration'],
  ['GetInventoryConfiguration', 'GetBucketInventoryConfiguration'],
  ['PutInventoryConfiguration', 'PutBucketInventoryConfiguration'],
  ['GetMetricsConfiguration', 'GetBucketMetricsConfiguration'],
  ['PutMetricsConfiguration', 'PutBucketMetricsConfiguration'],
  ['GetIntelligentTieringConfiguration', 'GetBucketIntelligentTieringConfiguration'],
  ['PutIntelligentTieringConfiguration', 'PutBucketIntelligentTieringConfiguration'],
  ['GetBucketObjectLockConfiguration', 'GetObjectLockConfiguration'],
  ['PutBucketObjectLockConfiguration', 'PutObjectLockConfiguration'],
];

/** By lower-cased IAM action (`s3:putbucketpolicy`): action names are case-insensitive in policies and here. */
const BY_ACTION: ReadonlyMap<string, string> = new Map(OPERATIONS.map(([action, eventName]) => [`s3:${action.toLowerCase()}`, eventName]));

export interface S3ManagementOperation {
  readonly eventName: string;
  readonly readOnly: boolean;
}

/** The management event an S3 action is logged as; undefined for data events and anything that is not one action. */
export function s3ManagementOperation(action: string): S3ManagementOperation | undefined {
  const eventName = BY_ACTION.get(action.toLowerCase());
  if (eventName === undefined) return undefined;
  return { eventName, readOnly: /^(Get|List)/.test(eventName) };
}

/** The bucket a bucket ARN names (`arn:aws:s3:::photos`); undefined for object ARNs, wildcards and anything else. */
export function bucketOfArn(resource: string): string | undefined {
  const prefix = /^arn:aws[a-z-]*:s3:::/.exec(resource);
  if (prefix === null) return undefined;
  const bucket = resource.slice(prefix[0].length);
  return /^[a-z0-9][a-z0-9.-]{1,254}$/.test(bucket) ? bucket : undefined;
}

/** One decided S3 action, as the service asked it and Gatehouse decided it. */
export interface S3Decision {
  readonly action: string;
  readonly resource: string;
  /** The bucket's account, when known (given, registered or the principal's own). */
  readonly resourceAccount?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

/** The request the decisions belong to. */
export interface S3RequestFacts {
  readonly identity: UserIdentity;
  /** The principal's account; undefined for the anonymous principal and failed authentications. */
  readonly principalAccount: string | undefined;
  /** Whose history gets events that name no account (failed authentications). */
  readonly fallbackAccount: string;
  readonly region: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** The forwarded request's Host header, when there was a forwarded request. */
  readonly host?: string;
  readonly requestId: string;
  readonly time: Date;
  /** Event IDs (and shared event IDs): UUIDs, injected so tests can name them. */
  readonly newId: () => string;
}

/**
 * The events of the management operations among `decisions`, one per decision and recipient: the principal's account
 * and, when it differs, the bucket's, each with its own eventID and the same sharedEventID (as CloudTrail delivers a
 * cross-account call to both accounts). An anonymous request is delivered to the bucket's account only.
 */
export function s3ManagementEvents(facts: S3RequestFacts, decisions: readonly S3Decision[]): AuditEventRecord[] {
  const events: AuditEventRecord[] = [];
  for (const decision of decisions) {
    const operation = s3ManagementOperation(decision.action);
    if (operation === undefined) continue;
    const bucket = bucketOfArn(decision.resource);
    // A bucket operation on something that is not a bucket ARN was not S3's operation: nothing to record.
    if (bucket === undefined && operation.eventName !== 'ListBuckets') continue;
    const bucketAccount = bucket === undefined ? undefined : (decision.resourceAccount ?? facts.principalAccount);
    const recipients = [...new Set([facts.principalAccount ?? bucketAccount ?? facts.fallbackAccount, bucketAccount ?? facts.principalAccount ?? facts.fallbackAccount])];
    const shared = recipients.length > 1 ? facts.newId() : undefined;
    for (const recipient of recipients) events.push(eventOf(facts, decision, operation, bucket, bucketAccount, recipient, shared));
  }
  return events;
}

function eventOf(
  facts: S3RequestFacts,
  decision: S3Decision,
  operation: S3ManagementOperation,
  bucket: string | undefined,
  bucketAccount: string | undefined,
  recipient: string,
  shared: string | undefined,
): AuditEventRecord {
  const eventId = facts.newId();
  const requestParameters: Record<string, unknown> = {};
  if (bucket !== undefined) requestParameters['bucketName'] = bucket;
  if (facts.host !== undefined) requestParameters['Host'] = facts.host;
  const bucketArn = bucket === undefined ? undefined : `arn:aws:s3:::${bucket}`;
  // Fields in CloudTrail's order; sharedEventID only on an event delivered to more than one account.
  const record = {
    eventVersion: EVENT_VERSION,
    userIdentity: facts.identity,
    eventTime: cloudTrailTime(facts.time),
    eventSource: 's3.amazonaws.com',
    eventName: operation.eventName,
    awsRegion: facts.region,
    sourceIPAddress: facts.sourceIp,
    userAgent: facts.userAgent,
    ...(decision.error !== undefined ? { errorCode: decision.error.code, errorMessage: decision.error.message } : {}),
    requestParameters: Object.keys(requestParameters).length === 0 ? null : requestParameters,
    responseElements: null,
    requestID: facts.requestId,
    eventID: eventId,
    readOnly: operation.readOnly,
    ...(bucketArn !== undefined ? { resources: [{ accountId: bucketAccount ?? '', type: 'AWS::S3::Bucket', ARN: bucketArn }] } : {}),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: recipient,
    ...(shared !== undefined ? { sharedEventID: shared } : {}),
    eventCategory: 'Management',
  };
  const userName = lookupUserName(facts.identity);
  const accessKeyId = facts.identity.accessKeyId;
  return {
    eventId,
    time: facts.time.getTime(),
    account: recipient,
    eventName: operation.eventName,
    eventSource: 's3.amazonaws.com',
    ...(userName !== undefined ? { userName } : {}),
    ...(accessKeyId !== undefined && accessKeyId !== '' ? { accessKeyId } : {}),
    readOnly: operation.readOnly,
    // LookupEvents' ResourceName of an S3 bucket is its name.
    resources: bucket === undefined ? [] : [{ type: 'AWS::S3::Bucket', name: bucket }],
    record: JSON.stringify(record),
  };
}
