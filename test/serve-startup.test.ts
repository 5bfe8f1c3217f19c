// Start-up as a user meets it: every failure the user can fix is one line on standard error and a non-zero exit
// within a second, with no stack trace and no data directory left behind; `npm start` stops on SIGTERM and SIGINT.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runServe } from '../src/cli/serve-command.js';
import type { CommandIo } from '../src/cli/io.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-startup-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function recordingIo(): CommandIo & { err: () => string } {
  let err = '';
  return {
    stdout: () => undefined,
    stderr: (text) => void (err += text),
    readFile: () => Promise.reject(new Error('not used')),
    readStdin: () => Promise.reject(new Error('not used')),
    readLines: () => (async function* () {})(),
    now: () => new Date(),
    err: () => err,
  };
}

/** Runs `gatehouse serve` in-process; it must give up (exit 1, one line) within a second. */
async function refusedStart(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const io = recordingIo();
  const started = performance.now();
  const code = await runServe(args, io, env);
  const elapsed = performance.now() - started;
  assert.equal(code, 1, io.err());
  assert.ok(elapsed < 1000, `took ${Math.round(elapsed)} ms`);
  const lines = io.err().split('\n');
  assert.equal(lines.length, 2, io.err());
  assert.equal(lines[1], '');
  return lines[0] as string;
}

describe('gatehouse serve refuses what it cannot serve, in one line', () => {
  let taken: Server;
  let takenPort: number;
  before(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    takenPort = (taken.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  const fresh = (name: string): string => join(scratch, name);

  test('a port in use', async () => {
    const dir = fresh('port-in-use');
    const line = await refusedStart(['--port', String(takenPort), '--data-dir', dir]);
    assert.equal(line, `gatehouse serve: port ${takenPort} on 127.0.0.1 is in use by another process`);
    assert.equal(existsSync(dir), false, 'the data directory this start made is removed again');
  });

  for (const port of ['abc', '70000', '-1', '4566x']) {
    test(`--port=${port}`, async () => {
      const dir = fresh(`port-${port}`);
      assert.match(await refusedStart([`--port=${port}`, '--data-dir', dir]), /^gatehouse serve: invalid port "[^"]*": give a number from 0 to 65535$/);
      assert.equal(existsSync(dir), false);
    });
  }

  test('a GATEHOUSE_ACCOUNT_ID that is not 12 digits', async () => {
    const dir = fresh('account');
    assert.equal(await refusedStart(['--port', '0', '--data-dir', dir], { GATEHOUSE_ACCOUNT_ID: '1234' }), 'gatehouse serve: GATEHOUSE_ACCOUNT_ID must be 12 digits, not "1234"');
    assert.equal(existsSync(dir), false);
  });

  test('an unreadable TLS key', async () => {
    const line = await refusedStart(['--port', '0', '--data-dir', fresh('tls'), '--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem']);
    assert.match(line, /^gatehouse serve: cannot read the TLS certificate \/nonexistent\/cert\.pem: ENOENT/);
  });

  test('an unknown log level', async () => {
    assert.match(await refusedStart(['--port', '0', '--data-dir', fresh('level'), '--log-level', 'loud']), /^gatehouse serve: the log level must be one of trace, debug, info/);
  });

  test('an unknown enforcement mode', async () => {
    assert.equal(
      await refusedStart(['--port', '0', '--data-dir', fresh('enforcement'), '--enforcement', 'lenient']),
      'gatehouse serve: the enforcement mode must be one of enforce, audit, off, not "lenient"',
    );
  });

  describe('a data directory another server holds', () => {
    let holder: TestServer;
    before(async () => {
      holder = await startTestServer();
    });
    after(() => holder.close());

    test('is refused at once, and left as it was', async () => {
      const line = await refusedStart(['--port', '0', '--data-dir', holder.dataDir]);
      assert.match(line, /^gatehouse serve: the database .* is in use by another process \(one Gatehouse server per data directory\)$/);
      assert.ok(existsSync(join(holder.dataDir, 'gatehouse.db')));
      const health = await fetch(`${holder.endpoint}/_gatehouse/health`);
      assert.equal(health.status, 200);
    });
  });
});

for (const mode of ['audit', 'off'] as const) {
  test(`the real command: --enforcement ${mode} is on the start-up line and on a line of its own`, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--data-dir', join(scratch, `mode-${mode}`), '--enforcement', mode, '--log-level', 'warn'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = exited(child);
    const out = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout?.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('ENFORCEMENT:')) resolve(text);
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${text}`)));
    });
    child.kill('SIGTERM');
    await done;
    assert.match(out, new RegExp(`listening on http://127\\.0\\.0\\.1:\\d+ \\(account \\d{12}, data in [^,]+, enforcement ${mode}\\)`));
    assert.match(out, new RegExp(`^ENFORCEMENT: ${mode}: .*authentication is still required$`, 'm'));
  });
}

/** A child process's exit, with its output. */
function exited(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr, stdout })));
}

test('the real command: a bad port is one line on standard error, no stack trace', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', 'abc', '--data-dir', join(scratch, 'cli')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const { code, stderr } = await exited(child);
  assert.equal(code, 1);
  assert.equal(stderr, 'gatehouse serve: invalid port "abc": give a number from 0 to 65535\n');
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`npm start stops the server on ${signal}`, { skip: existsSync(join(ROOT, 'dist/cli/main.js')) ? false : 'dist/ is not built (npm install builds it)' }, async () => {
    const dir = join(scratch, `npm-${signal}`);
    const child = spawn('npm', ['start', '--silent', '--', '--port', '0', '--data-dir', dir, '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const done = exited(child);
    const address = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /listening on (http:\/\/[^ ]+)/.exec(out);
        if (match !== null) resolve(match[1] as string);
      });
      child.once('exit', () => reject(new Error(`npm start exited before listening: ${out}`)));
    });
    assert.equal((await fetch(`${address}/_gatehouse/health`)).status, 200);
    child.kill(signal);
    await done;
    // The server itself must be gone, not only npm: nothing answers on its port any more.
    const started = Date.now();
    let answered = true;
    while (answered && Date.now() - started < 5000) {
      answered = await fetch(`${address}/_gatehouse/health`).then(
        () => true,
        () => false,
      );
      if (answered) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(answered, false, `the server still answers at ${address} after npm start got ${signal}`);
  });
}
