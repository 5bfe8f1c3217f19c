import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../../store/sqlite/sqlite-store.js';
import type { Store } from '../../../store/store.js';
import { defineOperations, type Params, type Result } from '../../operation.js';
import { rejects, runner, TEST_ACCOUNT, testServices } from '../../testing.js';
import { ATTACHMENT_OPERATIONS } from '../attachments.js';
import { GROUP_OPERATIONS } from '../groups.js';
import { INLINE_POLICY_OPERATIONS } from '../inline-policies.js';
import { POLICY_OPERATIONS } from '../policies.js';
import { ROLE_OPERATIONS } from '../roles.js';
import { USER_OPERATIONS } from '../users.js';
import { KIND } from '../kinds.js';
import { ACCESS_ADVISOR_OPERATIONS, newJobId, storeJob } from './operations.js';
import { recordServiceUses, type ServiceUse } from './records.js';
import { staticServiceCatalogue } from './tracked-services.js';

const OPERATIONS = defineOperations([
  ...USER_OPERATIONS,
  ...GROUP_OPERATIONS,
  ...ROLE_OPERATIONS,
  ...INLINE_POLICY_OPERATIONS,
  ...ATTACHMENT_OPERATIONS,
  ...POLICY_OPERATIONS,
  ...ACCESS_ADVISOR_OPERATIONS,
]);

const CATALOGUE = staticServiceCatalogue({
  iam: { name: 'AWS Identity and Access Management (IAM)', actions: ['CreateUser', 'GetUser', 'ListUsers'] },
  sts: { name: 'AWS Security Token Service', actions: ['AssumeRole', 'GetCallerIdentity'] },
  s3: { name: 'Amazon S3', actions: ['GetObject', 'PutObject'] },
  ec2: { name: 'Amazon EC2', actions: ['RunInstances'] },
});

const NOW = new Date('2026-11-25T12:00:00Z');
const DAY = 86_400_000;
const ago = (days: number, minutes = 0): Date => new Date(NOW.getTime() - days * DAY - minutes * 60_000);
const doc = (...actions: string[]): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
const arn = (type: string, name: string): string => `arn:aws:iam::${TEST_ACCOUNT}:${type}/${name}`;
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS, { ...testServices(), serviceCatalogue: () => CATALOGUE });
  iam.setClock(NOW);
});

afterEach(() => store.close());

async function idOf(type: 'User' | 'Role', name: string): Promise<string> {
  const out = (await iam.run(`Get${type}`, { [`${type}Name`]: name }))[type] as Record<string, unknown>;
  return out[`${type}Id`] as string;
}

async function used(principalId: string, service: string, date: Date, action?: string, region = 'us-east-1'): Promise<void> {
  const use: ServiceUse = { account: TEST_ACCOUNT, principalId, service, region, date, ...(action !== undefined ? { action } : {}) };
  await store.transaction((tx) => recordServiceUses(tx, [use]));
}

