// The trust policies the console's role wizard writes, without a browser: one per kind of trusted entity.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trustPolicy } from '../src/console/trust-policy.js';

const statement = (text: string): unknown => (JSON.parse(text) as { Statement: unknown[] }).Statement[0];

test('an AWS service, an account (bare, with external ID and MFA), a web identity, a SAML provider', () => {
  assert.deepEqual(statement(trustPolicy({ kind: 'service', service: ' lambda.amazonaws.com ' })), { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });
  assert.deepEqual(statement(trustPolicy({ kind: 'account', account: '444455556666', requireMfa: false })), { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole' });
  assert.deepEqual(statement(trustPolicy({ kind: 'account', account: '444455556666', externalId: 'x-1', requireMfa: true })), {
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::444455556666:root' },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': 'x-1' }, Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
  });
  const oidc = 'arn:aws:iam::111122223333:oidc-provider/token.example.com/tenant';
  assert.deepEqual(statement(trustPolicy({ kind: 'web-identity', providerArn: oidc, audience: 'app-1' })), {
    Effect: 'Allow',
    Principal: { Federated: oidc },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { 'token.example.com/tenant:aud': 'app-1' } },
  });
  assert.deepEqual(statement(trustPolicy({ kind: 'web-identity', providerArn: oidc })), { Effect: 'Allow', Principal: { Federated: oidc }, Action: 'sts:AssumeRoleWithWebIdentity' });
  const saml = 'arn:aws:iam::111122223333:saml-provider/corp';
  assert.deepEqual(statement(trustPolicy({ kind: 'saml', providerArn: saml })), {
    Effect: 'Allow',
    Principal: { Federated: saml },
    Action: 'sts:AssumeRoleWithSAML',
    Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
  });
});
