// Closed accounts and the account quota, end to end: after CloseAccount the account's principals authenticate no more
// (long-term keys and sessions already issued), none of its roles can be assumed, leaving the organization does not
// reopen it; an eleventh account is refused with AWS's ConstraintViolationException reason.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { CloseAccountCommand, CreateAccountCommand, CreateOrganizationCommand, DescribeAccountCommand, ListAccountsCommand, RemoveAccountFromOrganizationCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { awsCli } from './helpers/aws-cli.js';
import { failure, iamClient, organizationsClient, stsClient, type Key } from './helpers/clients.js';
import { accessRoleSession, ALLOW_ALL, createMember, userWith } from './helpers/organizations.js';
import { useTestServer } from './helpers/server.js';

const INVALID = { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', status: 403 };

describe('closed accounts', () => {
  const server = useTestServer();
  let member = '';
  let admin: Key;
  let session: Key;
  let memberUser: Key;

  test('setup: a member account with a user of its own and a live session of OrganizationAccountAccessRole', async () => {
    const org = organizationsClient(server.endpoint);
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    member = await createMember(org, 'doomed');
    admin = await userWith(server.endpoint, 'admin', [ALLOW_ALL]);
    session = await accessRoleSession(server.endpoint, admin, member);
    memberUser = await userWith(server.endpoint, 'local', [ALLOW_ALL], session);
    assert.equal((await stsClient(server.endpoint, memberUser).send(new GetCallerIdentityCommand({}))).Account, member);
  });

  test('after CloseAccount nothing of the account authenticates, and nobody is assumed into it', async () => {
    const org = organizationsClient(server.endpoint);
    await org.send(new CloseAccountCommand({ AccountId: member }));
    assert.equal((await org.send(new DescribeAccountCommand({ AccountId: member }))).Account?.Status, 'SUSPENDED');
    assert.deepEqual(await failure(stsClient(server.endpoint, memberUser).send(new GetCallerIdentityCommand({}))), INVALID);
    assert.deepEqual(await failure(iamClient(server.endpoint, session).send(new ListRolesCommand({}))), INVALID);
    const assumed = await failure(stsClient(server.endpoint, admin).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'late' })));
    assert.deepEqual(assumed, {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${(await stsClient(server.endpoint, admin).send(new GetCallerIdentityCommand({}))).Account}:user/admin is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${member}:role/OrganizationAccountAccessRole`,
      status: 403,
    });
    // The AWS CLI sees the same refusal.
    const cli = await awsCli(server.endpoint, ['sts', 'get-caller-identity'], memberUser);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /An error occurred \(InvalidClientTokenId\) when calling the GetCallerIdentity operation: The security token included in the request is invalid\./);
  });

  test('leaving the organization does not reopen a closed account', async () => {
    const org = organizationsClient(server.endpoint);
    await org.send(new RemoveAccountFromOrganizationCommand({ AccountId: member }));
    assert.deepEqual(await failure(stsClient(server.endpoint, memberUser).send(new GetCallerIdentityCommand({}))), INVALID);
  });
});

describe('the organization’s account quota', () => {
  const server = useTestServer();

  test('ten accounts at most, the management account and closed accounts included: the next is ACCOUNT_NUMBER_LIMIT_EXCEEDED', async () => {
    const org = organizationsClient(server.endpoint);
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const created: string[] = [];
    for (let i = 0; i < 9; i++) created.push(await createMember(org, `quota-${i}`));
    await org.send(new CloseAccountCommand({ AccountId: created[0] }));
    assert.equal((await org.send(new ListAccountsCommand({}))).Accounts?.length, 10);
    try {
      await org.send(new CreateAccountCommand({ Email: 'eleventh@example.com', AccountName: 'eleventh' }));
      assert.fail('expected ConstraintViolationException');
    } catch (error) {
      const e = error as { name: string; message: string; Reason?: string; $metadata?: { httpStatusCode?: number } };
      assert.deepEqual([e.name, e.Reason, e.$metadata?.httpStatusCode, e.message], [
        'ConstraintViolationException',
        'ACCOUNT_NUMBER_LIMIT_EXCEEDED',
        409,
        'You attempted to exceed the limit on the number of accounts in an organization.',
      ]);
    }
    // Nothing was created: still ten.
    assert.equal((await org.send(new ListAccountsCommand({}))).Accounts?.length, 10);
    // Removing an account frees a place.
    await org.send(new RemoveAccountFromOrganizationCommand({ AccountId: created[1] }));
    assert.match(await createMember(org, 'replacement'), /^\d{12}$/);
  });
});
