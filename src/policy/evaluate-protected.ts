import { parseArn } from './arn.js';

// AWS's hard-coded protections: resources that belong to AWS although they appear in (or next to) the customer's
// account, which no customer policy can grant changes to, not even the root user's full access.
//  - AWS managed policies (arn:aws:iam::aws:policy/…): "You cannot change the permissions defined in AWS managed
//    policies" (IAM User Guide, Managed policies and inline policies).
//  - Service-linked roles (role/aws-service-role/…): defined by their service; IAM answers UnmodifiableEntity to
//    changes of their permissions, trust policy or boundary and to DeleteRole. What IAM lets the owner do is left
//    open: reading them, editing the description, tagging, and DeleteServiceLinkedRole.
//  - Roles under /aws-reserved/ (IAM Identity Center's AWSReservedSSO_…): changed only by the service that made them.
//  - KMS aliases under alias/aws/: reserved for AWS managed keys.

const MANAGED_POLICY_CHANGES = new Set([
  'iam:createpolicyversion',
  'iam:deletepolicy',
  'iam:deletepolicyversion',
  'iam:setdefaultpolicyversion',
  'iam:tagpolicy',
  'iam:untagpolicy',
]);

const SERVICE_LINKED_ROLE_CHANGES = new Set([
  'iam:updateassumerolepolicy',
  'iam:deleterole',
  'iam:putrolepolicy',
  'iam:deleterolepolicy',
  'iam:attachrolepolicy',
  'iam:detachrolepolicy',
  'iam:putrolepermissionsboundary',
  'iam:deleterolepermissionsboundary',
]);

// Every change to an /aws-reserved/ role: nothing of it is the customer's to edit.
const RESERVED_ROLE_CHANGES = new Set([
  ...SERVICE_LINKED_ROLE_CHANGES,
  'iam:updaterole',
  'iam:updateroledescription',
  'iam:tagrole',
  'iam:untagrole',
  'iam:deleteservicelinkedrole',
]);

const RESERVED_ALIAS_CHANGES = new Set(['kms:createalias', 'kms:deletealias', 'kms:updatealias']);

/** Which protection a request runs into, or undefined when customer policies decide it as usual. */
export type Protection = 'awsManagedPolicy' | 'serviceLinkedRole' | 'reservedRole' | 'awsKmsAlias';

/**
 * The AWS protection the action on the resource runs into. Cheap for every other request: one set lookup on the
 * action before the resource is parsed.
 */
export function protectionOf(actionLower: string, resource: string): Protection | undefined {
  const iamPolicy = MANAGED_POLICY_CHANGES.has(actionLower);
  const iamRole = RESERVED_ROLE_CHANGES.has(actionLower);
  const kmsAlias = RESERVED_ALIAS_CHANGES.has(actionLower);
  if (!iamPolicy && !iamRole && !kmsAlias) return undefined;
  const arn = parseArn(resource);
  if (arn === undefined) return undefined;
  if (iamPolicy && arn.service === 'iam' && arn.account === 'aws' && arn.resource.startsWith('policy/')) return 'awsManagedPolicy';
  if (iamRole && arn.service === 'iam') {
    if (arn.resource.startsWith('role/aws-reserved/')) return 'reservedRole';
    if (arn.resource.startsWith('role/aws-service-role/') && SERVICE_LINKED_ROLE_CHANGES.has(actionLower)) return 'serviceLinkedRole';
  }
  if (kmsAlias && arn.service === 'kms' && arn.resource.startsWith('alias/aws/')) return 'awsKmsAlias';
  return undefined;
}
