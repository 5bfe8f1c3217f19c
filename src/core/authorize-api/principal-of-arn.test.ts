import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { ROLE_OPERATIONS } from '../iam/roles.js';
import { USER_OPERATIONS } from '../iam/users.js';
import { defineOperations } from '../operation.js';
import { runner, TEST_ACCOUNT } from '../testing.js';
import { callerOfArn } from './principal-of-arn.js';

const OPERATIONS = defineOperations([...USER_OPERATIONS, ...ROLE_OPERATIONS]);
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] });

let store: Store;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  const iam = runner(store, OPERATIONS);
  await iam.run('CreateUser', { UserName: 'Alice', Path: '/team/' });
  await iam.run('CreateRole', { RoleName: 'App-Admin', AssumeRolePolicyDocument: TRUST });
});

afterEach(() => store.close());

const arnOf = (arn: string) => store.read((tx) => callerOfArn(tx, arn)).then((c) => c?.arn);

describe('callerOfArn', () => {
  // The caller was authorized (gatehouse:AuthorizeAsPrincipal) on the ARN as given: only that exact principal stands.
  const cases: Array<[string, string | undefined]> = [
    [`arn:aws:iam::${TEST_ACCOUNT}:user/team/Alice`, `arn:aws:iam::${TEST_ACCOUNT}:user/team/Alice`],
    [`arn:aws:iam::${TEST_ACCOUNT}:user/team/alice`, undefined],
    [`arn:aws:iam::${TEST_ACCOUNT}:user/Alice`, undefined],
    [`arn:aws:iam::${TEST_ACCOUNT}:user/TEAM/Alice`, undefined],
    [`arn:aws:sts::${TEST_ACCOUNT}:assumed-role/App-Admin/s1`, `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/App-Admin/s1`],
    [`arn:aws:sts::${TEST_ACCOUNT}:assumed-role/app-admin/s1`, undefined],
    [`arn:aws:sts::${TEST_ACCOUNT}:assumed-role/APP-ADMIN/s1`, undefined],
    ['arn:aws:iam::999988887777:root', undefined],
    [`arn:aws:iam::${TEST_ACCOUNT}:role/App-Admin`, undefined],
  ];
  for (const [given, expected] of cases) {
    it(`${given} -> ${expected ?? 'nobody'}`, async () => {
      assert.equal(await arnOf(given), expected);
    });
  }
});
