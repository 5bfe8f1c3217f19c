import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEventId } from './event-id.js';

test('event IDs are version-7 UUIDs, unique, ordered by their time', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => newEventId(1_796_000_000_000 + i));
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(parseInt(ids[0]?.replace(/-/g, '').slice(0, 12) ?? '', 16), 1_796_000_000_000);
});
