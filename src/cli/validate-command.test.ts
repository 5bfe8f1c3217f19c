import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runValidate, type ValidateIo } from './validate-command.js';

let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-validate-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: ValidateIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    readFile: (path) => readFile(path, 'utf8'),
    readStdin: async () => stdin,
  };
  const code = await runValidate(args, io);
  return { code, out, err };
}

async function policyFile(name: string, doc: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return path;
}

const clean = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' }],
};

test('exit 0 for a clean policy', async () => {
  const { code, out } = await run([await policyFile('clean.json', clean)]);
  assert.equal(code, 0);
  assert.match(out, /no findings/);
});

test('exit 0 when there are only warnings', async () => {
  const { code, out } = await run([await policyFile('warn.json', { Statement: clean.Statement })]);
  assert.equal(code, 0);
  assert.match(out, /WARNING MISSING_VERSION at \$/);
});

test('exit 1 for error findings', async () => {
  const doc = { ...clean, Statement: [{ ...clean.Statement[0], Action: 's3:GetObjecct' }] };
  const { code, out } = await run([await policyFile('typo.json', doc)]);
  assert.equal(code, 1);
  assert.match(out, /ERROR INVALID_ACTION at \$\.Statement\[0\]\.Action/);
  assert.match(out, /Did you mean s3:GetObject\?/);
});

test('exit 2 with IAM\'s message when IAM would refuse the document', async () => {
  const { code, out } = await run([await policyFile('bad.json', '{"Version": "2012-10-17", ')]);
  assert.equal(code, 2);
  assert.match(out, /MalformedPolicyDocument: Syntax errors in policy\./);
});

test('--type changes the rules: an identity policy is not a trust policy', async () => {
  const trust = {
    Version: '2012-10-17',
    Statement: { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
  };
  const path = await policyFile('trust.json', trust);
  assert.equal((await run([path, '--type', 'trust'])).code, 0);
  const asIdentity = await run([path]);
  assert.equal(asIdentity.code, 2);
  assert.match(asIdentity.out, /Policy document should not specify a principal\./);
});

test('--json prints iamError and findings', async () => {
  const path = await policyFile('json.json', { Statement: clean.Statement });
  const { code, out } = await run([path, '--json']);
  assert.equal(code, 0);
  const parsed = JSON.parse(out) as { iamError: unknown; findings: Array<{ issueCode: string; path: string }> };
  assert.equal(parsed.iamError, null);
  assert.deepEqual(
    parsed.findings.map((f) => [f.issueCode, f.path]),
    [['MISSING_VERSION', '$']],
  );
});

test('reads standard input for -', async () => {
  const { code, out } = await run(['-', '--type=scp'], JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' } }));
  assert.equal(code, 2);
  assert.match(out, /<stdin>: MalformedPolicyDocument: The provided policy document does not meet the requirements/);
});

test('--managed requires Version 2012-10-17', async () => {
  const path = await policyFile('managed.json', { Statement: clean.Statement });
  const { code, out } = await run([path, '--managed']);
  assert.equal(code, 2);
  assert.match(out, /Policy document must be version 2012-10-17 or greater\./);
});

test('usage errors exit 64, unreadable files 66', async () => {
  const missing = await run([]);
  assert.equal(missing.code, 64);
  assert.match(missing.err, /usage: gatehouse validate/);
  assert.equal((await run(['x.json', '--type', 'session'])).code, 64);
  assert.equal((await run(['x.json', '--frobnicate'])).code, 64);
  assert.equal((await run([join(dir, 'absent.json')])).code, 66);
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /usage/);
});
