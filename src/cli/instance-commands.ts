import { parseCommandArgs, stringOption, UsageError, type ParsedArgs } from './args.js';
import { callGatehouse, ClientError, clientSettings } from './gatehouse-client.js';
import type { CommandIo } from './io.js';

const COMMON = `  Signs the request with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN): that principal needs
  iam:PassRole on the role. --endpoint-url defaults to GATEHOUSE_ENDPOINT, AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, then
  http://127.0.0.1:4566; --region to AWS_REGION, AWS_DEFAULT_REGION, then us-east-1. --json prints the server's answer.
`;

export const REGISTER_INSTANCE_USAGE = `usage: gatehouse register-instance --instance-profile NAME [--http-tokens required|optional]
                                  [--endpoint-url URL] [--region REGION] [--json]
  Registers an instance with the instance profile NAME and prints the variable that points the SDKs at its IMDS,
  as shell lines for eval. --http-tokens optional also serves IMDSv1 (default: IMDSv2 only).
${COMMON}`;

export const REGISTER_CONTAINER_USAGE = `usage: gatehouse register-container --role-arn ARN [--endpoint-url URL] [--region REGION] [--json]
  Registers a container task with the role ARN and prints AWS_CONTAINER_CREDENTIALS_FULL_URI and
  AWS_CONTAINER_AUTHORIZATION_TOKEN as shell lines for eval (the token is shown this once).
${COMMON}`;

export const DEREGISTER_INSTANCE_USAGE = `usage: gatehouse deregister-instance INSTANCE_ID [--endpoint-url URL] [--region REGION]
  Stops the instance's IMDS: it hands out no more credentials.
${COMMON}`;

export const DEREGISTER_CONTAINER_USAGE = `usage: gatehouse deregister-container TASK_ID [--endpoint-url URL] [--region REGION]
  Stops serving the task's credentials.
${COMMON}`;

/** A value in single quotes, for a line the shell evaluates. */
const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

const COMMANDS = {
  'register-instance': { usage: REGISTER_INSTANCE_USAGE, options: ['instance-profile', 'http-tokens'], positional: false },
  'register-container': { usage: REGISTER_CONTAINER_USAGE, options: ['role-arn'], positional: false },
  'deregister-instance': { usage: DEREGISTER_INSTANCE_USAGE, options: [], positional: true },
  'deregister-container': { usage: DEREGISTER_CONTAINER_USAGE, options: [], positional: true },
} as const;

export type InstanceCommand = keyof typeof COMMANDS;

export const isInstanceCommand = (name: string | undefined): name is InstanceCommand => name !== undefined && Object.hasOwn(COMMANDS, name);

/** True when plain HTTP to this endpoint would carry a token somewhere other than this machine. */
function plainHttpOffLoopback(endpoint: string): boolean {
  const url = new URL(endpoint);
  return url.protocol === 'http:' && !['localhost', '[::1]'].includes(url.hostname) && !/^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

export async function runInstanceCommand(command: InstanceCommand, args: string[], io: CommandIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const spec = COMMANDS[command];
  let parsed: ParsedArgs;
  try {
    parsed = parseCommandArgs(args, {
      ...Object.fromEntries([...spec.options, 'endpoint-url', 'region'].map((name) => [name, { type: 'string' as const }])),
      json: { type: 'boolean' },
    });
    if (parsed.values['help'] !== true) {
      if (spec.positional && parsed.positionals.length !== 1) throw new UsageError(`give one ${command === 'deregister-instance' ? 'INSTANCE_ID' : 'TASK_ID'}`);
      if (!spec.positional && parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
      for (const name of spec.options) {
        if (name !== 'http-tokens' && stringOption(parsed, name) === undefined) throw new UsageError(`--${name} is required`);
      }
      const tokens = stringOption(parsed, 'http-tokens');
      if (tokens !== undefined && tokens !== 'required' && tokens !== 'optional') throw new UsageError('--http-tokens must be required or optional');
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`gatehouse ${command}: ${error.message}\n${spec.usage}`);
    return 64;
  }
  if (parsed.values['help'] === true) {
    io.stdout(spec.usage);
    return 0;
  }
  try {
    const settings = clientSettings({ endpoint: stringOption(parsed, 'endpoint-url'), region: stringOption(parsed, 'region') }, env);
    const json = parsed.values['json'] === true;
    const now = io.now();
    switch (command) {
      case 'register-instance': {
        const tokens = stringOption(parsed, 'http-tokens') ?? 'required';
        const out = await callGatehouse(settings, 'POST', '/_gatehouse/instances', { InstanceProfileName: stringOption(parsed, 'instance-profile'), HttpTokens: tokens }, now);
        if (json) return print(io, out);
        io.stdout(
          [
            `# Instance ${String(out['InstanceId'])}: instance profile ${String(out['InstanceProfileArn'])}, role ${String(out['RoleArn'])}, ${out['HttpTokens'] === 'optional' ? 'IMDSv1 and IMDSv2' : 'IMDSv2 only'}.`,
            '# The SDKs take AWS_ACCESS_KEY_ID first: run the workload without it, with this variable:',
            `export AWS_EC2_METADATA_SERVICE_ENDPOINT=${quote(String(out['MetadataEndpoint']))}`,
            `# Deregister with: gatehouse deregister-instance ${String(out['InstanceId'])}`,
            '',
          ].join('\n'),
        );
        return 0;
      }
      case 'register-container': {
        const out = await callGatehouse(settings, 'POST', '/_gatehouse/containers', { RoleArn: stringOption(parsed, 'role-arn') }, now);
        if (plainHttpOffLoopback(settings.endpoint)) {
          io.stderr(`gatehouse ${command}: warning: the SDKs fetch container credentials over plain HTTP from loopback addresses only, and Gatehouse serves them so: use https:// or a loopback endpoint\n`);
        }
        if (json) return print(io, out);
        io.stdout(
          [
            `# Task ${String(out['TaskId'])}: role ${String(out['RoleArn'])}. The token is shown this once.`,
            '# The SDKs take AWS_ACCESS_KEY_ID first: run the workload without it, with these variables:',
            `export AWS_CONTAINER_CREDENTIALS_FULL_URI=${quote(`${settings.endpoint}${String(out['CredentialsPath'])}`)}`,
            `export AWS_CONTAINER_AUTHORIZATION_TOKEN=${quote(String(out['AuthorizationToken']))}`,
            `# Deregister with: gatehouse deregister-container ${String(out['TaskId'])}`,
            '',
          ].join('\n'),
        );
        return 0;
      }
      case 'deregister-instance':
      case 'deregister-container': {
        const id = parsed.positionals[0] as string;
        const collection = command === 'deregister-instance' ? 'instances' : 'containers';
        const out = await callGatehouse(settings, 'DELETE', `/_gatehouse/${collection}/${encodeURIComponent(id)}`, undefined, now);
        if (json) return print(io, out);
        io.stdout(`Deregistered ${command === 'deregister-instance' ? 'instance' : 'task'} ${id}.\n`);
        return 0;
      }
    }
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    io.stderr(`gatehouse ${command}: ${error.message}\n`);
    return 1;
  }
}

function print(io: CommandIo, out: Record<string, unknown>): number {
  io.stdout(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}
