// The role wizard's trust policies, as AWS's console writes them for each kind of trusted entity.

export type TrustedEntity =
  | { readonly kind: 'service'; readonly service: string }
  | { readonly kind: 'account'; readonly account: string; readonly externalId?: string; readonly requireMfa: boolean }
  | { readonly kind: 'web-identity'; readonly providerArn: string; readonly audience?: string }
  | { readonly kind: 'saml'; readonly providerArn: string };

/** The host an OIDC provider's ARN names (`arn:aws:iam::1:oidc-provider/token.example.com/x` → `token.example.com/x`). */
const oidcHost = (arn: string): string => arn.slice(arn.indexOf(':oidc-provider/') + ':oidc-provider/'.length);

/** The trust policy for the entity, as indented JSON. */
export function trustPolicy(entity: TrustedEntity, partition = 'aws'): string {
  let statement: Record<string, unknown>;
  switch (entity.kind) {
    case 'service':
      statement = { Effect: 'Allow', Principal: { Service: entity.service.trim() }, Action: 'sts:AssumeRole' };
      break;
    case 'account': {
      const condition: Record<string, Record<string, string>> = {};
      if (entity.externalId !== undefined && entity.externalId !== '') condition['StringEquals'] = { 'sts:ExternalId': entity.externalId };
      if (entity.requireMfa) condition['Bool'] = { 'aws:MultiFactorAuthPresent': 'true' };
      statement = { Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${entity.account.trim()}:root` }, Action: 'sts:AssumeRole', ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}) };
      break;
    }
    case 'web-identity':
      statement = {
        Effect: 'Allow',
        Principal: { Federated: entity.providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        ...(entity.audience !== undefined && entity.audience !== '' ? { Condition: { StringEquals: { [`${oidcHost(entity.providerArn)}:aud`]: entity.audience } } } : {}),
      };
      break;
    case 'saml':
      statement = {
        Effect: 'Allow',
        Principal: { Federated: entity.providerArn },
        Action: 'sts:AssumeRoleWithSAML',
        Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
      };
      break;
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement] }, null, 2);
}
