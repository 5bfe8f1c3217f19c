import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { defineOperations } from '../operation.js';
import { rejects, runner, TEST_ACCOUNT } from '../testing.js';
import { ACCOUNT_OPERATIONS } from './account.js';
import { globalEndpointTokenVersion, issuerFor, OUTBOUND_FEDERATION_OPERATIONS, outboundDiscovery } from './outbound-federation.js';

const OPERATIONS = defineOperations([...OUTBOUND_FEDERATION_OPERATIONS, ...ACCOUNT_OPERATIONS]);
let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
});

test('the global endpoint token version is stored per account and reported by GetAccountSummary', async () => {
  const summary = async () => ((await iam.run('GetAccountSummary', {}))['SummaryMap'] as Record<string, number>)['GlobalEndpointTokenVersion'];
  const cases: Array<[string, number]> = [['v2Token', 2], ['v2Token', 2], ['v1Token', 1], ['v2Token', 2]];
  assert.equal(await summary(), 1);
  for (const [version, reported] of cases) {
    await iam.run('SetSecurityTokenServicePreferences', { GlobalEndpointTokenVersion: version });
    assert.equal(await summary(), reported);
  }
  assert.equal(await store.read((tx) => globalEndpointTokenVersion(tx, '999999999999')), 1);
});

test('without the request origin no issuer can be named, so enabling fails rather than invent one', async () => {
  // The runner's context has no origin (the gateway's always has: HTTP/1.1 requires a Host).
  await rejects(iam.run('EnableOutboundWebIdentityFederation', {}), 'ServiceFailure', 500, 'The request processing has failed because of an unknown error, exception or failure.');
  assert.equal(await outboundDiscovery(store, TEST_ACCOUNT), undefined);
});

test('Get and Disable answer FeatureDisabled while the feature is off', async () => {
  const message = 'Outbound web identity federation is not enabled for this account.';
  await rejects(iam.run('GetOutboundWebIdentityFederationInfo', {}), 'FeatureDisabled', 404, message);
  await rejects(iam.run('DisableOutboundWebIdentityFederation', {}), 'FeatureDisabled', 404, message);
});

test('issuerFor puts the account under the reserved outbound path', () => {
  assert.equal(issuerFor('http://127.0.0.1:8080', '123456789012'), 'http://127.0.0.1:8080/_gatehouse/outbound/123456789012');
});
