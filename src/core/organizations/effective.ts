// What an account's place in an organization adds to every decision: for its principals, the service control
// policies of its path (root → OUs → the account, each level needing an Allow, any Deny final) and the
// aws:PrincipalOrgID / aws:PrincipalOrgPaths keys; for its resources, the resource control policies of the same path
// and aws:ResourceOrgID / aws:ResourceOrgPaths. The authorizer reads these when it compiles a decision's policies,
// which it does again after any write to the store, so a policy attached, detached, edited, or an account moved, is
// in force for the next request (on every node: the store's version moves on each).
import type { OrganizationPolicies } from '../../policy/engine.js';
import type { StoreTx } from '../../store/store.js';
import { ancestry, findNode, organizationOfAccount, type Organization } from './context.js';
import { enabledTypes } from './attachments.js';
import { findPolicy } from './policies.js';
import { ORG_REL } from './kinds.js';
import { RCP, SCP } from './policy-types.js';

export interface AccountOrganization {
  readonly management: string;
  readonly orgId: string;
  /** aws:PrincipalOrgPaths / aws:ResourceOrgPaths: the path of the account's parent, `o-…/r-…/ou-…/`. */
  readonly path: string;
  /** The account's path, root first and the account last. */
  readonly chain: readonly string[];
}

export interface PrincipalOrganization extends AccountOrganization {
  /** Root first, the account last; empty where SCPs are not enabled (or for the management account, never bound). */
  readonly scp: readonly OrganizationPolicies[];
}

export interface ResourceOrganization extends AccountOrganization {
  /** Root first, the account last; empty where RCPs are not enabled (or for the management account, never bound). */
  readonly rcp: readonly OrganizationPolicies[];
}

async function placeOf(tx: StoreTx, account: string): Promise<{ org: Organization; place: AccountOrganization } | undefined> {
  const org = await organizationOfAccount(tx, account);
  if (org === undefined) return undefined;
  const node = await findNode(tx, org, account);
  if (node === undefined) return undefined;
  const chain = await ancestry(tx, org, node);
  return { org, place: { management: org.management, orgId: org.id, path: `${org.id}/${chain.slice(0, -1).join('/')}/`, chain } };
}

/** The policies of one type at each level of `chain`, when the type is enabled and the account is not the management. */
async function levelsOf(tx: StoreTx, org: Organization, account: string, chain: readonly string[], type: string): Promise<OrganizationPolicies[]> {
  if (account === org.management || !(await enabledTypes(tx, org)).some((t) => t.Type === type)) return [];
  const levels: OrganizationPolicies[] = [];
  for (const target of chain) {
    const policies: Array<{ name: string; document: string }> = [];
    for (const link of await tx.links(ORG_REL.attached, org.management, { to: target })) {
      const policy = await findPolicy(tx, org, link.from);
      if (policy?.type === type) policies.push({ name: policy.id, document: policy.content });
    }
    levels.push({ target, policies });
  }
  return levels;
}

export async function principalOrganization(tx: StoreTx, account: string): Promise<PrincipalOrganization | undefined> {
  const found = await placeOf(tx, account);
  if (found === undefined) return undefined;
  return { ...found.place, scp: await levelsOf(tx, found.org, account, found.place.chain, SCP) };
}

export async function resourceOrganization(tx: StoreTx, account: string): Promise<ResourceOrganization | undefined> {
  const found = await placeOf(tx, account);
  if (found === undefined) return undefined;
  return { ...found.place, rcp: await levelsOf(tx, found.org, account, found.place.chain, RCP) };
}
