// The walkthrough with the AWS CLI v2 (Debian's /usr/bin/aws), against a real server on 127.0.0.1: root builds a
// user, a group and a managed policy; the user's own calls are denied, allowed by an admin policy, denied again by
// an inline explicit Deny; and the user cannot be deleted until everything is detached.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { AWS_CLI, awsCli, type CliResult } from './helpers/aws-cli.js';
import { ROOT_KEY, startTestServer, TEST_ACCOUNT_ID, type TestServer } from './helpers/server.js';

const run = promisify(execFile);

let server: TestServer;
let aliceKey: { AccessKeyId: string; SecretAccessKey: string };

/** The CLI as root, or as the key given. */
function aws(args: string[], key: { id: string; secret: string } = { id: ROOT_KEY.accessKeyId, secret: ROOT_KEY.secretAccessKey }): Promise<CliResult> {
  return awsCli(server.endpoint, args, { accessKeyId: key.id, secretAccessKey: key.secret });
}

const asAlice = (): { id: string; secret: string } => ({ id: aliceKey.AccessKeyId, secret: aliceKey.SecretAccessKey });

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

test('AWS CLI v2 walkthrough: deny, allow, explicit deny, DeleteConflict', async () => {
  const version = await run(AWS_CLI, ['--version']);
  assert.match(version.stdout + version.stderr, /aws-cli\/2\./);

  assert.equal((await aws(['iam', 'create-user', '--user-name', 'alice'])).code, 0);
  assert.equal((await aws(['iam', 'create-group', '--group-name', 'readers'])).code, 0);
  assert.equal((await aws(['iam', 'add-user-to-group', '--user-name', 'alice', '--group-name', 'readers'])).code, 0);
  const document = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::reports/*',
        Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
      },
    ],
  });
  const created = await aws(['iam', 'create-policy', '--policy-name', 'ReadReports', '--policy-document', document]);
  assert.equal(created.code, 0, created.stderr);
  const policyArn = (JSON.parse(created.stdout) as { Policy: { Arn: string } }).Policy.Arn;
  assert.equal(policyArn, `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/ReadReports`);
  assert.equal((await aws(['iam', 'attach-group-policy', '--group-name', 'readers', '--policy-arn', policyArn])).code, 0);
  const key = await aws(['iam', 'create-access-key', '--user-name', 'alice']);
  assert.equal(key.code, 0, key.stderr);
  aliceKey = (JSON.parse(key.stdout) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } }).AccessKey;
  assert.match(aliceKey.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);

  const denied = await aws(['iam', 'list-users'], asAlice());
  assert.equal(denied.code, 254);
  assert.match(
    denied.stderr,
    new RegExp(
      `An error occurred \\(AccessDenied\\) when calling the ListUsers operation: User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/alice is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:user/ because no identity-based policy allows the iam:ListUsers action`,
    ),
  );

  assert.equal((await aws(['iam', 'attach-user-policy', '--user-name', 'alice', '--policy-arn', 'arn:aws:iam::aws:policy/AdministratorAccess'])).code, 0);
  const allowed = await aws(['iam', 'list-users'], asAlice());
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.deepEqual((JSON.parse(allowed.stdout) as { Users: Array<{ UserName: string }> }).Users.map((u) => u.UserName), ['alice']);

  const deny = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:List*', Resource: '*' }] });
  assert.equal((await aws(['iam', 'put-user-policy', '--user-name', 'alice', '--policy-name', 'NoListing', '--policy-document', deny])).code, 0);
  const deniedAgain = await aws(['iam', 'list-users'], asAlice());
  assert.equal(deniedAgain.code, 254);
  assert.match(deniedAgain.stderr, /iam:ListUsers on resource: arn:aws:iam::\d{12}:user\/ with an explicit deny in an identity-based policy/);

  const steps: Array<[string[], RegExp]> = [
    [['iam', 'delete-access-key', '--user-name', 'alice', '--access-key-id', aliceKey.AccessKeyId], /must delete access keys first/],
    [['iam', 'delete-user-policy', '--user-name', 'alice', '--policy-name', 'NoListing'], /must delete policies first/],
    [['iam', 'detach-user-policy', '--user-name', 'alice', '--policy-arn', 'arn:aws:iam::aws:policy/AdministratorAccess'], /must detach all policies first/],
    [['iam', 'remove-user-from-group', '--user-name', 'alice', '--group-name', 'readers'], /must remove users from group first/],
  ];
  for (const [fix, conflict] of steps) {
    const attempt = await aws(['iam', 'delete-user', '--user-name', 'alice']);
    assert.equal(attempt.code, 254);
    assert.match(attempt.stderr, /An error occurred \(DeleteConflict\) when calling the DeleteUser operation: Cannot delete entity, /);
    assert.match(attempt.stderr, conflict);
    const fixed = await aws(fix);
    assert.equal(fixed.code, 0, fixed.stderr);
  }
  assert.equal((await aws(['iam', 'delete-user', '--user-name', 'alice'])).code, 0);
  const gone = await aws(['iam', 'get-user', '--user-name', 'alice']);
  assert.match(gone.stderr, /\(NoSuchEntity\) when calling the GetUser operation: The user with name alice cannot be found\./);
});
