import {
  GetGroupPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { defaultPolicyDocument, type Clients } from '../api.js';
import { parsePolicyDocument } from '../effective-access.js';

/** What an Access Advisor report is about. */
export type AdvisorTarget = { readonly kind: 'user' | 'group' | 'role'; readonly name: string } | { readonly kind: 'policy'; readonly arn: string };

type Document = { Statement?: unknown };

/** A user's, group's or role's own inline and attached policies (IAM's list calls, up to 1 000 of each). */
async function ownDocuments(clients: Clients, kind: 'user' | 'group' | 'role', name: string, arns: Set<string>): Promise<Array<string | undefined>> {
  const { iam } = clients;
  const texts: Array<string | undefined> = [];
  if (kind === 'user') {
    for (const p of (await iam.send(new ListUserPoliciesCommand({ UserName: name, MaxItems: 1000 }))).PolicyNames ?? []) texts.push((await iam.send(new GetUserPolicyCommand({ UserName: name, PolicyName: p }))).PolicyDocument);
    for (const a of (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: name, MaxItems: 1000 }))).AttachedPolicies ?? []) if (a.PolicyArn !== undefined) arns.add(a.PolicyArn);
  } else if (kind === 'group') {
    for (const p of (await iam.send(new ListGroupPoliciesCommand({ GroupName: name, MaxItems: 1000 }))).PolicyNames ?? []) texts.push((await iam.send(new GetGroupPolicyCommand({ GroupName: name, PolicyName: p }))).PolicyDocument);
    for (const a of (await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: name, MaxItems: 1000 }))).AttachedPolicies ?? []) if (a.PolicyArn !== undefined) arns.add(a.PolicyArn);
  } else {
    for (const p of (await iam.send(new ListRolePoliciesCommand({ RoleName: name, MaxItems: 1000 }))).PolicyNames ?? []) texts.push((await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: p }))).PolicyDocument);
    for (const a of (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name, MaxItems: 1000 }))).AttachedPolicies ?? []) if (a.PolicyArn !== undefined) arns.add(a.PolicyArn);
  }
  return texts;
}

/**
 * The permissions policies the report of `target` is built from, parsed: a policy's default version; a group's or
 * role's own policies; a user's own and those of its groups (as the report counts them).
 */
export async function entityDocuments(clients: Clients, target: AdvisorTarget): Promise<Document[]> {
  const texts: Array<string | undefined> = [];
  const arns = new Set<string>();
  if (target.kind === 'policy') {
    arns.add(target.arn);
  } else {
    texts.push(...(await ownDocuments(clients, target.kind, target.name, arns)));
    if (target.kind === 'user') {
      for (const g of (await clients.iam.send(new ListGroupsForUserCommand({ UserName: target.name, MaxItems: 1000 }))).Groups ?? []) texts.push(...(await ownDocuments(clients, 'group', g.GroupName ?? '', arns)));
    }
  }
  for (const arn of arns) texts.push(await defaultPolicyDocument(clients.iam, arn));
  return texts.map(parsePolicyDocument).filter((d): d is Document => d !== undefined);
}
