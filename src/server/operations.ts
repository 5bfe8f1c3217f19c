import { KIND } from '../core/iam/kinds.js';
import { ACCESS_KEY_OPERATIONS, recordAccessKeyUse } from '../core/iam/access-keys.js';
import { ACCOUNT_OPERATIONS } from '../core/iam/account.js';
import { ACCOUNT_PROPERTY_OPERATIONS } from '../core/iam/account-properties.js';
import { ATTACHMENT_OPERATIONS } from '../core/iam/attachments.js';
import { CREDENTIAL_REPORT_OPERATIONS } from '../core/iam/credential-report.js';
import { DELEGATION_REQUEST_OPERATIONS } from '../core/iam/delegation-requests.js';
import { GROUP_OPERATIONS } from '../core/iam/groups.js';
import { HUMAN_READABLE_SUMMARY_OPERATIONS } from '../core/iam/human-readable-summary.js';
import { INLINE_POLICY_OPERATIONS } from '../core/iam/inline-policies.js';
import { INSTANCE_PROFILE_OPERATIONS } from '../core/iam/instance-profiles.js';
import { LOGIN_PROFILE_OPERATIONS } from '../core/iam/login-profiles.js';
import { OIDC_PROVIDER_OPERATIONS } from '../core/iam/oidc-providers.js';
import { OUTBOUND_FEDERATION_OPERATIONS } from '../core/iam/outbound-federation.js';
import { MFA_DEVICE_OPERATIONS } from '../core/iam/mfa-devices.js';
import { PASSWORD_POLICY_OPERATIONS } from '../core/iam/password-policy.js';
import { POLICY_OPERATIONS } from '../core/iam/policies.js';
import { ROLE_TEMPLATE_OPERATIONS } from '../core/iam/role-templates/operations.js';
import { recordRoleUse, ROLE_OPERATIONS } from '../core/iam/roles.js';
import { SERVER_CERTIFICATE_OPERATIONS } from '../core/iam/server-certificates.js';
import { SERVICE_LINKED_ROLE_OPERATIONS } from '../core/iam/service-linked-roles.js';
import { SERVICE_SPECIFIC_CREDENTIAL_OPERATIONS } from '../core/iam/service-specific-credentials.js';
import { SIGNING_CERTIFICATE_OPERATIONS } from '../core/iam/signing-certificates.js';
import { SIMULATOR_OPERATIONS } from '../core/iam/simulator/operations.js';
import { SSH_PUBLIC_KEY_OPERATIONS } from '../core/iam/ssh-public-keys.js';
import { USER_OPERATIONS } from '../core/iam/users.js';
import { defineOperations } from '../core/operation.js';
import { ACCOUNT_OPERATIONS as ORGANIZATION_ACCOUNT_OPERATIONS } from '../core/organizations/accounts.js';
import { ATTACHMENT_OPERATIONS as ORGANIZATION_ATTACHMENT_OPERATIONS } from '../core/organizations/attachments.js';
import { LOOKUP_EVENTS_OPERATIONS } from '../core/audit/lookup-events.js';
import { ORGANIZATION_OPERATIONS } from '../core/organizations/organization.js';
import { HANDSHAKE_OPERATIONS } from '../core/organizations/handshakes.js';
import { ALL_FEATURES_OPERATIONS } from '../core/organizations/all-features.js';
import { RESOURCE_POLICY_OPERATIONS, withDelegation } from '../core/organizations/resource-policy.js';
import { EFFECTIVE_POLICY_OPERATIONS } from '../core/organizations/effective-policy.js';
import { ROOT_ACCESS_OPERATIONS } from '../core/organizations/root-access.js';
import { SERVICE_ACCESS_OPERATIONS } from '../core/organizations/service-access.js';
import { POLICY_OPERATIONS as ORGANIZATION_POLICY_OPERATIONS } from '../core/organizations/policies.js';
import { TAG_OPERATIONS as ORGANIZATION_TAG_OPERATIONS } from '../core/organizations/tags.js';
import { UNIT_OPERATIONS } from '../core/organizations/units.js';
import { ASSUME_ROLE_OPERATIONS } from '../core/sts/assume-role.js';
import { ASSUME_ROOT_OPERATIONS } from '../core/sts/assume-root.js';
import { SAML_OPERATIONS } from '../core/sts/assume-role-with-saml.js';
import { WEB_IDENTITY_OPERATIONS } from '../core/sts/assume-role-with-web-identity.js';
import { DECODE_AUTHORIZATION_MESSAGE_OPERATIONS } from '../core/sts/decode-authorization-message.js';
import { DELEGATED_ACCESS_TOKEN_OPERATIONS } from '../core/sts/delegated-access-token.js';
import { IDENTITY_OPERATIONS } from '../core/sts/identity-operations.js';
import { SCOPED_CREDENTIALS_OPERATIONS } from '../core/sts/scoped-credentials.js';
import { USER_SESSION_OPERATIONS } from '../core/sts/user-session-operations.js';
import { WEB_IDENTITY_TOKEN_OPERATIONS } from '../core/sts/web-identity-token.js';
import type { Store } from '../store/store.js';
import { ACCESS_ADVISOR_OPERATIONS } from '../core/iam/access-advisor/operations.js';
import { ORGANIZATIONS_ACCESS_REPORT_OPERATIONS } from '../core/iam/access-advisor/organizations-report.js';
import type { KeyUse } from './usage-recorder.js';
import { recordServiceUses, type ServiceUse } from '../core/iam/access-advisor/records.js';

