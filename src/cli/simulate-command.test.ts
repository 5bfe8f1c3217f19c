import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './commands.js';
import type { CommandIo } from './io.js';

function fakeIo(stdin: string): { io: CommandIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: (t) => void (out += t),
      stderr: (t) => void (err += t),
      readFile: async () => stdin,
      readStdin: async () => stdin,
      async *readLines() {
        yield* stdin.split('\n');
      },
      now: () => new Date('2026-11-25T12:00:00Z'),
    },
    out: () => out,
    err: () => err,
  };
}

const allowGetObjectUntil2027 = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::reports/*',
      Condition: { DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } },
    },
  ],
};

const base = {
  principal: 'arn:aws:iam::111122223333:user/alice',
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::reports/q1.csv',
  identityPolicies: [allowGetObjectUntil2027],
};

const cases = [
  { name: 'allowed before the date (clock from the command line)', input: base, decision: 'Allowed', decidedBy: ['identity'] },
  { name: 'denied after the date given in the request', input: { ...base, time: '2027-06-01T00:00:00Z' }, decision: 'ImplicitlyDenied', decidedBy: ['identity'] },
  { name: 'another bucket is not allowed', input: { ...base, resource: 'arn:aws:s3:::other/q1.csv' }, decision: 'ImplicitlyDenied', decidedBy: ['identity'] },
  {
    name: 'an SCP level without an Allow denies',
    input: { ...base, serviceControlPolicies: [{ target: 'r-root', policies: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'ec2:*', Resource: '*' } }] }] },
    decision: 'ImplicitlyDenied',
    decidedBy: ['scp'],
  },
];

for (const c of cases) {
  test(`simulate: ${c.name}`, async () => {
    const { io, out } = fakeIo(JSON.stringify(c.input));
    assert.equal(await main(['simulate', '-'], io), 0);
    const result = JSON.parse(out()) as { decision: string; decidedBy: string[]; explanation?: unknown };
    assert.equal(result.decision, c.decision);
    assert.deepEqual(result.decidedBy, c.decidedBy);
    assert.equal(result.explanation, undefined);
  });
}

test('simulate --explain names the statement and the resolved condition values', async () => {
  const { io, out } = fakeIo(JSON.stringify(base));
  assert.equal(await main(['simulate', '--explain'], io), 0);
  const result = JSON.parse(out()) as { explanation: { statements: Array<{ matched: boolean; conditions: Array<{ requestValues: string[] }> }> } };
  const [statement] = result.explanation.statements;
  assert.equal(statement?.matched, true);
  assert.deepEqual(statement?.conditions[0]?.requestValues, ['2026-11-25T12:00:00Z']);
});

test('simulate --batch answers each line in order and survives malformed lines', async () => {
  const lines = [
    JSON.stringify(base),
    '{not json',
    JSON.stringify({ ...base, identityPolicies: [{ Version: '2012-10-17', Statement: { Effect: 'Permit', Action: '*', Resource: '*' } }] }),
    JSON.stringify({ action: 's3:GetObject' }),
    JSON.stringify({ ...base, resource: 'arn:aws:s3:::other/x' }),
  ];
  const { io, out } = fakeIo(lines.join('\n'));
  assert.equal(await main(['simulate', '--batch'], io), 0);
  const results = out().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(results.length, 5);
  assert.equal(results[0]?.['decision'], 'Allowed');
  assert.equal((results[1]?.['error'] as { code: string }).code, 'InvalidInput');
  assert.deepEqual(results[2]?.['error'], { code: 'MalformedPolicyDocument', message: 'identityPolicies[0]: Syntax errors in policy.' });
  assert.equal((results[3]?.['error'] as { code: string }).code, 'InvalidInput');
  assert.equal(results[4]?.['decision'], 'ImplicitlyDenied');
});

test('simulate exits 2 with an error document for a malformed single request', async () => {
  const { io, out } = fakeIo('[]');
  assert.equal(await main(['simulate'], io), 2);
  assert.equal((JSON.parse(out()) as { error: { code: string } }).error.code, 'InvalidInput');
});

test('unknown command is a usage error', async () => {
  const { io, err } = fakeIo('');
  assert.equal(await main(['frobnicate'], io), 64);
  assert.match(err(), /unknown command frobnicate/);
});

test('simulate --explain shows Resource patterns with their variables resolved', async () => {
  const input = {
    principal: 'arn:aws:iam::111122223333:user/alice',
    action: 's3:PutObject',
    resource: 'arn:aws:s3:::home/alice/notes.txt',
    identityPolicies: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::home/${aws:username}/*' } }],
  };
  const { io, out } = fakeIo(JSON.stringify(input));
  assert.equal(await main(['simulate', '--explain'], io), 0);
  const result = JSON.parse(out()) as { decision: string; explanation: { statements: Array<{ resolvedResources?: string[] }> } };
  assert.equal(result.decision, 'Allowed');
  assert.deepEqual(result.explanation.statements[0]?.resolvedResources, ['arn:aws:s3:::home/alice/*']);
});

// The server refuses these documents and principals; simulate must not decide them either.
const refused = [
  {
    name: 'an identity statement without Resource',
    input: { ...base, identityPolicies: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject' } }] },
    code: 'MalformedPolicyDocument',
    message: /identityPolicies\[0\]: .*[Rr]esource/,
  },
  {
    name: 'a resource policy without Principal',
    input: { ...base, resourcePolicy: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } } },
    code: 'MalformedPolicyDocument',
    message: /resourcePolicy: .*[Pp]rincipal/,
  },
  {
    name: 'an identity policy with a Principal',
    input: { ...base, sessionPolicy: { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' } } },
    code: 'MalformedPolicyDocument',
    message: /sessionPolicy: /,
  },
  { name: 'a bare name as principal', input: { ...base, principal: 'alice' }, code: 'InvalidInput', message: /"principal" must be/ },
  { name: 'an S3 ARN as principal', input: { ...base, principal: 'arn:aws:s3:::bucket' }, code: 'InvalidInput', message: /"principal" must be/ },
  { name: 'an action without a service', input: { ...base, action: 'GetObject' }, code: 'InvalidInput', message: /"action" must be/ },
  { name: 'a resource that is no ARN', input: { ...base, resource: 'reports/q1.csv' }, code: 'InvalidInput', message: /"resource" must be/ },
];

for (const c of refused) {
  test(`simulate refuses ${c.name}, as the server would`, async () => {
    const { io, out } = fakeIo(JSON.stringify(c.input));
    assert.equal(await main(['simulate', '-'], io), 2);
    const result = JSON.parse(out()) as { error: { code: string; message: string } };
    assert.equal(result.error.code, c.code);
    assert.match(result.error.message, c.message);
  });
}

for (const principal of ['arn:aws:iam::111122223333:root', '111122223333', 'ec2.amazonaws.com', 'anonymous', 'arn:aws:sts::111122223333:assumed-role/R/s', 'arn:aws:sts::111122223333:federated-user/bob', 'accounts.google.com']) {
  test(`simulate accepts the principal ${principal}`, async () => {
    const { io, out } = fakeIo(JSON.stringify({ ...base, principal }));
    assert.equal(await main(['simulate', '-'], io), 0, out());
  });
}
