// Presigned URLs made by Debian's boto3 (/usr/bin/python3) and fetched with a plain GET, as AWS answers them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runBoto3Script } from './helpers/boto3.js';
import { startTestServer, TEST_ACCOUNT_ID, type TestServer } from './helpers/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

test('boto3 generate_presigned_url, fetched with GET: IAM and STS answer it; a changed URL is refused', async () => {
  const seen = await runBoto3Script<Record<string, { status: number; body: string }>>('boto3_presigned_get.py', server.endpoint);
  assert.equal(seen['list_users']?.status, 200, seen['list_users']?.body);
  assert.match(seen['list_users']?.body ?? '', /<ListUsersResponse /);
  assert.equal(seen['get_caller_identity']?.status, 200, seen['get_caller_identity']?.body);
  assert.match(seen['get_caller_identity']?.body ?? '', new RegExp(`<Account>${TEST_ACCOUNT_ID}</Account>`));
  assert.equal(seen['explicit_get']?.status, 200, seen['explicit_get']?.body);
  assert.equal(seen['tampered']?.status, 403);
  assert.match(seen['tampered']?.body ?? '', /<Code>SignatureDoesNotMatch<\/Code>/);
});
