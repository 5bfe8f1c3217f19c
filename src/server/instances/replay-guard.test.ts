import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopback } from './registration-routes.js';
import { ReplayGuard } from './replay-guard.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const at = (minutes: number): Date => new Date(NOW.getTime() + minutes * 60_000);

test('a signature is refused a second time for 30 minutes, then forgotten', () => {
  const guard = new ReplayGuard();
  guard.check('a'.repeat(64), NOW);
  guard.check('b'.repeat(64), NOW);
  assert.throws(() => guard.check('a'.repeat(64), at(29.9)), /already received/);
  guard.check('a'.repeat(64), at(30));
});

test('full of live signatures, it refuses new ones rather than forget one', () => {
  const guard = new ReplayGuard(15 * 60_000, 2);
  guard.check('1', NOW);
  guard.check('2', NOW);
  assert.throws(() => guard.check('3', at(1)), /Rate exceeded/);
  assert.throws(() => guard.check('1', at(1)), /already received/);
  guard.check('3', at(31));
});

test('isLoopback: 127.0.0.0/8, ::1 and their IPv4-mapped forms only', () => {
  const table: Array<[string | undefined, boolean]> = [
    ['127.0.0.1', true],
    ['127.9.8.7', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['169.254.170.2', false],
    ['0.0.0.0', false],
    ['localhost', false],
    [undefined, false],
  ];
  for (const [address, expected] of table) assert.equal(isLoopback(address), expected, String(address));
});
