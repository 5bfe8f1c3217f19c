// Presigned URLs made by Debian's boto3 (/usr/bin/python3) and fetched with a plain GET, as AWS answers them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REGION, ROOT_KEY, startTestServer, TEST_ACCOUNT_ID, type TestServer } from './helpers/server.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python/boto3_presigned_get.py', import.meta.url));

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

test('boto3 generate_presigned_url, fetched with GET: IAM and STS answer it; a changed URL is refused', { skip }, async () => {
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
  const seen = JSON.parse(stdout) as Record<string, { status: number; body: string }>;
  assert.equal(seen['list_users']?.status, 200, seen['list_users']?.body);
  assert.match(seen['list_users']?.body ?? '', /<ListUsersResponse /);
  assert.equal(seen['get_caller_identity']?.status, 200, seen['get_caller_identity']?.body);
  assert.match(seen['get_caller_identity']?.body ?? '', new RegExp(`<Account>${TEST_ACCOUNT_ID}</Account>`));
  assert.equal(seen['explicit_get']?.status, 200, seen['explicit_get']?.body);
  assert.equal(seen['tampered']?.status, 403);
  assert.match(seen['tampered']?.body ?? '', /<Code>SignatureDoesNotMatch<\/Code>/);
});
