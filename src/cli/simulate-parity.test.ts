// `gatehouse simulate` and the server decide alike: the same request, with the same policies, goes through the
// server's Authorizer (policies read from a store) and through the simulate command (policies given in the request),
// and both must answer the same decision, decided by the same policy types. The server derives aws:PrincipalArn (a
// role session's role, with its path) and aws:PrincipalTag/… from the store; the simulate request states them in its
// context, as the README tells its users to.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { DecisionResult } from '../policy/decide.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { roleArn, userArn } from '../core/arns.js';
import { Authorizer } from '../core/authorize.js';
import type { Caller } from '../core/caller.js';
import { ATTACHMENT_OPERATIONS } from '../core/iam/attachments.js';
import { GROUP_OPERATIONS } from '../core/iam/groups.js';
import { INLINE_POLICY_OPERATIONS } from '../core/iam/inline-policies.js';
import { POLICY_OPERATIONS } from '../core/iam/policies.js';
import { ROLE_OPERATIONS } from '../core/iam/roles.js';
import { USER_OPERATIONS } from '../core/iam/users.js';
import { defineOperations } from '../core/operation.js';
import { ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../core/testing.js';
import { main } from './commands.js';
import type { CommandIo } from './io.js';

const OPERATIONS = defineOperations([...USER_OPERATIONS, ...GROUP_OPERATIONS, ...ROLE_OPERATIONS, ...POLICY_OPERATIONS, ...INLINE_POLICY_OPERATIONS, ...ATTACHMENT_OPERATIONS]);
const NOW = new Date('2026-11-25T12:00:00Z');
const OTHER = '444455556666';

type Json = Record<string, unknown>;
const doc = (...statements: Json[]): Json => ({ Version: '2012-10-17', Statement: statements });
const allow = (action: string | string[], resource = '*', extra: Json = {}): Json => ({ Effect: 'Allow', Action: action, Resource: resource, ...extra });
const deny = (action: string | string[], resource = '*'): Json => ({ Effect: 'Deny', Action: action, Resource: resource });

// What the store holds, as documents: the simulate requests are built from the same ones.
const MANAGED = doc(allow('s3:GetObject', 'arn:aws:s3:::shared/*'));
const BOUNDARY = doc(allow(['s3:*', 'iam:Get*', 'logs:*']));
const ALICE_INLINE = doc(allow('iam:*'), deny('iam:DeleteUser'), allow('ec2:DescribeInstances', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'red' } } }));
const DEVS_INLINE = doc(allow('sqs:SendMessage'));
const BOB_INLINE = doc(allow(['iam:*', 's3:*']));
const DEV_INLINE = doc(allow(['s3:*', 'iam:ListRoles']), allow('logs:CreateLogGroup', '*', { Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${TEST_ACCOUNT}:role/team/*` } } }));
const SESSION_POLICY = doc(allow(['s3:GetObject', 'logs:*']));
const TRUST = doc({ Effect: 'Allow', Principal: { AWS: TEST_ACCOUNT }, Action: 'sts:AssumeRole' });

const ALICE = userArn(TEST_ACCOUNT, '/', 'alice');
const BOB = userArn(TEST_ACCOUNT, '/', 'bob');
const DEV_ROLE = roleArn(TEST_ACCOUNT, '/team/', 'Dev');
const SESSION = `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/Dev/s1`;
const SLR = `arn:aws:iam::${TEST_ACCOUNT}:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk`;

/** What `simulate` must be told about each caller: its policies and the keys the server derives. */
interface Principal {
  readonly caller: () => Caller;
  readonly simulate: Json;
}

let store: Store;
let authorizer: Authorizer;
const ids: Record<string, string> = {};

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  const services = testServices();
  const iam = runner(store, OPERATIONS, services);
  authorizer = new Authorizer(store, services.awsManagedPolicies);
  const text = (d: Json): string => JSON.stringify(d);
  await iam.run('CreatePolicy', { PolicyName: 'Managed', PolicyDocument: text(MANAGED) });
  await iam.run('CreatePolicy', { PolicyName: 'Boundary', PolicyDocument: text(BOUNDARY) });
  const boundaryArn = `arn:aws:iam::${TEST_ACCOUNT}:policy/Boundary`;
  const alice = (await iam.run('CreateUser', { UserName: 'alice', Tags: [{ Key: 'team', Value: 'red' }] }))['User'] as Record<string, string>;
  ids['alice'] = alice['UserId'] as string;
  await iam.run('PutUserPolicy', { UserName: 'alice', PolicyName: 'inline', PolicyDocument: text(ALICE_INLINE) });
  await iam.run('AttachUserPolicy', { UserName: 'alice', PolicyArn: `arn:aws:iam::${TEST_ACCOUNT}:policy/Managed` });
  await iam.run('CreateGroup', { GroupName: 'devs' });
  await iam.run('AddUserToGroup', { GroupName: 'devs', UserName: 'alice' });
  await iam.run('PutGroupPolicy', { GroupName: 'devs', PolicyName: 'inline', PolicyDocument: text(DEVS_INLINE) });
  const bob = (await iam.run('CreateUser', { UserName: 'bob', PermissionsBoundary: boundaryArn }))['User'] as Record<string, string>;
  ids['bob'] = bob['UserId'] as string;
  await iam.run('PutUserPolicy', { UserName: 'bob', PolicyName: 'inline', PolicyDocument: text(BOB_INLINE) });
  const role = (await iam.run('CreateRole', { RoleName: 'Dev', Path: '/team/', AssumeRolePolicyDocument: text(TRUST), PermissionsBoundary: boundaryArn }))['Role'] as Record<string, string>;
  ids['dev'] = role['RoleId'] as string;
  await iam.run('PutRolePolicy', { RoleName: 'Dev', PolicyName: 'inline', PolicyDocument: text(DEV_INLINE) });
});

afterEach(() => store.close());

const user = (name: string): Caller => ({ kind: 'user', account: TEST_ACCOUNT, arn: userArn(TEST_ACCOUNT, '/', name), userId: ids[name] as string, userName: name, accessKeyId: 'AKIAEXAMPLEEXAMPLE01' });
const PRINCIPALS: Record<string, Principal> = {
  alice: { caller: () => user('alice'), simulate: { principal: ALICE, identityPolicies: [ALICE_INLINE, MANAGED, DEVS_INLINE], context: { 'aws:PrincipalTag/team': 'red' } } },
  bob: { caller: () => user('bob'), simulate: { principal: BOB, identityPolicies: [BOB_INLINE], permissionsBoundary: BOUNDARY } },
  session: {
    caller: () => ({
      kind: 'assumedRole',
      account: TEST_ACCOUNT,
      arn: SESSION,
      userId: `${ids['dev'] as string}:s1`,
      roleName: 'Dev',
      roleArn: DEV_ROLE,
      sessionPolicy: JSON.stringify(SESSION_POLICY),
      accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
    }),
    simulate: { principal: SESSION, identityPolicies: [DEV_INLINE], permissionsBoundary: BOUNDARY, sessionPolicy: SESSION_POLICY, context: { 'aws:PrincipalArn': DEV_ROLE } },
  },
  root: { caller: () => ROOT_CALLER, simulate: { principal: ROOT_CALLER.arn } },
};

interface ParityCase {
  readonly name: string;
  readonly who: keyof typeof PRINCIPALS;
  readonly action: string;
  readonly resource: string;
  readonly resourcePolicy?: Json;
  readonly resourceAccount?: string;
  /** What both must answer: the table also pins the decision, so two equally wrong answers fail. */
  readonly expected: string;
}

const bucketPolicy = (principal: string): Json => doc({ Effect: 'Allow', Principal: { AWS: principal }, Action: 's3:*', Resource: 'arn:aws:s3:::team/*' });
const CASES: readonly ParityCase[] = [
  { name: 'attached customer managed policy', who: 'alice', action: 's3:GetObject', resource: 'arn:aws:s3:::shared/a', expected: 'Allowed:identity' },
  { name: 'explicit deny in an inline policy', who: 'alice', action: 'iam:DeleteUser', resource: BOB, expected: 'ExplicitlyDenied:identity' },
  { name: 'group policy', who: 'alice', action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${TEST_ACCOUNT}:q`, expected: 'Allowed:identity' },
  { name: 'principal tag condition', who: 'alice', action: 'ec2:DescribeInstances', resource: '*', expected: 'Allowed:identity' },
  { name: 'nothing allows', who: 'alice', action: 's3:PutObject', resource: 'arn:aws:s3:::shared/a', expected: 'ImplicitlyDenied:identity' },
  { name: 'AWS managed policy is protected', who: 'alice', action: 'iam:DeletePolicy', resource: 'arn:aws:iam::aws:policy/AdministratorAccess', expected: 'ImplicitlyDenied:awsProtected' },
  { name: 'service-linked role is protected', who: 'alice', action: 'iam:DeleteRole', resource: SLR, expected: 'ImplicitlyDenied:awsProtected' },
  { name: 'outside the boundary', who: 'bob', action: 'iam:CreateUser', resource: ALICE, expected: 'ImplicitlyDenied:permissionsBoundary' },
  { name: 'inside the boundary', who: 'bob', action: 'iam:GetUser', resource: ALICE, expected: 'Allowed:identity' },
  { name: 'resource policy naming the user is not limited by the boundary', who: 'bob', action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${TEST_ACCOUNT}:q`, resourcePolicy: doc({ Effect: 'Allow', Principal: { AWS: BOB }, Action: 'sqs:*', Resource: '*' }), expected: 'Allowed:resource' },
  { name: 'session policy limits the role', who: 'session', action: 's3:PutObject', resource: 'arn:aws:s3:::team/a', expected: 'ImplicitlyDenied:session' },
  { name: 'session policy, boundary and role policy allow', who: 'session', action: 's3:GetObject', resource: 'arn:aws:s3:::team/a', expected: 'Allowed:identity' },
  { name: 'resource policy naming the role is limited by the session policy', who: 'session', action: 's3:PutObject', resource: 'arn:aws:s3:::team/a', resourcePolicy: bucketPolicy(DEV_ROLE), expected: 'ImplicitlyDenied:session' },
  { name: 'resource policy naming the session is not', who: 'session', action: 's3:PutObject', resource: 'arn:aws:s3:::team/a', resourcePolicy: bucketPolicy(SESSION), expected: 'Allowed:resource' },
  { name: 'aws:PrincipalArn of the role, with its path', who: 'session', action: 'logs:CreateLogGroup', resource: '*', expected: 'Allowed:identity' },
  { name: 'iam:ListRoles is outside the role boundary', who: 'session', action: 'iam:ListRoles', resource: '*', expected: 'ImplicitlyDenied:permissionsBoundary' },
  { name: 'cross account: the resource policy names the user', who: 'alice', action: 's3:GetObject', resource: 'arn:aws:s3:::shared/a', resourceAccount: OTHER, resourcePolicy: bucketPolicy(ALICE), expected: 'ImplicitlyDenied:resource' },
  { name: 'cross account: both sides allow', who: 'alice', action: 's3:GetObject', resource: 'arn:aws:s3:::shared/a', resourceAccount: OTHER, resourcePolicy: doc({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 's3:*', Resource: '*' }), expected: 'Allowed:identity,resource' },
  { name: 'cross account: no resource policy', who: 'bob', action: 's3:GetObject', resource: 'arn:aws:s3:::shared/a', resourceAccount: OTHER, expected: 'ImplicitlyDenied:resource' },
  { name: 'root user', who: 'root', action: 'iam:DeleteUser', resource: BOB, expected: 'Allowed:rootUser' },
  { name: 'root user and an AWS managed policy', who: 'root', action: 'iam:CreatePolicyVersion', resource: 'arn:aws:iam::aws:policy/ReadOnlyAccess', expected: 'ImplicitlyDenied:awsProtected' },
  { name: 'trust policy for sts:AssumeRole', who: 'bob', action: 'sts:AssumeRole', resource: DEV_ROLE, resourcePolicy: TRUST, expected: 'ImplicitlyDenied:identity' },
  { name: 'trust policy naming the user directly', who: 'bob', action: 'sts:AssumeRole', resource: DEV_ROLE, resourcePolicy: doc({ Effect: 'Allow', Principal: { AWS: BOB }, Action: 'sts:AssumeRole' }), expected: 'Allowed:resource' },
];

function fakeIo(stdin: string): { io: CommandIo; out: () => string } {
  let out = '';
  return {
    io: {
      stdout: (t) => void (out += t),
      stderr: () => undefined,
      readFile: async () => stdin,
      readStdin: async () => stdin,
      async *readLines() {
        yield* stdin.split('\n');
      },
      now: () => NOW,
    },
    out: () => out,
  };
}

const summary = (result: DecisionResult): string => `${result.decision}:${result.decidedBy.join(',')}`;

describe('simulate and the server decide alike', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const principal = PRINCIPALS[c.who] as Principal;
      const server = await store.read((tx) =>
        authorizer.decide(
          {
            caller: principal.caller(),
            action: c.action,
            resource: c.resource,
            now: NOW,
            ...(c.resourcePolicy !== undefined ? { resourcePolicy: JSON.stringify(c.resourcePolicy) } : {}),
            ...(c.resourceAccount !== undefined ? { resourceAccount: c.resourceAccount } : {}),
          },
          tx,
        ),
      );
      const request = {
        ...principal.simulate,
        action: c.action,
        resource: c.resource,
        time: NOW.toISOString(),
        ...(c.resourcePolicy !== undefined ? { resourcePolicy: c.resourcePolicy } : {}),
        ...(c.resourceAccount !== undefined ? { resourceAccount: c.resourceAccount } : {}),
      };
      const { io, out } = fakeIo(JSON.stringify(request));
      assert.equal(await main(['simulate', '-'], io), 0, out());
      const simulated = JSON.parse(out()) as DecisionResult;
      assert.equal(summary(simulated), summary(server));
      assert.equal(summary(server), c.expected);
    });
  }
});
