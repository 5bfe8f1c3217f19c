// Which writes invalidate only their own account's caches (Store.versionOf). The authenticator's keys and the
// authorizer's compiled policy sets of account A are checked against versionOf(A), so a write in account B leaves them
// warm; a write of any kind or relation NOT listed here (every Organizations kind, the account and closed-account
// records, anything added later and forgotten here) moves every account's version, as every write did before.
//
// A kind or relation may be listed only if its records in account A are read, for anything derived from them and
// cached, for account A's own principals alone. What the versioned caches read, and why each is safe:
// - Access keys (getById across accounts, but a key's record lives in its own account and IDs are unique across
//   kinds and accounts): the key, its user, and the closed flags (Organizations membership, the `account` record:
//   global kinds, not listed).
// - A principal's policy set (principal-policy-set.ts): the user or role, its inline policies, its attached-policy
//   links, its groups (group-member links) and theirs, customer managed policies and versions, the boundary: all
//   read in the caller's own account only (policy-lookup.ts finds customer policies in the caller's account alone and
//   AWS managed ones in the catalogue, not the store). Its SCPs and aws:PrincipalOrg* keys are Organizations data,
//   kept under the management account: global.
// - Resource sides (RCPs, aws:ResourceOrg*): Organizations data only, global.
// - Trust policies and the authorize API's resource policies are not cached by version: a decision reads the role
//   (or the registered `resource-policy`, not listed: it is cross-account by nature) in its transaction and passes
//   the text, which is part of the compiled set's cache key.
// - Session tokens carry their principal and are opened without the store; their policies are the role's (or the
//   issuing user's) in the session's own account. Delegated administrators and the organization's resource policy are
//   Organizations kinds: global.
// Account-wide settings that other accounts or sign-in read (aliases, STS preferences, outbound federation,
// delegation requests between accounts, registered instances and containers, reports) stay global: they are
// written rarely and listing them would buy nothing.
import type { WriteScope } from '../store/store.js';
import { KIND, REL } from './iam/kinds.js';
import { MFA_DEVICE_KIND } from './iam/mfa-devices.js';
import { OIDC_PROVIDER_KIND } from './iam/oidc-providers.js';
import { SAML_PROVIDER_KIND } from './iam/saml-providers.js';
import { ROOT_LOGIN_KIND } from './sts/root-password.js';

/** Entities of the account's own principals and their credentials; see above. */
const LOCAL_KINDS: ReadonlySet<string> = new Set<string>([
  KIND.user,
  KIND.group,
  KIND.role,
  KIND.instanceProfile,
  KIND.policy,
  KIND.policyVersion,
  KIND.inlinePolicy,
  KIND.accessKey,
  KIND.loginProfile,
  KIND.passwordPolicy,
  KIND.serviceSpecificCredential,
  KIND.serverCertificate,
  KIND.sshPublicKey,
  KIND.signingCertificate,
  KIND.slrDeletion,
  KIND.serviceAccess,
  KIND.accessAdvisorJob,
  MFA_DEVICE_KIND,
  SAML_PROVIDER_KIND,
  OIDC_PROVIDER_KIND,
  ROOT_LOGIN_KIND,
]);

/** Memberships and attachments inside one account (user→group, principal→managed policy, profile→role). */
const LOCAL_RELATIONS: ReadonlySet<string> = new Set<string>([REL.groupMember, REL.attached, REL.profileRole]);

/** What the server opens its store with, so a write in one account leaves the other accounts' caches warm. */
export const IAM_WRITE_SCOPE: WriteScope = {
  entityIsLocal: (kind) => LOCAL_KINDS.has(kind),
  linkIsLocal: (relation) => LOCAL_RELATIONS.has(relation),
};
