// Outbound web identity federation end to end through the AWS SDK for JavaScript v3: IAM enables the feature, STS
// GetWebIdentityToken issues a JWT, and a relying party verifies it with jose against the issuer Gatehouse serves.
// (Debian's boto3, botocore 1.29, predates these operations.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DisableOutboundWebIdentityFederationCommand,
  EnableOutboundWebIdentityFederationCommand,
  GetAccountSummaryCommand,
  GetOutboundWebIdentityFederationInfoCommand,
  PutUserPolicyCommand,
  SetSecurityTokenServicePreferencesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { failure, iamClient, stsClient } from './helpers/clients.js';
import { REGION, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const server = useTestServer();
const doc = (statement: object): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });

describe('SetSecurityTokenServicePreferences', () => {
  test('GetAccountSummary reports the global endpoint token version set', async () => {
    const iam = iamClient(server.endpoint);
    const version = async (): Promise<number | undefined> => (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap?.['GlobalEndpointTokenVersion'];
    assert.equal(await version(), 1);
    await iam.send(new SetSecurityTokenServicePreferencesCommand({ GlobalEndpointTokenVersion: 'v2Token' }));
    assert.equal(await version(), 2);
    await iam.send(new SetSecurityTokenServicePreferencesCommand({ GlobalEndpointTokenVersion: 'v1Token' }));
    assert.equal(await version(), 1);
    const bad = await failure(iam.send(new SetSecurityTokenServicePreferencesCommand({ GlobalEndpointTokenVersion: 'v3Token' as 'v1Token' })));
    assert.equal(bad.name, 'ValidationError');
  });
});

describe('outbound web identity federation', () => {
  test('disabled: info, disable and GetWebIdentityToken answer AWS errors; the issuer documents are 404', async () => {
    const iam = iamClient(server.endpoint);
    const info = await failure(iam.send(new GetOutboundWebIdentityFederationInfoCommand({})));
    assert.deepEqual([info.name, info.status], ['FeatureDisabledException', 404]);
    const disable = await failure(iam.send(new DisableOutboundWebIdentityFederationCommand({})));
    assert.deepEqual([disable.name, disable.status], ['FeatureDisabledException', 404]);
    const token = await failure(stsClient(server.endpoint).send(new GetWebIdentityTokenCommand({ Audience: ['https://rp.example'], SigningAlgorithm: 'RS256' })));
    assert.deepEqual([token.name, token.status], ['OutboundWebIdentityFederationDisabledException', 403]);
    const res = await fetch(`${server.endpoint}/_gatehouse/outbound/${A}/.well-known/jwks.json`);
    assert.equal(res.status, 404);
  });

  test('enabled: tokens verify against the served JWKS; AssumeRoleWithWebIdentity refuses them; disabling stops issuing', async () => {
    const iam = iamClient(server.endpoint);
    const sts = stsClient(server.endpoint);
    const enabled = await iam.send(new EnableOutboundWebIdentityFederationCommand({}));
    const issuer = `${server.endpoint}/_gatehouse/outbound/${A}`;
    assert.equal(enabled.IssuerIdentifier, issuer);
    const again = await failure(iam.send(new EnableOutboundWebIdentityFederationCommand({})));
    assert.deepEqual([again.name, again.status], ['FeatureEnabledException', 409]);
    const info = await iam.send(new GetOutboundWebIdentityFederationInfoCommand({}));
    assert.deepEqual([info.IssuerIdentifier, info.JwtVendingEnabled], [issuer, true]);

    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(discovery['issuer'], issuer);
    assert.equal(discovery['jwks_uri'], `${issuer}/.well-known/jwks.json`);
    const jwks = createRemoteJWKSet(new URL(discovery['jwks_uri'] as string));

    for (const alg of ['RS256', 'ES384'] as const) {
      const before = Date.now();
      const out = await sts.send(new GetWebIdentityTokenCommand({
        Audience: ['https://rp.example'],
        SigningAlgorithm: alg,
        DurationSeconds: 900,
        Tags: [{ Key: 'job', Value: 'nightly' }],
      }));
      const token = out.WebIdentityToken as string;
      assert.equal(decodeProtectedHeader(token).alg, alg);
      const { payload } = await jwtVerify(token, jwks, { issuer, audience: 'https://rp.example', algorithms: [alg] });
      assert.equal(payload.sub, `arn:aws:iam::${A}:root`);
      assert.equal((payload.exp as number) - (payload.iat as number), 900);
      assert.equal(typeof payload.jti, 'string');
      assert.deepEqual(payload['https://sts.amazonaws.com/'], { aws_account: A, principal_id: `arn:aws:iam::${A}:root`, request_tags: { job: 'nightly' } });
      assert.ok(Math.abs((out.Expiration as Date).getTime() - (before + 900_000)) < 5000);
      // The wrong audience is refused by the relying party, as the token names only the one asked for.
      await assert.rejects(jwtVerify(token, jwks, { issuer, audience: 'https://other.example' }));
    }
    const badAlg = await failure(sts.send(new GetWebIdentityTokenCommand({ Audience: ['a'], SigningAlgorithm: 'HS256' })));
    assert.equal(badAlg.name, 'ValidationError');

    // Even with the issuer registered as a provider and trusted by a role, Gatehouse refuses its own tokens.
    await iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['https://rp.example'] }));
    await iam.send(new CreateRoleCommand({
      RoleName: 'outbound-loop',
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${A}:oidc-provider/${issuer.replace(/^https?:\/\//, '')}` }, Action: 'sts:AssumeRoleWithWebIdentity' }),
    }));
    const own = (await sts.send(new GetWebIdentityTokenCommand({ Audience: ['https://rp.example'], SigningAlgorithm: 'RS256' }))).WebIdentityToken as string;
    const anonymous = new STSClient({ endpoint: server.endpoint, region: REGION, maxAttempts: 1, credentials: async () => { throw new Error('unsigned'); } });
    const refused = await failure(anonymous.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: `arn:aws:iam::${A}:role/outbound-loop`, RoleSessionName: 'loop-session', WebIdentityToken: own })));
    assert.deepEqual(refused, { name: 'InvalidIdentityTokenException', status: 400, message: 'Tokens issued by GetWebIdentityToken cannot be used with AssumeRoleWithWebIdentity.' });

    await iam.send(new DisableOutboundWebIdentityFederationCommand({}));
    const off = await failure(sts.send(new GetWebIdentityTokenCommand({ Audience: ['https://rp.example'], SigningAlgorithm: 'RS256' })));
    assert.equal(off.name, 'OutboundWebIdentityFederationDisabledException');
    assert.equal((await fetch(`${issuer}/.well-known/jwks.json`)).status, 404);
  });

  test('sts:GetWebIdentityToken needs a policy, whose audience condition is enforced', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new EnableOutboundWebIdentityFederationCommand({}));
    await iam.send(new CreateUserCommand({ UserName: 'token-user' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'token-user' }))).AccessKey;
    const sts = stsClient(server.endpoint, { accessKeyId: key?.AccessKeyId as string, secretAccessKey: key?.SecretAccessKey as string });
    const ask = (aud: string) => sts.send(new GetWebIdentityTokenCommand({ Audience: [aud], SigningAlgorithm: 'ES384' }));
    const denied = await failure(ask('https://rp.example'));
    assert.equal(denied.name, 'AccessDenied');
    assert.match(denied.message, /not authorized to perform: sts:GetWebIdentityToken/);
    await iam.send(new PutUserPolicyCommand({
      UserName: 'token-user',
      PolicyName: 'tokens',
      PolicyDocument: doc({ Effect: 'Allow', Action: 'sts:GetWebIdentityToken', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'sts:IdentityTokenAudience': 'https://rp.example' } } }),
    }));
    const out = await ask('https://rp.example');
    const issuer = `${server.endpoint}/_gatehouse/outbound/${A}`;
    const { payload } = await jwtVerify(out.WebIdentityToken as string, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), { issuer, audience: 'https://rp.example' });
    assert.equal(payload.sub, `arn:aws:iam::${A}:user/token-user`);
    assert.equal((await failure(ask('https://other.example'))).name, 'AccessDenied');

    // Tags (custom claims) need sts:TagGetWebIdentityToken as well, checked with the request's tag keys.
    const tagged = (Value: string) => sts.send(new GetWebIdentityTokenCommand({ Audience: ['https://rp.example'], SigningAlgorithm: 'ES384', Tags: [{ Key: 'job', Value }] }));
    const untaggable = await failure(tagged('nightly'));
    assert.equal(untaggable.name, 'AccessDenied');
    assert.match(untaggable.message, /not authorized to perform: sts:TagGetWebIdentityToken/);
    await iam.send(new PutUserPolicyCommand({
      UserName: 'token-user',
      PolicyName: 'tag-tokens',
      PolicyDocument: doc({ Effect: 'Allow', Action: 'sts:TagGetWebIdentityToken', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/job': 'nightly' } } }),
    }));
    const withTags = await tagged('nightly');
    const claims = (await jwtVerify(withTags.WebIdentityToken as string, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), { issuer })).payload;
    assert.deepEqual((claims['https://sts.amazonaws.com/'] as Record<string, unknown>)['request_tags'], { job: 'nightly' });
    assert.match((await failure(tagged('weekly'))).message, /not authorized to perform: sts:TagGetWebIdentityToken/);
    await iam.send(new DisableOutboundWebIdentityFederationCommand({}));
  });
});
