import { checkAccountQuota, quotaExceeded } from './quotas.js';
import { tagRequestKeys } from './tagging.js';
import { randomUUID } from 'node:crypto';
import type { EntityRecord, StoreTx } from '../../store/store.js';
import { DuplicateKeyError } from '../../store/store.js';
import { entityAlreadyExists, invalidInput, noSuchEntity } from '../errors.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { parseProviderUrl } from '../sts/oidc-verify.js';
import { checkTags, list, mergeTags, pageMembers, paginate, removeTags, req, tagsOf, type Tag } from './common.js';

/** Entity kind of IAM OIDC identity providers; the key is the URL without its scheme (host and path). */
export const OIDC_PROVIDER_KIND = 'oidc-provider';

// IAM's documented limits.
const MAX_CLIENT_IDS = 100;
const MAX_THUMBPRINTS = 5;
const MAX_PROVIDERS = 100;

const PROVIDER_ARN = /^arn:aws:iam::(\d{12}):oidc-provider\/(.+)$/;

export const oidcProviderArn = (account: string, hostPath: string): string => `arn:aws:iam::${account}:oidc-provider/${hostPath}`;

const notFound = (arn: string): Error => noSuchEntity(`OpenIDConnect Provider not found for arn ${arn}`);

/** The provider an issuer URL (the token's `iss`) names in an account, if registered there. */
export async function findOidcProviderByIssuer(tx: StoreTx, account: string, issuer: string): Promise<EntityRecord | undefined> {
  const parsed = parseProviderUrl(issuer);
  if (parsed === undefined) return undefined;
  const record = await tx.get(OIDC_PROVIDER_KIND, account, parsed.hostPath);
  // The store compares keys without case; the issuer must match the registered URL exactly, as its path is.
  return record !== undefined && record.data['url'] === parsed.url ? record : undefined;
}

export function providerClientIds(record: EntityRecord): string[] {
  return (record.data['clientIds'] as string[] | undefined) ?? [];
}

/**
 * The provider an ARN names in the caller's account. Its key is the URL's host and path, and the path is
 * case-sensitive like the issuer it must match: another case names another provider, not this one.
 */
async function findOwnProvider(ctx: OperationContext, arn: string): Promise<EntityRecord | undefined> {
  const m = PROVIDER_ARN.exec(arn);
  if (m === null || m[1] !== ctx.account) return undefined;
  const record = await ctx.tx.get(OIDC_PROVIDER_KIND, ctx.account, m[2] as string);
  return record !== undefined && record.key === m[2] ? record : undefined;
}

async function getProvider(ctx: OperationContext, arn: string): Promise<EntityRecord> {
  const record = await findOwnProvider(ctx, arn);
  if (record === undefined) throw notFound(arn);
  return record;
}

function checkThumbprints(thumbprints: readonly string[]): void {
  // Gatehouse's wording; the API model already bounds each thumbprint to 40 characters.
  if (thumbprints.length > MAX_THUMBPRINTS) throw invalidInput(`Thumbprint list must contain at most ${MAX_THUMBPRINTS} thumbprints.`);
}

function checkClientIds(ids: readonly string[]): void {
  if (ids.length > MAX_CLIENT_IDS) throw quotaExceeded('ClientIdsPerOpenIdConnectProvider', MAX_CLIENT_IDS);
}

const unique = (values: readonly string[]): string[] => [...new Set(values)];

async function createProvider(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const url = req(p, 'Url');
  const parsed = parseProviderUrl(url);
  // Gatehouse's wording: AWS documents the https requirement, not its refusal text.
  if (parsed === undefined) throw invalidInput(`Invalid OpenID Connect provider URL ${url}: it must begin with https:// and have no query or fragment.`);
  const clientIds = unique(list<string>(p, 'ClientIDList'));
  const thumbprints = unique(list<string>(p, 'ThumbprintList').map((t) => t.toLowerCase()));
  checkClientIds(clientIds);
  checkThumbprints(thumbprints);
  const tags = list<Tag>(p, 'Tags');
  checkTags(tags);
  await checkAccountQuota(ctx, OIDC_PROVIDER_KIND, 'OpenIdConnectProvidersPerAccount', MAX_PROVIDERS);
  const record: EntityRecord = {
    kind: OIDC_PROVIDER_KIND,
    account: ctx.account,
    key: parsed.hostPath,
    id: `oidc-${randomUUID()}`,
    path: '/',
    owner: '',
    created: ctx.now.toISOString(),
    data: { url: parsed.url, clientIds, thumbprints, tags },
  };
  try {
    await ctx.tx.insert(record);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw entityAlreadyExists(`Provider with url ${url} already exists.`);
    throw error;
  }
  return { OpenIDConnectProviderArn: oidcProviderArn(ctx.account, parsed.hostPath), ...(tags.length > 0 ? { Tags: tags } : {}) };
}