/**
 * Every implemented IAM, STS and Organizations operation; any other operation of the API models answers
 * NotImplemented (501).
 */
export const OPERATIONS = defineOperations(
  // Organizations' reads and policy management honour the organization's delegation policy.
  withDelegation([
  ...USER_OPERATIONS,
  ...GROUP_OPERATIONS,
  ...ROLE_OPERATIONS,
  ...ROLE_TEMPLATE_OPERATIONS,
  ...SERVICE_LINKED_ROLE_OPERATIONS,
  ...INSTANCE_PROFILE_OPERATIONS,
  ...POLICY_OPERATIONS,
  ...ATTACHMENT_OPERATIONS,
  ...INLINE_POLICY_OPERATIONS,
  ...ACCESS_KEY_OPERATIONS,
  ...SERVICE_SPECIFIC_CREDENTIAL_OPERATIONS,
  ...SSH_PUBLIC_KEY_OPERATIONS,
  ...SIGNING_CERTIFICATE_OPERATIONS,
  ...DELEGATION_REQUEST_OPERATIONS,
  ...HUMAN_READABLE_SUMMARY_OPERATIONS,
  ...SIMULATOR_OPERATIONS,
  ...LOGIN_PROFILE_OPERATIONS,
  ...MFA_DEVICE_OPERATIONS,
  ...PASSWORD_POLICY_OPERATIONS,
  ...ACCOUNT_OPERATIONS,
  ...CREDENTIAL_REPORT_OPERATIONS,
  ...ACCOUNT_PROPERTY_OPERATIONS,
  ...IDENTITY_OPERATIONS,
  ...USER_SESSION_OPERATIONS,
  ...ASSUME_ROLE_OPERATIONS,
  ...SAML_OPERATIONS,
  ...OIDC_PROVIDER_OPERATIONS,
  ...WEB_IDENTITY_OPERATIONS,
  ...DECODE_AUTHORIZATION_MESSAGE_OPERATIONS,
  ...SERVER_CERTIFICATE_OPERATIONS,
  ...OUTBOUND_FEDERATION_OPERATIONS,
  ...WEB_IDENTITY_TOKEN_OPERATIONS,
  ...ORGANIZATION_OPERATIONS,
  ...ORGANIZATION_ACCOUNT_OPERATIONS,
  ...UNIT_OPERATIONS,
  ...ORGANIZATION_POLICY_OPERATIONS,
  ...ORGANIZATION_ATTACHMENT_OPERATIONS,
  ...ORGANIZATION_TAG_OPERATIONS,
  ...SERVICE_ACCESS_OPERATIONS,
  ...HANDSHAKE_OPERATIONS,
  ...EFFECTIVE_POLICY_OPERATIONS,
  ...ALL_FEATURES_OPERATIONS,
  ...RESOURCE_POLICY_OPERATIONS,
  ...ROOT_ACCESS_OPERATIONS,
  ...ASSUME_ROOT_OPERATIONS,
  ...SCOPED_CREDENTIALS_OPERATIONS,
  ...DELEGATED_ACCESS_TOKEN_OPERATIONS,
  ...LOOKUP_EVENTS_OPERATIONS,
  ...ACCESS_ADVISOR_OPERATIONS,
  ...ORGANIZATIONS_ACCESS_REPORT_OPERATIONS,
  ]),
);

/** The same map under its former name, for callers written before STS existed. */
export const IAM_OPERATIONS = OPERATIONS;

/**
 * Writes a batch of access key uses (GetAccessKeyLastUsed) and role session uses (GetRole's RoleLastUsed) in one
 * transaction. A session's key is in no store (the token carries it): only its role is recorded.
 */
export async function recordKeyUses(store: Store, uses: readonly KeyUse[], serviceUses: readonly ServiceUse[] = []): Promise<void> {
  await store.transaction(async (tx) => {
    // Access Advisor's records and the last-used dates below come from the same requests, in the same transaction.
    if (serviceUses.length > 0) await recordServiceUses(tx, serviceUses);
    for (const use of uses) {
      if (use.role !== undefined) {
        await recordRoleUse(tx, use.role, use.date, use.region);
        continue;
      }
      const key = await tx.getById(KIND.accessKey, use.accessKeyId);
      if (key !== undefined) await recordAccessKeyUse(tx, key.account, use.accessKeyId, { date: use.date, service: use.service, region: use.region });
    }
    // Last-used dates change no credential or decision: the caches built on version() stay warm.
  }, { bookkeeping: true });
}
