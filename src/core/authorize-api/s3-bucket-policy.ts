import { validatePolicy } from '../../policy/validate.js';
import { createStaticCatalog } from '../../policy/catalog.js';
import { ServiceError } from '../errors.js';

const NO_SERVICES = createStaticCatalog({ services: {} });

/** S3's texts for a bucket policy it refuses (PutBucketPolicy's MalformedPolicy, 400). */
export const S3_POLICY_MESSAGES = {
  notJson: "Policies must be valid JSON and the first byte must be '{'",
  invalidJson: 'This policy contains invalid Json',
  invalidPrincipal: 'Invalid principal in policy',
  invalidResource: 'Policy has invalid resource',
  invalidAction: 'Policy has invalid action',
  actionResourceMismatch: 'Action does not apply to any resource(s) in statement',
  syntax: 'Invalid policy syntax.',
  missing: (field: string): string => `Missing required field ${field}`,
  unknownField: (field: string): string => `Unknown field ${field}`,
  invalidEffect: (effect: string): string => `Invalid effect: ${effect}`,
} as const;

export const malformedPolicy = (message: string): ServiceError => new ServiceError('MalformedPolicy', message, 400);

const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const POLICY_FIELDS = new Set(['Version', 'Id', 'Statement']);
// Object-level actions: they apply to `bucket/key` resources only (Service Authorization Reference, Amazon S3).
const OBJECT_ACTION = /^s3:(?:(?:Get|Put|Delete)Object\w*|AbortMultipartUpload|ListMultipartUploadParts|RestoreObject|ReplicateObject|ReplicateDelete|ReplicateTags|BypassGovernanceRetention)$/i;

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** True when a Resource pattern could name an object (`bucket/…`, or a wildcard that reaches one). */
function mayBeObject(resource: string): boolean {
  const rest = resource.slice('arn:aws:s3:::'.length);
  return rest.includes('/') || rest.includes('*') || rest.includes('?') || resource === '*';
}

function mayBeBucket(resource: string): boolean {
  const rest = resource.slice('arn:aws:s3:::'.length);
  return !rest.includes('/') || resource === '*' || /^[^/]*[*?]/.test(rest);
}

/**
 * Validates a bucket policy as S3's PutBucketPolicy does, or throws MalformedPolicy in S3's words: JSON whose first
 * byte is '{', the fields S3 knows, Principal in every statement, principals IAM would accept, actions of S3, every
 * resource within this bucket, and each statement's actions applying to at least one of its resources.
 */
export function validateBucketPolicy(text: string, bucket: string): void {
  if (!text.trimStart().startsWith('{')) throw malformedPolicy(S3_POLICY_MESSAGES.notJson);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw malformedPolicy(S3_POLICY_MESSAGES.invalidJson);
  }
  const policy = raw as Record<string, unknown>;
  for (const field of Object.keys(policy)) if (!POLICY_FIELDS.has(field)) throw malformedPolicy(S3_POLICY_MESSAGES.unknownField(field));
  if (!Object.hasOwn(policy, 'Statement')) throw malformedPolicy(S3_POLICY_MESSAGES.missing('Statement'));
  const statements = asList(policy['Statement']);
  for (const entry of statements) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw malformedPolicy(S3_POLICY_MESSAGES.syntax);
    const statement = entry as Record<string, unknown>;
    for (const field of Object.keys(statement)) if (!STATEMENT_FIELDS.has(field)) throw malformedPolicy(S3_POLICY_MESSAGES.unknownField(field));
    if (!Object.hasOwn(statement, 'Effect')) throw malformedPolicy(S3_POLICY_MESSAGES.missing('Effect'));
    if (statement['Effect'] !== 'Allow' && statement['Effect'] !== 'Deny') throw malformedPolicy(S3_POLICY_MESSAGES.invalidEffect(String(statement['Effect'])));
    if (!Object.hasOwn(statement, 'Principal') && !Object.hasOwn(statement, 'NotPrincipal')) throw malformedPolicy(S3_POLICY_MESSAGES.missing('Principal'));
    if (!Object.hasOwn(statement, 'Action') && !Object.hasOwn(statement, 'NotAction')) throw malformedPolicy(S3_POLICY_MESSAGES.missing('Action'));
    if (!Object.hasOwn(statement, 'Resource') && !Object.hasOwn(statement, 'NotResource')) throw malformedPolicy(S3_POLICY_MESSAGES.missing('Resource'));
  }
  const { iamError } = validatePolicy(raw, 'resource', NO_SERVICES);
  if (iamError !== undefined) {
    const message = iamError.message.toLowerCase();
    if (message.includes('principal')) throw malformedPolicy(S3_POLICY_MESSAGES.invalidPrincipal);
    if (message.includes('resource')) throw malformedPolicy(S3_POLICY_MESSAGES.invalidResource);
    if (message.includes('action')) throw malformedPolicy(S3_POLICY_MESSAGES.invalidAction);
    throw malformedPolicy(S3_POLICY_MESSAGES.syntax);
  }
  for (const entry of statements) {
    const statement = entry as Record<string, unknown>;
    const actions = asList(statement['Action'] ?? statement['NotAction']).map(String);
    if (actions.some((action) => action !== '*' && !action.toLowerCase().startsWith('s3:'))) throw malformedPolicy(S3_POLICY_MESSAGES.invalidAction);
    const resources = asList(statement['Resource'] ?? statement['NotResource']).map(String);
    for (const resource of resources) {
      // Every resource is this bucket or an object in it (S3 refuses a policy that names another bucket).
      const inBucket = resource === `arn:aws:s3:::${bucket}` || resource.startsWith(`arn:aws:s3:::${bucket}/`);
      if (!inBucket) throw malformedPolicy(S3_POLICY_MESSAGES.invalidResource);
    }
    if (statement['Action'] === undefined || statement['Resource'] === undefined) continue;
    const applies = actions.some((action) =>
      OBJECT_ACTION.test(action) ? resources.some(mayBeObject) : /[*?]/.test(action) ? true : resources.some(mayBeBucket),
    );
    if (!applies) throw malformedPolicy(S3_POLICY_MESSAGES.actionResourceMismatch);
  }
}
