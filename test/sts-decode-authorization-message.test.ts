// Encoded authorization failure messages (the serve option) and STS DecodeAuthorizationMessage, through the AWS SDK
// for JavaScript v3 against real servers: one encoding, one with the default (no encoding) sharing its key ring.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, ListRolesCommand, ListUsersCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, DecodeAuthorizationMessageCommand } from '@aws-sdk/client-sts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/server/config.js';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { startTestServer, TEST_ACCOUNT_ID, type TestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const doc = (statement: object | object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });
const SUFFIX = ' Encoded authorization failure message: ';
const INVALID = { name: 'InvalidAuthorizationMessageException', message: 'The message passed to DecodeAuthorizationMessage was invalid.', status: 400 };
const listUsersDenied = (user: string): string =>
  `User: arn:aws:iam::${A}:user/${user} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${A}:user/ because no identity-based policy allows the iam:ListUsers action`;

// Both servers hold the same key ring, as nodes of one deployment do.
const SESSION_KEYS = JSON.stringify({ keys: [{ id: 'shared', key: randomBytes(32).toString('base64'), created: '2026-01-01T00:00:00Z' }] });

let encoding: TestServer;
let plain: TestServer;
// Users of the encoding server by name; `plainNobody` is the user without policies of the other server.
const keys: Record<string, Key> = {};
const userIds: Record<string, string> = {};
let plainNobody: Key;

