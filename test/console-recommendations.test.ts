// The dashboard's findings from a credential report, without a browser: pure functions of the console.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCredentialReport, recommend } from '../src/console/recommendations.js';

const HEADER = 'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const NOW = new Date('2026-12-05T12:00:00Z');
const row = (cells: string) => `${cells}\n`;

test('the credential report and the account summary give the best-practice findings', () => {
  const csv =
    `${HEADER}\n` +
    row('<root_account>,arn:aws:iam::111122223333:root,2026-01-01T00:00:00+00:00,not_supported,no_information,not_supported,not_supported,false,true,2026-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A') +
    // A password of 100 days never used, no MFA; a key of 100 days used yesterday; a second key inactive and old.
    row('old,arn:aws:iam::111122223333:user/old,2026-08-27T12:00:00+00:00,true,no_information,2026-08-27T12:00:00+00:00,N/A,false,true,2026-08-27T12:00:00+00:00,2026-12-04T12:00:00+00:00,us-east-1,iam,false,2026-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A') +
    // Recent everything, with MFA.
    row('fresh,arn:aws:iam::111122223333:user/fresh,2026-12-01T00:00:00+00:00,true,2026-12-04T00:00:00+00:00,2026-12-01T00:00:00+00:00,N/A,true,true,2026-12-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A') +
    // No password; a key of 89 days never used: not yet stale.
    row('edge,arn:aws:iam::111122223333:user/edge,2026-09-07T00:00:00+00:00,false,N/A,N/A,N/A,false,true,2026-09-07T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A');
  const found = recommend({ AccountMFAEnabled: 0, AccountAccessKeysPresent: 1 }, parseCredentialReport(csv), NOW);
  assert.equal(found.rootMfa, true);
  assert.equal(found.rootKeys, true);
  assert.deepEqual(found.usersWithoutMfa.map((f) => f.user), ['old']);
  assert.deepEqual(found.oldKeys, [{ user: 'old', text: "old's access key 1 was created 100 days ago." }]);
  assert.deepEqual(found.unused, [{ user: 'old', text: "old's console password has never been used (set 100 days ago)." }]);

  const clean = recommend({ AccountMFAEnabled: 1, AccountAccessKeysPresent: 0 }, parseCredentialReport(`${HEADER}\n`), NOW);
  assert.deepEqual(clean, { rootMfa: false, rootKeys: false, usersWithoutMfa: [], oldKeys: [], unused: [] });
});

test('a column named like an Object property stays a plain cell', () => {
  const [parsed] = parseCredentialReport('__proto__,user\nx,y\n');
  assert.equal(parsed?.['user'], 'y');
  assert.equal(({} as Record<string, unknown>)['x'], undefined);
  assert.equal(Object.getPrototypeOf(parsed), null);
});
