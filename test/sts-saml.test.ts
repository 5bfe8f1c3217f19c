// SAML federation end to end through the AWS SDK for JavaScript v3: IAM SAML provider CRUD, then
// AssumeRoleWithSAML (sent unsigned by the SDK) with assertions signed by a test IdP key, and the attacks it refuses.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  DeleteSAMLProviderCommand,
  GetSAMLProviderCommand,
  ListSAMLProvidersCommand,
  ListSAMLProviderTagsCommand,
  TagSAMLProviderCommand,
  UntagSAMLProviderCommand,
  UpdateSAMLProviderCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithSAMLCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { failure, iamClient, keyOf, stsClient } from './helpers/clients.js';
import { assertionXml, b64, idpMetadata, OTHER_IDP_KEY, responseXml, sign, signedResponse, type AssertionOptions } from './helpers/saml.js';
import { REGION, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const PROVIDER = `arn:aws:iam::${A}:saml-provider/corp-idp`;
const ROLE = `arn:aws:iam::${A}:role/saml-dev`;
const STRICT_ROLE = `arn:aws:iam::${A}:role/saml-alice-only`;
const doc = (statement: object | object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });

/** An STS client without credentials: AssumeRoleWithSAML needs none. */
let anonymousSts: STSClient;

const server = useTestServer({}, {}, async () => {
  anonymousSts = new STSClient({ endpoint: server.endpoint, region: REGION, maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
  const root = iamClient(server.endpoint);
  await root.send(new CreateSAMLProviderCommand({ Name: 'corp-idp', SAMLMetadataDocument: idpMetadata() }));
  await root.send(new CreateRoleCommand({
    RoleName: 'saml-dev',
    MaxSessionDuration: 7200,
    AssumeRolePolicyDocument: doc({
      Effect: 'Allow',
      Principal: { Federated: PROVIDER },
      Action: 'sts:AssumeRoleWithSAML',
      Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
    }),
  }));
  await root.send(new CreateRoleCommand({
    RoleName: 'saml-alice-only',
    AssumeRolePolicyDocument: doc({
      Effect: 'Allow',
      Principal: { Federated: PROVIDER },
      Action: 'sts:AssumeRoleWithSAML',
      Condition: { StringEquals: { 'saml:sub': 'alice-1234', 'saml:sub_type': 'persistent' } },
    }),
  }));
});

const pair = (role = ROLE): string => `${role},${PROVIDER}`;
const assume = (assertion: string, role = ROLE, extra: Partial<ConstructorParameters<typeof AssumeRoleWithSAMLCommand>[0]> = {}) =>
  anonymousSts.send(new AssumeRoleWithSAMLCommand({ RoleArn: role, PrincipalArn: PROVIDER, SAMLAssertion: assertion, ...extra }));
const valid = (o: AssertionOptions = {}): string => signedResponse({ roles: [pair()], ...o });

describe('SAML providers through the IAM API', () => {
  test('create, get, list, update, tag, untag, delete', async () => {
    const root = iamClient(server.endpoint);
    const created = await root.send(new CreateSAMLProviderCommand({ Name: 'crud-idp', SAMLMetadataDocument: idpMetadata(), Tags: [{ Key: 'team', Value: 'id' }] }));
    const arn = `arn:aws:iam::${A}:saml-provider/crud-idp`;
    assert.equal(created.SAMLProviderArn, arn);
    const got = await root.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
    assert.equal(got.SAMLMetadataDocument, idpMetadata());
    assert.ok(got.CreateDate instanceof Date && got.ValidUntil instanceof Date && got.ValidUntil > got.CreateDate);
    assert.deepEqual(got.Tags, [{ Key: 'team', Value: 'id' }]);
    const listed = await root.send(new ListSAMLProvidersCommand({}));
    assert.deepEqual(listed.SAMLProviderList?.map((p) => p.Arn).sort(), [PROVIDER, arn].sort());
    const updated = await root.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: idpMetadata(undefined, [OTHER_IDP_KEY.der]) }));
    assert.equal(updated.SAMLProviderArn, arn);
    await root.send(new TagSAMLProviderCommand({ SAMLProviderArn: arn, Tags: [{ Key: 'env', Value: 'test' }] }));
    await root.send(new UntagSAMLProviderCommand({ SAMLProviderArn: arn, TagKeys: ['team'] }));
    assert.deepEqual((await root.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn: arn }))).Tags, [{ Key: 'env', Value: 'test' }]);
    await root.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arn }));
    const gone = await failure(root.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn })));
    assert.deepEqual(gone, { name: 'NoSuchEntityException', message: `SAMLProvider not found for arn ${arn}`, status: 404 });
  });

  test('metadata IAM cannot use is refused with AWS text', async () => {
    const bad = idpMetadata().replace(/IDPSSODescriptor/g, 'SPSSODescriptor');
    const out = await failure(iamClient(server.endpoint).send(new CreateSAMLProviderCommand({ Name: 'bad', SAMLMetadataDocument: bad })));
    assert.deepEqual(out, { name: 'InvalidInputException', message: 'Could not parse metadata.', status: 400 });
  });
});

