// Account aliases, GetAccountSummary and GetAccountAuthorizationDetails through the AWS SDK for JavaScript v3 against a real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateAccountAliasCommand,
  CreateOpenIDConnectProviderCommand,
  CreateSAMLProviderCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  DeleteAccountAliasCommand,
  DeleteGroupCommand,
  DeleteOpenIDConnectProviderCommand,
  DeleteSAMLProviderCommand,
  DeletePolicyCommand,
  DeleteUserCommand,
  DetachUserPolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  ListAccountAliasesCommand,
  PutGroupPolicyCommand,
  PutUserPolicyCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import { failure, iamClient } from './helpers/clients.js';
import { idpMetadata } from './helpers/saml.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer();

const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

const doc = (action: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

/** Policy documents come URL-encoded, as AWS sends them; the SDK does not decode them. */
const decoded = (document: string | undefined): unknown => JSON.parse(decodeURIComponent(document ?? ''));

describe('account aliases', () => {
  test('create, list, replace, delete', async () => {
    const iam = iamClient(server.endpoint);
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, []);
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'gatehouse-test' }));
    const listed = await iam.send(new ListAccountAliasesCommand({}));
    assert.deepEqual(listed.AccountAliases, ['gatehouse-test']);
    assert.equal(listed.IsTruncated, false);
    // Creating the alias the account already has changes nothing.
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'gatehouse-test' }));
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, ['gatehouse-test']);
    // An account has one alias: a new one replaces it.
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'gatehouse-two' }));
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, ['gatehouse-two']);

    assert.deepEqual(await failure(iam.send(new DeleteAccountAliasCommand({ AccountAlias: 'gatehouse-test' }))), {
      name: 'NoSuchEntityException',
      message: 'The account alias gatehouse-test cannot be found.',
      status: 404,
    });
    await iam.send(new DeleteAccountAliasCommand({ AccountAlias: 'gatehouse-two' }));
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, []);
  });

  test('an alias breaking the pattern is a ValidationError', async () => {
    const iam = iamClient(server.endpoint);
    assert.deepEqual(await failure(iam.send(new CreateAccountAliasCommand({ AccountAlias: 'Bad_Alias' }))), {
      name: 'ValidationError',
      message: "1 validation error detected: Value 'Bad_Alias' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
      status: 400,
    });
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, []);
  });

  test('a user without permission is denied CreateAccountAlias with AWS message', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'noalias' }));
    const key = (await root.send(new CreateAccessKeyCommand({ UserName: 'noalias' }))).AccessKey;
    assert.ok(key?.AccessKeyId !== undefined && key.SecretAccessKey !== undefined);
    const user = iamClient(server.endpoint, { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
    assert.deepEqual(await failure(user.send(new CreateAccountAliasCommand({ AccountAlias: 'not-mine' }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/noalias is not authorized to perform: iam:CreateAccountAlias on resource: * because no identity-based policy allows the iam:CreateAccountAlias action`,
      status: 403,
    });
    assert.deepEqual(await failure(user.send(new GetAccountSummaryCommand({}))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/noalias is not authorized to perform: iam:GetAccountSummary on resource: * because no identity-based policy allows the iam:GetAccountSummary action`,
      status: 403,
    });
    assert.deepEqual((await root.send(new ListAccountAliasesCommand({}))).AccountAliases, []);
  });
});

