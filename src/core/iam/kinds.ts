// Entity kinds and link relations the IAM services keep in the Store.
export const KIND = {
  user: 'user',
  group: 'group',
  role: 'role',
  instanceProfile: 'instance-profile',
  policy: 'policy',
  policyVersion: 'policy-version',
  inlinePolicy: 'inline-policy',
  accessKey: 'access-key',
  loginProfile: 'login-profile',
  passwordPolicy: 'password-policy',
  accountAlias: 'account-alias',
  slrDeletion: 'slr-deletion',
  serviceSpecificCredential: 'service-specific-credential',
  serverCertificate: 'server-certificate',
  sshPublicKey: 'ssh-public-key',
  signingCertificate: 'signing-certificate',
  delegationRequest: 'delegation-request',
  stsPreferences: 'sts-preferences',
  outboundFederation: 'outbound-federation',
  /** The account itself (one per account): when it was created, for the root user's CreateDate. */
  account: 'account',
  /** The account's latest credential report (one per account). */
  credentialReport: 'credential-report',
  accountProperties: 'account-properties',
  /** An "instance" registered with an instance profile: its IMDS serves the profile's role (keyed by instance ID). */
  ec2Instance: 'ec2-instance',
  /** Every registered instance, in account '' (key: instance ID), so a starting node finds them all to serve. */
  instanceIndex: 'instance-index',
  /** A container registration: the container credentials endpoint serves its role (keyed by task ID). */
  containerTask: 'container-task',
  /** A resource-based policy and tags registered for any ARN (authorize-api/resource-policies.ts), keyed by the ARN's hash. */
  resourcePolicy: 'resource-policy',
  /** A user's or role's last access to each service (and tracked action), keyed by its unique ID (AIDA…, AROA…). */
  serviceAccess: 'service-access',
  /** A service last accessed report (GenerateServiceLastAccessedDetails), keyed by its JobId. */
  accessAdvisorJob: 'access-advisor-job',
  /** An organizations access report (GenerateOrganizationsAccessReport), keyed by its JobId. */
  organizationsAccessJob: 'organizations-access-job',
} as const;

/** The owner key the root user's own credentials (access keys, signing certificates) are stored under. */
export const ROOT_KEY_OWNER = '';

export const REL = {
  /** user name → group name */
  groupMember: 'group-member',
  /** entity (`user/NAME`, `group/NAME`, `role/NAME`) → managed policy ARN */
  attached: 'attached-policy',
  /** instance profile name → role name */
  profileRole: 'profile-role',
} as const;

export type PrincipalEntityType = 'user' | 'group' | 'role';

/** The `from` end of an attachment link. */
export const attachmentKey = (type: PrincipalEntityType, name: string): string => `${type}/${name}`;

/** Inline policies are children of their user, group or role: owner `TYPE/NAME`, key `TYPE/NAME/POLICY`. */
export const inlineOwner = (type: PrincipalEntityType, name: string): string => `${type}/${name}`;
export const inlineKey = (type: PrincipalEntityType, name: string, policyName: string): string => `${type}/${name}/${policyName}`;
