import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { ServiceError } from '../errors.js';
import { defineOperations } from '../operation.js';
import { runner, TEST_ACCOUNT } from '../testing.js';
import { findOidcProviderByIssuer, OIDC_PROVIDER_OPERATIONS } from './oidc-providers.js';

const OPERATIONS = defineOperations(OIDC_PROVIDER_OPERATIONS);
const ARN = `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/token.example.com/org`;

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
});
afterEach(() => store.close());

async function rejects(call: Promise<unknown>, code: string, message?: string): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof ServiceError, String(error));
    assert.equal(error.code, code);
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  });
}

describe('CreateOpenIDConnectProvider', () => {
  const urls: Array<{ url: string; arn?: string }> = [
    { url: 'https://token.example.com', arn: `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/token.example.com` },
    { url: 'https://Token.Example.com/a/b/', arn: `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/token.example.com/a/b` },
    { url: 'http://127.0.0.1:8443/x', arn: `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/127.0.0.1:8443/x` },
    { url: 'http://token.example.com' },
    { url: 'https://token.example.com/?a=b' },
    { url: 'https://token.example.com/#f' },
    { url: 'token.example.com' },
  ];
  for (const { url, arn } of urls) {
    test(`${url} → ${arn ?? 'InvalidInput'}`, async () => {
      const call = iam.run('CreateOpenIDConnectProvider', { Url: url, ClientIDList: ['c'] });
      if (arn === undefined) return rejects(call, 'InvalidInput');
      assert.equal((await call)['OpenIDConnectProviderArn'], arn);
    });
  }

  test('limits: 5 thumbprints, duplicates', async () => {
    const six = Array.from({ length: 6 }, (_, i) => String(i).repeat(40));
    await rejects(iam.run('CreateOpenIDConnectProvider', { Url: 'https://token.example.com/org', ThumbprintList: six }), 'InvalidInput');
    await iam.run('CreateOpenIDConnectProvider', { Url: 'https://token.example.com/org', ClientIDList: ['c', 'c'] });
    await rejects(iam.run('CreateOpenIDConnectProvider', { Url: 'https://token.example.com/org' }), 'EntityAlreadyExists', 'Provider with url https://token.example.com/org already exists.');
    assert.deepEqual((await iam.run('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN }))['ClientIDList'], ['c']);
  });
});

test('operations on a missing provider answer NoSuchEntity, Delete excepted', async () => {
  const message = `OpenIDConnect Provider not found for arn ${ARN}`;
  for (const [name, extra] of [
    ['GetOpenIDConnectProvider', {}],
    ['AddClientIDToOpenIDConnectProvider', { ClientID: 'x' }],
    ['RemoveClientIDFromOpenIDConnectProvider', { ClientID: 'x' }],
    ['UpdateOpenIDConnectProviderThumbprint', { ThumbprintList: [] }],
    ['TagOpenIDConnectProvider', { Tags: [] }],
    ['UntagOpenIDConnectProvider', { TagKeys: [] }],
    ['ListOpenIDConnectProviderTags', {}],
  ] as const) {
    await rejects(iam.run(name, { OpenIDConnectProviderArn: ARN, ...extra }), 'NoSuchEntity', message);
  }
  assert.deepEqual(await iam.run('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN }), {});
});

test('findOidcProviderByIssuer matches the registered URL exactly', async () => {
  await iam.run('CreateOpenIDConnectProvider', { Url: 'https://token.example.com/org', ClientIDList: ['c'] });
  const cases: Array<[string, boolean]> = [
    ['https://token.example.com/org', true],
    ['https://token.example.com/org/', true],
    ['https://token.example.com/ORG', false],
    ['https://token.example.com', false],
    ['http://token.example.com/org', false],
  ];
  for (const [issuer, found] of cases) {
    const record = await store.read((tx) => findOidcProviderByIssuer(tx, TEST_ACCOUNT, issuer));
    assert.equal(record !== undefined, found, issuer);
  }
});
