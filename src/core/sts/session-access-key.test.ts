import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { accountOfAccessKeyId, newSessionAccessKeyId } from './session-access-key.js';

describe('temporary access key IDs', () => {
  for (const account of ['000000000000', '111122223333', '123456789012', '999999999999']) {
    test(`${account}: ASIA + 16 base32 characters that decode to the account`, () => {
      for (let i = 0; i < 20; i++) {
        const id = newSessionAccessKeyId(account);
        assert.match(id, /^ASIA[A-Z2-7]{16}$/);
        assert.equal(accountOfAccessKeyId(id), account);
      }
    });
  }

  const cases: ReadonlyArray<[string, string | undefined]> = [
    // A widely published example of this decoding.
    ['ASIAY34FZKBOKMUTVV7A', '609629065308'],
    ['too-short', undefined],
    ['ASIA0000000000000000', undefined],
  ];
  for (const [id, account] of cases) {
    test(`decodes ${id}`, () => assert.equal(accountOfAccessKeyId(id), account));
  }
});
