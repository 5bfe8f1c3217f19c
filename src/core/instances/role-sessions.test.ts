import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { INSTANCE_PROFILE_OPERATIONS } from '../iam/instance-profiles.js';
import { ROLE_OPERATIONS } from '../iam/roles.js';
import { defineOperations, type CoreServices, type OperationContext } from '../operation.js';
import { ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../testing.js';
import { createKeyRing, openSessionToken, sealSessionToken } from '../sts/session-token.js';
import { registerContainer, registerInstance } from './registrations.js';
import { containerState, instanceState, issueServiceSession, SESSION_SECONDS, type IssuedSession } from './role-sessions.js';
import { SessionCache } from './session-cache.js';

const OPERATIONS = defineOperations([...ROLE_OPERATIONS, ...INSTANCE_PROFILE_OPERATIONS]);
const trust = (service: string, condition?: object): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', ...(condition !== undefined ? { Condition: condition } : {}) }] });
const NOW = new Date('2026-11-25T12:00:00Z');
const ring = createKeyRing([{ id: 'k1', key: randomBytes(32), created: '2026-01-01T00:00:00Z' }]);
const services: CoreServices = { ...testServices(), sealSessionToken: (claims) => sealSessionToken(ring, claims) };

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
  await iam.run('CreateRole', { RoleName: 'App', AssumeRolePolicyDocument: trust('ec2.amazonaws.com') });
  await iam.run('CreateInstanceProfile', { InstanceProfileName: 'web' });
  await iam.run('AddRoleToInstanceProfile', { InstanceProfileName: 'web', RoleName: 'App' });
});

afterEach(() => store.close());

const ctxOf = (tx: OperationContext['tx']): OperationContext => ({ caller: ROOT_CALLER, account: TEST_ACCOUNT, tx, now: NOW, requestId: 'r', services });

async function newInstance(httpTokens: 'required' | 'optional' = 'required'): Promise<string> {
  const out = await store.transaction((tx) => registerInstance(ctxOf(tx), { instanceProfileName: 'web', httpTokens, port: 1, region: 'eu-west-1' }, async () => {}));
  return out.instanceId;
}

const stateOf = (id: string) => store.read((tx) => instanceState(tx, id, NOW));

