// Role profiles with each client the README names, against a real server on 127.0.0.1. Debian's AWS CLI 2.9 and
// boto3 1.26 ignore AWS_ENDPOINT_URL and would send a profile's role_arn AssumeRole to AWS itself, so the README
// gives them a credential_process profile; the AWS SDK for JavaScript v3 honours AWS_ENDPOINT_URL for the
// role_arn profile's own AssumeRole. Each case checks that the session came from Gatehouse (the role exists only there).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { iamClient } from './helpers/clients.js';
import { REGION, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const run = promisify(execFile);
const ROLE_ARN = `arn:aws:iam::${TEST_ACCOUNT_ID}:role/deployer`;
const SESSION_ARN = new RegExp(`^arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/deployer/`);

let dir: string;
let files: { AWS_CONFIG_FILE: string; AWS_SHARED_CREDENTIALS_FILE: string };

const server = useTestServer({}, {}, async () => {
  const iam = iamClient(server.endpoint);
  await iam.send(new CreateUserCommand({ UserName: 'dev' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'dev',
      PolicyName: 'assume',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE_ARN } }),
    }),
  );
  const trust = { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/dev` }, Action: 'sts:AssumeRole' } };
  await iam.send(new CreateRoleCommand({ RoleName: 'deployer', AssumeRolePolicyDocument: JSON.stringify(trust) }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'dev' }))).AccessKey;
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-profiles-'));
  files = { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
  writeFileSync(files.AWS_SHARED_CREDENTIALS_FILE, `[dev]\naws_access_key_id = ${key?.AccessKeyId}\naws_secret_access_key = ${key?.SecretAccessKey}\n`);
  // The README's two profiles, as written there.
  const query = '{Version: `1`, AccessKeyId: Credentials.AccessKeyId, SecretAccessKey: Credentials.SecretAccessKey, SessionToken: Credentials.SessionToken, Expiration: Credentials.Expiration}';
  writeFileSync(
    files.AWS_CONFIG_FILE,
    [
      '[profile dev]',
      `region = ${REGION}`,
      '[profile deployer-process]',
      `region = ${REGION}`,
      `credential_process = /usr/bin/aws sts assume-role --endpoint-url ${server.endpoint} --profile dev --role-arn ${ROLE_ARN} --role-session-name cli --output json --query "${query}"`,
      '[profile deployer]',
      `region = ${REGION}`,
      `role_arn = ${ROLE_ARN}`,
      'source_profile = dev',
      '',
    ].join('\n'),
  );
});

after(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** A child's environment with the profile files and nothing of the test runner's credentials. */
function profileEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: '/usr/bin:/bin', HOME: dir, AWS_PAGER: '', ...files, ...extra };
}

test('AWS CLI v2 (Debian 2.9): a credential_process profile assumes the role at Gatehouse', async () => {
  const { stdout } = await run('/usr/bin/aws', ['sts', 'get-caller-identity', '--profile', 'deployer-process', '--endpoint-url', server.endpoint, '--output', 'json'], {
    env: profileEnv(),
  });
  assert.match((JSON.parse(stdout) as { Arn: string }).Arn, /assumed-role\/deployer\/cli$/);
});

test("boto3 (Debian's 1.26): the same credential_process profile, with endpoint_url given to the client", async () => {
  const script = `import boto3\nprint(boto3.Session(profile_name='deployer-process').client('sts', endpoint_url='${server.endpoint}').get_caller_identity()['Arn'])`;
  const { stdout } = await run('/usr/bin/python3', ['-c', script], { env: profileEnv() });
  assert.match(stdout.trim(), SESSION_ARN);
});

test('AWS SDK for JavaScript v3: a role_arn profile with AWS_ENDPOINT_URL assumes the role at Gatehouse', async () => {
  const saved = { ...process.env };
  try {
    Object.assign(process.env, files, { AWS_ENDPOINT_URL: server.endpoint });
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[name];
    const sts = new STSClient({ profile: 'deployer', region: REGION, maxAttempts: 1 });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    assert.match(identity.Arn ?? '', SESSION_ARN);
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
});
