import { exportJWK, exportPKCS8, generateKeyPair, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import type { EntityRecord, Store, StoreTx } from '../../store/store.js';
import { ServiceError, serviceFailure } from '../errors.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { req } from './common.js';
import { KIND } from './kinds.js';

// Account-level STS settings kept by IAM: the global endpoint's token version, and outbound web identity federation
// (the issuer and signing keys behind STS GetWebIdentityToken).

/** The one record of each setting kind an account has. */
const SETTING_KEY = 'account';

/** The algorithms GetWebIdentityToken signs with (its SigningAlgorithm values). */
export const SIGNING_ALGORITHMS = ['RS256', 'ES384'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/**
 * How long a signing key signs before a new one replaces it. The replaced key stays published until the next
 * rotation, far longer than the longest token (one hour) it may have signed.
 */
export const KEY_ROTATION_MS = 30 * 24 * 3600 * 1000;

/** Every issuer path starts so; AssumeRoleWithWebIdentity refuses tokens of any issuer under it. */
export const OUTBOUND_ISSUER_PATH = '/_gatehouse/outbound/';

export interface SigningKey {
  readonly kid: string;
  readonly created: string;
  /** The public key as a JWK (with kid, alg, use). */
  readonly publicJwk: JWK;
  /** PKCS#8 PEM, sealed by CoreServices.encryptSecret; dropped once the key is only kept for verification. */
  readonly sealedPrivateKey?: string;
}

export interface OutboundFederationData {
  readonly issuer: string;
  /** Per algorithm: the key that signs now, and the one it replaced (still in the JWKS). */
  readonly keys: Readonly<Record<SigningAlgorithm, { readonly current: SigningKey; readonly previous?: SigningKey }>>;
}

const featureEnabled = (): ServiceError =>
  new ServiceError('FeatureEnabled', 'Outbound web identity federation is already enabled for this account.', 409);
const featureDisabled = (): ServiceError =>
  new ServiceError('FeatureDisabled', 'Outbound web identity federation is not enabled for this account.', 404);

// ---- Global endpoint token version ----

/** GetAccountSummary's GlobalEndpointTokenVersion: 1 (v1Token, the default) or 2 (v2Token). */
export async function globalEndpointTokenVersion(tx: StoreTx, account: string): Promise<number> {
  const record = await tx.get(KIND.stsPreferences, account, SETTING_KEY);
  return record?.data['globalEndpointTokenVersion'] === 'v2Token' ? 2 : 1;
}

async function setSecurityTokenServicePreferences(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const version = req(p, 'GlobalEndpointTokenVersion');
  const record: EntityRecord = {
    kind: KIND.stsPreferences,
    account: ctx.account,
    key: SETTING_KEY,
    id: `sts-preferences:${ctx.account}`,
    path: '/',
    owner: '',
    created: ctx.now.toISOString(),
    data: { globalEndpointTokenVersion: version },
  };
  const existing = await ctx.tx.get(KIND.stsPreferences, ctx.account, SETTING_KEY);
  if (existing === undefined) await ctx.tx.insert(record);
  else await ctx.tx.update({ ...existing, data: record.data });
  return {};
}

// ---- Outbound web identity federation ----

/** A new key pair for `alg`, its private half sealed. */
export async function newSigningKey(alg: SigningAlgorithm, now: Date, seal: (plain: string) => string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, created: now.toISOString(), publicJwk, sealedPrivateKey: seal(await exportPKCS8(privateKey)) };
}

/**
 * The issuer for an account on the Gatehouse a request reached: its scheme and Host (SigV4 signs the Host, so it is
 * the endpoint the caller meant), then the reserved path. Recorded when the feature is enabled.
 */
export function issuerFor(origin: string | undefined, account: string): string {
  if (origin === undefined) throw serviceFailure();
  return `${origin}${OUTBOUND_ISSUER_PATH}${account}`;
}

export function outboundData(record: EntityRecord): OutboundFederationData {
  return record.data as unknown as OutboundFederationData;
}

export async function outboundRecord(tx: StoreTx, account: string): Promise<EntityRecord | undefined> {
  return tx.get(KIND.outboundFederation, account, SETTING_KEY);
}

async function enableOutboundWebIdentityFederation(ctx: OperationContext): Promise<Record<string, unknown>> {
  if ((await outboundRecord(ctx.tx, ctx.account)) !== undefined) throw featureEnabled();
  const issuer = issuerFor(ctx.origin, ctx.account);
  const seal = ctx.services.encryptSecret;
  const data: OutboundFederationData = {
    issuer,
    keys: {
      RS256: { current: await newSigningKey('RS256', ctx.now, seal) },
      ES384: { current: await newSigningKey('ES384', ctx.now, seal) },
    },
  };
  await ctx.tx.insert({
    kind: KIND.outboundFederation,
    account: ctx.account,
    key: SETTING_KEY,
    id: `outbound-federation:${ctx.account}`,
    path: '/',
    owner: '',
    created: ctx.now.toISOString(),
    data: { ...data },
  });
  return { IssuerIdentifier: issuer };
}

/** Disabling forgets the keys: tokens issued before can no longer be verified against this issuer. */
async function disableOutboundWebIdentityFederation(ctx: OperationContext): Promise<Record<string, unknown>> {
  if (!(await ctx.tx.delete(KIND.outboundFederation, ctx.account, SETTING_KEY))) throw featureDisabled();
  return {};
}

async function getOutboundWebIdentityFederationInfo(ctx: OperationContext): Promise<Record<string, unknown>> {
  const record = await outboundRecord(ctx.tx, ctx.account);
  if (record === undefined) throw featureDisabled();
  return { IssuerIdentifier: outboundData(record).issuer, JwtVendingEnabled: true };
}

/** The public documents a relying party fetches: the OpenID discovery document and the JWKS. */
export interface OutboundDiscovery {
  readonly configuration: Record<string, unknown>;
  readonly jwks: { keys: JWK[] };
}

export const JWKS_SUFFIX = '/.well-known/jwks.json';

/** The account's discovery documents, or undefined while the feature is not enabled there. */
export async function outboundDiscovery(store: Store, account: string): Promise<OutboundDiscovery | undefined> {
  const record = await store.read((tx) => outboundRecord(tx, account));
  if (record === undefined) return undefined;
  const { issuer, keys } = outboundData(record);
  const jwks: JWK[] = [];
  for (const alg of SIGNING_ALGORITHMS) {
    const pair = keys[alg];
    jwks.push(pair.current.publicJwk);
    if (pair.previous !== undefined) jwks.push(pair.previous.publicJwk);
  }
  return {
    configuration: {
      issuer,
      jwks_uri: `${issuer}${JWKS_SUFFIX}`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
      claims_supported: ['iss', 'sub', 'aud', 'iat', 'exp', 'nbf', 'jti', 'https://sts.amazonaws.com/'],
    },
    jwks: { keys: jwks },
  };
}

/** The Service Authorization Reference names no resource type for these actions. */
const op = operationsOf('iam', () => '*');

export const OUTBOUND_FEDERATION_OPERATIONS: readonly OperationDefinition[] = [
  op('SetSecurityTokenServicePreferences', setSecurityTokenServicePreferences),
  op('EnableOutboundWebIdentityFederation', enableOutboundWebIdentityFederation),
  op('DisableOutboundWebIdentityFederation', disableOutboundWebIdentityFederation),
  op('GetOutboundWebIdentityFederationInfo', getOutboundWebIdentityFederationInfo),
];
