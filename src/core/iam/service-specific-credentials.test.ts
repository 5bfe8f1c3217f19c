import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { defineOperations, type Params } from '../operation.js';
import { ROOT_CALLER, runner, TEST_ACCOUNT, rejects, roleSessionCaller, userCaller } from '../testing.js';
import { KIND } from './kinds.js';
import { SERVICE_SPECIFIC_CREDENTIAL_OPERATIONS } from './service-specific-credentials.js';
import { USER_OPERATIONS } from './users.js';

const OPERATIONS = defineOperations([...SERVICE_SPECIFIC_CREDENTIAL_OPERATIONS, ...USER_OPERATIONS]);

const ALICE: Caller = userCaller('alice');

const ROLE_SESSION: Caller = roleSessionCaller('dev');

const T0 = new Date('2026-11-25T12:00:00Z');
const UNKNOWN = 'ACCAUNKNOWNUNKNOWN123';

let store: Store;
let iam: ReturnType<typeof runner>;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  iam = runner(store, OPERATIONS);
  await iam.run('CreateUser', { UserName: 'alice' });
});

afterEach(() => store.close());

type Out = Record<string, unknown>;
const credOf = (out: Out): Out => out['ServiceSpecificCredential'] as Out;
const listed = (out: Out): Out[] => out['ServiceSpecificCredentials'] as Out[];
const create = async (service = 'codecommit.amazonaws.com', user = 'alice'): Promise<Out> =>
  credOf(await iam.run('CreateServiceSpecificCredential', { UserName: user, ServiceName: service }));

