// AWS's protected resources through the server's Authorizer: a caller whose policies allow the change gets the error
// the IAM operation gives (UnmodifiableEntity for service-linked and /aws-reserved/ roles, AccessDenied naming the
// policy for AWS managed policies); a caller without the permission gets the usual AccessDenied.
// IAM API Reference, errors of DeleteRole / PutRolePolicy / AttachRolePolicy / UpdateAssumeRolePolicy:
// "UnmodifiableEntity: The request was rejected because service-linked roles are protected AWS resources. Only the
// service that depends on the service-linked role can modify or delete the role on your behalf."
// IAM User Guide, AWS managed policies: "You cannot change the permissions defined in AWS managed policies."
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { userArn } from './arns.js';
import { Authorizer } from './authorize.js';
import type { Caller } from './caller.js';
import { INLINE_POLICY_OPERATIONS } from './iam/inline-policies.js';
import { USER_OPERATIONS } from './iam/users.js';
import { defineOperations } from './operation.js';
import { rejects, ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from './testing.js';

const OPERATIONS = defineOperations([...USER_OPERATIONS, ...INLINE_POLICY_OPERATIONS]);
const doc = (action: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const SLR_NAME = 'AWSServiceRoleForElasticBeanstalk';
const SLR = `arn:aws:iam::${TEST_ACCOUNT}:role/aws-service-role/elasticbeanstalk.amazonaws.com/${SLR_NAME}`;
const SSO_NAME = 'AWSReservedSSO_Admin_0123456789abcdef';
const SSO = `arn:aws:iam::${TEST_ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${SSO_NAME}`;
const MANAGED = 'arn:aws:iam::aws:policy/AdministratorAccess';
const protectedRole = (name: string): string => `Cannot perform the operation on the protected role '${name}' - this role is only modifiable by AWS`;

let store: Store;
let authorizer: Authorizer;
let admin: Caller;
let reader: Caller;

async function user(iam: ReturnType<typeof runner>, name: string, action: string): Promise<Caller> {
  const out = (await iam.run('CreateUser', { UserName: name }))['User'] as Record<string, string>;
  await iam.run('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: doc(action) });
  return { kind: 'user', account: TEST_ACCOUNT, arn: userArn(TEST_ACCOUNT, '/', name), userId: out['UserId'] as string, userName: name, accessKeyId: 'AKIAEXAMPLEEXAMPLE01' };
}

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  const services = testServices();
  const iam = runner(store, OPERATIONS, services);
  authorizer = new Authorizer(store, services.awsManagedPolicies);
  admin = await user(iam, 'admin', '*');
  reader = await user(iam, 'reader', 'iam:Get*');
});

afterEach(() => store.close());

function authorize(caller: Caller, action: string, resource: string): Promise<void> {
  return store.read(async (tx) => {
    await authorizer.authorize({ caller, action, resource, now: new Date('2026-11-25T12:00:00Z') }, tx);
  });
}

describe('Protected resources through the Authorizer', () => {
  const cases: Array<{ name: string; caller: () => Caller; action: string; resource: string; code: string; status: number; message: (c: Caller) => string }> = [
    ...['iam:DeleteRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRolePermissionsBoundary'].map((action) => ({
      name: `${action} on a service-linked role by an administrator`,
      caller: () => admin,
      action,
      resource: SLR,
      code: 'UnmodifiableEntity',
      status: 400,
      message: () => protectedRole(SLR_NAME),
    })),
    { name: 'iam:DeleteRole on a service-linked role by the root user', caller: () => ROOT_CALLER, action: 'iam:DeleteRole', resource: SLR, code: 'UnmodifiableEntity', status: 400, message: () => protectedRole(SLR_NAME) },
    { name: 'iam:UpdateAssumeRolePolicy on an /aws-reserved/ role', caller: () => admin, action: 'iam:UpdateAssumeRolePolicy', resource: SSO, code: 'UnmodifiableEntity', status: 400, message: () => protectedRole(SSO_NAME) },
    ...['iam:DeletePolicy', 'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:TagPolicy'].map((action) => ({
      name: `${action} on an AWS managed policy by an administrator`,
      caller: () => admin,
      action,
      resource: MANAGED,
      code: 'AccessDenied',
      status: 403,
      message: (c: Caller) => `User: ${c.arn} is not authorized to perform: ${action} on resource: policy ${MANAGED}`,
    })),
    {
      name: 'a caller without the permission gets the usual denial',
      caller: () => reader,
      action: 'iam:DeleteRole',
      resource: SLR,
      code: 'AccessDenied',
      status: 403,
      message: (c) => `User: ${c.arn} is not authorized to perform: iam:DeleteRole on resource: ${SLR} because no identity-based policy allows the iam:DeleteRole action`,
    },
  ];
  for (const c of cases) {
    test(c.name, () => rejects(authorize(c.caller(), c.action, c.resource), c.code, c.status, c.message(c.caller())));
  }

  test('what IAM leaves to the owner stays allowed', async () => {
    await authorize(admin, 'iam:UpdateRoleDescription', SLR);
    await authorize(admin, 'iam:DeleteServiceLinkedRole', SLR);
    await authorize(admin, 'iam:GetPolicy', MANAGED);
    await authorize(admin, 'iam:AttachUserPolicy', userArn(TEST_ACCOUNT, '/', 'reader'));
  });
});
