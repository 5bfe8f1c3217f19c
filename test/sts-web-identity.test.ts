// IAM OIDC providers and AssumeRoleWithWebIdentity (unsigned) through the AWS SDK for JavaScript v3, against a real
// server and a local OpenID Connect issuer on 127.0.0.1 (loopback http: a Gatehouse extension for tests).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DeleteOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProvidersCommand,
  ListOpenIDConnectProviderTagsCommand,
  PutRolePolicyCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  TagOpenIDConnectProviderCommand,
  UntagOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { failure, iamClient, keyOf, stsClient } from './helpers/clients.js';
import { REGION, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const A = TEST_ACCOUNT_ID;
const doc = (statement: object | object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });

let issuerServer: Server;
let issuer: string;
let hostPath: string;
let providerArn: string;
let privateKey: SigningKey;
let otherKey: SigningKey;
const CLIENT = 'gatehouse-test-client';

async function token(claims: JWTPayload = {}, options: { key?: SigningKey; exp?: number; iss?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ aud: CLIENT, sub: 'repo:acme/app:ref:refs/heads/main', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(options.iss ?? issuer)
    .setIssuedAt(now - 10)
    .setExpirationTime(options.exp ?? now + 600)
    .sign(options.key ?? privateKey);
}

/** An STS client with no credentials: the SDK sends AssumeRoleWithWebIdentity unsigned. */
function anonymousSts(): STSClient {
  return new STSClient({ endpoint: server.endpoint, region: REGION, maxAttempts: 1, credentials: async () => { throw new Error('no credentials should be needed'); } });
}

async function assume(webIdentityToken: string, roleName = 'deployer', extra: Record<string, unknown> = {}) {
  return anonymousSts().send(new AssumeRoleWithWebIdentityCommand({
    RoleArn: `arn:aws:iam::${A}:role/${roleName}`,
    RoleSessionName: 'ci-run',
    WebIdentityToken: webIdentityToken,
    ...extra,
  }));
}

const server = useTestServer({}, {}, async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  issuerServer = createServer((req, res) => {
    const base = issuer;
    if (req.url === '/tenant/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks` }));
    } else if (req.url === '/tenant/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
  const port = (issuerServer.address() as AddressInfo).port;
  issuer = `http://127.0.0.1:${port}/tenant`;
  hostPath = `127.0.0.1:${port}/tenant`;
  providerArn = `arn:aws:iam::${A}:oidc-provider/${hostPath}`;

  const root = iamClient(server.endpoint);
  await root.send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: [CLIENT], Tags: [{ Key: 'team', Value: 'ci' }] }));
  await root.send(new CreateRoleCommand({
    RoleName: 'deployer',
    AssumeRolePolicyDocument: doc({
      Effect: 'Allow',
      Principal: { Federated: providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${hostPath}:aud`]: CLIENT }, StringLike: { [`${hostPath}:sub`]: 'repo:acme/app:*' } },
    }),
  }));
  await root.send(new PutRolePolicyCommand({ RoleName: 'deployer', PolicyName: 'read', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }) }));
});

after(async () => {
  await new Promise<void>((resolve) => issuerServer.close(() => resolve()));
});

describe('IAM OIDC providers', () => {
  test('create, get, list, client IDs, thumbprints, tags, delete', async () => {
    const root = iamClient(server.endpoint);
    const url = 'https://idp.example.com/realms/main';
    const created = await root.send(new CreateOpenIDConnectProviderCommand({ Url: url, ClientIDList: ['a'], ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'] }));
    const arn = `arn:aws:iam::${A}:oidc-provider/idp.example.com/realms/main`;
    assert.equal(created.OpenIDConnectProviderArn, arn);
    const dup = await failure(root.send(new CreateOpenIDConnectProviderCommand({ Url: url, ClientIDList: ['a'] })));
    assert.deepEqual([dup.name, dup.message, dup.status], ['EntityAlreadyExistsException', `Provider with url ${url} already exists.`, 409]);

    await root.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'b' }));
    await root.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'b' }));
    await root.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'a' }));
    await root.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'never-there' }));
    await root.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: arn, ThumbprintList: ['1c58a3a8518e8759bf075b76b750d4f2df264fcd'] }));
    await root.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: [{ Key: 'k', Value: 'v' }, { Key: 'x', Value: 'y' }] }));
    await root.send(new UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, TagKeys: ['x'] }));

    const got = await root.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    assert.equal(got.Url, 'idp.example.com/realms/main');
    assert.deepEqual(got.ClientIDList, ['b']);
    assert.deepEqual(got.ThumbprintList, ['1c58a3a8518e8759bf075b76b750d4f2df264fcd']);
    assert.ok(got.CreateDate instanceof Date);
    assert.deepEqual(got.Tags, [{ Key: 'k', Value: 'v' }]);
    assert.deepEqual((await root.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn }))).Tags, [{ Key: 'k', Value: 'v' }]);

    const listed = await root.send(new ListOpenIDConnectProvidersCommand({}));
    assert.deepEqual(listed.OpenIDConnectProviderList?.map((p) => p.Arn).sort(), [providerArn, arn].sort());

    await root.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    // Idempotent, as AWS documents.
    await root.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    const gone = await failure(root.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })));
    assert.deepEqual([gone.name, gone.message, gone.status], ['NoSuchEntityException', `OpenIDConnect Provider not found for arn ${arn}`, 404]);
  });

  test('the URL must be https (loopback http aside)', async () => {
    const root = iamClient(server.endpoint);
    for (const Url of ['http://idp.example.com', 'https://idp.example.com/?q=1', 'ftp://idp.example.com']) {
      const f = await failure(root.send(new CreateOpenIDConnectProviderCommand({ Url, ClientIDList: ['a'] })));
      assert.equal(f.name, 'InvalidInputException', Url);
    }
  });
});

describe('AssumeRoleWithWebIdentity', () => {
  test('a valid token gets a role session; its credentials sign GetCallerIdentity', async () => {
    const out = await assume(await token());
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${A}:assumed-role/deployer/ci-run`);
    assert.equal(out.SubjectFromWebIdentityToken, 'repo:acme/app:ref:refs/heads/main');
    assert.equal(out.Provider, issuer);
    assert.equal(out.Audience, CLIENT);
    const who = await stsClient(server.endpoint, keyOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${A}:assumed-role/deployer/ci-run`);
    assert.equal(who.Account, A);
  });

  test('the session honours DurationSeconds up to the role maximum', async () => {
    const out = await assume(await token(), 'deployer', { DurationSeconds: 900 });
    const expires = out.Credentials?.Expiration?.getTime() ?? 0;
    assert.ok(Math.abs(expires - Date.now() - 900_000) < 5000);
    const f = await failure(assume(await token(), 'deployer', { DurationSeconds: 7200 }));
    assert.deepEqual([f.name, f.message], ['ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.']);
  });

  const refusals: Array<{ name: string; make: () => Promise<string>; code: string; message: RegExp; role?: string }> = [
    {
      name: 'one byte changed in the signature',
      make: async () => {
        const t = await token();
        const last = t.at(-2) === 'A' ? 'B' : 'A';
        return `${t.slice(0, -2)}${last}${t.slice(-1)}`;
      },
      code: 'InvalidIdentityTokenException',
      message: /signature/,
    },
    {
      name: 'one byte changed in the payload',
      make: async () => {
        const [h, p, s] = (await token()).split('.') as [string, string, string];
        const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as JWTPayload;
        const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'repo:acme/app:ref:refs/heads/mainX' })).toString('base64url');
        return `${h}.${forged}.${s}`;
      },
      code: 'InvalidIdentityTokenException',
      message: /signature/,
    },
    { name: 'signed by another key', make: () => token({}, { key: otherKey }), code: 'InvalidIdentityTokenException', message: /signature/ },
    { name: 'not a JWT', make: async () => 'not-a-jwt', code: 'InvalidIdentityTokenException', message: /not a valid JWT/ },
    { name: 'wrong audience', make: () => token({ aud: 'someone-else' }), code: 'InvalidIdentityTokenException', message: /^Incorrect token audience$/ },
    {
      name: 'expired',
      make: () => token({}, { exp: Math.floor(Date.now() / 1000) - 3600 }),
      code: 'ExpiredTokenException',
      message: /^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/,
    },
    {
      name: 'issuer with no provider in the account',
      make: () => token({}, { iss: 'https://unknown.example.com' }),
      code: 'InvalidIdentityTokenException',
      message: /^No OpenIDConnect provider found in your account for https:\/\/unknown\.example\.com$/,
    },
    { name: 'trust policy condition on sub not met', make: () => token({ sub: 'repo:evil/app:ref:refs/heads/main' }), code: 'AccessDenied', message: /^Not authorized to perform sts:AssumeRoleWithWebIdentity$/ },
    { name: 'role that does not exist', make: () => token(), code: 'AccessDenied', message: /^Not authorized to perform sts:AssumeRoleWithWebIdentity$/, role: 'nobody' },
  ];
  for (const r of refusals) {
    test(`refused: ${r.name}`, async () => {
      const f = await failure(assume(await r.make(), r.role));
      assert.equal(f.name, r.code);
      assert.match(f.message, r.message);
    });
  }

  test('any other unsigned request is refused with MissingAuthenticationToken', async () => {
    const res = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /MissingAuthenticationToken/);
  });
});

describe('audit trail of AssumeRoleWithWebIdentity (unsigned)', () => {
  const recordFor = async (requestId: string | undefined): Promise<Record<string, any>> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const page = await server.running.store.events.query({ account: A, eventName: 'AssumeRoleWithWebIdentity', maxResults: 100 });
    const found = page.events.map((e) => JSON.parse(e.record) as Record<string, unknown>).find((r) => r['requestID'] === requestId);
    assert.ok(found !== undefined, `an event for ${requestId}`);
    return found;
  };

  test('a success is recorded with the provider-named WebIdentityUser, without the token or the secret', async () => {
    const jwt = await token();
    const out = await assume(jwt);
    const r = await recordFor(out.$metadata.requestId);
    const subject = 'repo:acme/app:ref:refs/heads/main';
    assert.deepEqual(r['userIdentity'], { type: 'WebIdentityUser', principalId: `${issuer}:${CLIENT}:${subject}`, userName: subject, identityProvider: issuer });
    assert.deepEqual(r['requestParameters'], { roleArn: `arn:aws:iam::${A}:role/deployer`, roleSessionName: 'ci-run' });
    assert.equal(r['responseElements']['subjectFromWebIdentityToken'], subject);
    assert.equal(r['responseElements']['provider'], issuer);
    assert.equal(r['responseElements']['audience'], CLIENT);
    assert.deepEqual(Object.keys(r['responseElements']['credentials']).sort(), ['accessKeyId', 'expiration', 'sessionToken']);
    assert.equal(r['recipientAccountId'], A);
    const text = JSON.stringify(r);
    assert.ok(!text.includes(jwt) && !text.includes(jwt.split('.')[2] ?? '?'), 'the web identity token is nowhere');
    assert.ok(!text.includes(out.Credentials?.SecretAccessKey ?? '?'));

    // The session's own calls carry the provider in webIdFederationData.
    const who = await stsClient(server.endpoint, keyOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    const page = await server.running.store.events.query({ account: A, eventName: 'GetCallerIdentity', maxResults: 100 });
    const call = page.events.map((e) => JSON.parse(e.record) as Record<string, any>).find((x) => x['requestID'] === who.$metadata.requestId); // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(call?.['userIdentity']['sessionContext']['webIdFederationData'], { federatedProvider: providerArn, attributes: {} });
  });

  test('a refused token is recorded with its error and no principal', async () => {
    const refused = await failure(assume(await token({}, { key: otherKey })));
    const page = await server.running.store.events.query({ account: A, eventName: 'AssumeRoleWithWebIdentity', maxResults: 100 });
    const errors = page.events.map((e) => JSON.parse(e.record) as Record<string, any>).filter((r) => r['errorCode'] !== undefined); // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.ok(errors.length >= 1);
    assert.equal(errors[0]?.['errorCode'], refused.name.replace(/Exception$/, ''));
    assert.deepEqual(errors[0]?.['userIdentity'], { type: 'WebIdentityUser' });
  });
});
