import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { awsPolicyId, createAwsManagedPolicyCatalog, toAwsManagedPolicies } from './aws-managed-policies.js';

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