async function createUser(server: TestServer, name: string, policy?: object[]): Promise<{ key: Key; userId: string }> {
  const root = iamClient(server.endpoint);
  const user = await root.send(new CreateUserCommand({ UserName: name }));
  if (policy !== undefined) await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'policy', PolicyDocument: doc(policy) }));
  const key = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  const created = { key: { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' }, userId: user.User?.UserId ?? '' };
  if (server === encoding) {
    keys[name] = created.key;
    userIds[name] = created.userId;
  }
  return created;
}

before(async () => {
  [encoding, plain] = await Promise.all([
    startTestServer({ GATEHOUSE_ENCODE_AUTHORIZATION_MESSAGES: '1' }, { env: { GATEHOUSE_SESSION_KEYS: SESSION_KEYS } }),
    startTestServer({}, { env: { GATEHOUSE_SESSION_KEYS: SESSION_KEYS } }),
  ]);
  await createUser(encoding, 'nobody');
  // May decode; may list nothing from 127.0.0.1 (an explicit Deny with a condition), and never list users.
  await createUser(encoding, 'auditor', [
    { Sid: 'Decode', Effect: 'Allow', Action: ['sts:DecodeAuthorizationMessage', 'iam:*'], Resource: '*' },
    { Sid: 'NoUserListing', Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*' },
    { Sid: 'NotFromHere', Effect: 'Deny', Action: 'iam:ListRoles', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
  ]);
  await iamClient(encoding.endpoint).send(new CreateRoleCommand({
    RoleName: 'worker',
    AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/auditor` }, Action: 'sts:AssumeRole' }),
  }));
  plainNobody = (await createUser(plain, 'nobody')).key;
});
after(async () => {
  await Promise.all([encoding.close(), plain.close()]);
});

/** The AccessDenied of a call, split into AWS's text and the encoded message after the suffix. */
async function denial(call: Promise<unknown>): Promise<{ text: string; encoded: string }> {
  const out = await failure(call);
  assert.deepEqual([out.name, out.status], ['AccessDenied', 403], out.message);
  const at = out.message.indexOf(SUFFIX);
  assert.ok(at > 0, `no encoded message in: ${out.message}`);
  return { text: out.message.slice(0, at), encoded: out.message.slice(at + SUFFIX.length) };
}

interface Decoded {
  allowed: boolean;
  explicitDeny: boolean;
  matchedStatements: { items: Array<Record<string, unknown>> };
  failures: { items: unknown[] };
  context: {
    principal: { id: string; name?: string; arn: string };
    action: string;
    resource: string;
    conditions: { items: Array<{ key: string; values: { items: Array<{ value: string }> } }> };
  };
}

async function decode(endpoint: string, encoded: string, key?: Key): Promise<Decoded> {
  const out = await stsClient(endpoint, key).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
  return JSON.parse(out.DecodedMessage ?? '') as Decoded;
}

describe('encoded authorization failure messages', () => {
  test("a user without policies: AWS's text, then the encoded message, which root decodes (allowed and explicitDeny false)", async () => {
    const { text, encoded } = await denial(iamClient(encoding.endpoint, keys['nobody']).send(new ListUsersCommand({})));
    assert.equal(text, listUsersDenied('nobody'));
    assert.match(encoded, /^[A-Za-z0-9_-]+$/);
    const decoded = await decode(encoding.endpoint, encoded);
    assert.deepEqual(Object.keys(decoded), ['allowed', 'explicitDeny', 'matchedStatements', 'failures', 'context']);
    assert.deepEqual(Object.keys(decoded.context), ['principal', 'action', 'resource', 'conditions']);
    assert.equal(decoded.allowed, false);
    assert.equal(decoded.explicitDeny, false);
    assert.deepEqual(decoded.matchedStatements, { items: [] });
    assert.deepEqual(decoded.failures, { items: [] });
    assert.deepEqual(decoded.context.principal, { id: userIds['nobody'], name: 'nobody', arn: `arn:aws:iam::${A}:user/nobody` });
    assert.equal(decoded.context.action, 'iam:ListUsers');
    assert.equal(decoded.context.resource, `arn:aws:iam::${A}:user/`);
    const region = decoded.context.conditions.items.find((c) => c.key === 'aws:RequestedRegion');
    assert.deepEqual(region?.values, { items: [{ value: 'us-east-1' }] });
  });

  test('an explicit Deny: explicitDeny true and the Deny statement; a user allowed to decode reads its own message', async () => {
    const { text, encoded } = await denial(iamClient(encoding.endpoint, keys['auditor']).send(new ListUsersCommand({})));
    assert.equal(text, `User: arn:aws:iam::${A}:user/auditor is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${A}:user/ with an explicit deny in an identity-based policy`);
    const decoded = await decode(encoding.endpoint, encoded, keys['auditor']);
    assert.equal(decoded.allowed, false);
    assert.equal(decoded.explicitDeny, true);
    assert.deepEqual(decoded.matchedStatements.items, [{
      statementId: 'NoUserListing',
      effect: 'DENY',
      principals: { items: [{ value: userIds['auditor'] }] },
      principalGroups: { items: [] },
      actions: { items: [{ value: 'iam:ListUsers' }] },
      resources: { items: [{ value: '*' }] },
      conditions: { items: [] },
    }]);
    assert.equal(decoded.context.principal.arn, `arn:aws:iam::${A}:user/auditor`);
  });

  test("a Deny on a condition: the statement's condition and the request's value of its key", async () => {
    const { encoded } = await denial(iamClient(encoding.endpoint, keys['auditor']).send(new ListRolesCommand({})));
    const decoded = await decode(encoding.endpoint, encoded);
    assert.equal(decoded.explicitDeny, true);
    assert.equal(decoded.matchedStatements.items[0]?.['statementId'], 'NotFromHere');
    assert.deepEqual(decoded.matchedStatements.items[0]?.['conditions'], { items: [{ key: 'aws:SourceIp', values: { items: [{ value: '127.0.0.0/8' }] } }] });
    const sourceIp = decoded.context.conditions.items.find((c) => c.key === 'aws:SourceIp');
    assert.deepEqual(sourceIp?.values, { items: [{ value: '127.0.0.1' }] });
  });

  test('a role session: the principal is the session (AROA…:name), without a name', async () => {
    const assumed = await stsClient(encoding.endpoint, keys['auditor']).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/worker`, RoleSessionName: 'night-shift' }));
    const session = keyOf(assumed.Credentials);
    const { text, encoded } = await denial(iamClient(encoding.endpoint, session).send(new ListRolesCommand({})));
    assert.match(text, new RegExp(`^User: arn:aws:sts::${A}:assumed-role/worker/night-shift is not authorized to perform: iam:ListRoles`));
    const decoded = await decode(encoding.endpoint, encoded);
    assert.deepEqual(decoded.context.principal, { id: assumed.AssumedRoleUser?.AssumedRoleId, arn: `arn:aws:sts::${A}:assumed-role/worker/night-shift` });
    assert.equal(decoded.context.action, 'iam:ListRoles');
  });

  test('without the option (the default) the AccessDenied text is exactly AWS\'s, with nothing appended', async () => {
    const out = await failure(iamClient(plain.endpoint, plainNobody).send(new ListUsersCommand({})));
    assert.deepEqual(out, { name: 'AccessDenied', message: listUsersDenied('nobody'), status: 403 });
  });
});

describe('DecodeAuthorizationMessage', () => {
  let encoded = '';
  before(async () => {
    encoded = (await denial(iamClient(encoding.endpoint, keys['nobody']).send(new ListUsersCommand({})))).encoded;
  });

  test("a user without sts:DecodeAuthorizationMessage is denied with AWS's AccessDenied text", async () => {
    const expected = `User: arn:aws:iam::${A}:user/nobody is not authorized to perform: sts:DecodeAuthorizationMessage on resource: * because no identity-based policy allows the sts:DecodeAuthorizationMessage action`;
    assert.deepEqual(await failure(stsClient(plain.endpoint, plainNobody).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }))), {
      name: 'AccessDenied',
      message: expected,
      status: 403,
    });
    // On the encoding server the same denial carries its own encoded message.
    const { text } = await denial(stsClient(encoding.endpoint, keys['nobody']).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded })));
    assert.equal(text, expected);
  });

  test('another node sharing the key ring decodes it, with or without the option', async () => {
    const decoded = await decode(plain.endpoint, encoded);
    assert.equal(decoded.context.principal.arn, `arn:aws:iam::${A}:user/nobody`);
  });

  const tampered: ReadonlyArray<[string, (m: string) => string]> = [
    ['a character changed', (m) => `${m.slice(0, 40)}${m[40] === 'A' ? 'B' : 'A'}${m.slice(41)}`],
    ['truncated', (m) => m.slice(0, -8)],
    ['garbage', () => 'not-an-encoded-message'],
    ['a line break inside', (m) => `${m.slice(0, 20)}\n${m.slice(20)}`],
  ];
  for (const [name, change] of tampered) {
    test(`InvalidAuthorizationMessageException (400): ${name}`, async () => {
      assert.deepEqual(await failure(stsClient(encoding.endpoint).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: change(encoded) }))), INVALID);
    });
  }

  test('EncodedMessage longer than 10240 characters: the model\'s ValidationError', async () => {
    const out = await failure(stsClient(encoding.endpoint).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'A'.repeat(10241) })));
    assert.deepEqual([out.name, out.status], ['ValidationError', 400]);
    assert.equal(out.message, `1 validation error detected: Value '${'A'.repeat(10241)}' at 'encodedMessage' failed to satisfy constraint: Member must have length less than or equal to 10240`);
  });

  test('an empty EncodedMessage: the model\'s ValidationError', async () => {
    const out = await failure(stsClient(encoding.endpoint).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: '' })));
    assert.deepEqual([out.name, out.status], ['ValidationError', 400]);
    assert.equal(out.message, "1 validation error detected: Value '' at 'encodedMessage' failed to satisfy constraint: Member must have length greater than or equal to 1");
  });
});

