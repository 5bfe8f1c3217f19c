import { checkAccountQuota } from './quotas.js';
import { tagEntity, untagEntity, listEntityTags, tagRequestKeys, untagRequestKeys } from './tagging.js';
import { randomUUID } from 'node:crypto';
import type { EntityRecord, StoreTx } from '../../store/store.js';
import { DuplicateKeyError } from '../../store/store.js';
import { entityAlreadyExists, invalidInput, noSuchEntity, ServiceError } from '../errors.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { parseSamlMetadata, type SamlMetadata } from '../sts/saml-verify.js';
import {
  checkTags,
  list,
  req,
  str,
  tagsOf,
  type Tag,
} from './common.js';

/** The Store kind of SAML providers: key is the provider name, data holds the metadata and what was read from it. */
export const SAML_PROVIDER_KIND = 'saml-provider';

/** AWS's documented default quota of SAML providers per account. */
const SAML_PROVIDERS_PER_ACCOUNT = 100;
/** Metadata without validUntil: IAM reports the provider valid for a hundred years from its creation. */
const DEFAULT_VALIDITY_YEARS = 100;

export const SAML_PROVIDER_ARN = /^arn:aws:iam::(\d{12}):saml-provider\/([\w.+=,@-]+)$/;

export const samlProviderArn = (account: string, name: string): string => `arn:aws:iam::${account}:saml-provider/${name}`;

// Gatehouse's wording for the not-found and already-exists cases: AWS does not document its texts for SAML providers.
const noSuchProvider = (arn: string): Error => noSuchEntity(`SAMLProvider not found for arn ${arn}`);
/** AWS's text (IAM User Guide, "Troubleshoot SAML federation") for metadata it cannot use. */
const couldNotParse = (): Error => invalidInput('Could not parse metadata.');

export interface SamlProviderTrust {
  readonly arn: string;
  readonly name: string;
  readonly account: string;
  readonly entityId: string;
  readonly certificates: readonly string[];
}

/** The provider a SAML provider ARN names, in whatever account it names, or undefined. */
export async function findSamlProvider(tx: StoreTx, arn: string): Promise<SamlProviderTrust | undefined> {
  const m = SAML_PROVIDER_ARN.exec(arn);
  if (m === null) return undefined;
  const record = await tx.get(SAML_PROVIDER_KIND, m[1] as string, m[2] as string);
  if (record === undefined) return undefined;
  return {
    arn: samlProviderArn(record.account, record.key),
    name: record.key,
    account: record.account,
    entityId: record.data['entityId'] as string,
    certificates: record.data['certificates'] as string[],
  };
}

function readMetadata(document: string): SamlMetadata {
  const metadata = parseSamlMetadata(document);
  if (metadata === undefined) throw couldNotParse();
  return metadata;
}

function metadataData(document: string, metadata: SamlMetadata, created: Date): Record<string, unknown> {
  const validUntil = metadata.validUntil ?? new Date(Date.UTC(created.getUTCFullYear() + DEFAULT_VALIDITY_YEARS, created.getUTCMonth(), created.getUTCDate(), created.getUTCHours(), created.getUTCMinutes(), created.getUTCSeconds()));
  return { metadata: document, entityId: metadata.entityId, certificates: [...metadata.certificates], validUntil: validUntil.toISOString() };
}

/** Assertion encryption needs private keys Gatehouse does not keep: refused rather than silently ignored. */
function refuseEncryption(p: Params): void {
  if (str(p, 'AssertionEncryptionMode') === 'Required' || str(p, 'AddPrivateKey') !== undefined || str(p, 'RemovePrivateKey') !== undefined) {
    throw new ServiceError('NotImplemented', 'SAML assertion encryption (private keys) is not implemented by Gatehouse.', 501, 'Receiver');
  }
}

/** The provider an ARN names in the caller's account (its name compared without case); undefined when none. */
async function findOwnProvider(ctx: OperationContext, arn: string): Promise<EntityRecord | undefined> {
  const m = SAML_PROVIDER_ARN.exec(arn);
  return m !== null && m[1] === ctx.account ? ctx.tx.get(SAML_PROVIDER_KIND, ctx.account, m[2] as string) : undefined;
}

/** The provider named by the SAMLProviderArn parameter, in the caller's account. */
async function getProvider(ctx: OperationContext, arn: string): Promise<EntityRecord> {
  if (SAML_PROVIDER_ARN.exec(arn) === null) throw invalidInput(`ARN ${arn} is not valid.`);
  const record = await findOwnProvider(ctx, arn);
  if (record === undefined) throw noSuchProvider(arn);
  return record;
}

