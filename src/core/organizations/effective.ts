// What an account's place in an organization adds to every decision about its principals: the service control
// policies of its path (root → OUs → the account, each level needing an Allow, any Deny final) and the
// aws:PrincipalOrgID / aws:PrincipalOrgPaths keys. The authorizer reads this when it compiles a principal's policies,
// which it does again after any write to the store, so an SCP attached, detached, edited, or an account moved, is in
// force for the next request (on every node: the store's version moves on each).
import type { OrganizationPolicies } from '../../policy/engine.js';
import type { StoreTx } from '../../store/store.js';
import { ancestry, findNode, organizationOfAccount } from './context.js';
import { enabledTypes } from './attachments.js';
import { findPolicy } from './policies.js';
import { ORG_REL } from './kinds.js';
import { SCP } from './policy-types.js';

export interface PrincipalOrganization {
  readonly management: string;
  readonly orgId: string;
  /** aws:PrincipalOrgPaths: the path of the account's parent, `o-…/r-…/ou-…/` (the account itself not part of it). */
  readonly path: string;
  /** Root first, the account last; empty where SCPs are not enabled (or for the management account, never bound). */
  readonly scp: readonly OrganizationPolicies[];
}

export async function principalOrganization(tx: StoreTx, account: string): Promise<PrincipalOrganization | undefined> {
  const org = await organizationOfAccount(tx, account);
  if (org === undefined) return undefined;
  const node = await findNode(tx, org, account);
  if (node === undefined) return undefined;
  const chain = await ancestry(tx, org, node);
  const path = `${org.id}/${chain.slice(0, -1).join('/')}/`;
  const scp: OrganizationPolicies[] = [];
  if (account !== org.management && (await enabledTypes(tx, org)).some((t) => t.Type === SCP)) {
    for (const target of chain) {
      const policies: Array<{ name: string; document: string }> = [];
      for (const link of await tx.links(ORG_REL.attached, org.management, { to: target })) {
        const policy = await findPolicy(tx, org, link.from);
        if (policy?.type === SCP) policies.push({ name: policy.id, document: policy.content });
      }
      scp.push({ target, policies });
    }
  }
  return { management: org.management, orgId: org.id, path, scp };
}