describe('GetAccountSummary', () => {
  test('counts follow the account; quotas are IAM\'s defaults', async () => {
    const iam = iamClient(server.endpoint);
    const summary = async (): Promise<Record<string, number>> => (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap ?? {};
    const start = await summary();
    for (const quota of ['UsersQuota', 'GroupsQuota', 'RolesQuota', 'PoliciesQuota', 'GroupsPerUserQuota', 'AccessKeysPerUserQuota', 'AttachedPoliciesPerUserQuota', 'PolicySizeQuota']) {
      assert.equal(typeof start[quota], 'number', quota);
    }
    assert.equal(start['UsersQuota'], 5000);
    assert.equal(start['GroupsQuota'], 300);
    assert.equal(start['RolesQuota'], 1000);
    assert.equal(start['PoliciesQuota'], 1500);
    assert.equal(start['GroupsPerUserQuota'], 10);
    assert.equal(start['AccessKeysPerUserQuota'], 2);
    assert.equal(start['AttachedPoliciesPerUserQuota'], 10);
    assert.equal(start['PolicySizeQuota'], 6144);
    // The server's root access key is the root user's own.
    assert.equal(start['AccountAccessKeysPresent'], 1);
    assert.equal(start['AccountMFAEnabled'], 0);

    await iam.send(new CreateUserCommand({ UserName: 'count1' }));
    await iam.send(new CreateUserCommand({ UserName: 'count2' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'countg' }));
    await iam.send(new CreatePolicyCommand({ PolicyName: 'countp', PolicyDocument: doc('iam:ListUsers') }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'count1', PolicyArn: READ_ONLY }));
    const grown = await summary();
    assert.equal(grown['Users'], (start['Users'] ?? 0) + 2);
    assert.equal(grown['Groups'], (start['Groups'] ?? 0) + 1);
    assert.equal(grown['Policies'], (start['Policies'] ?? 0) + 1);
    assert.equal(grown['PolicyVersionsInUse'], (start['PolicyVersionsInUse'] ?? 0) + 1);
    assert.equal(grown['Roles'], start['Roles']);

    await iam.send(new DeleteUserCommand({ UserName: 'count2' }));
    await iam.send(new DeleteGroupCommand({ GroupName: 'countg' }));
    const shrunk = await summary();
    assert.equal(shrunk['Users'], (start['Users'] ?? 0) + 1);
    assert.equal(shrunk['Groups'], start['Groups']);

    await iam.send(new DetachUserPolicyCommand({ UserName: 'count1', PolicyArn: READ_ONLY }));
    await iam.send(new DeleteUserCommand({ UserName: 'count1' }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/countp` }));
    const back = await summary();
    for (const count of ['Users', 'Groups', 'Policies', 'PolicyVersionsInUse']) assert.equal(back[count], start[count], count);
  });

  test('Providers counts SAML and OpenID Connect providers', async () => {
    const iam = iamClient(server.endpoint);
    const providers = async (): Promise<number | undefined> => (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap?.['Providers'];
    const start = (await providers()) ?? 0;
    const saml = (await iam.send(new CreateSAMLProviderCommand({ Name: 'summary-idp', SAMLMetadataDocument: idpMetadata() }))).SAMLProviderArn;
    const oidc = (await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://summary.example.com', ClientIDList: ['console'] }))).OpenIDConnectProviderArn;
    assert.equal(await providers(), start + 2);
    await iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: saml }));
    assert.equal(await providers(), start + 1);
    await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: oidc }));
    assert.equal(await providers(), start);
  });
});

describe('GetAccountAuthorizationDetails', () => {
  test('users, groups and policies with URL-encoded documents; Filter; pagination', async () => {
    const iam = iamClient(server.endpoint);
    const userDoc = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListGroupsForUser'], Resource: 'arn:aws:iam::*:user/${aws:username}', Condition: { StringLike: { 'aws:UserAgent': '* ?&=%+' } } }],
    });
    await iam.send(new CreateUserCommand({ UserName: 'audited', Path: '/audit/', Tags: [{ Key: 'team', Value: 'sec' }] }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'audited', PolicyName: 'self', PolicyDocument: userDoc }));
    await iam.send(new CreateGroupCommand({ GroupName: 'auditors' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'auditors', PolicyName: 'list', PolicyDocument: doc('iam:ListUsers') }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'auditors', PolicyArn: READ_ONLY }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'auditors', UserName: 'audited' }));
    const local = await iam.send(new CreatePolicyCommand({ PolicyName: 'audit-local', Path: '/audit/', PolicyDocument: doc('iam:GetGroup') }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'audited', PolicyArn: local.Policy?.Arn }));

    const all = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
    assert.equal(all.IsTruncated, false);
    const user = all.UserDetailList?.find((u) => u.UserName === 'audited');
    assert.ok(user !== undefined);
    assert.equal(user.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:user/audit/audited`);
    assert.equal(user.Path, '/audit/');
    assert.deepEqual(user.GroupList, ['auditors']);
    assert.deepEqual(user.Tags, [{ Key: 'team', Value: 'sec' }]);
    assert.deepEqual(user.AttachedManagedPolicies, [{ PolicyName: 'audit-local', PolicyArn: local.Policy?.Arn }]);
    assert.equal(user.UserPolicyList?.length, 1);
    assert.equal(user.UserPolicyList?.[0]?.PolicyName, 'self');
    // The SDK hands the document over as sent: URL-encoded, as from AWS.
    const raw = user.UserPolicyList?.[0]?.PolicyDocument ?? '';
    assert.notEqual(raw, userDoc);
    assert.match(raw, /^%7B/);
    assert.deepEqual(decoded(raw), JSON.parse(userDoc));

    const group = all.GroupDetailList?.find((g) => g.GroupName === 'auditors');
    assert.ok(group !== undefined);
    assert.equal(group.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:group/auditors`);
    assert.deepEqual(group.AttachedManagedPolicies, [{ PolicyName: 'ReadOnlyAccess', PolicyArn: READ_ONLY }]);
    assert.deepEqual(group.GroupPolicyList?.map((p) => [p.PolicyName, decoded(p.PolicyDocument)]), [['list', JSON.parse(doc('iam:ListUsers'))]]);

    const localDetail = all.Policies?.find((p) => p.Arn === local.Policy?.Arn);
    assert.ok(localDetail !== undefined);
    assert.equal(localDetail.AttachmentCount, 1);
    assert.equal(localDetail.DefaultVersionId, 'v1');
    assert.equal(localDetail.IsAttachable, true);
    assert.deepEqual(localDetail.PolicyVersionList?.map((v) => [v.VersionId, v.IsDefaultVersion, decoded(v.Document)]), [['v1', true, JSON.parse(doc('iam:GetGroup'))]]);
    // AWS managed policies in use are listed with their documents, encoded the same way.
    const readOnly = all.Policies?.find((p) => p.Arn === READ_ONLY);
    assert.ok(readOnly !== undefined);
    assert.equal(readOnly.AttachmentCount, 1);
    const defaultVersion = readOnly.PolicyVersionList?.find((v) => v.IsDefaultVersion === true);
    assert.equal(defaultVersion?.VersionId, readOnly.DefaultVersionId);
    assert.equal((decoded(defaultVersion?.Document) as { Version: string }).Version, '2012-10-17');

    const users = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User'] }));
    assert.ok((users.UserDetailList?.length ?? 0) > 0);
    assert.deepEqual([users.GroupDetailList, users.RoleDetailList, users.Policies], [[], [], []]);
    const managed = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['AWSManagedPolicy'] }));
    assert.deepEqual(managed.Policies?.map((p) => p.Arn), [READ_ONLY]);
    assert.deepEqual(managed.UserDetailList, []);
    const localOnly = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['LocalManagedPolicy', 'Group'] }));
    assert.deepEqual(localOnly.Policies?.map((p) => p.Arn), [local.Policy?.Arn]);
    assert.deepEqual(localOnly.GroupDetailList?.map((g) => g.GroupName), ['auditors']);
    assert.deepEqual(localOnly.UserDetailList, []);

    // MaxItems and Marker page through all the entries together.
    const total = (all.UserDetailList?.length ?? 0) + (all.GroupDetailList?.length ?? 0) + (all.RoleDetailList?.length ?? 0) + (all.Policies?.length ?? 0);
    let seen = 0;
    let marker: string | undefined;
    let page: GetAccountAuthorizationDetailsCommandOutput;
    do {
      page = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1, ...(marker !== undefined ? { Marker: marker } : {}) }));
      seen += (page.UserDetailList?.length ?? 0) + (page.GroupDetailList?.length ?? 0) + (page.RoleDetailList?.length ?? 0) + (page.Policies?.length ?? 0);
      marker = page.Marker;
    } while (page.IsTruncated === true);
    assert.equal(seen, total);
  });
});
