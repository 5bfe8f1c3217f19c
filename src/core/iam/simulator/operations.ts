// IAM's policy simulators: SimulatePrincipalPolicy, SimulateCustomPolicy, GetContextKeysForPrincipalPolicy and
// GetContextKeysForCustomPolicy. They decide with the engine entry the server's enforcement uses, on the policies the
// server would gather (principal-policy-set.ts), and change nothing.
import { parsePolicy } from '../../../policy/parse.js';
import { invalidInput } from '../../errors.js';
import { noteResource } from '../../request-context.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../../operation.js';
import { list, pageMembers, paginate, req } from '../common.js';
import { contextKeysOf, contextOfEntries, type ContextEntry } from './context-entries.js';
import { simulate, type SourcedPolicy } from './evaluate.js';
import { exclusionsOf, rcpExcluded, withoutExcluded, type PolicyIdentifier } from './exclusions.js';
import {
  actionNames,
  boundaryInput,
  callerArn,
  checkEvaluationCount,
  organizationInputs,
  policyInputs,
  resourceArns,
  resourceOwner,
  resourcePolicyInput,
  scenarioOf,
  type CallerPrincipal,
} from './inputs.js';
import { findPolicySource, resourceSides, sessionRoleArn, sourcePolicies } from './sources.js';

/**
 * The principal a simulation without CallerArn evaluates as, when the source names no user or role: an IAM user of
 * the account that identity policies bind like any other.
 */
const simulatedCaller = (account: string): string => `arn:aws:iam::${account}:user/PolicySimulator`;

/** The request's context: what the server derives for the principal, then the caller's ContextEntries over it. */
async function contextOf(ctx: OperationContext, p: Params, derived: Record<string, string | readonly string[]>, caller: CallerPrincipal | undefined) {
  const context: Record<string, string | readonly string[]> = Object.create(null) as Record<string, string | readonly string[]>;
  Object.assign(context, derived);
  // A role session (Gatehouse's extension) is its role too: aws:PrincipalArn is the role's ARN, with its path.
  if (caller?.roleName !== undefined) context['aws:PrincipalArn'] = await sessionRoleArn(ctx, caller.account, caller.roleName);
  const given = contextOfEntries(list<ContextEntry>(p, 'ContextEntries'));
  const givenKeys = new Set(Object.keys(given).map((k) => k.toLowerCase()));
  for (const key of Object.keys(context)) if (givenKeys.has(key.toLowerCase())) delete context[key];
  for (const key of Object.keys(given)) context[key] = given[key] as string[];
  return context;
}

function page(results: Record<string, unknown>[], p: Params): Record<string, unknown> {
  const window = paginate(results, p);
  return { EvaluationResults: window.page, ...pageMembers(window) };
}

async function simulatePrincipalPolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const exclusions = exclusionsOf(list<PolicyIdentifier>(p, 'PolicyExclusionList'));
  const source = await findPolicySource(ctx, req(p, 'PolicySourceArn'));
  const actions = actionNames(p);
  const resources = resourceArns(p);
  checkEvaluationCount(actions, resources);
  const scenario = scenarioOf(p, resources);
  const inputs = policyInputs(p);
  const boundary = boundaryInput(p);
  const given = resourcePolicyInput(p);
  const owner = resourceOwner(p);
  const caller = callerArn(p);
  if (given !== undefined && caller === undefined && source.type !== 'user') {
    throw invalidInput('CallerArn is required when a ResourcePolicy is given and PolicySourceArn is not the ARN of an IAM user.');
  }
  const stored = withoutExcluded(exclusions, await sourcePolicies(ctx, source));
  const principal = caller?.arn ?? (source.type === 'group' ? simulatedCaller(ctx.account) : source.arn);
  const sides = await resourceSides(ctx, actions, resources, { ...(given !== undefined ? { given } : {}), ...(owner !== undefined ? { owner } : {}), rcp: !exclusions.types.has('rcp'), rcpExcluded: (id) => rcpExcluded(exclusions, id) });
  // A boundary given in the request stands in for the entity's own.
  const effectiveBoundary: SourcedPolicy | undefined = boundary ?? stored.boundary;
  const results = simulate({
    principal,
    principalAccount: caller?.account ?? ctx.account,
    identity: [...stored.identity, ...inputs],
    ...(effectiveBoundary !== undefined ? { boundary: effectiveBoundary } : {}),
    scp: stored.scp,
    ...(stored.managementAccountId !== undefined ? { managementAccountId: stored.managementAccountId } : {}),
    context: await contextOf(ctx, p, stored.context, caller),
    now: ctx.now,
    actions,
    resources,
    resourceSide: sides,
    ...(scenario !== undefined ? { scenario } : {}),
  });
  return page(results, p);
}