async function report(target: string, extra: Params = {}): Promise<Result> {
  const { JobId } = await iam.run('GenerateServiceLastAccessedDetails', { Arn: target, ...extra });
  assert.match(JobId as string, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  return iam.run('GetServiceLastAccessedDetails', { JobId });
}

type Row = Record<string, unknown>;
const services = (out: Result): Row[] => out['ServicesLastAccessed'] as Row[];
const byNamespace = (out: Result): Record<string, Row> => Object.fromEntries(services(out).map((s) => [s['ServiceNamespace'], s]));

describe('a user', () => {
  beforeEach(async () => {
    await iam.run('CreateUser', { UserName: 'alice' });
    await iam.run('PutUserPolicy', { UserName: 'alice', PolicyName: 'own', PolicyDocument: doc('iam:*', 'sts:GetCallerIdentity') });
    await iam.run('CreateGroup', { GroupName: 'readers' });
    await iam.run('AddUserToGroup', { GroupName: 'readers', UserName: 'alice' });
    await iam.run('PutGroupPolicy', { GroupName: 'readers', PolicyName: 'read', PolicyDocument: doc('s3:GetObject') });
  });

  test('the report lists the services its own and its groups\' policies grant, sorted, each with its last attempt or none', async () => {
    const id = await idOf('User', 'alice');
    await used(id, 'iam', ago(2), 'ListUsers', 'eu-west-1');
    await used(id, 'sts', ago(1));
    const out = await report(arn('user', 'alice'));
    assert.equal(out['JobStatus'], 'COMPLETED');
    assert.equal(out['JobType'], 'SERVICE_LEVEL');
    assert.deepEqual(out['JobCreationDate'], NOW);
    assert.deepEqual(out['JobCompletionDate'], NOW);
    assert.equal(out['IsTruncated'], false);
    assert.deepEqual(services(out).map((s) => s['ServiceNamespace']), ['iam', 's3', 'sts']);
    const s = byNamespace(out);
    assert.deepEqual(s['iam'], {
      ServiceName: 'AWS Identity and Access Management (IAM)',
      ServiceNamespace: 'iam',
      LastAuthenticated: ago(2),
      LastAuthenticatedEntity: arn('user', 'alice'),
      LastAuthenticatedRegion: 'eu-west-1',
      TotalAuthenticatedEntities: 1,
    });
    assert.deepEqual(s['s3'], { ServiceName: 'Amazon S3', ServiceNamespace: 's3' }, 'no attempt: no LastAuthenticated…, no TotalAuthenticatedEntities');
    assert.deepEqual(s['sts']?.['LastAuthenticated'], ago(1));
  });

  test('ACTION_LEVEL lists the tracked actions granted, for services whose actions are tracked', async () => {
    const id = await idOf('User', 'alice');
    await used(id, 'iam', ago(3), 'ListUsers');
    await used(id, 'iam', ago(1), 'GetUser');
    await used(id, 'sts', ago(1));
    const out = await report(arn('user', 'alice'), { Granularity: 'ACTION_LEVEL' });
    assert.equal(out['JobType'], 'ACTION_LEVEL');
    const s = byNamespace(out);
    assert.deepEqual(s['iam']?.['LastAuthenticated'], ago(1));
    assert.deepEqual(s['iam']?.['TrackedActionsLastAccessed'], [
      { ActionName: 'CreateUser' },
      { ActionName: 'GetUser', LastAccessedEntity: arn('user', 'alice'), LastAccessedTime: ago(1), LastAccessedRegion: 'us-east-1' },
      { ActionName: 'ListUsers', LastAccessedEntity: arn('user', 'alice'), LastAccessedTime: ago(3), LastAccessedRegion: 'us-east-1' },
    ]);
    assert.deepEqual(s['s3']?.['TrackedActionsLastAccessed'], [{ ActionName: 'GetObject' }], 'only the granted action');
    assert.equal(s['sts']?.['TrackedActionsLastAccessed'], undefined, 'STS actions are not tracked');
  });

  test('attempts older than the 400-day tracking period are not reported', async () => {
    const id = await idOf('User', 'alice');
    await used(id, 'iam', ago(401));
    await used(id, 'sts', ago(399));
    const s = byNamespace(await report(arn('user', 'alice')));
    assert.equal(s['iam']?.['LastAuthenticated'], undefined);
    assert.equal(s['iam']?.['TotalAuthenticatedEntities'], undefined);
    assert.deepEqual(s['sts']?.['LastAuthenticated'], ago(399));
  });

  test('a user deleted and created again under the same name does not inherit the old one\'s history', async () => {
    const oldId = await idOf('User', 'alice');
    await used(oldId, 'iam', ago(1));
    await iam.run('DeleteUserPolicy', { UserName: 'alice', PolicyName: 'own' });
    await iam.run('RemoveUserFromGroup', { GroupName: 'readers', UserName: 'alice' });
    await iam.run('DeleteUser', { UserName: 'alice' });
    assert.equal(await store.read((tx) => tx.get(KIND.serviceAccess, TEST_ACCOUNT, oldId)), undefined, 'the deleted user\'s record is gone');
    await iam.run('CreateUser', { UserName: 'alice' });
    await iam.run('PutUserPolicy', { UserName: 'alice', PolicyName: 'own', PolicyDocument: doc('iam:*') });
    const s = byNamespace(await report(arn('user', 'alice')));
    assert.equal(s['iam']?.['LastAuthenticated'], undefined);
  });

  test('an older batch committed late does not replace a newer attempt', async () => {
    const id = await idOf('User', 'alice');
    await used(id, 'iam', ago(1), 'GetUser', 'eu-west-1');
    await used(id, 'iam', ago(5), 'GetUser', 'us-west-2');
    assert.equal(byNamespace(await report(arn('user', 'alice')))['iam']?.['LastAuthenticatedRegion'], 'eu-west-1');
  });

  test('pages of MaxItems with a Marker', async () => {
    const { JobId } = await iam.run('GenerateServiceLastAccessedDetails', { Arn: arn('user', 'alice') });
    const first = await iam.run('GetServiceLastAccessedDetails', { JobId, MaxItems: 2 });
    assert.equal(first['IsTruncated'], true);
    assert.deepEqual(services(first).map((s) => s['ServiceNamespace']), ['iam', 's3']);
    const second = await iam.run('GetServiceLastAccessedDetails', { JobId, MaxItems: 2, Marker: first['Marker'] });
    assert.equal(second['IsTruncated'], false);
    assert.deepEqual(services(second).map((s) => s['ServiceNamespace']), ['sts']);
  });

  test('ListPoliciesGrantingServiceAccess names each policy that grants each namespace asked for', async () => {
    await iam.run('CreatePolicy', { PolicyName: 'S3Writer', PolicyDocument: doc('s3:PutObject') });
    await iam.run('AttachUserPolicy', { UserName: 'alice', PolicyArn: arn('policy', 'S3Writer') });
    const out = await iam.run('ListPoliciesGrantingServiceAccess', { Arn: arn('user', 'alice'), ServiceNamespaces: ['s3', 'ec2', 'sts'] });
    assert.equal(out['IsTruncated'], false);
    assert.deepEqual(out['PoliciesGrantingServiceAccess'], [
      {
        ServiceNamespace: 's3',
        Policies: [
          { PolicyName: 'S3Writer', PolicyType: 'MANAGED', PolicyArn: arn('policy', 'S3Writer') },
          { PolicyName: 'read', PolicyType: 'INLINE', EntityType: 'GROUP', EntityName: 'readers' },
        ],
      },
      { ServiceNamespace: 'ec2', Policies: [] },
      { ServiceNamespace: 'sts', Policies: [{ PolicyName: 'own', PolicyType: 'INLINE', EntityType: 'USER', EntityName: 'alice' }] },
    ]);
  });
});

describe('groups and policies aggregate their users and roles', () => {
  beforeEach(async () => {
    await iam.run('CreateGroup', { GroupName: 'devs' });
    await iam.run('CreatePolicy', { PolicyName: 'S3Read', PolicyDocument: doc('s3:Get*') });
    for (const name of ['bob', 'carol', 'dave']) {
      await iam.run('CreateUser', { UserName: name });
      await iam.run('AddUserToGroup', { GroupName: 'devs', UserName: name });
    }
    await iam.run('AttachGroupPolicy', { GroupName: 'devs', PolicyArn: arn('policy', 'S3Read') });
    await iam.run('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
    await iam.run('AttachRolePolicy', { RoleName: 'app', PolicyArn: arn('policy', 'S3Read') });
    await used(await idOf('User', 'bob'), 's3', ago(3));
    await used(await idOf('User', 'carol'), 's3', ago(1), undefined, 'eu-central-1');
    await used(await idOf('Role', 'app'), 's3', ago(0, 5));
  });

  test('a group report counts its members, the latest named', async () => {
    const s = byNamespace(await report(arn('group', 'devs')));
    assert.deepEqual(Object.keys(s), ['s3']);
    assert.deepEqual(s['s3']?.['LastAuthenticated'], ago(1));
    assert.equal(s['s3']?.['LastAuthenticatedEntity'], arn('user', 'carol'));
    assert.equal(s['s3']?.['LastAuthenticatedRegion'], 'eu-central-1');
    assert.equal(s['s3']?.['TotalAuthenticatedEntities'], 2);
  });

  test('a policy report counts every user and role it reaches, directly or through a group', async () => {
    const s = byNamespace(await report(arn('policy', 'S3Read')));
    assert.equal(s['s3']?.['LastAuthenticatedEntity'], arn('role', 'app'));
    assert.equal(s['s3']?.['TotalAuthenticatedEntities'], 3);
  });

  test('WithEntities lists the entities, most recent access first, never-seen last', async () => {
    const { JobId } = await iam.run('GenerateServiceLastAccessedDetails', { Arn: arn('policy', 'S3Read') });
    const out = await iam.run('GetServiceLastAccessedDetailsWithEntities', { JobId, ServiceNamespace: 's3' });
    assert.equal(out['JobStatus'], 'COMPLETED');
    const rows = out['EntityDetailsList'] as Array<{ EntityInfo: Row; LastAuthenticated?: Date }>;
    assert.deepEqual(rows.map((r) => [r.EntityInfo['Name'], r.EntityInfo['Type'], r.LastAuthenticated]), [
      ['app', 'ROLE', ago(0, 5)],
      ['carol', 'USER', ago(1)],
      ['bob', 'USER', ago(3)],
      ['dave', 'USER', undefined],
    ]);
    assert.equal(rows[0]?.EntityInfo['Arn'], arn('role', 'app'));
    assert.equal(rows[0]?.EntityInfo['Path'], '/');
    assert.match(rows[0]?.EntityInfo['Id'] as string, /^AROA/);
    const none = await iam.run('GetServiceLastAccessedDetailsWithEntities', { JobId, ServiceNamespace: 'iam' });
    assert.deepEqual(none['EntityDetailsList'], [], 'no entity could have used a service the policy does not grant');
  });
});

test('the name in the ARN folds case, as IAM names do; the report names the entity as stored', async () => {
  await iam.run('CreateUser', { UserName: 'alice', Path: '/team/' });
  const { JobId } = await iam.run('GenerateServiceLastAccessedDetails', { Arn: `arn:aws:iam::${TEST_ACCOUNT}:user/team/ALICE` });
  const out = await iam.run('GetServiceLastAccessedDetailsWithEntities', { JobId, ServiceNamespace: 'iam' });
  assert.deepEqual(out['EntityDetailsList'], [], 'no policy: no service, no entity');
  await rejects(iam.run('GenerateServiceLastAccessedDetails', { Arn: `arn:aws:iam::${TEST_ACCOUNT}:user/TEAM/alice` }), 'NoSuchEntity', 404, 'The user with name alice cannot be found.');
});

const ERRORS: ReadonlyArray<[string, string, Params, string, number, string]> = [
  ['an unknown user', 'GenerateServiceLastAccessedDetails', { Arn: arn('user', 'nobody') }, 'NoSuchEntity', 404, 'The user with name nobody cannot be found.'],
  ['an unknown role', 'GenerateServiceLastAccessedDetails', { Arn: arn('role', 'nobody') }, 'NoSuchEntity', 404, 'The role with name nobody cannot be found.'],
  ['another account\'s user', 'GenerateServiceLastAccessedDetails', { Arn: 'arn:aws:iam::444455556666:user/alice' }, 'NoSuchEntity', 404, 'The user with name alice cannot be found.'],
  ['a user at another path', 'GenerateServiceLastAccessedDetails', { Arn: `arn:aws:iam::${TEST_ACCOUNT}:user/Team/alice` }, 'NoSuchEntity', 404, 'The user with name alice cannot be found.'],
  ['an ARN of no IAM resource', 'GenerateServiceLastAccessedDetails', { Arn: 'arn:aws:s3:::bucket/key' }, 'InvalidInput', 400, 'ARN arn:aws:s3:::bucket/key is not valid.'],
  ['an unknown job', 'GetServiceLastAccessedDetails', { JobId: '00000000-0000-7000-8000-000000000000' }, 'NoSuchEntity', 404, 'No report job with ID 00000000-0000-7000-8000-000000000000 was found.'],
  ['an unknown job (entities)', 'GetServiceLastAccessedDetailsWithEntities', { JobId: '00000000-0000-7000-8000-000000000000', ServiceNamespace: 'iam' }, 'NoSuchEntity', 404, 'No report job with ID 00000000-0000-7000-8000-000000000000 was found.'],
  ['a policy for ListPoliciesGrantingServiceAccess', 'ListPoliciesGrantingServiceAccess', { Arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', ServiceNamespaces: ['iam'] }, 'NoSuchEntity', 404, 'Policy arn:aws:iam::aws:policy/ReadOnlyAccess does not exist or is not attachable.'],
];

for (const [name, operation, params, code, status, message] of ERRORS) {
  test(`${operation} refuses ${name}`, async () => {
    await rejects(iam.run(operation, params), code, status, message);
  });
}

test('an account keeps its latest jobs: the oldest go first, by their time-ordered IDs', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const at = new Date(NOW.getTime() + i * 1000);
    const id = newJobId(at);
    ids.push(id);
    await store.transaction((tx) => storeJob(tx, KIND.accessAdvisorJob, TEST_ACCOUNT, id, at, {}, 3));
  }
  assert.deepEqual([...ids].sort(), ids, 'IDs sort by creation time');
  const kept = await store.read((tx) => tx.list(KIND.accessAdvisorJob, TEST_ACCOUNT));
  assert.deepEqual(kept.map((r) => r.key), ids.slice(2));
});

test('a role\'s record goes with the role', async () => {
  await iam.run('CreateRole', { RoleName: 'gone', AssumeRolePolicyDocument: TRUST });
  const id = await idOf('Role', 'gone');
  await used(id, 'sts', ago(1));
  await iam.run('DeleteRole', { RoleName: 'gone' });
  assert.equal(await store.read((tx) => tx.get(KIND.serviceAccess, TEST_ACCOUNT, id)), undefined);
});
