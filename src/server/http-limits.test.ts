import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultMaxConnections, readHttpLimits, serverTimeouts } from './http-limits.js';

describe('HTTP limits', () => {
  for (const { name, options, env, expected } of [
    { name: 'defaults', options: {}, env: {}, expected: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 30_000 } },
    {
      name: 'from the environment',
      options: {},
      env: { GATEHOUSE_HEADERS_TIMEOUT_MS: '2000', GATEHOUSE_REQUEST_TIMEOUT_MS: '5000', GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS: '60000', GATEHOUSE_MAX_CONNECTIONS: '50' },
      expected: { headersTimeoutMs: 2000, requestTimeoutMs: 5000, keepAliveTimeoutMs: 60_000, maxConnections: 50 },
    },
    {
      name: 'options win over the environment',
      options: { headersTimeoutMs: 100, maxConnections: 3 },
      env: { GATEHOUSE_HEADERS_TIMEOUT_MS: '2000', GATEHOUSE_MAX_CONNECTIONS: '50' },
      expected: { headersTimeoutMs: 100, maxConnections: 3 },
    },
    { name: 'a long headers timeout lifts the default request timeout with it', options: { headersTimeoutMs: 45_000 }, env: {}, expected: { requestTimeoutMs: 45_000 } },
    { name: 'zero connections is refused', options: {}, env: { GATEHOUSE_MAX_CONNECTIONS: '0' }, expected: /GATEHOUSE_MAX_CONNECTIONS \(--max-connections\) must be a whole number of at least 1/ },
    { name: 'a fraction is refused', options: {}, env: { GATEHOUSE_HEADERS_TIMEOUT_MS: '1.5' }, expected: /GATEHOUSE_HEADERS_TIMEOUT_MS/ },
    { name: 'a word is refused', options: {}, env: { GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS: 'long' }, expected: /GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS/ },
    { name: 'a request timeout below the headers timeout is refused', options: { headersTimeoutMs: 5000, requestTimeoutMs: 1000 }, env: {}, expected: /at least the headers timeout/ },
  ]) {
    test(name, () => {
      if (expected instanceof RegExp) {
        assert.throws(() => readHttpLimits(options, env), expected);
        return;
      }
      const limits = readHttpLimits(options, env);
      for (const [key, value] of Object.entries(expected)) assert.equal(limits[key as keyof typeof limits], value, key);
    });
  }

  for (const { limit, expected } of [
    { limit: undefined, expected: 1024 },
    { limit: 256, expected: 192 },
    { limit: 1_048_576, expected: 1024 },
    { limit: 10, expected: 1 },
  ]) {
    test(`default connection cap with a descriptor limit of ${limit ?? 'unknown'}: ${expected}`, () => {
      assert.equal(defaultMaxConnections(limit), expected);
    });
  }

  test('timeouts are checked often enough to be kept', () => {
    assert.equal(serverTimeouts(readHttpLimits({}, {})).connectionsCheckingInterval, 1000);
    assert.equal(serverTimeouts(readHttpLimits({ headersTimeoutMs: 200 }, {})).connectionsCheckingInterval, 50);
  });
});