async function getProviderOp(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getProvider(ctx, req(p, 'OpenIDConnectProviderArn'));
  const tags = tagsOf(record);
  return {
    // IAM reports the URL without its scheme.
    Url: record.key,
    ClientIDList: providerClientIds(record),
    ThumbprintList: (record.data['thumbprints'] as string[] | undefined) ?? [],
    CreateDate: new Date(record.created),
    ...(tags.length > 0 ? { Tags: tags } : {}),
  };
}

async function listProviders(ctx: OperationContext): Promise<Record<string, unknown>> {
  const records = await ctx.tx.list(OIDC_PROVIDER_KIND, ctx.account);
  return { OpenIDConnectProviderList: records.map((r) => ({ Arn: oidcProviderArn(r.account, r.key) })) };
}

async function deleteProvider(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await findOwnProvider(ctx, req(p, 'OpenIDConnectProviderArn'));
  // AWS documents DeleteOpenIDConnectProvider as idempotent: deleting a provider that does not exist succeeds.
  if (record !== undefined) await ctx.tx.delete(OIDC_PROVIDER_KIND, ctx.account, record.key);
  return {};
}

async function update(ctx: OperationContext, p: Params, change: (record: EntityRecord) => Record<string, unknown>): Promise<Record<string, unknown>> {
  const record = await getProvider(ctx, req(p, 'OpenIDConnectProviderArn'));
  await ctx.tx.update({ ...record, data: { ...record.data, ...change(record) } });
  return {};
}

// Adding a client ID that is there already, or removing one that is not, succeeds: AWS documents both as idempotent.
const addClientId = (ctx: OperationContext, p: Params): Promise<Record<string, unknown>> =>
  update(ctx, p, (record) => {
    const ids = unique([...providerClientIds(record), req(p, 'ClientID')]);
    checkClientIds(ids);
    return { clientIds: ids };
  });

const removeClientId = (ctx: OperationContext, p: Params): Promise<Record<string, unknown>> =>
  update(ctx, p, (record) => ({ clientIds: providerClientIds(record).filter((id) => id !== req(p, 'ClientID')) }));

const updateThumbprints = (ctx: OperationContext, p: Params): Promise<Record<string, unknown>> =>
  update(ctx, p, () => {
    const thumbprints = unique(list<string>(p, 'ThumbprintList').map((t) => t.toLowerCase()));
    checkThumbprints(thumbprints);
    return { thumbprints };
  });

const tagProvider = (ctx: OperationContext, p: Params): Promise<Record<string, unknown>> =>
  update(ctx, p, (record) => ({ tags: mergeTags(tagsOf(record), list<Tag>(p, 'Tags')) }));

const untagProvider = (ctx: OperationContext, p: Params): Promise<Record<string, unknown>> =>
  update(ctx, p, (record) => ({ tags: removeTags(tagsOf(record), list<string>(p, 'TagKeys')) }));

async function listProviderTags(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getProvider(ctx, req(p, 'OpenIDConnectProviderArn'));
  const page = paginate(tagsOf(record), p);
  return { Tags: page.page, ...pageMembers(page) };
}

/**
 * The Service Authorization Reference names the provider ARN as the resource of every action but List: the one the
 * operation acts on, as stored, found as the operation finds it; as sent when there is none.
 */
async function byArn(ctx: OperationContext, p: Params): Promise<string> {
  const arn = req(p, 'OpenIDConnectProviderArn');
  const record = await findOwnProvider(ctx, arn);
  return record === undefined ? arn : oidcProviderArn(record.account, record.key);
}

const op = operationsOf('iam', byArn);

export const OIDC_PROVIDER_OPERATIONS: readonly OperationDefinition[] = [
  op('CreateOpenIDConnectProvider', createProvider, {
    resource: (ctx, p) => oidcProviderArn(ctx.account, parseProviderUrl(req(p, 'Url'))?.hostPath ?? req(p, 'Url').replace(/^[a-z]+:\/\//i, '')),
    conditionKeys: tagRequestKeys,
  }),
  op('GetOpenIDConnectProvider', getProviderOp),
  op('ListOpenIDConnectProviders', listProviders, { resource: () => '*' }),
  op('DeleteOpenIDConnectProvider', deleteProvider),
  op('AddClientIDToOpenIDConnectProvider', addClientId),
  op('RemoveClientIDFromOpenIDConnectProvider', removeClientId),
  op('UpdateOpenIDConnectProviderThumbprint', updateThumbprints),
  op('TagOpenIDConnectProvider', tagProvider, { conditionKeys: tagRequestKeys }),
  op('UntagOpenIDConnectProvider', untagProvider, { conditionKeys: (_ctx, p) => ({ 'aws:TagKeys': list<string>(p, 'TagKeys') }) }),
  op('ListOpenIDConnectProviderTags', listProviderTags),
];
