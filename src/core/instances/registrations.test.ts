import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { accessDenied } from '../errors.js';
import { INSTANCE_PROFILE_OPERATIONS } from '../iam/instance-profiles.js';
import { KIND } from '../iam/kinds.js';
import { ROLE_OPERATIONS } from '../iam/roles.js';
import { defineOperations, type AlsoRequired, type OperationContext } from '../operation.js';
import { rejects, ROOT_CALLER, runner, TEST_ACCOUNT, testServices, userCaller } from '../testing.js';
import {
  CONTAINERS_PER_ACCOUNT,
  deregisterContainer,
  deregisterInstance,
  INSTANCES_PER_ACCOUNT,
  isInstanceId,
  isTaskId,
  newInstanceId,
  registerContainer,
  registerInstance,
  tokenDigest,
  type Authorize,
} from './registrations.js';

const OPERATIONS = defineOperations([...ROLE_OPERATIONS, ...INSTANCE_PROFILE_OPERATIONS]);
const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const NOW = new Date('2026-11-25T12:00:00Z');

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
  await iam.run('CreateRole', { RoleName: 'App', Path: '/svc/', AssumeRolePolicyDocument: TRUST });
  await iam.run('CreateInstanceProfile', { InstanceProfileName: 'web' });
  await iam.run('AddRoleToInstanceProfile', { InstanceProfileName: 'web', RoleName: 'App' });
});

afterEach(() => store.close());

/** Runs `work` in a transaction as `caller`, recording every authorization question it asks (all allowed). */
async function inTx<T>(work: (ctx: OperationContext, authorize: Authorize) => Promise<T>, caller = ROOT_CALLER, allow = true): Promise<{ result: T; asked: AlsoRequired[] }> {
  const asked: AlsoRequired[] = [];
  const result = await store.transaction((tx) =>
    work({ caller, account: caller.account, tx, now: NOW, requestId: 'r', services: testServices() }, async (check) => {
      asked.push(check);
      if (!allow) throw accessDenied(`User: ${caller.arn} is not authorized to perform: ${check.action} on resource: ${check.resource}`);
    }),
  );
  return { result, asked };
}

const ROLE_ARN = `arn:aws:iam::${TEST_ACCOUNT}:role/svc/App`;

