// The same server driven by Debian's boto3 (/usr/bin/python3), the library behind the AWS CLI and Python users.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REGION, ROOT_KEY, startTestServer, TEST_ACCOUNT_ID, type TestServer } from './helpers/server.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python/boto3_walkthrough.py', import.meta.url));

async function hasBoto3(): Promise<boolean> {
  if (!existsSync(PYTHON)) return false;
  try {
    await run(PYTHON, ['-c', 'import boto3']);
    return true;
  } catch {
    return false;
  }
}

const skip = (await hasBoto3()) ? false : "Debian's python3-boto3 is not installed (.ci/run installs it)";
let server: TestServer;
before(async () => {
  if (skip === false) server = await startTestServer();
});
after(async () => {
  await server?.close();
});

test('boto3: users, paginator, errors, enforcement, URL-decoded documents', { skip }, async () => {
  const { stdout } = await run(PYTHON, [SCRIPT], {
    env: {
      PATH: '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/tmp',
      GATEHOUSE_ENDPOINT: server.endpoint,
      AWS_ACCESS_KEY_ID: ROOT_KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ROOT_KEY.secretAccessKey,
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  });
  const seen = JSON.parse(stdout) as Record<string, unknown>;
  assert.equal(seen['arn'], `arn:aws:iam::${TEST_ACCOUNT_ID}:user/py/pyuser`);
  assert.equal(seen['create_date_type'], 'datetime');
  assert.deepEqual(seen['paged'], ['page0', 'page1', 'page2']);
  assert.deepEqual(seen['missing'], { code: 'NoSuchEntity', message: 'The user with name nobody cannot be found.', status: 404 });
  assert.deepEqual(seen['denied'], {
    code: 'AccessDenied',
    message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/py/pyuser is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:user/ because no identity-based policy allows the iam:ListUsers action`,
  });
  assert.deepEqual(seen['allowed'], ['page0', 'page1', 'page2', 'pyuser']);
  // botocore URL-decodes policy documents and parses them into a dict, as it does with AWS's answers.
  assert.equal(seen['document_type'], 'dict');
});