async function simulateCustomPolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const actions = actionNames(p);
  const resources = resourceArns(p);
  checkEvaluationCount(actions, resources);
  const scenario = scenarioOf(p, resources);
  const inputs = policyInputs(p);
  if (inputs.length === 0) throw invalidInput('PolicyInputList must list at least one policy.');
  const boundary = boundaryInput(p);
  const given = resourcePolicyInput(p);
  const owner = resourceOwner(p);
  const caller = callerArn(p);
  if (given !== undefined && caller === undefined) throw invalidInput('CallerArn is required when a ResourcePolicy is given.');
  const sides = await resourceSides(ctx, actions, resources, { ...(given !== undefined ? { given } : {}), ...(owner !== undefined ? { owner } : {}), rcp: false });
  const results = simulate({
    principal: caller?.arn ?? simulatedCaller(ctx.account),
    principalAccount: caller?.account ?? ctx.account,
    identity: inputs,
    ...(boundary !== undefined ? { boundary } : {}),
    scp: organizationInputs(p),
    context: await contextOf(ctx, p, {}, caller),
    now: ctx.now,
    actions,
    resources,
    resourceSide: sides,
    ...(scenario !== undefined ? { scenario } : {}),
  });
  return page(results, p);
}

function keysOf(policies: readonly SourcedPolicy[]): Record<string, unknown> {
  const documents = policies.map((s) => {
    try {
      return parsePolicy(JSON.parse(s.document));
    } catch (error) {
      // Only a stored document can fail here (the request's own were checked): it names the policy rather than a 500.
      throw invalidInput(`The policy ${s.id} could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return { ContextKeyNames: contextKeysOf(documents) };
}

async function getContextKeysForPrincipalPolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const source = await findPolicySource(ctx, req(p, 'PolicySourceArn'));
  const inputs = policyInputs(p);
  const stored = await sourcePolicies(ctx, source);
  return keysOf([...stored.identity, ...inputs]);
}

async function getContextKeysForCustomPolicy(_ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const inputs = policyInputs(p);
  if (inputs.length === 0) throw invalidInput('PolicyInputList must list at least one policy.');
  return keysOf(inputs);
}

/** The Service Authorization Reference's resource for the principal simulators: the user, group or role simulated. */
async function sourceResource(ctx: OperationContext, p: Params): Promise<string> {
  const arn = req(p, 'PolicySourceArn');
  // Authorized on the entity's own ARN (its stored spelling), so a name in another case cannot slip past a policy.
  let source;
  try {
    source = await findPolicySource(ctx, arn);
  } catch {
    return arn;
  }
  // Its tags give iam:ResourceTag/… and aws:ResourceTag/… without a second read.
  noteResource(ctx, source.arn, source.record);
  return source.arn;
}

const op = operationsOf('iam', () => '*');

export const SIMULATOR_OPERATIONS: readonly OperationDefinition[] = [
  op('SimulatePrincipalPolicy', simulatePrincipalPolicy, { resource: sourceResource }),
  op('GetContextKeysForPrincipalPolicy', getContextKeysForPrincipalPolicy, { resource: sourceResource }),
  op('SimulateCustomPolicy', simulateCustomPolicy),
  op('GetContextKeysForCustomPolicy', getContextKeysForCustomPolicy),
];
