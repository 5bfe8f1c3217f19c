// Runs a Python script of test/python/ with Debian's boto3 (/usr/bin/python3) against a test server, as root.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REGION, ROOT_KEY } from './server.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';

/**
 * The script's standard output, parsed as JSON. It reads the endpoint from GATEHOUSE_ENDPOINT and the root user's
 * key from the usual variables; no AWS configuration file is read.
 */
export async function runBoto3Script<T>(script: string, endpoint: string, extraEnv: Record<string, string> = {}): Promise<T> {
  const path = fileURLToPath(new URL(`../python/${script}`, import.meta.url));
  const { stdout } = await run(PYTHON, [path], {
    env: {
      PATH: '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/tmp',
      GATEHOUSE_ENDPOINT: endpoint,
      AWS_ACCESS_KEY_ID: ROOT_KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ROOT_KEY.secretAccessKey,
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      ...extraEnv,
    },
  });
  return JSON.parse(stdout) as T;
}
