import type { OperationContext } from '../operation.js';
import { limitExceeded, type ServiceError } from '../errors.js';

// IAM's default quotas, as GetAccountSummary reports them; enforced with AWS's LimitExceeded messages.
export const QUOTAS = {
  Users: 5000,
  Groups: 300,
  Roles: 1000,
  Policies: 1500,
  InstanceProfiles: 1000,
  ServerCertificates: 20,
  GroupsPerUserQuota: 10,
  AttachedPoliciesPerUserQuota: 10,
  AttachedPoliciesPerGroupQuota: 10,
  AttachedPoliciesPerRoleQuota: 10,
  AccessKeysPerUserQuota: 2,
  SigningCertificatesPerUserQuota: 2,
  /** Not in GetAccountSummary; the IAM User Guide's quota for SSH public keys per user. */
  SSHPublicKeysPerUserQuota: 5,
  VersionsPerPolicyQuota: 5,
  PolicyVersionsInUseQuota: 10000,
  PolicySizeQuota: 6144,
  UserPolicySizeQuota: 2048,
  GroupPolicySizeQuota: 5120,
  RolePolicySizeQuota: 10240,
  AssumeRolePolicySizeQuota: 2048,
  InstanceProfilesPerRoleQuota: 1,
  MFADevices: 5000,
  GlobalEndpointTokenVersion: 1,
  AccountMFAEnabled: 0,
  AccountAccessKeysPresent: 0,
  AccountSigningCertificatesPresent: 0,
  PoliciesPerUserQuota: 10,
  PoliciesPerGroupQuota: 10,
  PoliciesPerRoleQuota: 10,
} as const;

/** AWS's LimitExceeded for a quota, named as IAM names it (`UsersPerAccount`, `AccessKeysPerUser`…). */
export const quotaExceeded = (name: string, limit: number): ServiceError => limitExceeded(`Cannot exceed quota for ${name}: ${limit}`);

/** Refuses one more entity of `kind` when the account already has `limit` of them. */
export async function checkAccountQuota(ctx: OperationContext, kind: string, name: string, limit: number): Promise<void> {
  if ((await ctx.tx.count(kind, ctx.account)) >= limit) throw quotaExceeded(name, limit);
}
