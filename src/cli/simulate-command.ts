import type { DecisionRequest } from '../policy/context.js';
import { compilePolicies, type CompiledPolicySet, type PolicySet } from '../policy/engine.js';
import { MalformedPolicyError } from '../policy/errors.js';
import type { CommandIo } from './io.js';
import { parseCommandArgs, UsageError, type ParsedArgs } from './args.js';
import { checkAction, checkDocument, checkPrincipal, checkResource, InputError } from './simulate-input.js';

export const SIMULATE_USAGE = `usage: gatehouse simulate [FILE|-] [--explain] [--batch]
  Reads one JSON request (or, with --batch, JSON Lines: one request per line) and prints the decision as JSON.
  Request fields: principal, action, resource, resourceAccount, context, time, principalId, identityPolicies,
  permissionsBoundary, sessionPolicy, resourcePolicy, serviceControlPolicies, resourceControlPolicies,
  managementAccountId.
`;

const POLICY_FIELDS = [
  'identityPolicies',
  'permissionsBoundary',
  'sessionPolicy',
  'resourcePolicy',
  'serviceControlPolicies',
  'resourceControlPolicies',
  'managementAccountId',
] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(input: Record<string, unknown>, field: string, optional = false): string | undefined {
  const value = input[field];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value === '') throw new InputError(`"${field}" must be a non-empty string`);
  return value;
}

function toRequest(input: Record<string, unknown>, now: Date): DecisionRequest {
  const context = input['context'];
  if (context !== undefined && !isObject(context)) throw new InputError('"context" must be an object of key to value(s)');
  const time = requireString(input, 'time', true);
  if (time !== undefined && Number.isNaN(Date.parse(time))) throw new InputError('"time" must be an ISO 8601 date-time');
  const principal = requireString(input, 'principal') as string;
  checkPrincipal(principal);
  const action = requireString(input, 'action') as string;
  checkAction(action);
  const resource = requireString(input, 'resource', true) ?? '*';
  checkResource(resource);
  const request: DecisionRequest = {
    principal,
    action,
    resource,
    // The engine has no clock; the command line supplies "now" unless the request says when it happens.
    time: time ?? now.toISOString(),
  };
  const resourceAccount = requireString(input, 'resourceAccount', true);
  const principalId = requireString(input, 'principalId', true);
  return {
    ...request,
    ...(resourceAccount !== undefined ? { resourceAccount } : {}),
    ...(principalId !== undefined ? { principalId } : {}),
    ...(context !== undefined ? { context: context as DecisionRequest['context'] } : {}),
  };
}

function toPolicySet(input: Record<string, unknown>): PolicySet {
  const set: Record<string, unknown> = {};
  for (const field of POLICY_FIELDS) if (input[field] !== undefined) set[field] = input[field];
  for (const field of ['identityPolicies', 'serviceControlPolicies', 'resourceControlPolicies']) {
    if (set[field] !== undefined && !Array.isArray(set[field])) throw new InputError(`"${field}" must be an array`);
  }
  for (const field of ['serviceControlPolicies', 'resourceControlPolicies']) {
    for (const level of (set[field] as unknown[] | undefined) ?? []) {
      if (!isObject(level) || typeof level['target'] !== 'string' || !Array.isArray(level['policies'])) {
        throw new InputError(`each entry of "${field}" must be {"target": string, "policies": [documents]}`);
      }
    }
  }
  return set as PolicySet;
}

/** Every document is checked as the server checks it before storing it, each as the policy type it is used as. */
function checkDocuments(set: PolicySet): void {
  set.identityPolicies?.forEach((p, i) => checkDocument(p, 'identity', `identityPolicies[${i}]`));
  if (set.permissionsBoundary != null) checkDocument(set.permissionsBoundary, 'identity', 'permissionsBoundary');
  if (set.sessionPolicy != null) checkDocument(set.sessionPolicy, 'identity', 'sessionPolicy');
  if (set.resourcePolicy != null) checkDocument(set.resourcePolicy, 'resource', 'resourcePolicy');
  for (const [field, type] of [['serviceControlPolicies', 'scp'], ['resourceControlPolicies', 'rcp']] as const) {
    set[field]?.forEach((level, i) => level.policies.forEach((p, j) => checkDocument(p, type, `${field}[${i}].${level.target}[${j}]`)));
  }
}

/** Compiles each distinct policy set once, so a batch of requests against the same policies parses them once. */
class CompiledCache {
  private readonly entries = new Map<string, CompiledPolicySet>();
  get(set: PolicySet): CompiledPolicySet {
    const key = JSON.stringify(set);
    let compiled = this.entries.get(key);
    if (compiled === undefined) {
      if (this.entries.size >= 1024) this.entries.clear();
      checkDocuments(set);
      compiled = compilePolicies(set);
      this.entries.set(key, compiled);
    }
    return compiled;
  }
}

function errorResult(error: unknown): { error: { code: string; message: string } } {
  if (error instanceof MalformedPolicyError) return { error: { code: 'MalformedPolicyDocument', message: error.message } };
  if (error instanceof InputError) return { error: { code: 'InvalidInput', message: error.message } };
  if (error instanceof SyntaxError) return { error: { code: 'InvalidInput', message: `not valid JSON: ${error.message}` } };
  throw error;
}

function simulateOne(text: string, cache: CompiledCache, explain: boolean, now: Date): unknown {
  try {
    const input: unknown = JSON.parse(text);
    if (!isObject(input)) throw new InputError('a request must be a JSON object');
    const request = toRequest(input, now);
    return cache.get(toPolicySet(input)).evaluate(request, { explain });
  } catch (error) {
    return errorResult(error);
  }
}

export async function runSimulate(args: string[], io: CommandIo): Promise<number> {
  let parsed: ParsedArgs;
  try {
    parsed = parseCommandArgs(args, { explain: { type: 'boolean' }, batch: { type: 'boolean' } });
    if (parsed.positionals.length > 1) throw new UsageError('only one FILE may be given');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`gatehouse simulate: ${error.message}\n${SIMULATE_USAGE}`);
    return 64;
  }
  if (parsed.values['help'] === true) {
    io.stdout(SIMULATE_USAGE);
    return 0;
  }
  const explain = parsed.values['explain'] === true;
  const batch = parsed.values['batch'] === true;
  const file = parsed.positionals[0];
  try {
    return await simulate(io, file, explain, batch);
  } catch (error) {
    // The only failure left is the input itself: a missing or unreadable file.
    const reason = error instanceof Error ? (error.message.split(',')[0] ?? error.message) : String(error);
    io.stderr(`gatehouse simulate: cannot read ${file === undefined || file === '-' ? 'standard input' : file}: ${reason}\n`);
    return 66;
  }
}

async function simulate(io: CommandIo, file: string | undefined, explain: boolean, batch: boolean): Promise<number> {
  const cache = new CompiledCache();
  if (batch) {
    let out: string[] = [];
    for await (const line of io.readLines(file)) {
      if (line.trim() === '') continue;
      out.push(JSON.stringify(simulateOne(line, cache, explain, io.now())));
      // Written in chunks: one write per line would dominate the cost of a large batch.
      if (out.length >= 256) {
        io.stdout(`${out.join('\n')}\n`);
        out = [];
      }
    }
    if (out.length > 0) io.stdout(`${out.join('\n')}\n`);
    return 0;
  }
  const text = file === undefined || file === '-' ? await io.readStdin() : await io.readFile(file);
  const result = simulateOne(text, cache, explain, io.now());
  io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  return isObject(result) && 'error' in result ? 2 : 0;
}
