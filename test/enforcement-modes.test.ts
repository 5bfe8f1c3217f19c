// Enforcement modes (enforce, audit, off) through the AWS SDK v3 against real servers: what audit mode lets through
// and reports, what no mode relaxes (authentication), and where the mode is shown.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, DeletePolicyCommand, GetUserCommand, ListUsersCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { capturedLogger } from '../src/server/testing.js';
import { failure, iamClient, stsClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer, type TestServerHandle } from './helpers/server.js';

const DENY_LIST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'NoListing', Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*' }] });

/** A user with no policy but an explicit deny of iam:ListUsers, and its key. */
async function userWithoutRights(server: TestServerHandle, name: string): Promise<Key> {
  const iam = iamClient(server.endpoint);
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'deny-list', PolicyDocument: DENY_LIST }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' };
}

const wouldDenyLines = (lines: Array<Record<string, unknown>>): Array<Record<string, unknown>> =>
  lines.filter((l) => l['wouldDeny'] !== undefined).map((l) => l['wouldDeny'] as Record<string, unknown>);

describe('enforce (the default)', () => {
  const server = useTestServer();
  test('a user without a policy is denied, with AWS text', async () => {
    const key = await userWithoutRights(server, 'plain');
    const denied = await failure(iamClient(server.endpoint, key).send(new GetUserCommand({ UserName: 'plain' })));
    assert.equal(denied.name, 'AccessDenied');
    assert.equal(denied.status, 403);
    const health = (await (await fetch(`${server.endpoint}/_gatehouse/health`)).json()) as Record<string, unknown>;
    assert.equal(health['enforcement'], 'enforce');
  });
});

describe('audit', () => {
  const { lines, logger } = capturedLogger();
  const server = useTestServer({ GATEHOUSE_ENFORCEMENT: 'audit' }, { logger });

  test('a denied request goes through and is reported with the error it would have had and the deciding statement', async () => {
    const key = await userWithoutRights(server, 'auditor');
    const before = wouldDenyLines(lines).length;
    const listed = await iamClient(server.endpoint, key).send(new ListUsersCommand({}));
    assert.ok(listed.Users?.some((u) => u.UserName === 'auditor'));
    const reported = wouldDenyLines(lines).slice(before);
    assert.equal(reported.length, 1);
    const denial = reported[0] as Record<string, unknown>;
    assert.equal(denial['principal'], `arn:aws:iam::${TEST_ACCOUNT_ID}:user/auditor`);
    assert.equal(denial['action'], 'iam:ListUsers');
    assert.equal(denial['code'], 'AccessDenied');
    assert.equal(
      denial['message'],
      `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/auditor is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:user/ with an explicit deny in an identity-based policy`,
    );
    assert.deepEqual(denial['statements'], [{ policyType: 'identity', policyName: 'inline:user/auditor/deny-list', sid: 'NoListing', effect: 'Deny' }]);
    assert.equal(typeof denial['requestId'], 'string');
    assert.equal(typeof denial['summary'], 'string');
  });

  test('an implicit deny goes through too; an allowed request reports nothing', async () => {
    const key = await userWithoutRights(server, 'auditor2');
    const before = wouldDenyLines(lines).length;
    const got = await iamClient(server.endpoint, key).send(new GetUserCommand({ UserName: 'auditor2' }));
    assert.equal(got.User?.UserName, 'auditor2');
    assert.equal(wouldDenyLines(lines).length, before + 1);
    assert.equal(wouldDenyLines(lines).at(-1)?.['action'], 'iam:GetUser');
    // GetCallerIdentity needs no permission: nothing to report.
    await stsClient(server.endpoint, key).send(new GetCallerIdentityCommand({}));
    assert.equal(wouldDenyLines(lines).length, before + 1);
  });

  test('authentication is not relaxed: a wrong secret and an unknown key are refused', async () => {
    const key = await userWithoutRights(server, 'auditor3');
    const wrongSecret = await failure(iamClient(server.endpoint, { ...key, secretAccessKey: `${key.secretAccessKey}x` }).send(new ListUsersCommand({})));
    assert.equal(wrongSecret.name, 'SignatureDoesNotMatch');
    const unknown = await failure(iamClient(server.endpoint, { accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: 'x' }).send(new ListUsersCommand({})));
    assert.equal(unknown.name, 'InvalidClientTokenId');
  });

  test('what AWS protects is refused, not let through', async () => {
    const key = await userWithoutRights(server, 'auditor4');
    const before = wouldDenyLines(lines).length;
    const refused = await failure(iamClient(server.endpoint, key).send(new DeletePolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })));
    assert.equal(refused.name, 'AccessDenied');
    assert.equal(wouldDenyLines(lines).length, before);
  });

  test('the health endpoint names the mode', async () => {
    const health = (await (await fetch(`${server.endpoint}/_gatehouse/health`)).json()) as Record<string, unknown>;
    assert.equal(health['enforcement'], 'audit');
  });
});

describe('off', () => {
  const { lines, logger } = capturedLogger();
  const server = useTestServer({ GATEHOUSE_ENFORCEMENT: 'off' }, { logger });
  test('no decision is made, nothing is reported, and authentication still holds', async () => {
    const key = await userWithoutRights(server, 'free');
    const created = await iamClient(server.endpoint, key).send(new CreateUserCommand({ UserName: 'made-by-free' }));
    assert.equal(created.User?.UserName, 'made-by-free');
    assert.equal(wouldDenyLines(lines).length, 0);
    const wrongSecret = await failure(iamClient(server.endpoint, { ...key, secretAccessKey: `${key.secretAccessKey}x` }).send(new ListUsersCommand({})));
    assert.equal(wrongSecret.name, 'SignatureDoesNotMatch');
    const health = (await (await fetch(`${server.endpoint}/_gatehouse/health`)).json()) as Record<string, unknown>;
    assert.equal(health['enforcement'], 'off');
  });

  test('what AWS protects stays protected: an AWS managed policy cannot be deleted', async () => {
    const key = await userWithoutRights(server, 'free2');
    const refused = await failure(iamClient(server.endpoint, key).send(new DeletePolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })));
    assert.deepEqual(refused, {
      name: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/free2 is not authorized to perform: iam:DeletePolicy on resource: policy arn:aws:iam::aws:policy/AdministratorAccess`,
    });
  });
});
