// The simulators' request members that need more than the model's constraints: policy documents, CallerArn,
// ResourceOwner and ResourceHandlingOption, each refused with InvalidInput as IAM refuses them.
import { createStaticCatalog } from '../../../policy/catalog.js';
import { validatePolicy, type ValidatePolicyType } from '../../../policy/validate.js';
import { invalidInput } from '../../errors.js';
import type { Params } from '../../operation.js';
import { list, str } from '../common.js';
import type { SourcedPolicy } from './evaluate.js';

// IAM's own rejections need no service catalogue: the server checks stored documents with an empty one too.
const NO_SERVICES = createStaticCatalog({ services: {} });

/** A document the simulator takes, checked as IAM checks it when stored; InvalidInput with IAM's text otherwise. */
export function checkedPolicy(document: string, type: ValidatePolicyType, id: string): string {
  const { iamError } = validatePolicy(document, type, NO_SERVICES);
  if (iamError !== undefined) throw invalidInput(`${id}: ${iamError.message}`);
  return document;
}

/** PolicyInputList members: identity policies, reported as `PolicyInputList.N`. */
export function policyInputs(p: Params): SourcedPolicy[] {
  return list<string>(p, 'PolicyInputList').map((d, i) => {
    const id = `PolicyInputList.${i + 1}`;
    return { id, document: checkedPolicy(d, 'identity', id) };
  });
}

/** The one permissions boundary PermissionsBoundaryPolicyInputList may give. */
export function boundaryInput(p: Params): SourcedPolicy | undefined {
  const boundaries = list<string>(p, 'PermissionsBoundaryPolicyInputList');
  if (boundaries.length > 1) throw invalidInput('PermissionsBoundaryPolicyInputList accepts a single permissions boundary policy.');
  const document = boundaries[0];
  if (document === undefined) return undefined;
  const id = 'PermissionsBoundaryPolicyInputList.1';
  return { id, document: checkedPolicy(document, 'identity', id) };
}

/** ResourcePolicy, checked as a resource-based policy. */
export function resourcePolicyInput(p: Params): SourcedPolicy | undefined {
  const document = str(p, 'ResourcePolicy');
  return document === undefined ? undefined : { id: 'ResourcePolicy', type: 'resource', document: checkedPolicy(document, 'resource', 'ResourcePolicy') };
}

/** OrderedOrganizationPolicyInputList: SCP levels, root first; each level's policies all apply. */
export function organizationInputs(p: Params): Array<{ target: string; policies: SourcedPolicy[] }> {
  return list<{ ServiceControlPolicyInputList?: string[] }>(p, 'OrderedOrganizationPolicyInputList').map((level, i) => {
    const target = `OrderedOrganizationPolicyInputList.${i + 1}`;
    const policies = (level.ServiceControlPolicyInputList ?? []).map((d, j) => {
      const id = `${target}.ServiceControlPolicyInputList.${j + 1}`;
      return { id, type: 'none' as const, document: checkedPolicy(d, 'scp', id) };
    });
    if (policies.length === 0) throw invalidInput(`${target} must list at least one service control policy.`);
    return { target, policies };
  });
}

const USER_ARN = /^arn:aws:iam::(\d{12}):user\/(?:[\x21-\x7e]*\/)?[\w+=,.@-]+$/;
// Gatehouse's extension: a role session, as aws:PrincipalArn and a resource policy naming the session see it.
const SESSION_ARN = /^arn:aws:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]+)$/;

export interface CallerPrincipal {
  readonly arn: string;
  readonly account: string;
  /** For a role session: the role's name (its ARN, with the path, is looked up). */
  readonly roleName?: string;
}

/** CallerArn: an IAM user (AWS) or a role session (Gatehouse). */
export function callerArn(p: Params): CallerPrincipal | undefined {
  const arn = str(p, 'CallerArn');
  if (arn === undefined) return undefined;
  const user = USER_ARN.exec(arn);
  if (user !== null) return { arn, account: user[1] as string };
  const session = SESSION_ARN.exec(arn);
  if (session !== null) return { arn, account: session[1] as string, roleName: session[2] as string };
  throw invalidInput(`Invalid CallerArn ${arn}: it must be the ARN of an IAM user or of an assumed-role session.`);
}

