import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { INDEX_FILE, indexText } from '../../scripts/aws-managed-policies-index.js';
import type { AwsManagedPolicy } from '../core/operation.js';
import { awsPolicyId, createAwsManagedPolicyCatalog, createPackagedAwsManagedPolicyCatalog, indexOf, toAwsManagedPolicies } from './aws-managed-policies.js';

test('the packaged catalogue has AdministratorAccess and service-role policies with their paths and versions', () => {
  const catalog = createAwsManagedPolicyCatalog();
  const admin = catalog.get('arn:aws:iam::aws:policy/AdministratorAccess');
  assert.ok(admin !== undefined);
  assert.equal(admin.name, 'AdministratorAccess');
  assert.equal(admin.path, '/');
  assert.match(admin.id, /^ANPA[A-Z2-7]{17}$/);
  const document = admin.versions.find((v) => v.versionId === admin.defaultVersionId)?.document;
  assert.deepEqual(JSON.parse(document ?? '{}'), { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
  const emr = catalog.get('arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceRole');
  assert.equal(emr?.path, '/service-role/');
  assert.equal(emr?.name, 'AmazonElasticMapReduceRole');
  assert.ok(catalog.list().length > 1000);
  assert.equal(catalog.get('arn:aws:iam::aws:policy/NoSuchPolicy'), undefined);
});

test('policy IDs are derived from the ARN: stable, distinct, in IAM form', () => {
  const a = awsPolicyId('arn:aws:iam::aws:policy/A');
  assert.equal(a, awsPolicyId('arn:aws:iam::aws:policy/A'));
  assert.notEqual(a, awsPolicyId('arn:aws:iam::aws:policy/B'));
  assert.match(a, /^ANPA[A-Z2-7]{17}$/);
});

test('records become catalogue entries: paths from ARNs, versions newest first, dates kept', () => {
  const [policy] = toAwsManagedPolicies({
    JobRole: {
      arn: 'arn:aws:iam::aws:policy/job-function/JobRole',
      latestVersionId: 'v10',
      versions: {
        v2: { createdDate: '2020-01-01T00:00:00.000Z', document: { Version: '2012-10-17', Statement: [] } },
        v10: { createdDate: '2021-01-01T00:00:00.000Z', document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny' }] } },
      },
      createdDate: '2019-01-01T00:00:00.000Z',
      lastUpdatedDate: '2021-01-01T00:00:00.000Z',
    },
  });
  assert.ok(policy !== undefined);
  assert.equal(policy.path, '/job-function/');
  assert.equal(policy.defaultVersionId, 'v10');
  assert.deepEqual(policy.versions.map((v) => v.versionId), ['v10', 'v2']);
  assert.equal(policy.versions[1]?.document, '{"Version":"2012-10-17","Statement":[]}');
  assert.deepEqual(policy.createDate, new Date('2019-01-01T00:00:00Z'));
  assert.deepEqual(policy.updateDate, new Date('2021-01-01T00:00:00Z'));
});

test('the data file is read on first use, not when the catalogue is made', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-managed-'));
  const file = join(dir, 'policies.json');
  const catalog = createAwsManagedPolicyCatalog(file);
  // Written after the catalogue exists: a catalogue that read eagerly would have failed on the missing file.
  writeFileSync(file, JSON.stringify({ P: { arn: 'arn:aws:iam::aws:policy/P', latestVersionId: 'v1', versions: { v1: { document: {} } } } }));
  assert.deepEqual(catalog.list().map((p) => p.name), ['P']);
});

test('the shipped index is what the installed package yields (scripts/aws-managed-policies-index.ts rewrites it)', () => {
  assert.equal(readFileSync(INDEX_FILE, 'utf8'), indexText());
});

test('with the index, policies are listed and found without the data file, which is read for their versions only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-managed-'));
  const file = join(dir, 'policies.json');
  const data = {
    Zed: { arn: 'arn:aws:iam::aws:policy/job-function/Zed', latestVersionId: 'v2', createdDate: '2020-01-01T00:00:00.000Z', lastUpdatedDate: '2021-01-01T00:00:00.000Z', versions: { v1: { document: { Statement: [] } }, v2: { document: { Version: '2012-10-17', Statement: [] } } } },
    alpha: { arn: 'arn:aws:iam::aws:policy/alpha', latestVersionId: 'v1', versions: { v1: { document: {} } } },
  };
  const index = indexOf(toAwsManagedPolicies(data), { package: 'test', bytes: 0 });
  const catalog = createAwsManagedPolicyCatalog(file, index);
  // No data file yet: listing and finding read the index alone.
  const meta = (p: AwsManagedPolicy | undefined) => p && [p.arn, p.name, p.path, p.id, p.defaultVersionId, p.createDate.toISOString(), p.updateDate.toISOString()];
  assert.deepEqual(catalog.list().map((p) => p.name), ['alpha', 'Zed']);
  const zed = catalog.get('arn:aws:iam::aws:policy/job-function/Zed');
  assert.equal(catalog.get('arn:aws:iam::aws:policy/job-function/zed'), undefined, 'ARNs are exact');
  writeFileSync(file, JSON.stringify(data));
  const full = createAwsManagedPolicyCatalog(file);
  assert.deepEqual(catalog.list().map(meta), full.list().map(meta));
  assert.deepEqual(zed?.versions, full.get('arn:aws:iam::aws:policy/job-function/Zed')?.versions, 'the versions come from the data file');
});

test('the packaged catalogue answers from the index what the data file says', () => {
  const indexed = createPackagedAwsManagedPolicyCatalog();
  const full = createAwsManagedPolicyCatalog();
  const meta = (p: AwsManagedPolicy) => [p.arn, p.name, p.path, p.id, p.defaultVersionId, p.createDate.getTime(), p.updateDate.getTime()];
  assert.deepEqual(indexed.list().map(meta), full.list().map(meta));
  const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
  assert.deepEqual(indexed.get(admin)?.versions, full.get(admin)?.versions);
});
