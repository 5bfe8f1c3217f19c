// Runs Debian's AWS CLI v2 (/usr/bin/aws) against a test server, with the root user's key unless another is given,
// no configuration file and JSON output. A failing command resolves too: its exit code and output are the result.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REGION, ROOT_KEY } from './server.js';

const run = promisify(execFile);

export const AWS_CLI = '/usr/bin/aws';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export async function awsCli(endpoint: string, args: readonly string[], key: CliKey = ROOT_KEY, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const environment = {
    PATH: '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    ...env,
  };
  try {
    const { stdout, stderr } = await run(AWS_CLI, [...args, '--endpoint-url', endpoint, '--output', 'json'], { env: environment, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
