// Access Advisor (service last accessed data) through the AWS SDK for JavaScript v3, the AWS CLI v2 and boto3
// against a real server: a user's and a role's requests appear in their reports, with the fields checked.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GenerateOrganizationsAccessReportCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetOrganizationsAccessReportCommand,
  GetAccessKeyLastUsedCommand,
  GetRoleCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type GetServiceLastAccessedDetailsCommandOutput,
  type ServiceLastAccessed,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { CreateOrganizationCommand, EnablePolicyTypeCommand, ListRootsCommand } from '@aws-sdk/client-organizations';
import { sha256Hex } from '../src/sigv4/payload-hash.js';
import { signRequest } from '../src/sigv4/sign-request.js';
import { awsCli } from './helpers/aws-cli.js';
import { runBoto3Script } from './helpers/boto3.js';
import { failure, iamClient, keyOf, organizationsClient, stsClient, type Key } from './helpers/clients.js';
import { REGION, ROOT_KEY, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const USER_ARN = `arn:aws:iam::${A}:user/advisor/analyst`;
const ROLE_ARN = `arn:aws:iam::${A}:role/auditor`;
const doc = (...actions: string[]): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

// Uses are written in batches: the server here writes them every 50 ms instead of every second.
let userKey: Key;
let sessionKey: Key;
let before_: Date;
const server = useTestServer({}, { usageIntervalMs: 50 }, async () => {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: 'analyst', Path: '/advisor/' }));
  // Granted and used: iam and sts. Granted and never used: s3.
  await root.send(new PutUserPolicyCommand({ UserName: 'analyst', PolicyName: 'work', PolicyDocument: doc('iam:ListUsers', 'iam:GetUser', 'sts:GetCallerIdentity', 'sts:AssumeRole', 's3:GetObject') }));
  const created = (await root.send(new CreateAccessKeyCommand({ UserName: 'analyst' }))).AccessKey;
  userKey = { accessKeyId: created?.AccessKeyId ?? '', secretAccessKey: created?.SecretAccessKey ?? '' };
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: USER_ARN }, Action: 'sts:AssumeRole' }] });
  await root.send(new CreateRoleCommand({ RoleName: 'auditor', AssumeRolePolicyDocument: trust }));
  await root.send(new PutRolePolicyCommand({ RoleName: 'auditor', PolicyName: 'read', PolicyDocument: doc('iam:List*') }));
  before_ = new Date(Math.floor(Date.now() / 1000) * 1000);
  await stsClient(server.endpoint, userKey).send(new GetCallerIdentityCommand({}));
  await iamClient(server.endpoint, userKey).send(new ListUsersCommand({}));
  const assumed = await stsClient(server.endpoint, userKey).send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'audit-1' }));
  sessionKey = keyOf(assumed.Credentials);
  await iamClient(server.endpoint, sessionKey).send(new ListUsersCommand({}));
});

async function report(arn: string, granularity: 'SERVICE_LEVEL' | 'ACTION_LEVEL' = 'SERVICE_LEVEL'): Promise<GetServiceLastAccessedDetailsCommandOutput> {
  const root = iamClient(server.endpoint);
  const { JobId } = await root.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn, Granularity: granularity }));
  return root.send(new GetServiceLastAccessedDetailsCommand({ JobId }));
}

/** The report once `until` holds of it: the recorder writes within about 50 ms; give up after 3 s. */
async function settledReport(arn: string, until: (s: Record<string, ServiceLastAccessed>) => boolean, granularity?: 'SERVICE_LEVEL' | 'ACTION_LEVEL') {
  for (let waited = 0; ; waited += 50) {
    const out = await report(arn, granularity);
    const services = Object.fromEntries((out.ServicesLastAccessed ?? []).map((s) => [s.ServiceNamespace ?? '', s]));
    if (until(services) || waited > 3000) return { out, services };
    await sleep(50);
  }
}

