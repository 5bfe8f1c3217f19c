// The same server driven by Debian's boto3 (/usr/bin/python3), the library behind the AWS CLI and Python users.
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

test('boto3: users, paginator, errors, enforcement, URL-decoded documents', async () => {
  const seen = await runBoto3Script<Record<string, unknown>>('boto3_walkthrough.py', server.endpoint);
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
