// Fixtures for the instance and container credentials tests: roles, users that may or may not pass them, the
// gatehouse register-* commands run in-process, and the environment the SDKs' default chains read.
import { CreateAccessKeyCommand, CreateInstanceProfileCommand, CreateRoleCommand, CreateUserCommand, PutUserPolicyCommand, AddRoleToInstanceProfileCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { runInstanceCommand, type InstanceCommand } from '../../src/cli/instance-commands.js';
import type { CommandIo } from '../../src/cli/io.js';
import { iamClient, type Key } from './clients.js';
import { ROOT_KEY, TEST_ACCOUNT_ID as TEST_ACCOUNT } from './server.js';

export const trustFor = (service: string): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });

const passRole = (role: string, service: string) => ({
  Effect: 'Allow',
  Action: 'iam:PassRole',
  Resource: `arn:aws:iam::${TEST_ACCOUNT}:role/${role}`,
  Condition: { StringEquals: { 'iam:PassedToService': service } },
});

export interface Principals {
  /** May pass App to EC2 and Task to ECS tasks, nothing else. */
  deployer: Key;
  /** May read IAM, pass nothing. */
  reader: Key;
  /** May pass any role, but only to Lambda. */
  lambdaOnly: Key;
}

/**
 * Roles App (trusts EC2; in instance profile `web`), Untrusted (trusts Lambda; in profile `lambda-web`) and Task
 * (trusts ECS tasks), and the users of Principals with their keys.
 */
export async function createFixtures(endpoint: string): Promise<Principals> {
  const iam = iamClient(endpoint);
  await iam.send(new CreateRoleCommand({ RoleName: 'App', AssumeRolePolicyDocument: trustFor('ec2.amazonaws.com') }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'App',
      PolicyName: 'read',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }] }),
    }),
  );
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web' }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'App' }));
  await iam.send(new CreateRoleCommand({ RoleName: 'Untrusted', AssumeRolePolicyDocument: trustFor('lambda.amazonaws.com') }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'lambda-web' }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'lambda-web', RoleName: 'Untrusted' }));
  await iam.send(new CreateRoleCommand({ RoleName: 'Task', AssumeRolePolicyDocument: trustFor('ecs-tasks.amazonaws.com') }));
  const user = async (name: string, statements: object[]): Promise<Key> => {
    await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
    return { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' };
  };
  return {
    deployer: await user('deployer', [passRole('App', 'ec2.amazonaws.com'), passRole('Untrusted', 'ec2.amazonaws.com'), passRole('Task', 'ecs-tasks.amazonaws.com')]),
    reader: await user('reader', [{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }]),
    lambdaOnly: await user('lambda-only', [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }]),
  };
}

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** The variables of the `export NAME='value'` lines. */
  readonly exports: Record<string, string>;
}

/** Runs a `gatehouse register-*` / `deregister-*` command in-process, signed with `key`, against `endpoint`. */
export async function gatehouse(endpoint: string, command: InstanceCommand, args: string[], key: Key = ROOT_KEY): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: CommandIo = {
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    readFile: () => Promise.reject(new Error('not used')),
    readStdin: () => Promise.reject(new Error('not used')),
    readLines: () => (async function* () {})(),
    now: () => new Date(),
  };
  const env: NodeJS.ProcessEnv = {
    GATEHOUSE_ENDPOINT: endpoint,
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    ...(key.sessionToken !== undefined ? { AWS_SESSION_TOKEN: key.sessionToken } : {}),
  };
  const code = await runInstanceCommand(command, args, io, env);
  const exports: Record<string, string> = {};
  for (const m of out.matchAll(/^export (\w+)='([^']*)'$/gm)) exports[m[1] as string] = m[2] as string;
  return { code, out, err, exports };
}

// Every variable through which the SDKs' default chains could find credentials other than the ones a test sets.
const CHAIN_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_EC2_METADATA_V1_DISABLED',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_REGION',
];

/**
 * Runs `work` with the process environment holding only `variables` of the chain's (and no configuration files):
 * the SDK for JavaScript reads process.env when a provider runs. Restored afterwards.
 */
export async function withChainEnvironment<T>(variables: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = new Map(CHAIN_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of CHAIN_VARIABLES) delete process.env[name];
  Object.assign(process.env, { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_REGION: 'us-east-1', ...variables });
  try {
    return await work();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
