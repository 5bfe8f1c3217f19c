import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../../store/sqlite/sqlite-store.js';
import type { Store } from '../../../store/store.js';
import { defineOperations, type Params } from '../../operation.js';
import { ORGANIZATIONS_OPERATIONS, rootOf } from '../../organizations/testing.js';
import { rejects, ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../../testing.js';
import { ORGANIZATIONS_ACCESS_REPORT_OPERATIONS } from './organizations-report.js';
import { recordServiceUses } from './records.js';
import { staticServiceCatalogue } from './tracked-services.js';

const OPERATIONS = defineOperations([...ORGANIZATIONS_OPERATIONS.values(), ...ORGANIZATIONS_ACCESS_REPORT_OPERATIONS]);
const CATALOGUE = staticServiceCatalogue({
  iam: { name: 'AWS Identity and Access Management (IAM)', actions: [] },
  s3: { name: 'Amazon S3', actions: [] },
  sts: { name: 'AWS Security Token Service', actions: [] },
});
const NOW = new Date('2026-11-25T12:00:00Z');
const ago = (days: number): Date => new Date(NOW.getTime() - days * 86_400_000);

let store: Store;
let run: (name: string, params?: Params, caller?: typeof ROOT_CALLER) => Promise<Record<string, unknown>>;
let orgId: string;
let rootId: string;
let ouId: string;
let memberA: string;
let memberB: string;

async function used(account: string, principalId: string, service: string, date: Date, region = 'us-east-1'): Promise<void> {
  await store.transaction((tx) => recordServiceUses(tx, [{ account, principalId, service, region, date }]));
}

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  const r = runner(store, OPERATIONS, { ...testServices(), serviceCatalogue: () => CATALOGUE });
  r.setClock(NOW);
  run = (name, params = {}, caller = ROOT_CALLER) => r.run(name, params, caller);
  orgId = ((await run('CreateOrganization')) as { Organization: { Id: string } }).Organization.Id;
  rootId = ((await run('ListRoots')) as { Roots: Array<{ Id: string }> }).Roots[0]?.Id as string;
  await run('EnablePolicyType', { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
  ouId = ((await run('CreateOrganizationalUnit', { ParentId: rootId, Name: 'apps' })) as { OrganizationalUnit: { Id: string } }).OrganizationalUnit.Id;
  const create = async (name: string): Promise<string> =>
    ((await run('CreateAccount', { Email: `${name}@example.com`, AccountName: name })) as { CreateAccountStatus: { AccountId: string } }).CreateAccountStatus.AccountId;
  memberA = await create('a');
  memberB = await create('b');
  await run('MoveAccount', { AccountId: memberA, SourceParentId: rootId, DestinationParentId: ouId });
  await run('MoveAccount', { AccountId: memberB, SourceParentId: rootId, DestinationParentId: ouId });
  await used(memberA, 'AIDAAAAA', 'iam', ago(3), 'eu-west-1');
  await used(memberB, 'AROABBBB', 'iam', ago(1), 'us-west-2');
  await used(memberB, 'AROABBBB', 's3', ago(2));
  await used(TEST_ACCOUNT, 'AIDAMGMT', 'sts', ago(1));
});

afterEach(() => store.close());

async function report(params: Params, get: Params = {}): Promise<Record<string, unknown>> {
  const { JobId } = await run('GenerateOrganizationsAccessReport', params);
  return run('GetOrganizationsAccessReport', { JobId, ...get });
}

type Detail = Record<string, unknown>;
const details = (out: Record<string, unknown>): Detail[] => out['AccessDetails'] as Detail[];

describe('GenerateOrganizationsAccessReport', () => {
  test('an OU: every service its SCPs allow, the latest attempt in its accounts and how many accounts', async () => {
    const out = await report({ EntityPath: `${orgId}/${rootId}/${ouId}` });
    assert.equal(out['JobStatus'], 'COMPLETED');
    assert.deepEqual(out['JobCreationDate'], NOW);
    assert.equal(out['NumberOfServicesAccessible'], 3);
    assert.equal(out['NumberOfServicesNotAccessed'], 1);
    assert.deepEqual(details(out), [
      { ServiceName: 'AWS Identity and Access Management (IAM)', ServiceNamespace: 'iam', Region: 'us-west-2', EntityPath: `${orgId}/${rootId}/${ouId}/${memberB}`, LastAuthenticatedTime: ago(1), TotalAuthenticatedEntities: 2 },
      { ServiceName: 'Amazon S3', ServiceNamespace: 's3', Region: 'us-east-1', EntityPath: `${orgId}/${rootId}/${ouId}/${memberB}`, LastAuthenticatedTime: ago(2), TotalAuthenticatedEntities: 1 },
      { ServiceName: 'AWS Security Token Service', ServiceNamespace: 'sts' },
    ]);
  });

  test('an account path counts that account alone', async () => {
    const out = await report({ EntityPath: `${orgId}/${rootId}/${ouId}/${memberA}` });
    const iam = details(out).find((d) => d['ServiceNamespace'] === 'iam');
    assert.equal(iam?.['EntityPath'], `${orgId}/${rootId}/${ouId}/${memberA}`);
    assert.equal(iam?.['TotalAuthenticatedEntities'], 1);
  });

  test('a Deny of a whole service in an SCP of the path removes it; one SCP alone reports what it allows', async () => {
    const content = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 's3:*', Resource: '*' }] });
    const policyId = ((await run('CreatePolicy', { Name: 'no-s3', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: content })) as { Policy: { PolicySummary: { Id: string } } }).Policy.PolicySummary.Id;
    await run('AttachPolicy', { PolicyId: policyId, TargetId: ouId });
    const out = await report({ EntityPath: `${orgId}/${rootId}/${ouId}` });
    assert.deepEqual(details(out).map((d) => d['ServiceNamespace']), ['iam', 'sts']);
    const only = await report({ EntityPath: `${orgId}/${rootId}`, OrganizationsPolicyId: policyId });
    assert.deepEqual(details(only).map((d) => d['ServiceNamespace']), ['iam', 'sts']);
    const root = await report({ EntityPath: `${orgId}/${rootId}` });
    assert.deepEqual(details(root).map((d) => d['ServiceNamespace']), ['iam', 's3', 'sts'], 'the OU\'s SCP does not bind the root');
  });

  const SORTS: ReadonlyArray<[string, string[]]> = [
    ['SERVICE_NAMESPACE_ASCENDING', ['iam', 's3', 'sts']],
    ['SERVICE_NAMESPACE_DESCENDING', ['sts', 's3', 'iam']],
    ['LAST_AUTHENTICATED_TIME_ASCENDING', ['s3', 'iam', 'sts']],
    ['LAST_AUTHENTICATED_TIME_DESCENDING', ['iam', 's3', 'sts']],
  ];
  for (const [SortKey, expected] of SORTS) {
    test(`SortKey ${SortKey}`, async () => {
      assert.deepEqual(details(await report({ EntityPath: `${orgId}/${rootId}/${ouId}` }, { SortKey })).map((d) => d['ServiceNamespace']), expected);
    });
  }

  test('pages of MaxItems', async () => {
    const { JobId } = await run('GenerateOrganizationsAccessReport', { EntityPath: `${orgId}/${rootId}` });
    const first = await run('GetOrganizationsAccessReport', { JobId, MaxItems: 2 });
    assert.equal(first['IsTruncated'], true);
    const second = await run('GetOrganizationsAccessReport', { JobId, MaxItems: 2, Marker: first['Marker'] });
    assert.deepEqual([...details(first), ...details(second)].map((d) => d['ServiceNamespace']), ['iam', 's3', 'sts']);
    assert.equal(second['IsTruncated'], false);
  });

  test('refused to a member account, for a path outside the organization, and for an unknown job', async () => {
    await rejects(run('GenerateOrganizationsAccessReport', { EntityPath: `${orgId}/${rootId}` }, rootOf(memberA)), 'AccessDenied', 403,
      'Organizations access reports can be generated only with the credentials of the management account of an organization.');
    for (const path of [`o-aaaaaaaaaa/${rootId}`, `${orgId}/${rootId}/ou-zzzz-zzzzzzzz`, `${orgId}/${rootId}/${memberA}`, `${orgId}/${rootId}/${ouId}/${memberA}/x`]) {
      await rejects(run('GenerateOrganizationsAccessReport', { EntityPath: path }), 'InvalidInput', 400, `The entity path ${path} does not name a root, OU or account of your organization.`);
    }
    await rejects(run('GetOrganizationsAccessReport', { JobId: '00000000-0000-7000-8000-000000000000' }), 'NoSuchEntity', 404, 'No report job with ID 00000000-0000-7000-8000-000000000000 was found.');
  });

  test('SCPs must be enabled', async () => {
    await run('DisablePolicyType', { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' });
    await rejects(run('GenerateOrganizationsAccessReport', { EntityPath: `${orgId}/${rootId}` }), 'InvalidInput', 400,
      'Service control policies must be enabled for the organization root to generate an access report.');
  });
});