for (const service of ['codecommit.amazonaws.com', 'cassandra.amazonaws.com']) {
  test(`${service}: a user name and a password, returned once and stored only sealed`, async () => {
    const cred = await create(service);
    assert.match(cred['ServiceSpecificCredentialId'] as string, /^ACCA[A-Z2-7]{17}$/);
    assert.equal(cred['ServiceUserName'], `alice-at-${TEST_ACCOUNT}`);
    assert.match(cred['ServicePassword'] as string, /^[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(
      { ...cred, ServiceSpecificCredentialId: 'id', ServicePassword: 'pw' },
      { UserName: 'alice', Status: 'Active', ServiceUserName: `alice-at-${TEST_ACCOUNT}`, CreateDate: T0, ServiceSpecificCredentialId: 'id', ServiceName: service, ServicePassword: 'pw' },
    );
    await store.transaction(async (tx) => {
      const record = await tx.getById(KIND.serviceSpecificCredential, cred['ServiceSpecificCredentialId'] as string);
      assert.equal(record?.owner, 'alice');
      assert.equal(record?.data['secret'], `sealed:${cred['ServicePassword'] as string}`);
    });
    const { ServicePassword: _pw, ...metadata } = cred;
    assert.deepEqual(listed(await iam.run('ListServiceSpecificCredentials', { UserName: 'alice' })), [metadata]);
  });
}

test('bedrock: an API key with alias and secret, and an expiry from CredentialAgeDays', async () => {
  const cred = credOf(await iam.run('CreateServiceSpecificCredential', { UserName: 'alice', ServiceName: 'bedrock.amazonaws.com', CredentialAgeDays: 30 }));
  assert.equal(cred['ServicePassword'], undefined);
  assert.equal(cred['ServiceUserName'], undefined);
  assert.match(cred['ServiceCredentialAlias'] as string, /^alice[\w+=,.@-]*-at-111122223333$/);
  assert.match(cred['ServiceCredentialSecret'] as string, /^ABSK[A-Za-z0-9+/=]+$/);
  assert.deepEqual(cred['ExpirationDate'], new Date('2026-12-25T12:00:00Z'));
  const [meta] = listed(await iam.run('ListServiceSpecificCredentials', { UserName: 'alice', ServiceName: 'bedrock.amazonaws.com' }));
  assert.equal(meta?.['ServiceCredentialSecret'], undefined);
  assert.equal(meta?.['Status'], 'Active');
  iam.setClock(new Date('2026-12-25T12:00:00Z'));
  const [later] = listed(await iam.run('ListServiceSpecificCredentials', { UserName: 'alice' }));
  assert.equal(later?.['Status'], 'Expired', 'past its ExpirationDate a key reads as Expired');
  const noExpiry = credOf(await iam.run('CreateServiceSpecificCredential', { UserName: 'alice', ServiceName: 'bedrock.amazonaws.com' }));
  assert.equal(noExpiry['ExpirationDate'], undefined);
});

test('CredentialAgeDays is refused for services without API keys', async () => {
  await rejects(
    iam.run('CreateServiceSpecificCredential', { UserName: 'alice', ServiceName: 'codecommit.amazonaws.com', CredentialAgeDays: 1 }),
    'InvalidInput',
    400,
    'CredentialAgeDays is not supported for service codecommit.amazonaws.com.',
  );
});

const unsupported: ReadonlyArray<[string, Params]> = [
  ['CreateServiceSpecificCredential', { UserName: 'alice', ServiceName: 'lambda.amazonaws.com' }],
  ['CreateServiceSpecificCredential', { UserName: 'alice', ServiceName: 'CodeCommit.amazonaws.com' }],
  ['CreateServiceSpecificCredential', { UserName: 'alice', ServiceName: 'codecommit' }],
  ['ListServiceSpecificCredentials', { UserName: 'alice', ServiceName: 'nonexistent.amazonaws.com' }],
];
for (const [name, params] of unsupported) {
  test(`${name} with ServiceName ${String(params['ServiceName'])} answers NotSupportedService`, async () => {
    await rejects(iam.run(name, params), 'NotSupportedService', 404, 'The specified service does not support service-specific credentials.');
  });
}

test('two credentials per user per service, counted per service', async () => {
  await create();
  await create();
  await rejects(create(), 'LimitExceeded', 409, 'Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2');
  await create('cassandra.amazonaws.com');
  await iam.run('CreateUser', { UserName: 'bob' });
  await create('codecommit.amazonaws.com', 'bob');
});

test('Reset returns a new password once; Update sets the status; Delete removes the credential', async () => {
  const cred = await create();
  const id = cred['ServiceSpecificCredentialId'];
  const reset = credOf(await iam.run('ResetServiceSpecificCredential', { UserName: 'alice', ServiceSpecificCredentialId: id }));
  assert.notEqual(reset['ServicePassword'], cred['ServicePassword']);
  assert.equal(reset['ServiceSpecificCredentialId'], id);
  assert.equal(reset['ServiceUserName'], cred['ServiceUserName']);
  await store.transaction(async (tx) => {
    assert.equal((await tx.get(KIND.serviceSpecificCredential, TEST_ACCOUNT, id as string))?.data['secret'], `sealed:${reset['ServicePassword'] as string}`);
  });
  await iam.run('UpdateServiceSpecificCredential', { UserName: 'alice', ServiceSpecificCredentialId: id, Status: 'Inactive' });
  assert.equal(listed(await iam.run('ListServiceSpecificCredentials', { UserName: 'alice' }))[0]?.['Status'], 'Inactive');
  await rejects(
    iam.run('UpdateServiceSpecificCredential', { UserName: 'alice', ServiceSpecificCredentialId: id, Status: 'Expired' }),
    'ValidationError',
    400,
    'Status Expired cannot be set manually; use Active or Inactive.',
  );
  await iam.run('DeleteServiceSpecificCredential', { UserName: 'alice', ServiceSpecificCredentialId: id });
  assert.deepEqual(listed(await iam.run('ListServiceSpecificCredentials', { UserName: 'alice' })), []);
});

test('Reset of an API key returns a new secret, never a password', async () => {
  const cred = credOf(await iam.run('CreateServiceSpecificCredential', { UserName: 'alice', ServiceName: 'bedrock.amazonaws.com' }));
  const reset = credOf(await iam.run('ResetServiceSpecificCredential', { UserName: 'alice', ServiceSpecificCredentialId: cred['ServiceSpecificCredentialId'] }));
  assert.equal(reset['ServicePassword'], undefined);
  assert.notEqual(reset['ServiceCredentialSecret'], cred['ServiceCredentialSecret']);
});

test('ListServiceSpecificCredentials filters by ServiceName', async () => {
  await create('codecommit.amazonaws.com');
  assert.deepEqual(listed(await iam.run('ListServiceSpecificCredentials', { UserName: 'alice', ServiceName: 'cassandra.amazonaws.com' })), []);
  assert.equal(listed(await iam.run('ListServiceSpecificCredentials', { UserName: 'alice', ServiceName: 'codecommit.amazonaws.com' })).length, 1);
});

test('AllUsers lists every user’s credentials, and cannot be combined with UserName', async () => {
  await iam.run('CreateUser', { UserName: 'bob' });
  await create('codecommit.amazonaws.com', 'alice');
  await create('codecommit.amazonaws.com', 'bob');
  await create('cassandra.amazonaws.com', 'bob');
  const all = listed(await iam.run('ListServiceSpecificCredentials', { AllUsers: true, ServiceName: 'codecommit.amazonaws.com' }));
  assert.deepEqual(all.map((c) => c['UserName']).sort(), ['alice', 'bob']);
  await rejects(
    iam.run('ListServiceSpecificCredentials', { AllUsers: true, UserName: 'alice' }),
    'ValidationError',
    400,
    'AllUsers and UserName cannot be specified together.',
  );
});

test('without UserName an IAM user manages its own credentials; root owns none', async () => {
  const cred = await create();
  const id = cred['ServiceSpecificCredentialId'];
  assert.equal(listed(await iam.run('ListServiceSpecificCredentials', {}, ALICE)).length, 1);
  assert.deepEqual(listed(await iam.run('ListServiceSpecificCredentials', {}, ROOT_CALLER)), []);
  await rejects(iam.run('DeleteServiceSpecificCredential', { ServiceSpecificCredentialId: id }, ROOT_CALLER), 'NoSuchEntity', 404, `The Service Specific Credential with id ${id as string} cannot be found.`);
  await iam.run('UpdateServiceSpecificCredential', { ServiceSpecificCredentialId: id, Status: 'Inactive' }, ALICE);
  await iam.run('DeleteServiceSpecificCredential', { ServiceSpecificCredentialId: id }, ALICE);
});

const withoutUserName: ReadonlyArray<[string, Params]> = [
  ['ListServiceSpecificCredentials', {}],
  ['ResetServiceSpecificCredential', { ServiceSpecificCredentialId: UNKNOWN }],
  ['UpdateServiceSpecificCredential', { ServiceSpecificCredentialId: UNKNOWN, Status: 'Inactive' }],
  ['DeleteServiceSpecificCredential', { ServiceSpecificCredentialId: UNKNOWN }],
];
for (const [name, params] of withoutUserName) {
  test(`${name} from a role session without UserName is refused, never taken as root`, async () => {
    await rejects(iam.run(name, params, ROLE_SESSION), 'ValidationError', 400, 'Must specify userName when calling with non-User credentials');
  });
}

const unknownCredential: ReadonlyArray<[string, Params]> = [
  ['ResetServiceSpecificCredential', { UserName: 'alice', ServiceSpecificCredentialId: UNKNOWN }],
  ['UpdateServiceSpecificCredential', { UserName: 'alice', ServiceSpecificCredentialId: UNKNOWN, Status: 'Inactive' }],
  ['DeleteServiceSpecificCredential', { UserName: 'alice', ServiceSpecificCredentialId: UNKNOWN }],
];
for (const [name, params] of unknownCredential) {
  test(`${name} answers NoSuchEntity for an unknown credential`, async () => {
    await rejects(iam.run(name, params), 'NoSuchEntity', 404, `The Service Specific Credential with id ${UNKNOWN} cannot be found.`);
  });
}

test("a credential is not found under another user's name", async () => {
  await iam.run('CreateUser', { UserName: 'bob' });
  const id = (await create())['ServiceSpecificCredentialId'] as string;
  const missing = `The Service Specific Credential with id ${id} cannot be found.`;
  await rejects(iam.run('ResetServiceSpecificCredential', { UserName: 'bob', ServiceSpecificCredentialId: id }), 'NoSuchEntity', 404, missing);
  await rejects(iam.run('UpdateServiceSpecificCredential', { UserName: 'bob', ServiceSpecificCredentialId: id, Status: 'Inactive' }), 'NoSuchEntity', 404, missing);
  await rejects(iam.run('DeleteServiceSpecificCredential', { UserName: 'bob', ServiceSpecificCredentialId: id }), 'NoSuchEntity', 404, missing);
  assert.equal(listed(await iam.run('ListServiceSpecificCredentials', { UserName: 'alice' }))[0]?.['Status'], 'Active');
});

const missingUser: ReadonlyArray<[string, Params]> = [
  ['CreateServiceSpecificCredential', { UserName: 'ghost', ServiceName: 'codecommit.amazonaws.com' }],
  ['ListServiceSpecificCredentials', { UserName: 'ghost' }],
  ['ResetServiceSpecificCredential', { UserName: 'ghost', ServiceSpecificCredentialId: UNKNOWN }],
  ['UpdateServiceSpecificCredential', { UserName: 'ghost', ServiceSpecificCredentialId: UNKNOWN, Status: 'Active' }],
  ['DeleteServiceSpecificCredential', { UserName: 'ghost', ServiceSpecificCredentialId: UNKNOWN }],
];
for (const [name, params] of missingUser) {
  test(`${name} answers NoSuchEntity for a missing user`, async () => {
    await rejects(iam.run(name, params), 'NoSuchEntity', 404, 'The user with name ghost cannot be found.');
  });
}

test('DeleteUser refuses while the user has service-specific credentials', async () => {
  const id = (await create())['ServiceSpecificCredentialId'];
  await rejects(iam.run('DeleteUser', { UserName: 'alice' }), 'DeleteConflict', 409, 'Cannot delete entity, must delete service specific credentials first.');
  await iam.run('DeleteServiceSpecificCredential', { UserName: 'alice', ServiceSpecificCredentialId: id });
  await iam.run('DeleteUser', { UserName: 'alice' });
});

test('renaming a user keeps its credentials, and a new user of the old name gets none', async () => {
  const id = (await create())['ServiceSpecificCredentialId'];
  await iam.run('UpdateUser', { UserName: 'alice', NewUserName: 'alicia' });
  assert.deepEqual(listed(await iam.run('ListServiceSpecificCredentials', { UserName: 'alicia' })).map((c) => [c['ServiceSpecificCredentialId'], c['UserName']]), [[id, 'alicia']]);
  await iam.run('CreateUser', { UserName: 'alice' });
  assert.deepEqual(listed(await iam.run('ListServiceSpecificCredentials', { UserName: 'alice' })), []);
});

test('resources and condition keys: the target user, the stored service of its own credential only', async () => {
  await iam.run('CreateUser', { UserName: 'bob' });
  const id = (await create('cassandra.amazonaws.com'))['ServiceSpecificCredentialId'];
  const byName = new Map(SERVICE_SPECIFIC_CREDENTIAL_OPERATIONS.map((o) => [o.name, o]));
  const aliceArn = `arn:aws:iam::${TEST_ACCOUNT}:user/alice`;
  await store.transaction(async (tx) => {
    const ctx = (caller: Caller) => ({ caller, account: TEST_ACCOUNT, tx, now: T0, requestId: 'r', services: {} }) as never;
    const create = byName.get('CreateServiceSpecificCredential');
    const c1 = ctx(ROOT_CALLER);
    assert.equal(await create?.resource(c1, { UserName: 'alice', ServiceName: 'bedrock.amazonaws.com', CredentialAgeDays: 7 }), aliceArn);
    assert.deepEqual(create?.conditionKeys?.(c1, { UserName: 'alice', ServiceName: 'bedrock.amazonaws.com', CredentialAgeDays: 7 }), {
      'iam:ServiceSpecificCredentialServiceName': 'bedrock.amazonaws.com',
      'iam:ServiceSpecificCredentialAgeDays': '7',
    });
    for (const name of ['ResetServiceSpecificCredential', 'UpdateServiceSpecificCredential', 'DeleteServiceSpecificCredential']) {
      const op = byName.get(name);
      const own = ctx(ALICE);
      assert.equal(await op?.resource(own, { ServiceSpecificCredentialId: id }), aliceArn);
      assert.deepEqual(op?.conditionKeys?.(own, { ServiceSpecificCredentialId: id }), { 'iam:ServiceSpecificCredentialServiceName': 'cassandra.amazonaws.com' });
      const other = ctx(ROOT_CALLER);
      assert.equal(await op?.resource(other, { UserName: 'bob', ServiceSpecificCredentialId: id }), `arn:aws:iam::${TEST_ACCOUNT}:user/bob`);
      assert.deepEqual(op?.conditionKeys?.(other, { UserName: 'bob', ServiceSpecificCredentialId: id }), {});
    }
    const list = byName.get('ListServiceSpecificCredentials');
    assert.equal(await list?.resource(ctx(ALICE), {}), aliceArn);
    assert.equal(await list?.resource(ctx(ALICE), { AllUsers: true }), `arn:aws:iam::${TEST_ACCOUNT}:user/`);
  });
});
