import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet, type JWTPayload } from 'jose';
import { ServiceError } from '../errors.js';
import { matchingAudience, OidcKeyCache, parseProviderUrl, verifyWebIdentityToken } from './oidc-verify.js';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const ISSUER = 'https://idp.example.com/tenant';
const NOW = new Date('2026-11-25T12:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);

let key: SigningKey;
let jwks: JSONWebKeySet;
let fetches = 0;
const cache = (): OidcKeyCache =>
  new OidcKeyCache(async (issuer) => {
    fetches++;
    if (issuer !== ISSUER) throw new Error('unknown issuer');
    return jwks;
  });

before(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] };
});

const sign = (claims: JWTPayload, kid = 'k1'): Promise<string> =>
  new SignJWT({ iss: ISSUER, aud: 'client', sub: 'user-1', iat: T - 5, exp: T + 300, ...claims }).setProtectedHeader({ alg: 'RS256', kid }).sign(key);

describe('parseProviderUrl', () => {
  const cases: Array<[string, string | undefined]> = [
    ['https://a.example.com', 'a.example.com'],
    ['https://A.example.com/x/', 'a.example.com/x'],
    ['https://a.example.com:8443/x', 'a.example.com:8443/x'],
    ['http://127.0.0.1:9000', '127.0.0.1:9000'],
    ['http://localhost/x', 'localhost/x'],
    ['http://[::1]:9000', '[::1]:9000'],
    ['http://a.example.com', undefined],
    ['https://a.example.com?x', undefined],
    ['a.example.com', undefined],
  ];
  for (const [url, hostPath] of cases) test(url, () => assert.equal(parseProviderUrl(url)?.hostPath, hostPath));
});

describe('verifyWebIdentityToken', () => {
  const provider = { url: ISSUER, clientIds: ['client', 'other'] };
  const cases: Array<{ name: string; claims: JWTPayload; kid?: string; code?: string; message?: RegExp }> = [
    { name: 'valid', claims: {} },
    { name: 'valid within the clock skew', claims: { exp: T - 30 } },
    { name: 'aud list with one client ID', claims: { aud: ['x', 'other'] } },
    { name: 'azp a client ID', claims: { aud: 'x', azp: 'client' } },
    { name: 'expired', claims: { exp: T - 120 }, code: 'ExpiredTokenException', message: new RegExp(`^Token expired: current date/time ${T} must be before the expiration date/time ${T - 120}$`) },
    { name: 'no exp', claims: { exp: undefined }, code: 'InvalidIdentityToken' },
    { name: 'not yet valid', claims: { nbf: T + 600 }, code: 'InvalidIdentityToken', message: /nbf/ },
    { name: 'issued in the future', claims: { iat: T + 600 }, code: 'InvalidIdentityToken', message: /iat/ },
    { name: 'wrong audience', claims: { aud: 'x' }, code: 'InvalidIdentityToken', message: /^Incorrect token audience$/ },
    { name: 'other issuer', claims: { iss: 'https://evil.example.com' }, code: 'InvalidIdentityToken', message: /No OpenIDConnect provider found/ },
    { name: 'unknown key id', claims: {}, kid: 'k2', code: 'InvalidIdentityToken', message: /signature/ },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const token = await sign(c.claims, c.kid);
      const call = verifyWebIdentityToken(token, provider, { now: NOW, keys: cache() });
      if (c.code === undefined) {
        assert.equal((await call).sub, 'user-1');
        return;
      }
      await assert.rejects(call, (error: unknown) => {
        assert.ok(error instanceof ServiceError);
        assert.equal(error.code, c.code);
        if (c.message !== undefined) assert.match(error.message, c.message);
        return true;
      });
    });
  }

  test('HS256 and unsigned tokens are refused', async () => {
    const hs = await new SignJWT({ iss: ISSUER, aud: 'client', sub: 's', exp: T + 60 }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new Uint8Array(32));
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: ISSUER, aud: 'client', sub: 's', exp: T + 60 })).toString('base64url')}.`;
    for (const token of [hs, none]) await assert.rejects(verifyWebIdentityToken(token, provider, { now: NOW, keys: cache() }), /signature/);
  });

  test('keys are fetched once, then cached; an unreachable issuer gives AWS text', async () => {
    const keys = cache();
    fetches = 0;
    await keys.warm(ISSUER, NOW);
    await verifyWebIdentityToken(await sign({}), provider, { now: NOW, keys });
    await verifyWebIdentityToken(await sign({}), provider, { now: NOW, keys });
    assert.equal(fetches, 1);
    await assert.rejects(keys.warm('https://down.example.com', NOW), /Couldn't retrieve verification key from your identity provider/);
  });
});

test('matchingAudience', () => {
  const cases: Array<[JWTPayload, string | undefined]> = [
    [{ aud: 'a' }, 'a'],
    [{ aud: ['x', 'b'] }, 'b'],
    [{ aud: 'x', azp: 'a' }, 'a'],
    [{ aud: 'x' }, undefined],
    [{}, undefined],
  ];
  for (const [claims, expected] of cases) assert.equal(matchingAudience(claims, ['a', 'b']), expected, JSON.stringify(claims));
});
