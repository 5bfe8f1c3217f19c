import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { inlineKey, KIND } from '../iam/kinds.js';
import { rejects, TEST_ACCOUNT } from '../testing.js';
import { ACCESS_ROLE_POLICY_NAME, ADMINISTRATOR_DOCUMENT, accessRoleTrustPolicy } from './account-namespace.js';
import { ORG_KIND } from './kinds.js';
import { orgFixture, organizationWithMember, rootOf, type OrgFixture } from './testing.js';

let f: OrgFixture;
beforeEach(() => {
  f = orgFixture();
});
afterEach(() => f.store.close());

type Status = Record<string, unknown> & { Id: string; AccountId?: string };

async function createAccount(params: Record<string, unknown>): Promise<Status> {
  return ((await f.run('CreateAccount', params)) as { CreateAccountStatus: Status }).CreateAccountStatus;
}

const ACCESS_DENIED: [string, number, string] = ['AccessDeniedException', 403, "You don't have permissions to access this resource."];

describe('CreateAccount', () => {
  test('a new 12-digit account joins the root, with the access role trusting the management account', async () => {
    const { rootId } = await organizationWithMember(f);
    const status = await createAccount({ Email: 'new@example.com', AccountName: 'New one', Tags: [{ Key: 'env', Value: 'dev' }] });
    assert.match(status.Id, /^car-[a-z0-9]{32}$/);
    const id = status.AccountId as string;
    assert.match(id, /^\d{12}$/);
    assert.notEqual(id, TEST_ACCOUNT);
    assert.deepEqual(status, { Id: status.Id, AccountName: 'New one', State: 'SUCCEEDED', RequestedTimestamp: status['RequestedTimestamp'], CompletedTimestamp: status['CompletedTimestamp'], AccountId: id });
    assert.deepEqual(await f.run('DescribeCreateAccountStatus', { CreateAccountRequestId: status.Id }), { CreateAccountStatus: status });
    const { Account } = (await f.run('DescribeAccount', { AccountId: id })) as { Account: Record<string, unknown> };
    assert.equal(Account['Email'], 'new@example.com');
    assert.equal(Account['Name'], 'New one');
    assert.equal(Account['Status'], 'ACTIVE');
    assert.equal(Account['JoinedMethod'], 'CREATED');
    assert.deepEqual(await f.run('ListParents', { ChildId: id }), { Parents: [{ Id: rootId, Type: 'ROOT' }] });
    assert.deepEqual(await f.run('ListTagsForResource', { ResourceId: id }), { Tags: [{ Key: 'env', Value: 'dev' }] });
    await f.store.read(async (tx) => {
      const role = await tx.get(KIND.role, id, 'OrganizationAccountAccessRole');
      assert.equal(role?.path, '/');
      assert.equal(role?.data['assumeRolePolicyDocument'], accessRoleTrustPolicy(TEST_ACCOUNT));
      const inline = await tx.get(KIND.inlinePolicy, id, inlineKey('role', 'OrganizationAccountAccessRole', ACCESS_ROLE_POLICY_NAME));
      assert.equal(inline?.data['document'], ADMINISTRATOR_DOCUMENT);
      // The new account's only IAM entities are that role and its policy.
      assert.deepEqual(await tx.list(KIND.user, id), []);
      assert.deepEqual(await tx.list(KIND.accessKey, id), []);
    });
  });

  test('RoleName names the access role instead', async () => {
    await organizationWithMember(f);
    const id = (await createAccount({ Email: 'r@example.com', AccountName: 'r', RoleName: 'OrgAdmin' })).AccountId as string;
    await f.store.read(async (tx) => {
      assert.equal(await tx.get(KIND.role, id, 'OrganizationAccountAccessRole'), undefined);
      assert.ok((await tx.get(KIND.role, id, 'OrgAdmin')) !== undefined);
    });
  });

  test('an email address another account has (in any case) fails the request, as AWS reports it, and creates nothing', async () => {
    await organizationWithMember(f);
    const status = await createAccount({ Email: 'MEMBER@example.com', AccountName: 'again' });
    assert.equal(status['State'], 'FAILED');
    assert.equal(status['FailureReason'], 'EMAIL_ALREADY_EXISTS');
    assert.equal(status.AccountId, undefined);
    const { Accounts } = (await f.run('ListAccounts')) as { Accounts: unknown[] };
    assert.equal(Accounts.length, 2);
    const failed = (await f.run('ListCreateAccountStatus', { States: ['FAILED'] })) as { CreateAccountStatuses: Status[] };
    assert.deepEqual(failed.CreateAccountStatuses.map((s) => s.Id), [status.Id]);
    const all = (await f.run('ListCreateAccountStatus')) as { CreateAccountStatuses: Status[] };
    assert.equal(all.CreateAccountStatuses.length, 2);
  });

  test('gets FullAWSAccess where SCPs are enabled', async () => {
    await organizationWithMember(f);
    const id = (await createAccount({ Email: 'x@example.com', AccountName: 'x' })).AccountId as string;
    const { Policies } = (await f.run('ListPoliciesForTarget', { TargetId: id, Filter: 'SERVICE_CONTROL_POLICY' })) as { Policies: Array<{ Id: string }> };
    assert.deepEqual(Policies.map((p) => p.Id), ['p-FullAWSAccess']);
  });

  test('only the management account may create accounts, or see their requests', async () => {
    const { member } = await organizationWithMember(f);
    await rejects(f.run('CreateAccount', { Email: 'y@example.com', AccountName: 'y' }, rootOf(member)), ...ACCESS_DENIED);
    await rejects(f.run('ListCreateAccountStatus', {}, rootOf(member)), ...ACCESS_DENIED);
    await rejects(
      f.run('DescribeCreateAccountStatus', { CreateAccountRequestId: 'car-00000000000000000000000000000000' }),
      'CreateAccountStatusNotFoundException',
      404,
      "We can't find a create account request with the CreateAccountRequestId that you specified.",
    );
  });

  test('duplicate tag keys are refused before anything is created', async () => {
    await organizationWithMember(f);
    await rejects(
      f.run('CreateAccount', { Email: 't@example.com', AccountName: 't', Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] }),
      'InvalidInputException',
      400,
      'Tag keys must be unique among the tags attached to the same entity.',
    );
    await f.store.read(async (tx) => assert.equal(await tx.getById(ORG_KIND.accountEmail, 'account-email:t@example.com'), undefined));
  });
});

