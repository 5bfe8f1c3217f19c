import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EntityMemo } from '../entity-memo.js';
import { entity } from '../contract.js';
import { ReadCache } from './read-cache.js';

const A = '111111111111';
const names = (...keys: string[]): string => JSON.stringify(keys.map((key) => ['user', A, key]));

function filled(cache: ReadCache, ...keys: string[]): void {
  const read = new EntityMemo();
  for (const key of keys) read.set('user', A, key, entity({ key }));
  cache.keep(cache.label, read);
}

describe('ReadCache', () => {
  test('a change forgets exactly the entities it names', () => {
    const cache = new ReadCache();
    filled(cache, 'alice', 'bob', 'carol');
    cache.heard(names('bob'));
    assert.notEqual(cache.memo.get('user', A, 'alice'), undefined);
    assert.equal(cache.memo.get('user', A, 'bob'), undefined);
    assert.notEqual(cache.memo.get('user', A, 'carol'), undefined);
  });

  test("'*', an unreadable payload and forgetAll forget everything", () => {
    for (const forget of [(c: ReadCache) => c.heard('*'), (c: ReadCache) => c.heard('{"x":1}'), (c: ReadCache) => c.heard('[["user"]]'), (c: ReadCache) => c.forgetAll()]) {
      const cache = new ReadCache();
      filled(cache, 'alice', 'bob');
      forget(cache);
      assert.equal(cache.memo.size, 0);
    }
  });

  test('what a view read is kept only where nothing changed since the view began', () => {
    const cache = new ReadCache();
    const began = cache.label;
    const read = new EntityMemo();
    read.set('user', A, 'alice', entity({ key: 'alice' }));
    read.set('user', A, 'bob', entity({ key: 'bob' }));
    cache.heard(names('bob'));
    cache.keep(began, read);
    assert.notEqual(cache.memo.get('user', A, 'alice'), undefined);
    assert.equal(cache.memo.get('user', A, 'bob'), undefined);
    // After a wholesale change, nothing from before it is kept.
    const later = cache.label;
    cache.heard('*');
    cache.keep(later, read);
    assert.equal(cache.memo.size, 0);
  });

  test('unchangedSince answers for the entities read, and "changed" once the log no longer reaches back', () => {
    const cache = new ReadCache();
    const began = cache.label;
    cache.heard(names('bob'));
    assert.equal(cache.unchangedSince(began, [['user', A, 'alice']]), true);
    assert.equal(cache.unchangedSince(began, [['user', A, 'alice'], ['user', A, 'bob']]), false);
    for (let i = 0; i < 10_000; i++) cache.heard(names(`u${i}`));
    assert.equal(cache.unchangedSince(began, [['user', A, 'alice']]), false);
    assert.equal(cache.unchangedSince(cache.label - 1, [['user', A, 'alice']]), true);
  });
});