describe('registerInstance', () => {
  test('asks iam:PassRole on the profile role, passed to EC2 for this instance, and keeps the instance and its index entry', async () => {
    const { result, asked } = await inTx((ctx, authorize) => registerInstance(ctx, { instanceProfileName: 'WEB', httpTokens: 'required', port: 40001, region: 'eu-west-1' }, authorize));
    assert.ok(isInstanceId(result.instanceId), result.instanceId);
    assert.deepEqual(asked, [
      {
        action: 'iam:PassRole',
        resource: ROLE_ARN,
        conditionKeys: { 'iam:PassedToService': 'ec2.amazonaws.com', 'iam:AssociatedResourceArn': `arn:aws:ec2:eu-west-1:${TEST_ACCOUNT}:instance/${result.instanceId}` },
      },
    ]);
    assert.equal(result.instanceProfileArn, `arn:aws:iam::${TEST_ACCOUNT}:instance-profile/web`);
    assert.equal(result.roleArn, ROLE_ARN);
    const stored = await store.read((tx) => tx.get(KIND.ec2Instance, TEST_ACCOUNT, result.instanceId));
    assert.equal(stored?.data['instanceProfileName'], 'web');
    assert.equal(stored?.data['httpTokens'], 'required');
    assert.equal(stored?.data['registeredBy'], ROOT_CALLER.arn);
    const index = await store.read((tx) => tx.list(KIND.instanceIndex, ''));
    assert.deepEqual(
      index.map((r) => [r.key, r.data]),
      [[result.instanceId, { account: TEST_ACCOUNT, port: 40001 }]],
    );
  });

  test('a denied PassRole writes nothing', async () => {
    const caller = userCaller('alice');
    await assert.rejects(inTx((ctx, authorize) => registerInstance(ctx, { instanceProfileName: 'web', httpTokens: 'required', port: 1, region: 'us-east-1' }, authorize), caller, false), /iam:PassRole on resource: arn:aws:iam::111122223333:role\/svc\/App/);
    assert.equal(await store.read((tx) => tx.count(KIND.ec2Instance, TEST_ACCOUNT)), 0);
    assert.equal(await store.read((tx) => tx.count(KIND.instanceIndex, '')), 0);
  });

  const refusals: Array<[string, () => Promise<unknown>, string, number, string]> = [
    ['a missing profile', () => inTx((ctx, a) => registerInstance(ctx, { instanceProfileName: 'ghost', httpTokens: 'required', port: 1, region: 'us-east-1' }, a)), 'NoSuchEntity', 404, 'Instance Profile ghost cannot be found.'],
    ['a bad name', () => inTx((ctx, a) => registerInstance(ctx, { instanceProfileName: 'a/b', httpTokens: 'required', port: 1, region: 'us-east-1' }, a)), 'ValidationError', 400, 'The instance profile name "a/b" must be 1-128 characters of letters, digits and +=,.@_-'],
    ['a bad Region', () => inTx((ctx, a) => registerInstance(ctx, { instanceProfileName: 'web', httpTokens: 'required', port: 1, region: 'mars' }, a)), 'ValidationError', 400, 'The Region "mars" is not a Region name'],
  ];
  for (const [name, call, code, status, message] of refusals) {
    test(`refuses ${name}`, async () => rejects(call(), code, status, message));
  }

  test('refuses a profile without a role, before any authorization', async () => {
    await iam.run('CreateInstanceProfile', { InstanceProfileName: 'empty' });
    let asked = 0;
    await rejects(
      store.transaction((tx) => registerInstance({ caller: ROOT_CALLER, account: TEST_ACCOUNT, tx, now: NOW, requestId: 'r', services: testServices() }, { instanceProfileName: 'empty', httpTokens: 'required', port: 1, region: 'us-east-1' }, async () => void asked++)),
      'InvalidInput',
      400,
      'The instance profile empty has no role: add one (iam add-role-to-instance-profile) first.',
    );
    assert.equal(asked, 0);
  });

  test(`holds at most ${INSTANCES_PER_ACCOUNT} instances per account`, async () => {
    await store.transaction(async (tx) => {
      for (let i = 0; i < INSTANCES_PER_ACCOUNT; i++) {
        const id = newInstanceId();
        await tx.insert({ kind: KIND.ec2Instance, account: TEST_ACCOUNT, key: id, id, path: '/', owner: '', created: NOW.toISOString(), data: {} });
      }
    });
    await rejects(inTx((ctx, a) => registerInstance(ctx, { instanceProfileName: 'web', httpTokens: 'required', port: 1, region: 'us-east-1' }, a)), 'LimitExceeded', 409, `Cannot exceed quota for InstancesPerAccount: ${INSTANCES_PER_ACCOUNT}`);
  });
});

