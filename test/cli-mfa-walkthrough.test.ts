// The MFA walkthrough as a person does it at a terminal, with the AWS CLI v1 that is first on PATH: create a
// virtual MFA device (the seed written to a file, as an authenticator app would import it), enable it with two
// consecutive codes, then use a profile with role_arn, source_profile and mfa_serial. The CLI prompts
// "Enter MFA code for …:" in a real terminal (tmux), the test types the current code, and the role, whose trust
// policy requires aws:MultiFactorAuthPresent, is assumed; the same profile without mfa_serial is denied.
//
// Why the CLI v1: its botocore honours AWS_ENDPOINT_URL for the STS call a profile's role makes, so every request
// stays on 127.0.0.1; Debian's CLI v2.9 (/usr/bin/aws) sends that call to the real AWS.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { codeAt, timeStep } from '../src/core/sts/totp.js';
import { REGION, ROOT_KEY, startTestServer, TEST_ACCOUNT_ID, type TestServer } from './helpers/server.js';

const run = promisify(execFile);
const A = TEST_ACCOUNT_ID;
const ROLE = `arn:aws:iam::${A}:role/needs-mfa`;

/** The first `aws` on PATH, when it is the CLI v1 (on CI: /root/.pyenv/shims/aws). */
function findCliV1(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    const candidate = join(dir, 'aws');
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    try {
      const version = execFileSync(candidate, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return /aws-cli\/1\./.test(version) ? candidate : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const AWS = findCliV1();
const skip =
  AWS === undefined
    ? 'the first aws on PATH is not the AWS CLI v1 (CI has it at /root/.pyenv/shims/aws); CLI v2.9 would send the profile\'s AssumeRole to real AWS'
    : !hasTmux()
      ? 'tmux is not installed (.ci/run installs it with apt-get install tmux)'
      : false;

let server: TestServer;
let home: string;
const socket = `gatehouse-mfa-${process.pid}`;

/** The environment of every CLI run: a private HOME (the CLI caches assumed-role credentials there), files, endpoint. */
function cliEnv(): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_ENDPOINT_URL: server.endpoint,
    AWS_DEFAULT_REGION: REGION,
    AWS_PAGER: '',
    TERM: 'xterm',
  };
}

/** A non-interactive CLI call with a profile; its JSON output parsed. */
async function aws(profile: string, args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(AWS as string, [...args, '--profile', profile, '--output', 'json'], { env: cliEnv() });
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: { ...process.env, ...cliEnv() } });
const pane = (): string => tmux('capture-pane', '-p', '-J', '-t', 'walk', '-S', '-200');

