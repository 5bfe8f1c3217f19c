import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicy } from '../policy/parse.js';
import { loadCatalogFor } from './iam-data-catalog.js';

const document = parsePolicy({
  Version: '2012-10-17',
  Statement: {
    Effect: 'Allow',
    Action: ['s3:GetObject', 'iam:PassRole'],
    Resource: '*',
    Condition: { StringEquals: { 's3:prefix': 'home/', 'saml:aud': 'https://signin.aws.amazon.com/saml' } },
  },
});

test('actions of the services the documents name, case-insensitively', async () => {
  const catalog = await loadCatalogFor([document]);
  assert.equal(catalog.hasService('s3'), true);
  assert.equal(catalog.hasService('S3'), true);
  assert.equal(catalog.hasService('nosuchservice'), false);
  assert.equal(catalog.hasAction('s3', 'GetObject'), true);
  assert.equal(catalog.hasAction('s3', 'getobject'), true);
  assert.equal(catalog.hasAction('s3', 'GetObjecct'), false);
  assert.ok(catalog.actionNames('s3').includes('GetObject'), 'canonical spelling');
  assert.equal(catalog.hasAction('iam', 'PassRole'), true);
});

test('service, global and pattern condition keys with their types', async () => {
  const catalog = await loadCatalogFor([document]);
  assert.deepEqual(catalog.conditionKey('s3:prefix'), { key: 's3:prefix', type: 'String' });
  assert.deepEqual(catalog.conditionKey('aws:CurrentTime'), { key: 'aws:CurrentTime', type: 'Date' });
  assert.equal(catalog.conditionKey('aws:currenttime')?.type, 'Date');
  assert.equal(catalog.conditionKey('aws:SourceIp')?.type, 'IPAddress');
  assert.equal(catalog.conditionKey('aws:MultiFactorAuthPresent')?.type, 'Bool');
  assert.equal(catalog.conditionKey('aws:PrincipalTag/team')?.type, 'String');
  assert.equal(catalog.conditionKey('aws:PrincipalTag/'), undefined, 'a tag key is required');
  assert.equal(catalog.conditionKey('aws:NoSuchKey'), undefined);
  assert.equal(catalog.conditionKey('s3:NoSuchKey'), undefined);
  // saml: names no service; its keys come from STS.
  assert.equal(catalog.conditionKey('saml:aud')?.type, 'String');
});

test('loads once per service and answers for several documents', async () => {
  const other = parsePolicy({ Statement: { Effect: 'Deny', Action: 'ec2:RunInstances', Resource: '*' } });
  const [a, b] = await Promise.all([loadCatalogFor([document, other]), loadCatalogFor([other])]);
  assert.equal(a.hasAction('ec2', 'RunInstances'), true);
  assert.equal(a.hasAction('s3', 'GetObject'), true);
  assert.equal(b.hasAction('ec2', 'runinstances'), true);
});
