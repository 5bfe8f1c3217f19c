// --strict-iam-region (GATEHOUSE_STRICT_IAM_REGION=1): IAM requests signed for a Region other than us-east-1 are
// refused as AWS's IAM endpoint refuses them (SignatureDoesNotMatch, "Credential should be scoped to a valid region,
// not 'eu-west-1'. "; src/sigv4/errors.ts has the text). STS keeps taking any Region. Without the option an IAM
// request signed for any Region is taken and evaluated as us-east-1 (test/condition-keys.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { loadConfig } from '../src/server/config.js';
import { failure } from './helpers/clients.js';
import { ROOT_KEY, useTestServer } from './helpers/server.js';

const strict = useTestServer({ GATEHOUSE_STRICT_IAM_REGION: '1' });
const lenient = useTestServer();

const iamIn = (endpoint: string, region: string): IAMClient => new IAMClient({ endpoint, region, credentials: ROOT_KEY, maxAttempts: 1 });

test('strict: IAM signed for eu-west-1 is refused with AWS\'s scope text; us-east-1 is answered', async () => {
  assert.deepEqual(await failure(iamIn(strict.endpoint, 'eu-west-1').send(new ListUsersCommand({}))), {
    name: 'SignatureDoesNotMatch',
    message: "Credential should be scoped to a valid region, not 'eu-west-1'. ",
    status: 403,
  });
  assert.ok(Array.isArray((await iamIn(strict.endpoint, 'us-east-1').send(new ListUsersCommand({}))).Users));
});

test('strict: STS signed for any Region is answered', async () => {
  const sts = new STSClient({ endpoint: strict.endpoint, region: 'ap-southeast-2', credentials: ROOT_KEY, maxAttempts: 1 });
  assert.match((await sts.send(new GetCallerIdentityCommand({}))).Arn ?? '', /:root$/);
});

test('default: IAM signed for eu-west-1 is answered', async () => {
  assert.ok(Array.isArray((await iamIn(lenient.endpoint, 'eu-west-1').send(new ListUsersCommand({}))).Users));
});

test('the option, its variable, and which wins', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-strict-'));
  try {
    const load = (flag: boolean | undefined, variable: string | undefined): boolean | undefined =>
      loadConfig({ dataDir, ...(flag !== undefined ? { strictIamRegion: flag } : {}) }, variable === undefined ? {} : { GATEHOUSE_STRICT_IAM_REGION: variable }).strictIamRegion;
    assert.equal(load(undefined, undefined), false);
    assert.equal(load(undefined, '1'), true);
    assert.equal(load(undefined, 'false'), false);
    assert.equal(load(true, '0'), true);
    assert.throws(() => load(undefined, 'maybe'), /GATEHOUSE_STRICT_IAM_REGION/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
