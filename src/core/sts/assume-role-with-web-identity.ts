import type { JWTPayload } from 'jose';
import { ServiceError } from '../errors.js';
import { num, req, str } from '../iam/common.js';
import { findOidcProviderByIssuer, oidcProviderArn, providerClientIds } from '../iam/oidc-providers.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { issueFederatedRoleSession, roleArnAccount } from './federated-session.js';
import { invalidIdentityToken, matchingAudience, sharedOidcKeys, unverifiedClaims, verifyWebIdentityToken } from './oidc-verify.js';
import type { SessionTag } from './session-token.js';
import { sessionPolicyInput } from './session-policy.js';
import { isOutboundIssuer, outboundTokenRefused } from './web-identity-token.js';

const ACTION = 'sts:AssumeRoleWithWebIdentity';
/** The claim AWS reads session tags from, and the one it reads a source identity from. */
const TAGS_CLAIM = 'https://aws.amazon.com/tags';
const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';

const noProvider = (issuer: unknown): ServiceError => invalidIdentityToken(`No OpenIDConnect provider found in your account for ${String(issuer)}`);

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The context keys AWS derives from an OIDC token, named after the provider (host and path): PROVIDER:sub,
 * PROVIDER:aud (the `azp` when the token has one, else `aud`), PROVIDER:oaud (then the `aud`), PROVIDER:amr.
 */
export function webIdentityContext(hostPath: string, claims: JWTPayload): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const azp = claims['azp'];
  const aud = strings(claims.aud);
  if (typeof azp === 'string') {
    out[`${hostPath}:aud`] = azp;
    if (aud.length > 0) out[`${hostPath}:oaud`] = aud;
  } else if (aud.length > 0) {
    out[`${hostPath}:aud`] = aud.length === 1 ? (aud[0] as string) : aud;
  }
  if (typeof claims.sub === 'string') out[`${hostPath}:sub`] = claims.sub;
  const amr = strings(claims['amr']);
  if (amr.length > 0) out[`${hostPath}:amr`] = amr;
  return out;
}

/** Session tags from the token's `https://aws.amazon.com/tags` claim: principal_tags (key → [value]) and transitive_tag_keys. */
export function tokenSessionTags(claims: JWTPayload): { tags: SessionTag[]; transitive: string[] } {
  const claim = claims[TAGS_CLAIM];
  if (typeof claim !== 'object' || claim === null) return { tags: [], transitive: [] };
  const { principal_tags: principal, transitive_tag_keys: transitive } = claim as { principal_tags?: unknown; transitive_tag_keys?: unknown };
  const tags: SessionTag[] = [];
  if (typeof principal === 'object' && principal !== null) {
    for (const [key, value] of Object.entries(principal)) {
      const first = strings(value)[0];
      if (first !== undefined) tags.push({ Key: key, Value: first });
    }
  }
  return { tags, transitive: strings(transitive) };
}

async function prepare(p: Params, env: Parameters<NonNullable<OperationDefinition['prepare']>>[1]): Promise<void> {
  const claims = unverifiedClaims(req(p, 'WebIdentityToken'));
  const account = roleArnAccount(req(p, 'RoleArn'));
  if (typeof claims.iss !== 'string' || isOutboundIssuer(claims.iss)) return;
  const issuer = claims.iss;
  // Only issuers registered in the role's account are ever fetched: the request is unauthenticated.
  const provider = await env.store.read((tx) => findOidcProviderByIssuer(tx, account, issuer));
  if (provider !== undefined) await sharedOidcKeys.warm(provider.data['url'] as string, env.now);
}

async function assumeRoleWithWebIdentity(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const roleArn = req(p, 'RoleArn');
  const token = req(p, 'WebIdentityToken');
  if (str(p, 'ProviderId') !== undefined) {
    // Gatehouse's wording: only OpenID Connect ID tokens are verifiable here.
    throw new ServiceError('InvalidParameterValue', 'ProviderId (OAuth 2.0 access tokens) is not supported by Gatehouse; pass an OpenID Connect ID token without ProviderId.', 400);
  }
  const account = roleArnAccount(roleArn);
  const unverified = unverifiedClaims(token);
  if (typeof unverified.iss === 'string' && isOutboundIssuer(unverified.iss)) throw outboundTokenRefused();
  const provider = typeof unverified.iss === 'string' ? await findOidcProviderByIssuer(ctx.tx, account, unverified.iss) : undefined;
  if (provider === undefined) throw noProvider(unverified.iss);
  const clientIds = providerClientIds(provider);
  const claims = await verifyWebIdentityToken(token, { url: provider.data['url'] as string, clientIds }, { now: ctx.now });
  if (typeof claims.sub !== 'string' || claims.sub === '') throw invalidIdentityToken('The web identity token has no subject (sub) claim.');
  const audience = matchingAudience(claims, clientIds) as string;
  const providerArn = oidcProviderArn(account, provider.key);
  const context = webIdentityContext(provider.key, claims);
  const { tags, transitive } = tokenSessionTags(claims);
  const sourceIdentity = typeof claims[SOURCE_IDENTITY_CLAIM] === 'string' ? (claims[SOURCE_IDENTITY_CLAIM] as string) : undefined;

  const session = await issueFederatedRoleSession(ctx, {
    action: ACTION,
    roleArn,
    sessionName: req(p, 'RoleSessionName'),
    durationSeconds: num(p, 'DurationSeconds'),
    policy: sessionPolicyInput(p),
    providerArn,
    context,
    sessionContext: context,
    sourceIdentity,
    tags,
    transitiveTagKeys: transitive,
    minimumTokenSize: num(p, 'MinimumSessionTokenSize'),
  });
  return {
    Credentials: session.Credentials,
    SubjectFromWebIdentityToken: claims.sub,
    AssumedRoleUser: session.AssumedRoleUser,
    ...(session.PackedPolicySize !== undefined ? { PackedPolicySize: session.PackedPolicySize } : {}),
    // For an OpenID Connect ID token, AWS reports the token's `iss` as the provider.
    Provider: claims.iss,
    Audience: audience,
    ...(session.SourceIdentity !== undefined ? { SourceIdentity: session.SourceIdentity } : {}),
    SessionTokenUtilization: session.SessionTokenUtilization,
    SessionTokenSize: session.SessionTokenSize,
  };
}

export const WEB_IDENTITY_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'sts',
    name: 'AssumeRoleWithWebIdentity',
    resource: (_ctx, p) => req(p, 'RoleArn'),
    // Unsigned: the gateway runs no identity-policy check; the role's trust policy decides, inside the operation.
    allowedWithoutPolicy: async () => true,
    prepare,
    run: assumeRoleWithWebIdentity,
  },
];