describe('instanceState', () => {
  test('a registered instance whose profile role trusts EC2', async () => {
    const id = await newInstance('optional');
    const state = await stateOf(id);
    assert.equal(state.state, 'registered');
    if (state.state !== 'registered') return;
    assert.equal(state.httpTokens, 'optional');
    assert.equal(state.profile?.arn, `arn:aws:iam::${TEST_ACCOUNT}:instance-profile/web`);
    assert.equal(state.role?.key, 'App');
    assert.equal(state.trusted, true);
  });

  test('untrusted when the trust policy names another service', async () => {
    const id = await newInstance();
    await iam.run('UpdateAssumeRolePolicy', { RoleName: 'App', PolicyDocument: trust('lambda.amazonaws.com') });
    const state = await stateOf(id);
    assert.ok(state.state === 'registered' && state.role !== undefined && !state.trusted);
  });

  test('no role once it is removed from the profile; no profile once the profile is recreated under its name', async () => {
    const id = await newInstance();
    await iam.run('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'web', RoleName: 'App' });
    let state = await stateOf(id);
    assert.ok(state.state === 'registered' && state.profile !== undefined && state.role === undefined);
    await iam.run('DeleteInstanceProfile', { InstanceProfileName: 'web' });
    await iam.run('CreateInstanceProfile', { InstanceProfileName: 'web' });
    await iam.run('AddRoleToInstanceProfile', { InstanceProfileName: 'web', RoleName: 'App' });
    state = await stateOf(id);
    assert.ok(state.state === 'registered' && state.profile === undefined && state.role === undefined && !state.trusted);
  });

  test('gone when unknown, and for the ID of a task', async () => {
    assert.deepEqual(await stateOf('i-0123456789abcdef0'), { state: 'gone' });
    await iam.run('CreateRole', { RoleName: 'Task', AssumeRolePolicyDocument: trust('ecs-tasks.amazonaws.com') });
    const task = await store.transaction((tx) => registerContainer(ctxOf(tx), { roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/Task`, region: 'us-east-1' }, async () => {}));
    assert.deepEqual(await stateOf(task.taskId), { state: 'gone' });
  });
});

describe('containerState', () => {
  const roleArn = `arn:aws:iam::${TEST_ACCOUNT}:role/Task`;
  async function newTask(condition?: object): Promise<{ taskId: string; authorizationToken: string }> {
    await iam.run('CreateRole', { RoleName: 'Task', AssumeRolePolicyDocument: trust('ecs-tasks.amazonaws.com', condition) });
    return store.transaction((tx) => registerContainer(ctxOf(tx), { roleArn, region: 'us-east-1' }, async () => {}));
  }
  const stateOf = (taskId: string, token: string | undefined) => store.read((tx) => containerState(tx, taskId, token, NOW));

  test('its own token opens it; any other token, none, or another task ID is refused alike', async () => {
    const task = await newTask();
    const other = await store.transaction((tx) => registerContainer(ctxOf(tx), { roleArn, region: 'us-east-1' }, async () => {}));
    const ok = await stateOf(task.taskId, task.authorizationToken);
    assert.ok(ok.state === 'registered' && ok.trusted && ok.role?.key === 'Task');
    const refused: Array<[string, string | undefined]> = [
      [task.taskId, other.authorizationToken],
      [task.taskId, `${task.authorizationToken}x`],
      [task.taskId, task.authorizationToken.slice(1)],
      [task.taskId, ''],
      [task.taskId, undefined],
      [other.taskId, task.authorizationToken],
      ['0'.repeat(32), task.authorizationToken],
      ['../../x', task.authorizationToken],
    ];
    for (const [id, token] of refused) assert.deepEqual(await stateOf(id, token), { state: 'refused' }, `${id} ${token}`);
  });

  test('the trust policy sees aws:SourceAccount; a role recreated under its name is not the role passed', async () => {
    const task = await newTask({ StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT } });
    const state = await stateOf(task.taskId, task.authorizationToken);
    assert.ok(state.state === 'registered' && state.trusted);
    await iam.run('UpdateAssumeRolePolicy', { RoleName: 'Task', PolicyDocument: trust('ecs-tasks.amazonaws.com', { StringEquals: { 'aws:SourceAccount': '444455556666' } }) });
    const untrusted = await stateOf(task.taskId, task.authorizationToken);
    assert.ok(untrusted.state === 'registered' && !untrusted.trusted && untrusted.role !== undefined);
    await iam.run('DeleteRole', { RoleName: 'Task' });
    await iam.run('CreateRole', { RoleName: 'Task', AssumeRolePolicyDocument: trust('ecs-tasks.amazonaws.com') });
    const recreated = await stateOf(task.taskId, task.authorizationToken);
    assert.ok(recreated.state === 'registered' && recreated.role === undefined && !recreated.trusted);
  });
});

describe('issueServiceSession', () => {
  test('a role session named after the instance, with its context keys, for six hours', async () => {
    const id = await newInstance();
    const session = await store.read(async (tx) => {
      const role = await tx.get('role', TEST_ACCOUNT, 'App');
      assert.ok(role !== undefined);
      return issueServiceSession({ tx, now: NOW, services, service: 'ec2.amazonaws.com' }, role, id, { 'ec2:SourceInstanceARN': `arn:aws:ec2:eu-west-1:${TEST_ACCOUNT}:instance/${id}` });
    });
    assert.match(session.AccessKeyId, /^ASIA/);
    assert.equal(session.Expiration.getTime() - NOW.getTime(), SESSION_SECONDS * 1000);
    assert.deepEqual(session.issued, NOW);
    const claims = openSessionToken(ring, session.SessionToken);
    assert.equal(claims?.arn, `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/App/${id}`);
    assert.match(claims?.userId ?? '', new RegExp(`^AROA[A-Z2-7]{17}:${id}$`));
    assert.equal(claims?.roleArn, `arn:aws:iam::${TEST_ACCOUNT}:role/App`);
    assert.equal(claims?.accessKeyId, session.AccessKeyId);
    assert.deepEqual(claims?.federatedContext, { 'ec2:SourceInstanceARN': `arn:aws:ec2:eu-west-1:${TEST_ACCOUNT}:instance/${id}` });
  });
});

describe('SessionCache', () => {
  let minted = 0;
  const issue = (now: Date) => (): IssuedSession => {
    minted++;
    return { AccessKeyId: `ASIA${minted}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(now.getTime() + 6 * 3600_000), issued: now, roleArn: 'r' };
  };

  test('the same set until an hour before it expires, then a new one; a new set as soon as the role is another', () => {
    minted = 0;
    const cache = new SessionCache();
    const first = cache.get('i-1', 'AROA1', NOW, issue(NOW));
    const at = (hours: number): Date => new Date(NOW.getTime() + hours * 3600_000);
    assert.equal(cache.get('i-1', 'AROA1', at(4.99), issue(at(4.99))), first);
    const second = cache.get('i-1', 'AROA1', at(5), issue(at(5)));
    assert.notEqual(second, first);
    assert.ok(second.Expiration > first.Expiration);
    const third = cache.get('i-1', 'AROA2', at(5), issue(at(5)));
    assert.notEqual(third, second);
    assert.equal(cache.get('i-2', 'AROA2', at(5), issue(at(5))).AccessKeyId, 'ASIA4');
    cache.drop('i-2');
    assert.equal(cache.get('i-2', 'AROA2', at(5), issue(at(5))).AccessKeyId, 'ASIA5');
  });

  test('bounded: past its limit the oldest entry goes', () => {
    minted = 0;
    const cache = new SessionCache(3600, 2);
    cache.get('a', 'R', NOW, issue(NOW));
    cache.get('b', 'R', NOW, issue(NOW));
    cache.get('c', 'R', NOW, issue(NOW));
    assert.equal(cache.get('b', 'R', NOW, issue(NOW)).AccessKeyId, 'ASIA2');
    assert.equal(cache.get('a', 'R', NOW, issue(NOW)).AccessKeyId, 'ASIA4');
  });
});
