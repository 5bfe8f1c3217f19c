import { importPKCS8, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { accessDenied, ServiceError, validationError } from '../errors.js';
import { list, num, req, requestTagKeys, str, type Tag } from '../iam/common.js';
import {
  KEY_ROTATION_MS,
  newSigningKey,
  OUTBOUND_ISSUER_PATH,
  outboundData,
  outboundRecord,
  SIGNING_ALGORITHMS,
  type OutboundFederationData,
  type SigningAlgorithm,
  type SigningKey,
} from '../iam/outbound-federation.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';

/** GetWebIdentityToken's lifetime when DurationSeconds is not given (the STS API reference). */
export const DEFAULT_TOKEN_SECONDS = 300;
/** The namespace AWS nests its own claims (account, request tags) under. */
export const AWS_CLAIMS = 'https://sts.amazonaws.com/';

const disabled = (): ServiceError =>
  new ServiceError(
    'OutboundWebIdentityFederationDisabledException',
    'The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.',
    403,
  );

/**
 * True for an issuer under any Gatehouse's outbound path. AWS does not accept the tokens GetWebIdentityToken issues
 * in AssumeRoleWithWebIdentity; the path is compared decoded and case-folded, as a proxy in front might route it.
 */
export function isOutboundIssuer(issuer: string): boolean {
  let path: string;
  try {
    path = decodeURIComponent(new URL(issuer).pathname).toLowerCase();
  } catch {
    return false;
  }
  return path.startsWith(OUTBOUND_ISSUER_PATH);
}

/** The refusal AssumeRoleWithWebIdentity answers such a token with (Gatehouse's wording). */
export const outboundTokenRefused = (): ServiceError =>
  new ServiceError('InvalidIdentityToken', 'Tokens issued by GetWebIdentityToken cannot be used with AssumeRoleWithWebIdentity.', 400);

function signingAlgorithm(p: Params): SigningAlgorithm {
  const alg = req(p, 'SigningAlgorithm');
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new ServiceError(
      'ValidationError',
      `1 validation error detected: Value '${alg}' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [${SIGNING_ALGORITHMS.join(', ')}]`,
    );
  }
  return alg as SigningAlgorithm;
}

/**
 * The signing key for `alg`, rotated first when it is due: the replaced key keeps only its public half, so the JWKS
 * still verifies the tokens it signed.
 */
async function signingKey(ctx: OperationContext, alg: SigningAlgorithm): Promise<{ issuer: string; key: SigningKey }> {
  const record = await outboundRecord(ctx.tx, ctx.account);
  if (record === undefined) throw disabled();
  const data = outboundData(record);
  const pair = data.keys[alg];
  if (ctx.now.getTime() - new Date(pair.current.created).getTime() < KEY_ROTATION_MS) return { issuer: data.issuer, key: pair.current };
  const { sealedPrivateKey: _retired, ...previous } = pair.current;
  const current = await newSigningKey(alg, ctx.now, ctx.services.encryptSecret);
  const next: OutboundFederationData = { ...data, keys: { ...data.keys, [alg]: { current, previous } } };
  await ctx.tx.update({ ...record, data: { ...next } });
  return { issuer: data.issuer, key: current };
}

/** The principal a token names: a role session by its role (as AWS's sample token does), anyone else by its ARN. */
const subjectOf = (ctx: OperationContext): string => ctx.caller.roleArn ?? ctx.caller.arn;

export type SubjectMode = 'AWSIdentity' | 'OriginIdentity';
const subjectMode = (p: Params): SubjectMode => (str(p, 'SubjectMode') as SubjectMode | undefined) ?? 'AWSIdentity';

// A scope value: printable ASCII except the space, the double quotation mark, the comma and the backslash.
const SCOPE_VALUE = /^[\x21\x23-\x2B\x2D-\x5B\x5D-\x7E]+$/;

/**
 * The values of Scope, checked as the API reference describes them (RFC 6749 section 3.3: single spaces between
 * values, none at either end; no value twice, case counting). The texts are Gatehouse's.
 */
export function scopeValues(scope: string): string[] {
  if (scope.startsWith(' ') || scope.endsWith(' ')) throw validationError('Scope must not begin or end with a space.');
  const values = scope.split(' ');
  if (values.includes('')) throw validationError('Separate the values of Scope with a single space.');
  for (const value of values) {
    if (!SCOPE_VALUE.test(value)) {
      throw validationError(`The scope value ${JSON.stringify(value)} may contain only printable ASCII characters other than the space, '"', ',' and '\\'.`);
    }
  }
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw validationError(`The scope value ${JSON.stringify(value)} is repeated.`);
    seen.add(value);
  }
  return values;
}