describe('accounts in the organization', () => {
  test('ListAccounts pages with NextToken, and refuses a token of its own making', async () => {
    await organizationWithMember(f);
    for (let i = 0; i < 3; i++) await createAccount({ Email: `n${i}@example.com`, AccountName: `n${i}` });
    const first = (await f.run('ListAccounts', { MaxResults: 2 })) as { Accounts: Array<{ Id: string }>; NextToken?: string };
    assert.equal(first.Accounts.length, 2);
    assert.ok(first.NextToken !== undefined);
    const rest = (await f.run('ListAccounts', { MaxResults: 20, NextToken: first.NextToken })) as { Accounts: Array<{ Id: string }>; NextToken?: string };
    assert.equal(rest.Accounts.length, 3);
    assert.equal(rest.NextToken, undefined);
    assert.equal(new Set([...first.Accounts, ...rest.Accounts].map((a) => a.Id)).size, 5);
    await rejects(
      f.run('ListAccounts', { NextToken: 'garbage' }),
      'InvalidInputException',
      400,
      'Get the value for the NextToken parameter from the response to a previous call of the operation.',
    );
  });

  test('MoveAccount between root and OUs; ListAccountsForParent and ListChildren follow', async () => {
    const { rootId, member } = await organizationWithMember(f);
    const ou = ((await f.run('CreateOrganizationalUnit', { ParentId: rootId, Name: 'prod' })) as { OrganizationalUnit: { Id: string } }).OrganizationalUnit.Id;
    assert.deepEqual(await f.run('MoveAccount', { AccountId: member, SourceParentId: rootId, DestinationParentId: ou }), {});
    assert.deepEqual(((await f.run('ListAccountsForParent', { ParentId: ou })) as { Accounts: Array<{ Id: string }> }).Accounts.map((a) => a.Id), [member]);
    assert.deepEqual(await f.run('ListChildren', { ParentId: ou, ChildType: 'ACCOUNT' }), { Children: [{ Id: member, Type: 'ACCOUNT' }] });
    assert.deepEqual(await f.run('ListChildren', { ParentId: rootId, ChildType: 'ACCOUNT' }), { Children: [{ Id: TEST_ACCOUNT, Type: 'ACCOUNT' }] });
    assert.deepEqual(await f.run('ListParents', { ChildId: member }), { Parents: [{ Id: ou, Type: 'ORGANIZATIONAL_UNIT' }] });
    await rejects(f.run('MoveAccount', { AccountId: member, SourceParentId: rootId, DestinationParentId: ou }), 'SourceParentNotFoundException', 404, "We can't find a source root or OU with the ParentId that you specified.");
    await rejects(f.run('MoveAccount', { AccountId: member, SourceParentId: ou, DestinationParentId: ou }), 'DuplicateAccountException', 409, 'That account is already present in the specified destination.');
    await rejects(
      f.run('MoveAccount', { AccountId: member, SourceParentId: ou, DestinationParentId: `ou-${rootId.slice(2)}-000000000` }),
      'DestinationParentNotFoundException',
      404,
      "We can't find the destination container (a root or OU) with the ParentId that you specified.",
    );
    await rejects(f.run('MoveAccount', { AccountId: '000000000001', SourceParentId: ou, DestinationParentId: rootId }), 'AccountNotFoundException', 404, "We can't find an AWS account with the AccountId that you specified.");
  });

  test('CloseAccount suspends a member once; the management account cannot be closed', async () => {
    const { member } = await organizationWithMember(f);
    assert.deepEqual(await f.run('CloseAccount', { AccountId: member }), {});
    const { Account } = (await f.run('DescribeAccount', { AccountId: member })) as { Account: Record<string, unknown> };
    assert.equal(Account['Status'], 'SUSPENDED');
    await rejects(f.run('CloseAccount', { AccountId: member }), 'AccountAlreadyClosedException', 409, 'You attempted to close an account that is already closed.');
    await rejects(
      f.run('CloseAccount', { AccountId: TEST_ACCOUNT }),
      'ConstraintViolationException',
      409,
      'You attempted to close the management account. To close the management account for the organization, you must first either remove or close all member accounts in the organization.',
    );
  });

  test('RemoveAccountFromOrganization: the member goes standalone, its attachments go; the management account stays', async () => {
    const { member } = await organizationWithMember(f);
    await f.run('RemoveAccountFromOrganization', { AccountId: member });
    await rejects(f.run('DescribeOrganization', {}, rootOf(member)), 'AWSOrganizationsNotInUseException', 404, 'Your account is not a member of an organization.');
    await rejects(f.run('DescribeAccount', { AccountId: member }), 'AccountNotFoundException', 404, "We can't find an AWS account with the AccountId that you specified.");
    await rejects(
      f.run('RemoveAccountFromOrganization', { AccountId: TEST_ACCOUNT }),
      'MasterCannotLeaveOrganizationException',
      409,
      "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.",
    );
    const { Targets } = (await f.run('ListTargetsForPolicy', { PolicyId: 'p-FullAWSAccess' })) as { Targets: Array<{ TargetId: string }> };
    assert.ok(!Targets.some((t) => t.TargetId === member));
  });

  test('member accounts may not read the organization’s accounts', async () => {
    const { member } = await organizationWithMember(f);
    for (const [name, params] of [
      ['ListAccounts', {}],
      ['DescribeAccount', { AccountId: member }],
      ['CloseAccount', { AccountId: member }],
      ['RemoveAccountFromOrganization', { AccountId: member }],
    ] as const) {
      await rejects(f.run(name, params, rootOf(member)), ...ACCESS_DENIED);
    }
  });
});

describe('the account quota', () => {
  test('ten accounts by default; a raised quota (--max-org-accounts) lets more in, and still stops at its number', async () => {
    await organizationWithMember(f);
    // The management account and the member: eight more fit under AWS's default of ten.
    for (let i = 0; i < 8; i++) await createAccount({ Email: `a${i}@example.com`, AccountName: `a${i}` });
    await rejects(f.run('CreateAccount', { Email: 'over@example.com', AccountName: 'over' }), 'ConstraintViolationException', 409, 'You attempted to exceed the limit on the number of accounts in an organization.');
    const raised = orgFixture({ maxOrganizationAccounts: 12 });
    try {
      await organizationWithMember(raised);
      for (let i = 0; i < 10; i++) await raised.run('CreateAccount', { Email: `b${i}@example.com`, AccountName: `b${i}` });
      await rejects(raised.run('CreateAccount', { Email: 'over@example.com', AccountName: 'over' }), 'ConstraintViolationException', 409, 'You attempted to exceed the limit on the number of accounts in an organization.');
    } finally {
      raised.store.close();
    }
  });
});
