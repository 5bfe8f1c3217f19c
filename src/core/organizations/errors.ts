// Organizations' errors: the code (the error structure's name), the HTTP status the API model gives it, and the
// message. Messages follow the API reference's description of each error, which is what the service answers.
import { ServiceError } from '../errors.js';

const error = (code: string, status: number, message: string, fields?: Record<string, string>): ServiceError =>
  new ServiceError(code, message, status, 'Sender', fields);

export const notInUse = (): ServiceError => error('AWSOrganizationsNotInUseException', 404, 'Your account is not a member of an organization.');

/** A member account (or an outsider) asking for what only the management account may do. */
export const notManagement = (): ServiceError => error('AccessDeniedException', 403, "You don't have permissions to access this resource.");

export const alreadyInOrganization = (): ServiceError =>
  error('AlreadyInOrganizationException', 409, 'This account is already a member of an organization. An account can belong to only one organization at a time.');

export const organizationNotEmpty = (): ServiceError =>
  error('OrganizationNotEmptyException', 409, 'The organization isn\'t empty. To delete an organization, you must first remove or close all member accounts except the management account.');

export const accountNotFound = (): ServiceError => error('AccountNotFoundException', 404, "We can't find an AWS account with the AccountId that you specified.");
export const accountAlreadyClosed = (): ServiceError => error('AccountAlreadyClosedException', 409, 'You attempted to close an account that is already closed.');
export const createAccountStatusNotFound = (): ServiceError =>
  error('CreateAccountStatusNotFoundException', 404, "We can't find a create account request with the CreateAccountRequestId that you specified.");
export const parentNotFound = (): ServiceError => error('ParentNotFoundException', 404, "We can't find a root or OU with the ParentId that you specified.");
export const childNotFound = (): ServiceError => error('ChildNotFoundException', 404, "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.");
export const rootNotFound = (): ServiceError => error('RootNotFoundException', 404, "We can't find a root with the RootId that you specified.");
export const ouNotFound = (): ServiceError => error('OrganizationalUnitNotFoundException', 404, "We can't find an OU with the OrganizationalUnitId that you specified.");
export const ouNotEmpty = (): ServiceError =>
  error('OrganizationalUnitNotEmptyException', 409, 'The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.');
export const duplicateOu = (): ServiceError => error('DuplicateOrganizationalUnitException', 409, 'An OU with the same name already exists.');
export const sourceParentNotFound = (): ServiceError => error('SourceParentNotFoundException', 404, "We can't find a source root or OU with the ParentId that you specified.");
export const destinationParentNotFound = (): ServiceError =>
  error('DestinationParentNotFoundException', 404, "We can't find the destination container (a root or OU) with the ParentId that you specified.");
export const duplicateAccount = (): ServiceError => error('DuplicateAccountException', 409, 'That account is already present in the specified destination.');

export const policyNotFound = (): ServiceError => error('PolicyNotFoundException', 404, "We can't find a policy with the PolicyId that you specified.");
export const targetNotFound = (): ServiceError => error('TargetNotFoundException', 404, "We can't find a root, OU, account, or policy with the TargetId that you specified.");
export const duplicatePolicy = (): ServiceError => error('DuplicatePolicyException', 409, 'A policy with the same name already exists.');
export const duplicatePolicyAttachment = (): ServiceError => error('DuplicatePolicyAttachmentException', 409, 'The selected policy is already attached to the specified target.');
export const policyNotAttached = (): ServiceError => error('PolicyNotAttachedException', 409, "The policy isn't attached to the specified target in the specified root.");
export const policyInUse = (): ServiceError =>
  error('PolicyInUseException', 409, 'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.');
export const policyTypeNotEnabled = (): ServiceError =>
  error('PolicyTypeNotEnabledException', 409, "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root.");
export const policyTypeAlreadyEnabled = (): ServiceError => error('PolicyTypeAlreadyEnabledException', 409, 'The specified policy type is already enabled in the specified root.');
export const policyTypeNotAvailable = (): ServiceError =>
  error('PolicyTypeNotAvailableForOrganizationException', 409, "You can't use a policy type that isn't available in the organization's feature set.");
