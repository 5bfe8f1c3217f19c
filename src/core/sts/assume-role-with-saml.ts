import { createHash } from 'node:crypto';
import { ServiceError, validationError } from '../errors.js';
import { num, req } from '../iam/common.js';
import { findSamlProvider, SAML_PROVIDER_ARN, SAML_PROVIDER_OPERATIONS, type SamlProviderTrust } from '../iam/saml-providers.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { issueFederatedRoleSession, notAuthorizedToAssume, roleArnAccount } from './federated-session.js';
import { invalidIdentityToken, verifySamlResponse, type SamlClaims } from './saml-verify.js';
import { sessionPolicyInput } from './session-policy.js';
import type { SessionTag } from './session-token.js';

const ACTION = 'sts:AssumeRoleWithSAML';
const AWS_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/';
const ROLE = `${AWS_ATTRIBUTE}Role`;
const ROLE_SESSION_NAME = `${AWS_ATTRIBUTE}RoleSessionName`;
const SESSION_DURATION = `${AWS_ATTRIBUTE}SessionDuration`;
const SOURCE_IDENTITY = `${AWS_ATTRIBUTE}SourceIdentity`;
const PRINCIPAL_TAG = `${AWS_ATTRIBUTE}PrincipalTag:`;
const TRANSITIVE_TAG_KEYS = `${AWS_ATTRIBUTE}TransitiveTagKeys`;
const NAME_ID_FORMAT_PREFIX = 'urn:oasis:names:tc:SAML:2.0:nameid-format:';
const SESSION_NAME = /^[a-zA-Z_0-9+=,.@-]{2,64}$/;

/**
 * SAML attributes AWS maps to `saml:` condition keys ("Available keys for SAML-based AWS STS federation"): the
 * eduPerson / eduOrg schema and the X.500 / LDAP attributes, by their OID attribute names.
 */
const ATTRIBUTE_KEYS: ReadonlyArray<[string, readonly string[]]> = [
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.1', ['saml:edupersonaffiliation']],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.2', ['saml:edupersonnickname']],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.3', ['saml:edupersonorgdn']],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.4', ['saml:edupersonorgunitdn']],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.5', ['saml:edupersonprimaryaffiliation']],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.6', ['saml:edupersonprincipalname']],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.7', ['saml:edupersonentitlement']],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.8', ['saml:edupersonprimaryorgunitdn']],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.9', ['saml:edupersonscopedaffiliation']],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.10', ['saml:edupersontargetedid']],
  ['urn:oid:1.3.6.1.4.1.5923.1.1.1.11', ['saml:edupersonassurance']],
  ['urn:oid:1.3.6.1.4.1.5923.1.2.1.2', ['saml:eduorghomepageuri']],
  ['urn:oid:1.3.6.1.4.1.5923.1.2.1.3', ['saml:eduorgidentityauthnpolicyuri']],
  ['urn:oid:1.3.6.1.4.1.5923.1.2.1.4', ['saml:eduorglegalname']],
  ['urn:oid:1.3.6.1.4.1.5923.1.2.1.5', ['saml:eduorgsuperioruri']],
  ['urn:oid:1.3.6.1.4.1.5923.1.2.1.6', ['saml:eduorgwhitepagesuri']],
  ['urn:oid:2.5.4.3', ['saml:cn', 'saml:commonName']],
  ['urn:oid:2.5.4.42', ['saml:givenName']],
  ['urn:oid:2.5.4.4', ['saml:surname']],
  ['urn:oid:0.9.2342.19200300.100.1.3', ['saml:mail']],
  ['urn:oid:0.9.2342.19200300.100.1.1', ['saml:uid']],
  ['urn:oid:2.16.840.1.113730.3.1.241', ['saml:name']],
  ['urn:oid:2.5.4.45', ['saml:x500UniqueIdentifier']],
  ['http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid', ['saml:primaryGroupSID']],
];

/** SubjectType as AWS reports it: the SAML 2.0 name ID format without its URN prefix, any other format as is. */
export function subjectType(format: string | undefined): string {
  if (format === undefined) return 'unspecified';
  return format.startsWith(NAME_ID_FORMAT_PREFIX) ? format.slice(NAME_ID_FORMAT_PREFIX.length) : format;
}

/** NameQualifier (and saml:namequalifier): BASE64(SHA1(issuer + account + "/" + provider name)), as AWS documents. */
export function nameQualifier(issuer: string, account: string, providerName: string): string {
  return createHash('sha1').update(`${issuer}${account}/${providerName}`, 'utf8').digest('base64');
}

/** The trust-policy context keys an assertion yields. */
export function samlContextKeys(claims: SamlClaims, provider: SamlProviderTrust): Record<string, string | string[]> {
  const keys: Record<string, string | string[]> = {
    'saml:aud': claims.recipient,
    'saml:iss': claims.issuer,
    'saml:sub': claims.subject,
    'saml:sub_type': subjectType(claims.subjectFormat),
    'saml:namequalifier': nameQualifier(claims.issuer, provider.account, provider.name),
    'saml:doc': `${provider.account}/${provider.name}`,
  };
  for (const [attribute, names] of ATTRIBUTE_KEYS) {
    const values = claims.attributes.get(attribute);
    if (values === undefined || values.length === 0) continue;
    for (const name of names) keys[name] = values.length === 1 ? (values[0] as string) : [...values];
  }
  return keys;
}

