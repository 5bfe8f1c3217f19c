// Service-specific credentials through Debian's boto3 (/usr/bin/python3) and the AWS CLI (/usr/bin/aws): the
// members each client parses, its error handling, and create, list and delete from the command line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { runBoto3Script } from './helpers/boto3.js';
import { REGION, ROOT_KEY, startTestServer, TEST_ACCOUNT_ID, type TestServer } from './helpers/server.js';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';

const ENV = {
  PATH: '/usr/bin:/bin',
  HOME: process.env['HOME'] ?? '/tmp',
  AWS_ACCESS_KEY_ID: ROOT_KEY.accessKeyId,
  AWS_SECRET_ACCESS_KEY: ROOT_KEY.secretAccessKey,
  AWS_DEFAULT_REGION: REGION,
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_PAGER: '',
};

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

test('boto3: create, list, update, reset and delete; errors with AWS codes, texts and statuses', async () => {
  const seen = await runBoto3Script<Record<string, unknown>>('boto3_service_specific_credentials.py', server.endpoint);
  assert.deepEqual(seen['created'], { UserName: 'py-ssc', ServiceName: 'cassandra.amazonaws.com', ServiceUserName: `py-ssc-at-${TEST_ACCOUNT_ID}`, Status: 'Active' });
  assert.equal(seen['password_length'], 44);
  assert.equal(seen['create_date_type'], 'datetime');
  assert.deepEqual(seen['listed'], [['CreateDate', 'ServiceName', 'ServiceSpecificCredentialId', 'ServiceUserName', 'Status', 'UserName']]);
  assert.equal(seen['status_after_update'], 'Inactive');
  assert.equal(seen['reset_changed_password'], true);
  assert.deepEqual(seen['unsupported'], { code: 'NotSupportedService', message: 'The specified service does not support service-specific credentials.', status: 404 });
  assert.deepEqual(seen['unknown'], { code: 'NoSuchEntity', message: 'The Service Specific Credential with id ACCAUNKNOWNUNKNOWN123 cannot be found.', status: 404 });
  assert.deepEqual(seen['invalid_status'], { code: 'ValidationError', message: 'Status Expired cannot be set manually; use Active or Inactive.', status: 400 });
  assert.deepEqual(seen['after_delete'], []);
});

async function aws(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(AWS, ['iam', ...args, '--endpoint-url', server.endpoint, '--output', 'json'], { env: ENV });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('AWS CLI: create-, list- and delete-service-specific-credential', async () => {
  assert.equal((await aws(['create-user', '--user-name', 'cli-ssc'])).code, 0);
  const created = await aws(['create-service-specific-credential', '--user-name', 'cli-ssc', '--service-name', 'codecommit.amazonaws.com']);
  assert.equal(created.code, 0, created.stderr);
  const credential = (JSON.parse(created.stdout) as { ServiceSpecificCredential: Record<string, string> }).ServiceSpecificCredential;
  assert.equal(credential['ServiceUserName'], `cli-ssc-at-${TEST_ACCOUNT_ID}`);
  assert.equal(credential['ServicePassword']?.length, 44);
  const id = credential['ServiceSpecificCredentialId'] ?? '';

  const listed = await aws(['list-service-specific-credentials', '--user-name', 'cli-ssc', '--service-name', 'codecommit.amazonaws.com']);
  assert.equal(listed.code, 0, listed.stderr);
  const items = (JSON.parse(listed.stdout) as { ServiceSpecificCredentials: Array<Record<string, string>> }).ServiceSpecificCredentials;
  assert.deepEqual(items.map((c) => [c['ServiceSpecificCredentialId'], c['Status'], c['ServicePassword']]), [[id, 'Active', undefined]]);

  const unsupported = await aws(['create-service-specific-credential', '--user-name', 'cli-ssc', '--service-name', 'ec2.amazonaws.com']);
  assert.notEqual(unsupported.code, 0);
  assert.match(unsupported.stderr, /\(NotSupportedService\) when calling the CreateServiceSpecificCredential operation: The specified service does not support service-specific credentials\./);

  assert.equal((await aws(['delete-service-specific-credential', '--user-name', 'cli-ssc', '--service-specific-credential-id', id])).code, 0);
  const again = await aws(['delete-service-specific-credential', '--user-name', 'cli-ssc', '--service-specific-credential-id', id]);
  assert.match(again.stderr, new RegExp(`\\(NoSuchEntity\\) when calling the DeleteServiceSpecificCredential operation: The Service Specific Credential with id ${id} cannot be found\\.`));
  assert.equal((await aws(['delete-user', '--user-name', 'cli-ssc'])).code, 0);
});
