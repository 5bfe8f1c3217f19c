// Trusted access and delegated administrators: what only the management account may do, the constraints AWS names
// with their reasons, and the records a deregistration or a repeated enable leaves.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { ServiceError } from '../errors.js';
import { rejects } from '../testing.js';
import { orgFixture, organizationWithMember, rootOf, type OrgFixture } from './testing.js';

let f: OrgFixture;
let member: string;

beforeEach(async () => {
  f = orgFixture();
  ({ member } = await organizationWithMember(f));
});
afterEach(() => f.store.close());

async function reason(call: Promise<unknown>): Promise<[string, string | undefined]> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ServiceError, String(error));
    return [error.code, error.fields?.['Reason']];
  }
  throw new Error('expected a failure');
}

const IAM = { ServicePrincipal: 'iam.amazonaws.com' };

test('trusted access: enabled once however often asked, listed, disabled; members may not touch it', async () => {
  await f.run('EnableAWSServiceAccess', IAM);
  await f.run('EnableAWSServiceAccess', IAM);
  const listed = (await f.run('ListAWSServiceAccessForOrganization')) as { EnabledServicePrincipals: Array<{ ServicePrincipal: string; DateEnabled: Date }> };
  assert.deepEqual(listed.EnabledServicePrincipals.map((p) => p.ServicePrincipal), ['iam.amazonaws.com']);
  await rejects(f.run('EnableAWSServiceAccess', IAM, rootOf(member)), 'AccessDeniedException', 403, "You don't have permissions to access this resource.");
  await f.run('DisableAWSServiceAccess', IAM);
  assert.deepEqual(((await f.run('ListAWSServiceAccessForOrganization')) as { EnabledServicePrincipals: unknown[] }).EnabledServicePrincipals, []);
});

test('delegated administrators: AWS’s constraints, one for IAM, deregistered cleanly', async () => {
  const register = (AccountId: string, ServicePrincipal = 'iam.amazonaws.com') => f.run('RegisterDelegatedAdministrator', { AccountId, ServicePrincipal });
  assert.deepEqual(await reason(register(member)), ['ConstraintViolationException', 'SERVICE_ACCESS_NOT_ENABLED']);
  await f.run('EnableAWSServiceAccess', IAM);
  assert.deepEqual(await reason(register('111122223333')), ['ConstraintViolationException', 'CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR']);
  assert.deepEqual(await reason(register('999999999999')), ['AccountNotFoundException', undefined]);
  await register(member);
  assert.deepEqual(await reason(register(member)), ['AccountAlreadyRegisteredException', undefined]);
  assert.deepEqual(await reason(register(member, 'IAM.amazonaws.com')), ['ConstraintViolationException', 'SERVICE_ACCESS_NOT_ENABLED']);
  const other = ((await f.run('CreateAccount', { Email: 'o@example.com', AccountName: 'o' })) as { CreateAccountStatus: { AccountId: string } }).CreateAccountStatus.AccountId;
  assert.deepEqual(await reason(register(other)), ['ConstraintViolationException', 'MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED']);
  await f.run('CloseAccount', { AccountId: other });
  const listed = (await f.run('ListDelegatedAdministrators')) as { DelegatedAdministrators: Array<{ Id: string; DelegationEnabledDate: Date }> };
  assert.deepEqual(listed.DelegatedAdministrators.map((d) => d.Id), [member]);
  assert.ok(listed.DelegatedAdministrators[0]?.DelegationEnabledDate instanceof Date);
  assert.deepEqual(await reason(f.run('RemoveAccountFromOrganization', { AccountId: member })), ['ConstraintViolationException', 'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG']);
  assert.deepEqual(await reason(f.run('LeaveOrganization', {}, rootOf(member))), ['ConstraintViolationException', 'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG']);
  await f.run('DeregisterDelegatedAdministrator', { AccountId: member, ServicePrincipal: 'iam.amazonaws.com' });
  assert.deepEqual(await reason(f.run('DeregisterDelegatedAdministrator', { AccountId: member, ServicePrincipal: 'iam.amazonaws.com' })), ['AccountNotRegisteredException', undefined]);
  assert.deepEqual(await reason(f.run('ListDelegatedServicesForAccount', { AccountId: member })), ['AccountNotRegisteredException', undefined]);
  assert.deepEqual(await reason(register(other)), ['ConstraintViolationException', 'CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR']);
  await f.run('LeaveOrganization', {}, rootOf(member));
});