export const effectivePolicyNotFound = (): ServiceError =>
  error(
    'EffectivePolicyNotFoundException',
    404,
    "If you ran this action on the management account, this policy type is not enabled. If you ran the action on a member account, the account doesn't have an effective policy of this type. Contact the administrator of your organization about attaching a policy of this type to the account.",
  );
export const resourcePolicyNotFound = (): ServiceError => error('ResourcePolicyNotFoundException', 404, "We can't find a resource policy request with the parameter that you specified.");
export const malformedPolicyDocument = (): ServiceError =>
  error('MalformedPolicyDocumentException', 400, 'The provided policy document does not meet the requirements of the specified policy type.');

export type InputReason =
  | 'IMMUTABLE_POLICY'
  | 'INVALID_PAGINATION_TOKEN'
  | 'DUPLICATE_TAG_KEY'
  | 'INVALID_INPUT'
  | 'TARGET_NOT_SUPPORTED'
  | 'INVALID_FULL_NAME_TARGET'
  | 'INVALID_RESOURCE_POLICY_JSON'
  | 'INVALID_PRINCIPAL'
  | 'UNSUPPORTED_ACTION_IN_RESOURCE_POLICY'
  | 'UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY';

const INPUT_MESSAGES: Readonly<Record<InputReason, string>> = {
  IMMUTABLE_POLICY: "You specified a policy that is managed by AWS and can't be modified.",
  INVALID_PAGINATION_TOKEN: 'Get the value for the NextToken parameter from the response to a previous call of the operation.',
  DUPLICATE_TAG_KEY: 'Tag keys must be unique among the tags attached to the same entity.',
  INVALID_INPUT: 'You provided invalid values for one or more of the request parameters.',
  TARGET_NOT_SUPPORTED: "You can't tag a resource of this type.",
  INVALID_FULL_NAME_TARGET: 'You specified a full name that contains invalid characters.',
  INVALID_RESOURCE_POLICY_JSON: "You provided a resource policy that isn't valid JSON or doesn't follow the policy grammar.",
  INVALID_PRINCIPAL: 'You specified an invalid principal element in the policy.',
  UNSUPPORTED_ACTION_IN_RESOURCE_POLICY: 'You included an unsupported action in the resource policy.',
  UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY: 'You included an unsupported resource in the resource policy.',
};

export const invalidInput = (reason: InputReason): ServiceError => error('InvalidInputException', 400, INPUT_MESSAGES[reason], { Reason: reason });

export type ConstraintReason =
  | 'OU_DEPTH_LIMIT_EXCEEDED'
  | 'OU_NUMBER_LIMIT_EXCEEDED'
  | 'POLICY_NUMBER_LIMIT_EXCEEDED'
  | 'POLICY_CONTENT_LIMIT_EXCEEDED'
  | 'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED'
  | 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED'
  | 'ACCOUNT_CANNOT_LEAVE_ORGANIZATION'
  | 'CANNOT_CLOSE_MANAGEMENT_ACCOUNT'
  | 'MAX_TAG_LIMIT_EXCEEDED'
  | 'ACCOUNT_NUMBER_LIMIT_EXCEEDED'
  | 'CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR'
  | 'CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR'
  | 'MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED'
  | 'SERVICE_ACCESS_NOT_ENABLED'
  | 'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG';