async function createSamlProvider(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  refuseEncryption(p);
  const name = req(p, 'Name');
  const document = req(p, 'SAMLMetadataDocument');
  const tags = list<Tag>(p, 'Tags').map((t) => ({ Key: t.Key, Value: t.Value }));
  checkTags(tags);
  const metadata = readMetadata(document);
  await checkAccountQuota(ctx, SAML_PROVIDER_KIND, 'SAMLProvidersPerAccount', SAML_PROVIDERS_PER_ACCOUNT);
  // AWS gives SAML providers no IAM unique ID, only SAMLProviderUUID: that serves as the store's ID.
  const uuid = randomUUID();
  const record: EntityRecord = {
    kind: SAML_PROVIDER_KIND,
    account: ctx.account,
    key: name,
    id: uuid,
    path: '/',
    owner: '',
    created: ctx.now.toISOString(),
    data: { ...metadataData(document, metadata, ctx.now), tags },
  };
  try {
    await ctx.tx.insert(record);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw entityAlreadyExists(`SAMLProvider with name ${name} already exists.`);
    throw error;
  }
  return { SAMLProviderArn: samlProviderArn(ctx.account, name), ...(tags.length > 0 ? { Tags: tags } : {}) };
}

async function getSamlProvider(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getProvider(ctx, req(p, 'SAMLProviderArn'));
  const tags = tagsOf(record);
  return {
    SAMLProviderUUID: record.id,
    SAMLMetadataDocument: record.data['metadata'],
    CreateDate: new Date(record.created),
    ValidUntil: new Date(record.data['validUntil'] as string),
    AssertionEncryptionMode: 'Allowed',
    ...(tags.length > 0 ? { Tags: tags } : {}),
  };
}

async function updateSamlProvider(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  refuseEncryption(p);
  const record = await getProvider(ctx, req(p, 'SAMLProviderArn'));
  const document = str(p, 'SAMLMetadataDocument');
  if (document === undefined) {
    if (str(p, 'AssertionEncryptionMode') !== undefined) return { SAMLProviderArn: samlProviderArn(record.account, record.key) };
    // AWS's text (IAM User Guide, "Troubleshoot SAML federation").
    throw invalidInput('Unable to update identity provider. No updates are defined for metadata or encryption assertion.');
  }
  const metadata = readMetadata(document);
  await ctx.tx.update({ ...record, data: { ...record.data, ...metadataData(document, metadata, ctx.now) } });
  return { SAMLProviderArn: samlProviderArn(record.account, record.key) };
}

async function deleteSamlProvider(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getProvider(ctx, req(p, 'SAMLProviderArn'));
  await ctx.tx.delete(SAML_PROVIDER_KIND, ctx.account, record.key);
  return {};
}

async function listSamlProviders(ctx: OperationContext): Promise<Record<string, unknown>> {
  const records = await ctx.tx.list(SAML_PROVIDER_KIND, ctx.account);
  return {
    SAMLProviderList: records.map((r) => ({
      Arn: samlProviderArn(r.account, r.key),
      ValidUntil: new Date(r.data['validUntil'] as string),
      CreateDate: new Date(r.created),
    })),
  };
}

async function tagSamlProvider(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return tagEntity(ctx, await getProvider(ctx, req(p, 'SAMLProviderArn')), p);
}

async function untagSamlProvider(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return untagEntity(ctx, await getProvider(ctx, req(p, 'SAMLProviderArn')), p);
}

async function listSamlProviderTags(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return listEntityTags(await getProvider(ctx, req(p, 'SAMLProviderArn')), p);
}

/** The provider's ARN as stored, so a decision does not depend on the case of the name sent; as sent when none. */
async function byArn(ctx: OperationContext, p: Params): Promise<string> {
  const arn = req(p, 'SAMLProviderArn');
  const record = await findOwnProvider(ctx, arn);
  return record === undefined ? arn : samlProviderArn(record.account, record.key);
}

const op = operationsOf('iam', byArn);

export const SAML_PROVIDER_OPERATIONS: readonly OperationDefinition[] = [
  op('CreateSAMLProvider', createSamlProvider, {
    resource: (ctx, p) => samlProviderArn(ctx.account, req(p, 'Name')),
    conditionKeys: tagRequestKeys,
  }),
  op('GetSAMLProvider', getSamlProvider),
  op('UpdateSAMLProvider', updateSamlProvider),
  op('DeleteSAMLProvider', deleteSamlProvider),
  // The Service Authorization Reference names no resource for ListSAMLProviders.
  op('ListSAMLProviders', listSamlProviders, { resource: () => '*' }),
  op('TagSAMLProvider', tagSamlProvider, { conditionKeys: tagRequestKeys }),
  op('UntagSAMLProvider', untagSamlProvider, { conditionKeys: untagRequestKeys }),
  op('ListSAMLProviderTags', listSamlProviderTags),
];
