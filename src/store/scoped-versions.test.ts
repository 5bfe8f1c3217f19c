import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SCOPED_ACCOUNTS, ScopedVersions, WrittenScope } from './scoped-versions.js';
import { commitPayload, notifyAndCommit, parseCommitPayload } from './postgres/statements.js';

const SCOPE = { entityIsLocal: (kind: string) => kind === 'user', linkIsLocal: (relation: string) => relation === 'member' };
const A = '111111111111';
const B = '222222222222';

test('a written scope is its local accounts until anything else, or too many accounts, makes it global', () => {
  const written = new WrittenScope(SCOPE);
  written.entity('user', A);
  written.link('member', B);
  assert.deepEqual([written.global, [...written.accounts]], [false, [A, B]]);
  written.entity('org-policy', A);
  assert.deepEqual([written.global, [...written.accounts]], [true, []]);
  written.entity('user', A);
  assert.equal(written.global, true, 'stays global');

  const unscoped = new WrittenScope(undefined);
  unscoped.entity('user', A);
  assert.equal(unscoped.global, true, 'without a scope every write is global');

  const many = new WrittenScope(SCOPE);
  for (let i = 0; i <= MAX_SCOPED_ACCOUNTS; i++) many.entity('user', String(i).padStart(12, '0'));
  assert.equal(many.global, true);

  const merged = new WrittenScope(SCOPE);
  merged.entity('user', A);
  const other = new WrittenScope(SCOPE);
  other.link('org-policy-attachment', B);
  merged.merge(other);
  assert.equal(merged.global, true);
});

test('versionOf moves with its account or the global counter; a stamp is NaN once either moved after it', () => {
  const versions = new ScopedVersions();
  const a0 = versions.versionOf(A);
  const b0 = versions.versionOf(B);
  const stamp = versions.since();
  assert.deepEqual([stamp(A), stamp(B)], [a0, b0]);
  versions.moveAccounts([A]);
  assert.ok(versions.versionOf(A) > a0);
  assert.equal(versions.versionOf(B), b0);
  assert.ok(Number.isNaN(stamp(A)), 'A moved after the stamp');
  assert.equal(stamp(B), b0, 'B did not');
  const later = versions.since();
  assert.equal(later(A), versions.versionOf(A));
  versions.moveGlobal();
  assert.ok(Number.isNaN(later(A)) && Number.isNaN(later(B)));
  assert.ok(versions.versionOf(B) > b0);
});

test('versionOf never decreases, also when the per-account counters are folded into the global one', () => {
  const versions = new ScopedVersions();
  for (let i = 0; i < 5; i++) versions.moveAccounts([A]);
  const a = versions.versionOf(A);
  const stamp = versions.since();
  // Past the limit of accounts kept, the counters fold: every account's version must still be past its last value.
  for (let i = 0; i < 100_001; i++) versions.moveAccounts([`x${i}`]);
  assert.ok(versions.versionOf(A) > a, `${versions.versionOf(A)} > ${a}`);
  assert.ok(Number.isNaN(stamp(A)));
});

test('a commit notification names its accounts only when every one is an account ID; anything else reads as global', () => {
  const token = '0123456789abcdef';
  const local = new WrittenScope(SCOPE);
  local.entity('user', A);
  local.link('member', B);
  const payload = commitPayload(token, 7, local);
  assert.equal(payload, `${token}:7:${A},${B}`);
  assert.deepEqual(parseCommitPayload(payload), { token, count: 7, accounts: [A, B] });
  assert.match(notifyAndCommit(payload), /pg_notify/);

  // An account string that is not twelve digits (a quote, a comma, the index account '') is never embedded.
  for (const account of ["1111'; DROP TABLE entities; --", '', '12345678901,2', 'aws']) {
    const odd = new WrittenScope(SCOPE);
    odd.entity('user', account);
    assert.equal(commitPayload(token, 8, odd), `${token}:8`, JSON.stringify(account));
  }
  const global = new WrittenScope(SCOPE);
  global.entity('org-policy', A);
  assert.equal(commitPayload(token, 9, global), `${token}:9`);
  assert.deepEqual(parseCommitPayload(`${token}:9`), { token, count: 9 });

  for (const bad of [`${token}:9:`, `${token}:9:${A},`, `${token}:9:1234`, `${token}:9:${A}:${B}`, `${token}:9;${A}`]) {
    assert.equal(parseCommitPayload(bad), undefined, bad);
    assert.throws(() => notifyAndCommit(bad), /not a change notification payload/, bad);
  }
  assert.equal(parseCommitPayload(`${token}:0:${A}`), undefined, 'no node announces a count of 0');
});
