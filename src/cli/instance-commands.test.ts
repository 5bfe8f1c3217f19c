import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './commands.js';
import { runInstanceCommand, type InstanceCommand } from './instance-commands.js';
import type { CommandIo } from './io.js';

function recording(): { io: CommandIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: (t) => void (out += t),
      stderr: (t) => void (err += t),
      readFile: () => Promise.reject(new Error('not used')),
      readStdin: async () => '',
      readLines: () => (async function* () {})(),
      now: () => new Date(),
    },
    out: () => out,
    err: () => err,
  };
}

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE01', AWS_SECRET_ACCESS_KEY: 'secret' };

const cases: ReadonlyArray<{ name: string; command: InstanceCommand; args: string[]; env?: NodeJS.ProcessEnv; code: number; err?: RegExp; out?: RegExp }> = [
  { name: 'register-instance needs --instance-profile', command: 'register-instance', args: [], env: KEYS, code: 64, err: /^gatehouse register-instance: --instance-profile is required\nusage: gatehouse register-instance/ },
  { name: '--http-tokens is required or optional', command: 'register-instance', args: ['--instance-profile', 'web', '--http-tokens', 'sometimes'], env: KEYS, code: 64, err: /--http-tokens must be required or optional/ },
  { name: 'register-container needs --role-arn', command: 'register-container', args: ['--role-arn'], env: KEYS, code: 64, err: /Option '--role-arn <value>' argument missing/ },
  { name: 'an unknown option', command: 'register-container', args: ['--role', 'x'], env: KEYS, code: 64, err: /Unknown option '--role'/ },
  { name: 'deregister-instance needs one ID', command: 'deregister-instance', args: [], env: KEYS, code: 64, err: /give one INSTANCE_ID/ },
  { name: 'deregister-container takes one ID only', command: 'deregister-container', args: ['a', 'b'], env: KEYS, code: 64, err: /give one TASK_ID/ },
  { name: '--help', command: 'register-container', args: ['--help'], code: 0, out: /AWS_CONTAINER_CREDENTIALS_FULL_URI/ },
  { name: 'no keys: told which variables to set', command: 'register-instance', args: ['--instance-profile', 'web'], env: {}, code: 1, err: /set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/ },
  { name: 'an endpoint that is no URL', command: 'register-instance', args: ['--instance-profile', 'web', '--endpoint-url', 'nowhere'], env: KEYS, code: 1, err: /the endpoint "nowhere" is not a URL/ },
  { name: 'an endpoint of another scheme', command: 'deregister-instance', args: ['i-0', '--endpoint-url', 'ftp://127.0.0.1'], env: KEYS, code: 1, err: /must be an http:\/\/ or https:\/\/ URL/ },
  { name: 'nothing listening', command: 'deregister-container', args: ['x', '--endpoint-url', 'http://127.0.0.1:1'], env: KEYS, code: 1, err: /^gatehouse deregister-container: cannot reach http:\/\/127\.0\.0\.1:1: / },
];

for (const { name, command, args, env = {}, code, err, out } of cases) {
  test(name, async () => {
    const io = recording();
    assert.equal(await runInstanceCommand(command, args, io.io, env), code, io.err());
    if (err !== undefined) assert.match(io.err(), err);
    if (out !== undefined) assert.match(io.out(), out);
  });
}

test('gatehouse --help names the commands, and main routes them', async () => {
  const help = recording();
  assert.equal(await main(['--help'], help.io), 0);
  for (const word of ['register-instance', 'register-container', 'deregister-instance', 'deregister-container']) assert.ok(help.out().includes(word), word);
  const routed = recording();
  assert.equal(await main(['deregister-instance', '--help'], routed.io), 0);
  assert.match(routed.out(), /^usage: gatehouse deregister-instance INSTANCE_ID/);
});