describe('the option', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const cases: ReadonlyArray<[string, boolean | undefined, string | undefined, boolean | 'throws']> = [
    ['off by default', undefined, undefined, false],
    ['GATEHOUSE_ENCODE_AUTHORIZATION_MESSAGES=1', undefined, '1', true],
    ['GATEHOUSE_ENCODE_AUTHORIZATION_MESSAGES=true', undefined, 'true', true],
    ['GATEHOUSE_ENCODE_AUTHORIZATION_MESSAGES=0', undefined, '0', false],
    ['empty variable: the default', undefined, '', false],
    ['--encode-authorization-messages wins over the variable', true, '0', true],
    ['an unclear value is refused', undefined, 'maybe', 'throws'],
  ];
  for (const [name, flag, variable, expected] of cases) {
    test(name, () => {
      const env = variable === undefined ? {} : { GATEHOUSE_ENCODE_AUTHORIZATION_MESSAGES: variable };
      const load = () => loadConfig({ dataDir, ...(flag !== undefined ? { encodeAuthorizationMessages: flag } : {}) }, env).encodeAuthorizationMessages;
      if (expected === 'throws') assert.throws(load, /GATEHOUSE_ENCODE_AUTHORIZATION_MESSAGES/);
      else assert.equal(load(), expected);
    });
  }
});