// The API reference's text for each reason of ConstraintViolationException.
const CONSTRAINT_MESSAGES: Readonly<Record<ConstraintReason, string>> = {
  OU_DEPTH_LIMIT_EXCEEDED: 'You attempted to create an OU tree that is too many levels deep.',
  OU_NUMBER_LIMIT_EXCEEDED: 'You attempted to exceed the number of OUs that you can have in an organization.',
  POLICY_NUMBER_LIMIT_EXCEEDED: 'You attempted to exceed the number of policies that you can have in an organization.',
  POLICY_CONTENT_LIMIT_EXCEEDED: 'You attempted to create a policy that is larger than the maximum size.',
  MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED: 'You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.',
  MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED:
    'You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.',
  ACCOUNT_CANNOT_LEAVE_ORGANIZATION:
    "You attempted to remove the management account from the organization. You can't remove the management account. Instead, after you remove all member accounts, delete the organization itself.",
  CANNOT_CLOSE_MANAGEMENT_ACCOUNT:
    'You attempted to close the management account. To close the management account for the organization, you must first either remove or close all member accounts in the organization.',
  MAX_TAG_LIMIT_EXCEEDED: 'You have exceeded the number of tags allowed on this resource.',
  ACCOUNT_NUMBER_LIMIT_EXCEEDED: 'You attempted to exceed the limit on the number of accounts in an organization.',
  CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR:
    'You attempted to register the management account of the organization as a delegated administrator for an AWS service integrated with Organizations. You can designate only a member account as a delegated administrator.',
  CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR:
    'You cannot register a suspended account as a delegated administrator.',
  MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED:
    'You attempted to register more delegated administrators than allowed for the service principal.',
  SERVICE_ACCESS_NOT_ENABLED:
    'You attempted to register a delegated administrator before you enabled service access. Call the EnableAWSServiceAccess API first.',
  CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG:
    'You attempted to remove an account that is registered as a delegated administrator for a service integrated with your organization. To complete this operation, you must first deregister this account as a delegated administrator.',
};

export const accountAlreadyRegistered = (): ServiceError =>
  error('AccountAlreadyRegisteredException', 409, 'The specified account is already a delegated administrator for this AWS service.');
export const accountNotRegistered = (): ServiceError =>
  error('AccountNotRegisteredException', 409, 'The specified account is not a delegated administrator for this AWS service.');

export const constraintViolation = (reason: ConstraintReason): ServiceError =>
  error('ConstraintViolationException', 409, CONSTRAINT_MESSAGES[reason], { Reason: reason });

export const handshakeNotFound = (): ServiceError => error('HandshakeNotFoundException', 404, "We can't find a handshake with the HandshakeId that you specified.");
export const invalidHandshakeTransition = (): ServiceError =>
  error(
    'InvalidHandshakeTransitionException',
    409,
    "You can't perform the operation on the handshake in its current state. For example, you can't cancel a handshake that was already accepted or accept a handshake that was already declined.",
  );
export const handshakeAlreadyInState = (): ServiceError =>
  error('HandshakeAlreadyInStateException', 409, "The specified handshake is already in the requested state. For example, you can't accept a handshake that was already accepted.");
export const duplicateHandshake = (): ServiceError =>
  error(
    'DuplicateHandshakeException',
    409,
    'A handshake with the same action and target already exists. For example, if you invited an account to join your organization, the invited account might already have a pending invitation from this organization. If you intend to resend an invitation to an account, ensure that existing handshakes that might be considered duplicates are canceled or declined.',
  );
export const masterCannotLeave = (): ServiceError =>
  error(
    'MasterCannotLeaveOrganizationException',
    409,
    "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.",
  );

export type HandshakeReason =
  | 'ACCOUNT_NUMBER_LIMIT_EXCEEDED'
  | 'ALREADY_IN_AN_ORGANIZATION'
  | 'ORGANIZATION_ALREADY_HAS_ALL_FEATURES'
  | 'ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION'
  | 'INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES';
const HANDSHAKE_MESSAGES: Readonly<Record<HandshakeReason, string>> = {
  ACCOUNT_NUMBER_LIMIT_EXCEEDED: 'You attempted to exceed the limit on the number of accounts in an organization. Note that deleted and closed accounts still count toward your limit.',
  ALREADY_IN_AN_ORGANIZATION: 'The handshake request is invalid because the invited account is already a member of an organization.',
  ORGANIZATION_ALREADY_HAS_ALL_FEATURES: 'The handshake request is invalid because the organization has already enabled all features.',
  ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION: 'The handshake request is invalid because the organization has already started the process to enable all features.',
  INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES:
    "You can't issue new invitations to join an organization while it's in the process of enabling all features. You can resume inviting accounts after you finalize the process when all accounts have agreed to the change.",
};
export const handshakeConstraintViolation = (reason: HandshakeReason): ServiceError =>
  error('HandshakeConstraintViolationException', 409, HANDSHAKE_MESSAGES[reason], { Reason: reason });