describe('deregisterInstance', () => {
  test('asks PassRole on the role the profile holds now, and removes both records', async () => {
    const { result } = await inTx((ctx, a) => registerInstance(ctx, { instanceProfileName: 'web', httpTokens: 'optional', port: 40002, region: 'us-east-1' }, a));
    await iam.run('CreateRole', { RoleName: 'Other', AssumeRolePolicyDocument: TRUST });
    await iam.run('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'web', RoleName: 'App' });
    await iam.run('AddRoleToInstanceProfile', { InstanceProfileName: 'web', RoleName: 'Other' });
    const { result: gone, asked } = await inTx((ctx, a) => deregisterInstance(ctx, result.instanceId, a));
    assert.deepEqual(gone, { instanceId: result.instanceId, port: 40002 });
    assert.equal(asked[0]?.resource, `arn:aws:iam::${TEST_ACCOUNT}:role/Other`);
    assert.equal(await store.read((tx) => tx.count(KIND.ec2Instance, TEST_ACCOUNT)), 0);
    assert.equal(await store.read((tx) => tx.count(KIND.instanceIndex, '')), 0);
  });

  test('another account, an unknown or malformed ID: not found', async () => {
    const { result } = await inTx((ctx, a) => registerInstance(ctx, { instanceProfileName: 'web', httpTokens: 'required', port: 1, region: 'us-east-1' }, a));
    const stranger = { ...ROOT_CALLER, account: '444455556666', arn: 'arn:aws:iam::444455556666:root', userId: '444455556666' };
    for (const [id, caller] of [[result.instanceId, stranger], ['i-00000000000000000', ROOT_CALLER], ['I-X', ROOT_CALLER]] as const) {
      await rejects(inTx((ctx, a) => deregisterInstance(ctx, id, a), caller), 'InvalidInstanceID.NotFound', 400, `The instance ID '${id}' does not exist`);
    }
  });
});

describe('registerContainer', () => {
  test('asks PassRole passed to ECS tasks on the stored ARN, whatever case the request spells the name in, and keeps only the token digest', async () => {
    const { result, asked } = await inTx((ctx, a) => registerContainer(ctx, { roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/svc/app`, region: 'us-east-1' }, a));
    assert.deepEqual(asked, [{ action: 'iam:PassRole', resource: ROLE_ARN, conditionKeys: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }]);
    assert.ok(isTaskId(result.taskId));
    assert.equal(result.roleArn, ROLE_ARN);
    assert.match(result.authorizationToken, /^[A-Za-z0-9_-]{43}$/);
    const stored = await store.read((tx) => tx.get(KIND.containerTask, TEST_ACCOUNT, result.taskId));
    assert.equal(stored?.data['tokenDigest'], tokenDigest(result.authorizationToken).toString('hex'));
    assert.ok(!JSON.stringify(stored).includes(result.authorizationToken));
  });

  test('two registrations get different task IDs and tokens', async () => {
    const one = (await inTx((ctx, a) => registerContainer(ctx, { roleArn: ROLE_ARN, region: 'us-east-1' }, a))).result;
    const two = (await inTx((ctx, a) => registerContainer(ctx, { roleArn: ROLE_ARN, region: 'us-east-1' }, a))).result;
    assert.notEqual(one.taskId, two.taskId);
    assert.notEqual(one.authorizationToken, two.authorizationToken);
  });

  test('an unknown role is decided first (AccessDenied without PassRole), then NoSuchEntity', async () => {
    const ghost = `arn:aws:iam::${TEST_ACCOUNT}:role/ghost`;
    await rejects(inTx((ctx, a) => registerContainer(ctx, { roleArn: ghost, region: 'us-east-1' }, a), userCaller('bob'), false), 'AccessDenied', 403, `User: arn:aws:iam::${TEST_ACCOUNT}:user/bob is not authorized to perform: iam:PassRole on resource: ${ghost}`);
    await rejects(inTx((ctx, a) => registerContainer(ctx, { roleArn: ghost, region: 'us-east-1' }, a)), 'NoSuchEntity', 404, 'The role with name ghost cannot be found.');
    // The right name under another path is another role.
    await rejects(inTx((ctx, a) => registerContainer(ctx, { roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/App`, region: 'us-east-1' }, a)), 'NoSuchEntity', 404, 'The role with name App cannot be found.');
  });

  test("refuses another account's role and a malformed ARN", async () => {
    await rejects(inTx((ctx, a) => registerContainer(ctx, { roleArn: 'arn:aws:iam::444455556666:role/App', region: 'us-east-1' }, a)), 'AccessDenied', 403, `A container of account ${TEST_ACCOUNT} cannot be given role arn:aws:iam::444455556666:role/App of another account.`);
    await rejects(inTx((ctx, a) => registerContainer(ctx, { roleArn: 'arn:aws:iam::1:role/App', region: 'us-east-1' }, a)), 'ValidationError', 400, 'The role ARN "arn:aws:iam::1:role/App" is not valid');
  });

  test(`holds at most ${CONTAINERS_PER_ACCOUNT} containers per account`, async () => {
    await store.transaction(async (tx) => {
      for (let i = 0; i < CONTAINERS_PER_ACCOUNT; i++) {
        const id = i.toString(16).padStart(32, '0');
        await tx.insert({ kind: KIND.containerTask, account: TEST_ACCOUNT, key: id, id, path: '/', owner: '', created: NOW.toISOString(), data: {} });
      }
    });
    await rejects(inTx((ctx, a) => registerContainer(ctx, { roleArn: ROLE_ARN, region: 'us-east-1' }, a)), 'LimitExceeded', 409, `Cannot exceed quota for ContainersPerAccount: ${CONTAINERS_PER_ACCOUNT}`);
  });

  test('deregisterContainer asks PassRole on the registered role and removes the task', async () => {
    const { result } = await inTx((ctx, a) => registerContainer(ctx, { roleArn: ROLE_ARN, region: 'us-east-1' }, a));
    const { asked } = await inTx((ctx, a) => deregisterContainer(ctx, result.taskId, a));
    assert.deepEqual(asked, [{ action: 'iam:PassRole', resource: ROLE_ARN, conditionKeys: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }]);
    await rejects(inTx((ctx, a) => deregisterContainer(ctx, result.taskId, a)), 'InvalidTaskID.NotFound', 400, `The task ID '${result.taskId}' does not exist`);
  });
});