/** A context key of the calling session, as a single string when it has one. */
function sessionKey(ctx: OperationContext, key: string): string | undefined {
  const value = ctx.caller.context?.[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The subject for SubjectMode OriginIdentity: the session's aws:OriginIdentity/Subject, which trusted identity
 * propagation sets from the identity provider's token. Gatehouse's federation sets no such context (IAM context
 * providers are not implemented), so today every such request ends in the validation error AWS documents for a
 * session without it; the other checks are AWS's documented refusals of a subject that looks like an ARN or carries
 * control, format or separator characters.
 */
function originSubject(ctx: OperationContext): string {
  const subject = sessionKey(ctx, 'aws:OriginIdentity/Subject');
  const vouched = sessionKey(ctx, 'aws:OriginIdentity/Issuer') ?? sessionKey(ctx, 'aws:OriginIdentity/FederatedProviderArn');
  if (subject === undefined || subject.trim() === '' || vouched === undefined) {
    throw validationError(
      'SubjectMode OriginIdentity requires the calling session to carry aws:OriginIdentity/Subject and aws:OriginIdentity/Issuer or aws:OriginIdentity/FederatedProviderArn; this session has no such trusted identity propagation context.',
    );
  }
  if (/^arn:/i.test(subject) || subject !== subject.trim() || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|(?! )\p{Zs}/u.test(subject)) {
    throw accessDenied('The origin identity subject of the calling session cannot be used as the subject of a web identity token.');
  }
  return subject;
}

/**
 * A token may not outlive the temporary credentials that asked for it (SessionDurationEscalationException); this
 * wording is Gatehouse's, AWS documents only the code.
 */
function checkDuration(ctx: OperationContext, seconds: number): void {
  const expires = ctx.caller.session?.expires;
  if (expires === undefined) return;
  if (ctx.now.getTime() + seconds * 1000 > new Date(expires).getTime()) {
    throw new ServiceError(
      'SessionDurationEscalationException',
      'The requested token duration would extend beyond the expiration of the credentials used to request it.',
      403,
    );
  }
}

async function getWebIdentityToken(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const alg = signingAlgorithm(p);
  const audience = list<string>(p, 'Audience');
  const seconds = num(p, 'DurationSeconds') ?? DEFAULT_TOKEN_SECONDS;
  const tags = list<Tag>(p, 'Tags');
  const scope = str(p, 'Scope');
  const mode = subjectMode(p);
  if (scope !== undefined) {
    scopeValues(scope);
    // Gatehouse's wording of AWS's documented rule.
    if (mode !== 'OriginIdentity' || audience.length !== 1) throw validationError('Scope can be specified only with SubjectMode OriginIdentity and exactly one Audience.');
  }
  const subject = mode === 'OriginIdentity' ? originSubject(ctx) : subjectOf(ctx);
  checkDuration(ctx, seconds);
  const { issuer, key } = await signingKey(ctx, alg);
  const privateKey = await importPKCS8(ctx.services.decryptSecret(key.sealedPrivateKey as string), alg);
  const issuedAt = Math.floor(ctx.now.getTime() / 1000);
  const expiration = issuedAt + seconds;
  const aws: Record<string, unknown> = { aws_account: ctx.account, principal_id: ctx.caller.arn };
  if (tags.length > 0) aws['request_tags'] = Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
  // The scope goes in as sent, in the top-level `scope` claim; OriginIdentity adds `subject_mode`.
  const extra: Record<string, unknown> = {
    ...(scope !== undefined ? { scope } : {}),
    ...(mode === 'OriginIdentity' ? { subject_mode: mode } : {}),
  };
  const token = await new SignJWT({ ...extra, [AWS_CLAIMS]: aws })
    .setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setSubject(subject)
    .setAudience(audience.length === 1 ? (audience[0] as string) : audience)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(expiration)
    .setJti(randomUUID())
    .sign(privateKey);
  return { WebIdentityToken: token, Expiration: new Date(expiration * 1000) };
}

/**
 * The condition keys the Service Authorization Reference lists for sts:GetWebIdentityToken, with sts:SubjectMode and
 * the multivalued sts:IdentityTokenScope the API reference documents for the newer members.
 */
function conditionKeys(_ctx: OperationContext, p: Params): Record<string, string | string[]> {
  const keys: Record<string, string | string[]> = {
    'sts:IdentityTokenAudience': list<string>(p, 'Audience'),
    'sts:DurationSeconds': String(num(p, 'DurationSeconds') ?? DEFAULT_TOKEN_SECONDS),
    'sts:SigningAlgorithm': req(p, 'SigningAlgorithm'),
    'sts:SubjectMode': subjectMode(p),
  };
  const scope = str(p, 'Scope');
  // Split as sent: a malformed Scope is refused by the operation, after this decision.
  if (scope !== undefined) keys['sts:IdentityTokenScope'] = scope.split(' ').filter((v) => v !== '');
  return Object.assign(keys, requestTagKeys(list<Tag>(p, 'Tags')));
}

export const WEB_IDENTITY_TOKEN_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'sts',
    name: 'GetWebIdentityToken',
    resource: () => '*',
    conditionKeys,
    // IAM User Guide, "Controlling access with IAM policies" (outbound identity federation): "To allow Tags (key, value
    // pairs) to be passed to the GetWebIdentityToken call, the IAM principal must have the sts:TagGetWebIdentityToken
    // permission." Evaluated with the same request keys (aws:RequestTag, aws:TagKeys, which the SAR lists for it).
    // Asking for a scope is a permission of its own, decided with the same keys.
    alsoRequires: (_ctx, p) => [
      ...(list<Tag>(p, 'Tags').length > 0 ? ['sts:TagGetWebIdentityToken'] : []),
      ...(str(p, 'Scope') !== undefined ? ['sts:SetWebIdentityTokenScope'] : []),
    ],
    // Issuing may rotate the account's signing key, so this Get needs a writing transaction.
    writes: () => true,
    run: getWebIdentityToken,
  },
];