describe('SDK v3', () => {
  test('a user\'s report: iam and sts with their last attempt and the user, s3 granted but never used', async () => {
    const { out, services } = await settledReport(USER_ARN, (s) => s['iam']?.LastAuthenticated !== undefined && s['sts']?.LastAuthenticated !== undefined);
    assert.equal(out.JobStatus, 'COMPLETED');
    assert.equal(out.JobType, 'SERVICE_LEVEL');
    assert.ok(out.JobCreationDate instanceof Date && out.JobCompletionDate instanceof Date);
    assert.equal(out.IsTruncated, false);
    assert.deepEqual(Object.keys(services), ['iam', 's3', 'sts'], 'the services the policy grants, sorted');
    for (const ns of ['iam', 'sts']) {
      const s = services[ns];
      assert.ok((s?.LastAuthenticated?.getTime() ?? 0) >= before_.getTime(), `${ns} LastAuthenticated`);
      assert.equal(s?.LastAuthenticatedEntity, USER_ARN);
      assert.equal(s?.LastAuthenticatedRegion, REGION);
      assert.equal(s?.TotalAuthenticatedEntities, 1);
    }
    assert.equal(services['iam']?.ServiceName, 'AWS Identity and Access Management (IAM)');
    assert.equal(services['s3']?.LastAuthenticated, undefined);
    assert.equal(services['s3']?.LastAuthenticatedEntity, undefined);
    assert.equal(services['s3']?.TotalAuthenticatedEntities, undefined);
    assert.equal(services['iam']?.TrackedActionsLastAccessed, undefined, 'no actions at SERVICE_LEVEL');
  });

  test('action level for iam: the used action has its time, the granted unused one none', async () => {
    const { services } = await settledReport(USER_ARN, (s) => s['iam']?.LastAuthenticated !== undefined, 'ACTION_LEVEL');
    const actions = Object.fromEntries((services['iam']?.TrackedActionsLastAccessed ?? []).map((a) => [a.ActionName, a]));
    assert.deepEqual(Object.keys(actions).sort(), ['GetUser', 'ListUsers']);
    assert.equal(actions['ListUsers']?.LastAccessedEntity, USER_ARN);
    assert.equal(actions['ListUsers']?.LastAccessedRegion, REGION);
    assert.ok(actions['ListUsers']?.LastAccessedTime instanceof Date);
    assert.equal(actions['GetUser']?.LastAccessedTime, undefined);
    assert.equal(services['sts']?.TrackedActionsLastAccessed, undefined);
  });

  test('one source of truth: the access key\'s and the role\'s last use agree with the reports', async () => {
    const root = iamClient(server.endpoint);
    const { services: user } = await settledReport(USER_ARN, (s) => s['sts']?.LastAuthenticated !== undefined);
    const key = (await root.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: userKey.accessKeyId }))).AccessKeyLastUsed;
    // The user's last request was sts:AssumeRole: the key's last use is the report's latest attempt.
    assert.equal(key?.ServiceName, 'sts');
    assert.equal(key?.LastUsedDate?.getTime(), user['sts']?.LastAuthenticated?.getTime());
    const { services: role } = await settledReport(ROLE_ARN, (s) => s['iam']?.LastAuthenticated !== undefined);
    assert.equal(role['iam']?.LastAuthenticatedEntity, ROLE_ARN, 'a session\'s requests count for its role');
    const lastUsed = (await root.send(new GetRoleCommand({ RoleName: 'auditor' }))).Role?.RoleLastUsed;
    assert.equal(lastUsed?.LastUsedDate?.getTime(), role['iam']?.LastAuthenticated?.getTime());
    assert.equal(lastUsed?.Region, role['iam']?.LastAuthenticatedRegion);
  });

  test('WithEntities names the user; errors and authorization as AWS answers them', async () => {
    const root = iamClient(server.endpoint);
    const { JobId } = await root.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: USER_ARN }));
    const entities = await root.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId, ServiceNamespace: 'iam' }));
    assert.equal(entities.JobStatus, 'COMPLETED');
    assert.equal(entities.EntityDetailsList?.length, 1);
    assert.deepEqual({ ...entities.EntityDetailsList?.[0]?.EntityInfo }, { Arn: USER_ARN, Name: 'analyst', Type: 'USER', Id: entities.EntityDetailsList?.[0]?.EntityInfo?.Id, Path: '/advisor/' });
    assert.match(entities.EntityDetailsList?.[0]?.EntityInfo?.Id ?? '', /^AIDA/);
    const unknown = await failure(root.send(new GetServiceLastAccessedDetailsCommand({ JobId: '00000000-0000-7000-8000-000000000000' })));
    assert.equal(unknown.name, 'NoSuchEntityException');
    assert.equal(unknown.status, 404);
    const missing = await failure(root.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: `arn:aws:iam::${A}:user/nobody` })));
    assert.deepEqual(missing, { name: 'NoSuchEntityException', message: 'The user with name nobody cannot be found.', status: 404 });
    // The analyst has no iam:GenerateServiceLastAccessedDetails: refused on the role's ARN.
    const denied = await failure(iamClient(server.endpoint, userKey).send(new GenerateServiceLastAccessedDetailsCommand({ Arn: ROLE_ARN })));
    assert.equal(denied.name, 'AccessDenied');
    assert.match(denied.message, new RegExp(`not authorized to perform: iam:GenerateServiceLastAccessedDetails on resource: ${ROLE_ARN}`));
  });
});

