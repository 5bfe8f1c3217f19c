import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { IDP_ENTITY_ID, IDP_KEY, idpMetadata, OTHER_IDP_KEY } from '../../../test/helpers/saml.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { defineOperations, type Params } from '../operation.js';
import { runner, TEST_ACCOUNT, rejects } from '../testing.js';
import { findSamlProvider, SAML_PROVIDER_OPERATIONS } from './saml-providers.js';

const OPERATIONS = defineOperations(SAML_PROVIDER_OPERATIONS);
const ARN = `arn:aws:iam::${TEST_ACCOUNT}:saml-provider/corp-idp`;
const METADATA = idpMetadata();

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
});

afterEach(() => store.close());


test('CreateSAMLProvider returns the ARN; GetSAMLProvider the document, dates and tags', async () => {
  const created = await iam.run('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: METADATA, Tags: [{ Key: 'team', Value: 'id' }] });
  assert.deepEqual(created, { SAMLProviderArn: ARN, Tags: [{ Key: 'team', Value: 'id' }] });
  const got = await iam.run('GetSAMLProvider', { SAMLProviderArn: ARN });
  assert.equal(got['SAMLMetadataDocument'], METADATA);
  assert.deepEqual(got['CreateDate'], new Date('2026-11-25T12:00:00Z'));
  // Metadata without validUntil: a hundred years from creation.
  assert.deepEqual(got['ValidUntil'], new Date('2126-11-25T12:00:00Z'));
  assert.deepEqual(got['Tags'], [{ Key: 'team', Value: 'id' }]);
  assert.match(got['SAMLProviderUUID'] as string, /^[0-9a-f-]{36}$/);
});

test('the provider keeps the entity ID and certificates AssumeRoleWithSAML trusts; UpdateSAMLProvider replaces them', async () => {
  await iam.run('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: METADATA });
  let trust = await store.read((tx) => findSamlProvider(tx, ARN));
  assert.deepEqual({ entityId: trust?.entityId, certificates: trust?.certificates }, { entityId: IDP_ENTITY_ID, certificates: [IDP_KEY.der] });
  const rolled = idpMetadata(IDP_ENTITY_ID, [OTHER_IDP_KEY.der]).replace('entityID=', 'validUntil="2030-01-01T00:00:00Z" entityID=');
  assert.deepEqual(await iam.run('UpdateSAMLProvider', { SAMLProviderArn: ARN, SAMLMetadataDocument: rolled }), { SAMLProviderArn: ARN });
  trust = await store.read((tx) => findSamlProvider(tx, ARN));
  assert.deepEqual(trust?.certificates, [OTHER_IDP_KEY.der]);
  const got = await iam.run('GetSAMLProvider', { SAMLProviderArn: ARN });
  assert.deepEqual(got['ValidUntil'], new Date('2030-01-01T00:00:00Z'));
});

test('ListSAMLProviders, tags, and DeleteSAMLProvider', async () => {
  await iam.run('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: METADATA });
  await iam.run('CreateSAMLProvider', { Name: 'other', SAMLMetadataDocument: METADATA });
  const listed = (await iam.run('ListSAMLProviders', {}))['SAMLProviderList'] as Array<Record<string, unknown>>;
  assert.deepEqual(listed.map((e) => e['Arn']), [ARN, `arn:aws:iam::${TEST_ACCOUNT}:saml-provider/other`]);
  await iam.run('TagSAMLProvider', { SAMLProviderArn: ARN, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] });
  await iam.run('UntagSAMLProvider', { SAMLProviderArn: ARN, TagKeys: ['A'] });
  assert.deepEqual(await iam.run('ListSAMLProviderTags', { SAMLProviderArn: ARN }), { Tags: [{ Key: 'b', Value: '2' }], IsTruncated: false });
  await iam.run('DeleteSAMLProvider', { SAMLProviderArn: ARN });
  await rejects(iam.run('GetSAMLProvider', { SAMLProviderArn: ARN }), 'NoSuchEntity', 404, `SAMLProvider not found for arn ${ARN}`);
});

const failures: ReadonlyArray<[string, string, Params, string, number, string]> = [
  ['metadata that is not XML', 'CreateSAMLProvider', { Name: 'x', SAMLMetadataDocument: 'x'.repeat(1000) }, 'InvalidInput', 400, 'Could not parse metadata.'],
  ['metadata without a certificate', 'CreateSAMLProvider', { Name: 'x', SAMLMetadataDocument: idpMetadata(IDP_ENTITY_ID, []) }, 'InvalidInput', 400, 'Could not parse metadata.'],
  ['SP metadata', 'CreateSAMLProvider', { Name: 'x', SAMLMetadataDocument: METADATA.replace(/IDPSSODescriptor/g, 'SPSSODescriptor') }, 'InvalidInput', 400, 'Could not parse metadata.'],
  ['a duplicate name', 'CreateSAMLProvider', { Name: 'CORP-IDP', SAMLMetadataDocument: METADATA }, 'EntityAlreadyExists', 409, 'SAMLProvider with name CORP-IDP already exists.'],
  ['an update without anything to update', 'UpdateSAMLProvider', { SAMLProviderArn: ARN }, 'InvalidInput', 400, 'Unable to update identity provider. No updates are defined for metadata or encryption assertion.'],
  ['an update with bad metadata', 'UpdateSAMLProvider', { SAMLProviderArn: ARN, SAMLMetadataDocument: '<x/>' }, 'InvalidInput', 400, 'Could not parse metadata.'],
  ['an unknown provider', 'DeleteSAMLProvider', { SAMLProviderArn: `${ARN}-nope` }, 'NoSuchEntity', 404, `SAMLProvider not found for arn ${ARN}-nope`],
  ['another account’s provider', 'GetSAMLProvider', { SAMLProviderArn: 'arn:aws:iam::999988887777:saml-provider/corp-idp' }, 'NoSuchEntity', 404, 'SAMLProvider not found for arn arn:aws:iam::999988887777:saml-provider/corp-idp'],
  ['a malformed ARN', 'GetSAMLProvider', { SAMLProviderArn: 'arn:aws:iam::111122223333:role/x' }, 'InvalidInput', 400, 'ARN arn:aws:iam::111122223333:role/x is not valid.'],
  ['assertion encryption', 'CreateSAMLProvider', { Name: 'y', SAMLMetadataDocument: METADATA, AssertionEncryptionMode: 'Required' }, 'NotImplemented', 501, 'SAML assertion encryption (private keys) is not implemented by Gatehouse.'],
];

for (const [name, operation, params, code, status, message] of failures) {
  test(`${operation} refuses ${name}`, async () => {
    await iam.run('CreateSAMLProvider', { Name: 'corp-idp', SAMLMetadataDocument: METADATA });
    await rejects(iam.run(operation, params), code, status, message);
  });
}