describe('AssumeRoleWithSAML', () => {
  test('a signed assertion yields a role session whose credentials sign requests as the assumed role', async () => {
    const before = Date.now();
    const out = await assume(valid({ sessionName: 'alice@example.test' }), ROLE, { DurationSeconds: 1800 });
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/saml-dev/alice@example.test`);
    assert.match(out.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z2-7]{17}:alice@example\.test$/);
    assert.deepEqual(
      { Subject: out.Subject, SubjectType: out.SubjectType, Issuer: out.Issuer, Audience: out.Audience },
      { Subject: 'alice-1234', SubjectType: 'persistent', Issuer: 'https://idp.example.test/saml', Audience: 'https://signin.aws.amazon.com/saml' },
    );
    assert.match(out.NameQualifier ?? '', /^[A-Za-z0-9+/]{27}=$/);
    const expiresIn = (out.Credentials?.Expiration?.getTime() ?? 0) - before;
    assert.ok(expiresIn > 1790_000 && expiresIn <= 1801_000, `DurationSeconds 1800, got ${expiresIn} ms`);
    const who = await stsClient(server.endpoint, keyOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    assert.deepEqual({ Arn: who.Arn, Account: who.Account, UserId: who.UserId }, { Arn: out.AssumedRoleUser?.Arn, Account: A, UserId: out.AssumedRoleUser?.AssumedRoleId });
  });

  test('the pair may name the provider first; SessionDuration caps the session; a signed Response works too', async () => {
    const before = Date.now();
    const out = await assume(valid({ roles: [`${PROVIDER},${ROLE}`], sessionDuration: 900 }), ROLE, { DurationSeconds: 3600 });
    const expiresIn = (out.Credentials?.Expiration?.getTime() ?? 0) - before;
    assert.ok(expiresIn > 890_000 && expiresIn <= 901_000, `SessionDuration 900, got ${expiresIn} ms`);
    const responseSigned = b64(sign(responseXml(assertionXml({ roles: [pair()] })), 'Response'));
    assert.ok((await assume(responseSigned)).Credentials?.AccessKeyId);
  });

  test('a trust policy condition on saml:sub and saml:sub_type lets only that subject in', async () => {
    const ok = await assume(valid({ roles: [pair(STRICT_ROLE)] }), STRICT_ROLE);
    assert.equal(ok.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/saml-alice-only/alice@example.test`);
    const other = await failure(assume(valid({ roles: [pair(STRICT_ROLE)], nameId: 'mallory-666' }), STRICT_ROLE));
    assert.deepEqual(other, { name: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithSAML', status: 403 });
    const transient = await failure(assume(valid({ roles: [pair(STRICT_ROLE)], nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' }), STRICT_ROLE));
    assert.equal(transient.name, 'AccessDenied');
  });

  const signedAssertion = (): string => sign(assertionXml({ roles: [pair()] }), 'Assertion');
  const rejections: ReadonlyArray<[string, () => string, string, string, number, string?]> = [
    ['an unsigned assertion', () => b64(responseXml(assertionXml({ roles: [pair()] }))), 'InvalidIdentityToken', 'Response signature invalid', 400],
    ['a claim changed after signing', () => b64(responseXml(signedAssertion().replace('alice-1234', 'admin-0001'))), 'InvalidIdentityToken', 'Response signature invalid', 400],
    ['signature wrapping: a forged assertion first, the signed one after it', () => b64(responseXml(assertionXml({ roles: [pair(STRICT_ROLE), pair()], nameId: 'alice-1234', assertionId: '_forged' }) + signedAssertion())), 'InvalidIdentityToken', 'Response signature invalid', 400],
    ['a key that is not in the provider metadata', () => signedResponse({ roles: [pair()] }, OTHER_IDP_KEY), 'InvalidIdentityToken', 'Response signature invalid', 400],
    ['a wrong audience', () => valid({ audience: 'https://example.test/sp' }), 'InvalidIdentityToken', 'Response does not contain the required audience', 400],
    ['an expired assertion', () => valid({ validFor: -600 }), 'ExpiredTokenException', 'Response has expired', 400],
    ['a role/provider pair missing from the Role attribute', () => signedResponse({ roles: [pair(STRICT_ROLE)] }), 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithSAML', 403],
    ['no RoleSessionName attribute', () => valid({ sessionName: null }), 'InvalidIdentityToken', 'RoleSessionName is required in AuthnResponse', 400],
    ['a RoleSessionName AWS would refuse', () => valid({ sessionName: 'alice smith' }), 'InvalidIdentityToken', 'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}', 400],
    ['another issuer', () => valid({ issuer: 'https://evil.example.test' }), 'InvalidIdentityToken', 'Issuer not present in specified provider', 400],
  ];
  for (const [name, build, code, message, status] of rejections) {
    test(`refuses ${name}`, async () => {
      const out = await failure(assume(build()));
      // The SDK names modelled errors by their shape (…Exception), others by their code.
      assert.ok(out.name === code || out.name === `${code}Exception`, `${out.name} is not ${code}`);
      assert.deepEqual({ message: out.message, status: out.status }, { message, status });
    });
  }

  test('a PrincipalArn that is not a SAML provider, and one that does not exist', async () => {
    const invalid = await failure(anonymousSts.send(new AssumeRoleWithSAMLCommand({ RoleArn: ROLE, PrincipalArn: `arn:aws:iam::${A}:role/not-a-provider`, SAMLAssertion: valid() })));
    assert.deepEqual({ message: invalid.message, status: invalid.status }, { message: 'Principal ARN is invalid', status: 400 });
    const missing = await failure(anonymousSts.send(new AssumeRoleWithSAMLCommand({ RoleArn: ROLE, PrincipalArn: `arn:aws:iam::${A}:saml-provider/nope`, SAMLAssertion: valid() })));
    assert.deepEqual({ message: missing.message, status: missing.status }, { message: "Specified provider doesn't exist.", status: 400 });
  });
});