describe('AWS CLI v2', () => {
  test('generate-service-last-accessed-details and get-service-last-accessed-details', async () => {
    await settledReport(USER_ARN, (s) => s['iam']?.LastAuthenticated !== undefined);
    const generated = await awsCli(server.endpoint, ['iam', 'generate-service-last-accessed-details', '--arn', USER_ARN, '--granularity', 'ACTION_LEVEL']);
    assert.equal(generated.code, 0, generated.stderr);
    const { JobId } = JSON.parse(generated.stdout) as { JobId: string };
    assert.match(JobId, /^[0-9a-f-]{36}$/);
    const got = await awsCli(server.endpoint, ['iam', 'get-service-last-accessed-details', '--job-id', JobId]);
    assert.equal(got.code, 0, got.stderr);
    const out = JSON.parse(got.stdout) as { JobStatus: string; JobType: string; ServicesLastAccessed: Array<Record<string, unknown>> };
    assert.equal(out.JobStatus, 'COMPLETED');
    assert.equal(out.JobType, 'ACTION_LEVEL');
    const iam = out.ServicesLastAccessed.find((s) => s['ServiceNamespace'] === 'iam');
    assert.equal(iam?.['LastAuthenticatedEntity'], USER_ARN);
    assert.match(String(iam?.['LastAuthenticated']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    const tracked = (iam?.['TrackedActionsLastAccessed'] as Array<Record<string, unknown>>).find((a) => a['ActionName'] === 'ListUsers');
    assert.equal(tracked?.['LastAccessedEntity'], USER_ARN);
    const s3 = out.ServicesLastAccessed.find((s) => s['ServiceNamespace'] === 's3');
    assert.deepEqual(Object.keys(s3 ?? {}).sort(), ['ServiceName', 'ServiceNamespace', 'TrackedActionsLastAccessed']);
  });
});

describe('boto3', () => {
  test('an action-level report, its entities, the granting policies and NoSuchEntity', async () => {
    await settledReport(USER_ARN, (s) => s['iam']?.LastAuthenticated !== undefined && s['sts']?.LastAuthenticated !== undefined);
    type Seen = {
      status: string;
      type: string;
      created_is_datetime: boolean;
      services: Record<string, { name: string; last: string | null; entity: string | null; region: string | null; total: number | null; actions: Record<string, string | null> }>;
      entities: Array<{ arn: string; type: string; last: boolean }>;
      granting: unknown;
      unknown_job: { code: string; status: number } | null;
    };
    const seen = await runBoto3Script<Seen>('boto3_access_advisor.py', server.endpoint, { ADVISOR_ARN: USER_ARN });
    assert.equal(seen.status, 'COMPLETED');
    assert.equal(seen.type, 'ACTION_LEVEL');
    assert.equal(seen.created_is_datetime, true);
    assert.deepEqual(Object.keys(seen.services).sort(), ['iam', 's3', 'sts']);
    assert.equal(seen.services['iam']?.entity, USER_ARN);
    assert.equal(seen.services['iam']?.region, REGION);
    assert.equal(seen.services['iam']?.total, 1);
    assert.match(seen.services['sts']?.last ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.equal(seen.services['s3']?.last, null);
    assert.equal(seen.services['s3']?.total, null);
    assert.deepEqual(seen.services['s3']?.actions, { GetObject: null });
    assert.notEqual(seen.services['iam']?.actions['ListUsers'], null);
    assert.equal(seen.services['iam']?.actions['GetUser'], null);
    assert.deepEqual(seen.entities, [{ arn: USER_ARN, type: 'USER', last: true }]);
    assert.deepEqual(seen.granting, [{ ServiceNamespace: 'sts', Policies: [{ PolicyName: 'work', PolicyType: 'INLINE', EntityType: 'USER', EntityName: 'analyst' }] }]);
    assert.deepEqual(seen.unknown_job, { code: 'NoSuchEntity', status: 404 });
  });
});

// Last: it makes s3 used, which the reports above check was not.
describe('the authorize API', () => {
  test('a decision for another service (allowed or not) is an attempt of the principal: s3 and its tracked action appear', async () => {
    const url = `${server.endpoint}/_gatehouse/authorize`;
    const body = JSON.stringify({ PrincipalArn: USER_ARN, Actions: [{ Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/a.jpg' }, { Action: 's3:PutObject', Resource: 'arn:aws:s3:::photos/a.jpg' }] });
    const headers = signRequest({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-amz-content-sha256': sha256Hex(body) }, body }, { credentials: ROOT_KEY, region: 'eu-west-3', service: 'iam', now: new Date() });
    delete headers['host'];
    const response = await fetch(url, { method: 'POST', headers, body });
    assert.equal(response.status, 200, await response.clone().text());
    const { services } = await settledReport(USER_ARN, (s) => s['s3']?.LastAuthenticated !== undefined, 'ACTION_LEVEL');
    assert.equal(services['s3']?.LastAuthenticatedEntity, USER_ARN);
    assert.equal(services['s3']?.LastAuthenticatedRegion, 'eu-west-3', 'the trusted-caller form has no signed request: the call\'s own region');
    const actions = Object.fromEntries((services['s3']?.TrackedActionsLastAccessed ?? []).map((a) => [a.ActionName, a]));
    assert.deepEqual(Object.keys(actions), ['GetObject'], 'only the granted action is listed; the denied PutObject is not granted');
    assert.ok(actions['GetObject']?.LastAccessedTime instanceof Date);
  });

  test('a question about a role session is the role\'s use: its report and RoleLastUsed agree', async () => {
    const url = `${server.endpoint}/_gatehouse/authorize`;
    const body = JSON.stringify({ PrincipalArn: `arn:aws:sts::${A}:assumed-role/auditor/audit-1`, Actions: [{ Action: 'iam:ListRoles', Resource: '*' }] });
    const headers = signRequest({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-amz-content-sha256': sha256Hex(body) }, body }, { credentials: ROOT_KEY, region: 'ap-south-1', service: 'iam', now: new Date() });
    delete headers['host'];
    const response = await fetch(url, { method: 'POST', headers, body });
    assert.equal(response.status, 200, await response.clone().text());
    const { services } = await settledReport(ROLE_ARN, (s) => s['iam']?.LastAuthenticatedRegion === 'ap-south-1', 'ACTION_LEVEL');
    assert.equal(services['iam']?.LastAuthenticatedRegion, 'ap-south-1');
    const listRoles = services['iam']?.TrackedActionsLastAccessed?.find((a) => a.ActionName === 'ListRoles');
    assert.equal(listRoles?.LastAccessedRegion, 'ap-south-1');
    const lastUsed = (await iamClient(server.endpoint).send(new GetRoleCommand({ RoleName: 'auditor' }))).Role?.RoleLastUsed;
    assert.equal(lastUsed?.Region, 'ap-south-1');
    assert.equal(lastUsed?.LastUsedDate?.getTime(), services['iam']?.LastAuthenticated?.getTime());
  });
});

describe('Organizations access report', () => {
  test('the management account\'s root path: services the SCPs allow, the latest attempt and its account, via the SDK and the CLI', async () => {
    const org = organizationsClient(server.endpoint);
    const orgId = (await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization?.Id ?? '';
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    const path = `${orgId}/${rootId}`;
    const generated = await awsCli(server.endpoint, ['iam', 'generate-organizations-access-report', '--entity-path', path]);
    assert.equal(generated.code, 0, generated.stderr);
    const { JobId } = JSON.parse(generated.stdout) as { JobId: string };
    const got = await awsCli(server.endpoint, ['iam', 'get-organizations-access-report', '--job-id', JobId, '--sort-key', 'LAST_AUTHENTICATED_TIME_DESCENDING']);
    assert.equal(got.code, 0, got.stderr);
    const out = JSON.parse(got.stdout) as { JobStatus: string; NumberOfServicesAccessible: number; NumberOfServicesNotAccessed: number; AccessDetails: Array<Record<string, unknown>> };
    assert.equal(out.JobStatus, 'COMPLETED');
    // FullAWSAccess allows every service of the catalogue; the analyst's and the role's requests used iam, sts and s3.
    assert.ok(out.NumberOfServicesAccessible > 100);
    assert.equal(out.NumberOfServicesAccessible - out.NumberOfServicesNotAccessed, 3);
    const first = out.AccessDetails.slice(0, 3).map((d) => d['ServiceNamespace']).sort();
    assert.deepEqual(first, ['iam', 's3', 'sts'], 'the accessed services first, most recent first');
    for (const detail of out.AccessDetails.slice(0, 3)) {
      assert.equal(detail['EntityPath'], `${path}/${A}`);
      assert.equal(detail['TotalAuthenticatedEntities'], 1);
      assert.match(String(detail['LastAuthenticatedTime']), /^\d{4}-/);
    }
    assert.deepEqual(Object.keys(out.AccessDetails[3] ?? {}).sort(), ['ServiceName', 'ServiceNamespace']);
  });

  test('the caller also needs the Organizations reads the report is made of', async () => {
    const root = iamClient(server.endpoint);
    const org = organizationsClient(server.endpoint);
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    const orgId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Arn?.split('/')[1] ?? '';
    await root.send(new CreateUserCommand({ UserName: 'org-reader' }));
    await root.send(new PutUserPolicyCommand({ UserName: 'org-reader', PolicyName: 'report', PolicyDocument: doc('iam:GenerateOrganizationsAccessReport', 'iam:GetOrganizationsAccessReport') }));
    const created = (await root.send(new CreateAccessKeyCommand({ UserName: 'org-reader' }))).AccessKey;
    const reader = iamClient(server.endpoint, { accessKeyId: created?.AccessKeyId ?? '', secretAccessKey: created?.SecretAccessKey ?? '' });
    const generate = new GenerateOrganizationsAccessReportCommand({ EntityPath: `${orgId}/${rootId}` });
    const denied = await failure(reader.send(generate));
    assert.equal(denied.name, 'AccessDenied');
    assert.match(denied.message, /not authorized to perform: organizations:List(Roots|Children|PoliciesForTarget)/);
    await root.send(new PutUserPolicyCommand({ UserName: 'org-reader', PolicyName: 'orgs', PolicyDocument: doc('organizations:List*', 'organizations:Describe*') }));
    const { JobId } = await reader.send(generate);
    const report = await reader.send(new GetOrganizationsAccessReportCommand({ JobId, MaxItems: 5 }));
    assert.equal(report.JobStatus, 'COMPLETED');
    assert.equal(report.AccessDetails?.length, 5);
    assert.equal(report.IsTruncated, true);
  });
});