/** True when one Role attribute value is the pair (role, provider), in either order, as AWS accepts them. */
function namesPair(value: string, roleArn: string, providerArn: string): boolean {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length !== 2) return false;
  return (parts[0] === roleArn && parts[1] === providerArn) || (parts[0] === providerArn && parts[1] === roleArn);
}

function single(claims: SamlClaims, name: string): string | undefined {
  return claims.attributes.get(name)?.[0];
}

function sessionTags(claims: SamlClaims): { tags: SessionTag[]; transitive: string[] } {
  const tags: SessionTag[] = [];
  for (const [name, values] of claims.attributes) {
    if (!name.startsWith(PRINCIPAL_TAG) || values[0] === undefined) continue;
    tags.push({ Key: name.slice(PRINCIPAL_TAG.length), Value: values[0] });
  }
  return { tags, transitive: [...(claims.attributes.get(TRANSITIVE_TAG_KEYS) ?? [])] };
}

/** The session length: DurationSeconds (one hour by default), no longer than the assertion's SessionDuration. */
function sessionDuration(p: Params, claims: SamlClaims): number {
  const asked = num(p, 'DurationSeconds') ?? 3600;
  const attribute = single(claims, SESSION_DURATION);
  if (attribute === undefined) return asked;
  const cap = Number(attribute);
  // Gatehouse's wording: AWS documents the attribute's range (900-43200), not its error text.
  if (!/^\d+$/.test(attribute) || cap < 900 || cap > 43200) throw invalidIdentityToken('SessionDuration in AuthnResponse must be an integer from 900 to 43200.');
  return Math.min(asked, cap);
}

async function assumeRoleWithSaml(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const roleArn = req(p, 'RoleArn');
  roleArnAccount(roleArn);
  const principalArn = req(p, 'PrincipalArn');
  // AWS's text for a PrincipalArn that is not a SAML provider ARN.
  if (!SAML_PROVIDER_ARN.test(principalArn)) throw validationError('Principal ARN is invalid');
  const provider = await findSamlProvider(ctx.tx, principalArn);
  // AWS's text (IAM User Guide, "Troubleshoot SAML federation"); the error code is Gatehouse's choice.
  if (provider === undefined) throw invalidIdentityToken("Specified provider doesn't exist.");
  const claims = verifySamlResponse(req(p, 'SAMLAssertion'), provider, ctx.now);

  // The IdP must have granted this very role through this very provider.
  const roles = claims.attributes.get(ROLE) ?? [];
  if (!roles.some((value) => namesPair(value, roleArn, principalArn))) throw notAuthorizedToAssume(ACTION);

  const sessionName = single(claims, ROLE_SESSION_NAME);
  if (sessionName === undefined || sessionName === '') throw invalidIdentityToken('RoleSessionName is required in AuthnResponse');
  if (!SESSION_NAME.test(sessionName)) throw invalidIdentityToken('RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}');
  const sourceIdentity = single(claims, SOURCE_IDENTITY);
  if (sourceIdentity !== undefined && (!SESSION_NAME.test(sourceIdentity) || sourceIdentity.toLowerCase().startsWith('aws:'))) {
    throw invalidIdentityToken('Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"');
  }
  const { tags, transitive } = sessionTags(claims);
  for (const key of transitive) {
    if (!tags.some((t) => t.Key.toLowerCase() === key.toLowerCase())) {
      throw new ServiceError('InvalidParameterValue', `The transitive tag key ${key} is not the key of a session tag in the assertion.`, 400);
    }
  }

  const session = await issueFederatedRoleSession(ctx, {
    action: ACTION,
    roleArn,
    sessionName,
    durationSeconds: sessionDuration(p, claims),
    policy: sessionPolicyInput(p),
    providerArn: provider.arn,
    context: samlContextKeys(claims, provider),
    sourceIdentity,
    tags,
    transitiveTagKeys: transitive,
    minimumTokenSize: num(p, 'MinimumSessionTokenSize'),
  });
  return {
    ...session,
    Subject: claims.subject,
    SubjectType: subjectType(claims.subjectFormat),
    Issuer: claims.issuer,
    Audience: claims.recipient,
    NameQualifier: nameQualifier(claims.issuer, provider.account, provider.name),
  };
}

export const ASSUME_ROLE_WITH_SAML_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'sts',
    name: 'AssumeRoleWithSAML',
    resource: (_ctx, p) => req(p, 'RoleArn'),
    // The assertion is the authentication and the trust policy the authorization: a signature on the request, if
    // any, adds nothing, so no caller policy is consulted (the operation checks the trust policy itself).
    allowedWithoutPolicy: async () => true,
    run: assumeRoleWithSaml,
  },
];

/** Everything SAML federation adds: IAM's SAML provider operations and AssumeRoleWithSAML, registered together. */
export const SAML_OPERATIONS: readonly OperationDefinition[] = [...SAML_PROVIDER_OPERATIONS, ...ASSUME_ROLE_WITH_SAML_OPERATIONS];
