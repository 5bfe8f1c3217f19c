// Shared steps of the end-to-end organization tests: users with inline policies, new member accounts, and sessions of
// OrganizationAccountAccessRole in them.
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateAccountCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { iamClient, keyOf, stsClient, type Key } from './clients.js';

export const policyDoc = (statement: object | object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });
export const ALLOW_ALL = { Effect: 'Allow', Action: '*', Resource: '*' };

/** A user of the account `admin`'s key belongs to (the test account's root by default) with these statements and a key. */
export async function userWith(endpoint: string, name: string, statements: object[], admin?: Key): Promise<Key> {
  const iam = iamClient(endpoint, admin);
  await iam.send(new CreateUserCommand({ UserName: name }));
  if (statements.length > 0) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policyDoc(statements) }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
}

/** A new member account's ID (CreateAccount answers SUCCEEDED at once in Gatehouse). */
export async function createMember(org: OrganizationsClient, name: string): Promise<string> {
  const status = (await org.send(new CreateAccountCommand({ Email: `${name}@example.com`, AccountName: name }))).CreateAccountStatus;
  if (status?.State !== 'SUCCEEDED' || status.AccountId === undefined) throw new Error(`CreateAccount ${name}: ${status?.State}`);
  return status.AccountId;
}

/** A session of OrganizationAccountAccessRole in `account`, assumed by `caller` of the management account. */
export async function accessRoleSession(endpoint: string, caller: Key, account: string, name = 'setup'): Promise<Key> {
  const out = await stsClient(endpoint, caller).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, RoleSessionName: name }));
  return keyOf(out.Credentials);
}