/** ResourceOwner: the account (`arn:aws:iam::123456789012:root`, or the ID alone) of resources whose ARN names none. */
export function resourceOwner(p: Params): string | undefined {
  const owner = str(p, 'ResourceOwner');
  if (owner === undefined) return undefined;
  const match = /^(?:arn:aws:iam::(\d{12}):root|(\d{12}))$/.exec(owner);
  if (match === null) throw invalidInput(`Invalid ResourceOwner ${owner}: it must be an account ARN such as arn:aws:iam::123456789012:root.`);
  return (match[1] ?? match[2]) as string;
}

/** The resources each EC2 scenario of ResourceHandlingOption needs, from the IAM API reference. */
const SCENARIOS: Readonly<Record<string, readonly string[]>> = {
  'EC2-VPC-InstanceStore': ['instance', 'image', 'security-group', 'network-interface'],
  'EC2-VPC-InstanceStore-Subnet': ['instance', 'image', 'security-group', 'network-interface', 'subnet'],
  'EC2-VPC-EBS': ['instance', 'image', 'security-group', 'network-interface', 'volume'],
  'EC2-VPC-EBS-Subnet': ['instance', 'image', 'security-group', 'network-interface', 'subnet', 'volume'],
};

/** ResourceHandlingOption: one of the EC2 scenarios, whose resources ResourceArns must all give. */
export function scenarioOf(p: Params, resources: readonly string[]): string | undefined {
  const option = str(p, 'ResourceHandlingOption');
  if (option === undefined) return undefined;
  const needed = SCENARIOS[option];
  if (needed === undefined) throw invalidInput(`Invalid ResourceHandlingOption ${option}: valid options are ${Object.keys(SCENARIOS).join(', ')}.`);
  const types = new Set(resources.map((r) => /^arn:aws[\w-]*:ec2:[^:]*:[^:]*:([a-z-]+)\//.exec(r)?.[1]));
  const missing = needed.filter((t) => !types.has(t));
  if (missing.length > 0) throw invalidInput(`ResourceHandlingOption ${option} requires ResourceArns for each of: ${needed.join(', ')}; missing: ${missing.join(', ')}.`);
  return option;
}

/** ActionNames: service:action, no wildcard (the simulator decides one action at a time). */
export function actionNames(p: Params): string[] {
  const actions = list<string>(p, 'ActionNames');
  if (actions.length === 0) throw invalidInput('ActionNames must list at least one action.');
  for (const action of actions) {
    if (!/^[a-zA-Z0-9-]+:[a-zA-Z0-9]+$/.test(action)) throw invalidInput(`Invalid action name ${action}: it must be service:Action, without wildcards.`);
  }
  return actions;
}

/**
 * Decisions one request may ask for (actions times resources). AWS documents no limit, but each decision is explained
 * and may read the store: without one, a 1 MB request could ask for millions. As many as the largest page (MaxItems).
 */
export const MAX_EVALUATIONS = 1000;

export function checkEvaluationCount(actions: readonly string[], resources: readonly string[]): void {
  const count = actions.length * Math.max(1, resources.length);
  if (count > MAX_EVALUATIONS) {
    throw invalidInput(`The simulation of ${actions.length} actions on ${Math.max(1, resources.length)} resources asks for ${count} evaluations; Gatehouse simulates at most ${MAX_EVALUATIONS} per request.`);
  }
}

/** ResourceArns: ARNs, or `*`. */
export function resourceArns(p: Params): string[] {
  const resources = list<string>(p, 'ResourceArns');
  for (const resource of resources) {
    if (resource !== '*' && !/^arn:[^:]+:[^:]*:[^:]*:[^:]*:.+$/.test(resource)) throw invalidInput(`Invalid resource ARN ${resource}.`);
  }
  return resources;
}
