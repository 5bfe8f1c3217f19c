import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { main } from './commands.js';
import type { CommandIo } from './io.js';

function recordingIo(files: Record<string, string> = {}): { io: CommandIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const read = async (path: string): Promise<string> => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return text;
  };
  return {
    io: {
      stdout: (t) => void (out += t),
      stderr: (t) => void (err += t),
      readFile: read,
      readStdin: async () => '',
      async *readLines(path) {
        yield* (await read(path ?? '-')).split('\n');
      },
      now: () => new Date('2026-12-01T00:00:00Z'),
    },
    out: () => out,
    err: () => err,
  };
}

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const document = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } });

const cases: ReadonlyArray<{ name: string; argv: string[]; files?: Record<string, string>; code: number; out?: RegExp; err?: RegExp }> = [
  { name: '--version', argv: ['--version'], code: 0, out: new RegExp(`^gatehouse ${version.replace(/\./g, '\\.')}\\n$`) },
  { name: 'help lists every serve option', argv: ['--help'], code: 0, out: /--host ADDR.*--database-url URL.*--encode-authorization-messages/s },
  { name: 'serve --help names --strict-iam-region and its variable', argv: ['serve', '--help'], code: 0, out: /--strict-iam-region.*GATEHOUSE_STRICT_IAM_REGION=1/s },
  { name: 'no command is bad usage, on standard error', argv: [], code: 64, err: /^usage: gatehouse/ },
  { name: 'an unknown command', argv: ['frobnicate'], code: 64, err: /unknown command frobnicate/ },
  { name: 'validate --type=trust is --type trust', argv: ['validate', '--type=resource', 'p.json'], files: { 'p.json': document }, code: 2, out: /MalformedPolicyDocument/ },
  { name: 'validate with an unknown option', argv: ['validate', '--strict', 'p.json'], code: 64, err: /^gatehouse validate: Unknown option '--strict'\n/ },
  { name: 'validate an unreadable file: one line, exit 66', argv: ['validate', 'missing.json'], code: 66, err: /^gatehouse validate: cannot read missing\.json: ENOENT[^\n]*\n$/ },
  { name: 'simulate an unreadable file: one line, exit 66', argv: ['simulate', 'missing.json'], code: 66, err: /^gatehouse simulate: cannot read missing\.json: ENOENT: no such file or directory\n$/ },
  { name: 'simulate --batch an unreadable file', argv: ['simulate', '--batch', 'missing.jsonl'], code: 66, err: /^gatehouse simulate: cannot read missing\.jsonl/ },
  { name: 'simulate with two files', argv: ['simulate', 'a', 'b'], code: 64, err: /only one FILE/ },
];

for (const c of cases) {
  test(`gatehouse ${c.argv.join(' ')}: ${c.name}`, async () => {
    const { io, out, err } = recordingIo(c.files);
    assert.equal(await main(c.argv, io), c.code, `${out()}${err()}`);
    if (c.out !== undefined) assert.match(out(), c.out);
    if (c.err !== undefined) assert.match(err(), c.err);
  });
}
