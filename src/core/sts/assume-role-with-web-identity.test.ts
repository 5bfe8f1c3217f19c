import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenSessionTags, webIdentityContext } from './assume-role-with-web-identity.js';

test('webIdentityContext: the provider-named keys AWS derives from the token', () => {
  const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
    [{ sub: 's', aud: 'c' }, { 'idp.example.com:sub': 's', 'idp.example.com:aud': 'c' }],
    [{ sub: 's', aud: ['c', 'd'] }, { 'idp.example.com:sub': 's', 'idp.example.com:aud': ['c', 'd'] }],
    [{ sub: 's', aud: 'c', azp: 'z' }, { 'idp.example.com:sub': 's', 'idp.example.com:aud': 'z', 'idp.example.com:oaud': ['c'] }],
    [{ sub: 's', aud: 'c', amr: ['pwd', 'mfa'] }, { 'idp.example.com:sub': 's', 'idp.example.com:aud': 'c', 'idp.example.com:amr': ['pwd', 'mfa'] }],
  ];
  for (const [claims, expected] of cases) assert.deepEqual(webIdentityContext('idp.example.com', claims), expected);
});

test('tokenSessionTags reads https://aws.amazon.com/tags', () => {
  const cases: Array<[Record<string, unknown>, ReturnType<typeof tokenSessionTags>]> = [
    [{}, { tags: [], transitive: [] }],
    [{ 'https://aws.amazon.com/tags': { principal_tags: { team: ['ci'], env: ['prod', 'x'] }, transitive_tag_keys: ['team'] } }, { tags: [{ Key: 'team', Value: 'ci' }, { Key: 'env', Value: 'prod' }], transitive: ['team'] }],
    [{ 'https://aws.amazon.com/tags': 'junk' }, { tags: [], transitive: [] }],
  ];
  for (const [claims, expected] of cases) assert.deepEqual(tokenSessionTags(claims), expected);
});