/** Polls the terminal until `pattern` shows, as a person watching it would. */
async function waitFor(pattern: RegExp, what: string, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pane().match(pattern);
    if (match !== null) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the terminal shows:\n${pane()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

before(async () => {
  if (skip !== false) return;
  server = await startTestServer();
  home = mkdtempSync(join(tmpdir(), 'gatehouse-cli-mfa-'));
  writeFileSync(join(home, 'credentials'), `[admin]\naws_access_key_id = ${ROOT_KEY.accessKeyId}\naws_secret_access_key = ${ROOT_KEY.secretAccessKey}\n`);
  writeFileSync(join(home, 'config'), `[profile admin]\nregion = ${REGION}\n`);
});
after(async () => {
  if (skip !== false) return;
  try {
    tmux('kill-server');
  } catch {
    // No session was started (an earlier failure); nothing to stop.
  }
  await server?.close();
  rmSync(home, { recursive: true, force: true });
});

test('AWS CLI v1 at a terminal: the mfa_serial profile prompts for a code and assumes the MFA-only role', { skip }, async () => {
  // The administrator: a user with a key, a role that only MFA-authenticated callers may assume.
  await aws('admin', ['iam', 'create-user', '--user-name', 'alice']);
  await aws('admin', ['iam', 'put-user-policy', '--user-name', 'alice', '--policy-name', 'assume', '--policy-document', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] })]);
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }] };
  await aws('admin', ['iam', 'create-role', '--role-name', 'needs-mfa', '--assume-role-policy-document', JSON.stringify(trust)]);
  const key = (await aws('admin', ['iam', 'create-access-key', '--user-name', 'alice']))['AccessKey'] as { AccessKeyId: string; SecretAccessKey: string };

  // The virtual device: the CLI writes the seed to a file (a person would scan the QR code instead).
  const seedFile = join(home, 'seed.txt');
  const device = (await aws('admin', ['iam', 'create-virtual-mfa-device', '--virtual-mfa-device-name', 'alice-phone', '--outfile', seedFile, '--bootstrap-method', 'Base32StringSeed']))['VirtualMFADevice'] as { SerialNumber: string };
  const serial = device.SerialNumber;
  assert.equal(serial, `arn:aws:iam::${A}:mfa/alice-phone`);
  const seed = readFileSync(seedFile, 'ascii').trim();
  assert.match(seed, /^[A-Z2-7]{64}$/);
  const now = timeStep(new Date());
  await aws('admin', ['iam', 'enable-mfa-device', '--user-name', 'alice', '--serial-number', serial, '--authentication-code1', codeAt(seed, now - 1), '--authentication-code2', codeAt(seed, now)]);
  const listed = (await aws('admin', ['iam', 'list-mfa-devices', '--user-name', 'alice']))['MFADevices'] as Array<{ SerialNumber: string }>;
  assert.deepEqual(listed.map((d) => d.SerialNumber), [serial]);

  // Alice's files: her key, and two role profiles on it, one with mfa_serial.
  writeFileSync(join(home, 'credentials'), `${readFileSync(join(home, 'credentials'), 'utf8')}[alice]\naws_access_key_id = ${key.AccessKeyId}\naws_secret_access_key = ${key.SecretAccessKey}\n`);
  writeFileSync(
    join(home, 'config'),
    `${readFileSync(join(home, 'config'), 'utf8')}` +
      `[profile alice]\nregion = ${REGION}\n` +
      `[profile role-with-mfa]\nrole_arn = ${ROLE}\nsource_profile = alice\nmfa_serial = ${serial}\nregion = ${REGION}\n` +
      `[profile role-without-mfa]\nrole_arn = ${ROLE}\nsource_profile = alice\nregion = ${REGION}\n`,
  );

  // The terminal: a private tmux server whose shell has the CLI's environment.
  tmux('new-session', '-d', '-s', 'walk', '-x', '220', '-y', '50', 'bash --noprofile --norc');
  tmux('send-keys', '-t', 'walk', `PS1='$ '; clear`, 'Enter');

  // Without mfa_serial the CLI assumes the role without a code, and the trust policy denies it.
  tmux('send-keys', '-t', 'walk', `${AWS} sts get-caller-identity --profile role-without-mfa --output text; echo "plain-exit=$?"`, 'Enter');
  const denied = await waitFor(/plain-exit=(\d+)/, 'the denied call to finish');
  assert.notEqual(denied[1], '0');
  assert.match(pane(), /AccessDenied/);
  assert.match(pane(), /is not authorized to perform: sts:AssumeRole/);

  // With mfa_serial the CLI prompts; the person reads the app and types the code.
  tmux('send-keys', '-t', 'walk', 'clear', 'Enter');
  tmux('clear-history', '-t', 'walk');
  tmux('send-keys', '-t', 'walk', `${AWS} sts get-caller-identity --profile role-with-mfa --output text; echo "mfa-exit=$?"`, 'Enter');
  await waitFor(new RegExp(`Enter MFA code for ${serial.replace(/[/.]/g, '\\$&')}:`), 'the MFA prompt');
  // The code enable used for its second half was the one of `now`; a person typing now gets a later one or waits.
  const step = Math.max(timeStep(new Date()), now + 1);
  const code = codeAt(seed, step);
  tmux('send-keys', '-t', 'walk', code, 'Enter');
  const done = await waitFor(/mfa-exit=(\d+)/, 'the MFA call to finish');
  const screen = pane();
  assert.equal(done[1], '0', screen);
  assert.match(screen, new RegExp(`arn:aws:sts::${A}:assumed-role/needs-mfa/[\\w=,.@-]+`));
});
