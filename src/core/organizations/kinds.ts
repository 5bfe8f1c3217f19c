// What Organizations keeps in the Store, and the IDs and ARNs it hands out.
//
// Everything of an organization lives under the management account's ID (the store partitions by account): the
// organization, its root, OUs, policies, create-account requests, each member account's membership, and the policy
// attachments (links from policy ID to target ID). Keys are the IDs AWS shows (`r-…`, `ou-…`, `p-…`, account IDs);
// entity IDs must be unique across the whole store, so they carry the organization's ID or a kind prefix. A membership's
// entity ID is `org-account:<account>`: the store's uniqueness of IDs is what keeps an account in one organization
// at most, and any account finds its organization with one getById.
import { randomInt } from 'node:crypto';

export const ORG_KIND = {
  organization: 'organization',
  root: 'org-root',
  ou: 'org-ou',
  /** A member account's membership: owner is its parent (root or OU) ID. */
  account: 'org-account',
  policy: 'org-policy',
  createAccountStatus: 'org-create-account-status',
  /** An account this server created (CreateAccount): its name and email, whatever organization it is in later. */
  accountRecord: 'account',
  /** Each email address given to an account, lower-cased, under account '': AWS requires them unique. */
  accountEmail: 'account-email',
  /** A member account registered as delegated administrator for a service: key `<account>/<service principal>`. */
  delegatedAdministrator: 'org-delegated-administrator',
  /** An invitation (INVITE handshake), under the management account: owner is the invited account ID ('' for an unknown email). */
  handshake: 'org-handshake',
  /** The invited account's pointer to a handshake, under the invited account: key the handshake ID, data its management account. */
  handshakeInbox: 'org-handshake-inbox',
  /** The organization's resource-based delegation policy (PutResourcePolicy), under the management account. */
  resourcePolicy: 'org-resource-policy',
} as const;

export const ORG_REL = {
  /** policy ID → target ID (root, OU or account). */
  attached: 'org-policy-attachment',
} as const;

export const membershipId = (account: string): string => `org-account:${account}`;

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomText(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += LOWER_ALNUM[randomInt(LOWER_ALNUM.length)];
  return out;
}

// The lengths AWS's own IDs have; each is within the API's patterns (policy IDs also within PolicyArn's 10–32).
export const newOrganizationId = (): string => `o-${randomText(10)}`;
export const newRootId = (): string => `r-${randomText(4)}`;
/** An OU's ID carries its root's suffix: `ou-<root>-<8>`. */
export const newOuId = (rootId: string): string => `ou-${rootId.slice(2)}-${randomText(8)}`;
export const newPolicyId = (): string => `p-${randomText(10)}`;
export const newCreateAccountRequestId = (): string => `car-${randomText(32)}`;
export const newResourcePolicyId = (): string => `rp-${randomText(8)}`;
export const newHandshakeId = (): string => `h-${randomText(32)}`;
/** A handshake's ARN names its action in lower case: `handshake/o-…/invite/h-…`, `…/enable_all_features/h-…`. */
export const handshakeArn = (management: string, orgId: string, handshakeId: string, action = 'INVITE'): string =>
  arn(management, `handshake/${orgId}/${action.toLowerCase()}/${handshakeId}`);

/** Twelve digits, as AWS account IDs are (a leading zero included). */
export function newAccountId(): string {
  let out = '';
  for (let i = 0; i < 12; i++) out += String(randomInt(10));
  return out;
}

const arn = (management: string, resource: string): string => `arn:aws:organizations::${management}:${resource}`;

export const organizationArn = (management: string, orgId: string): string => arn(management, `organization/${orgId}`);
export const rootArn = (management: string, orgId: string, rootId: string): string => arn(management, `root/${orgId}/${rootId}`);
export const ouArn = (management: string, orgId: string, ouId: string): string => arn(management, `ou/${orgId}/${ouId}`);
export const accountArn = (management: string, orgId: string, account: string): string => arn(management, `account/${orgId}/${account}`);

/** The policy type as it appears in policy ARNs: `service_control_policy`. */
export const policyTypeSegment = (type: string): string => type.toLowerCase();

export function policyArn(management: string, orgId: string, type: string, policyId: string): string {
  return arn(management, `policy/${orgId}/${policyTypeSegment(type)}/${policyId}`);
}

/** AWS managed policies have one ARN everywhere, under the account `aws`. */
export const awsPolicyArn = (type: string, policyId: string): string => `arn:aws:organizations::aws:policy/${policyTypeSegment(type)}/${policyId}`;

export type TargetType = 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';

/** What kind of target an ID names, by its form (the API's patterns tell them apart). */
export function targetTypeOf(id: string): TargetType | undefined {
  if (/^r-[0-9a-z]{4,32}$/.test(id)) return 'ROOT';
  if (/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/.test(id)) return 'ORGANIZATIONAL_UNIT';
  if (/^\d{12}$/.test(id)) return 'ACCOUNT';
  return undefined;
}
