// A throwaway PostgreSQL cluster for tests: initdb in a fresh temp directory, one postgres process on 127.0.0.1 and
// a free port, stopped (and its directory removed) by stop(). Each test file starts its own and makes databases in
// it, so files run in parallel without sharing state.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Where Debian's postgresql-15 package puts the server binaries; GATEHOUSE_TEST_PG_BIN overrides it. */
export const POSTGRES_BIN = process.env['GATEHOUSE_TEST_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

export interface PostgresCluster {
  /** A URL for `database` on this cluster, as the server's GATEHOUSE_DATABASE_URL would be written. */
  url(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs one statement as the superuser in `database`, for tests that look under the adapter. */
  query(database: string, sql: string, values?: unknown[]): Promise<pg.QueryResult>;
  /**
   * Kills the server the way a crash would (immediate shutdown: no checkpoint, nothing flushed on the way out) and
   * starts it again on the same data and port, so it recovers from its WAL alone.
   */
  crashAndRestart(): Promise<void>;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
// Generous: crash recovery on a machine busy with the rest of the test run has taken over 30 s.
const READY_TIMEOUT_MS = 120_000;

/** The uid/gid to run the cluster as: initdb and postgres refuse to run as root, so root hands them to `postgres`. */
function clusterOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = spawnSync('id', ['-u', SUPERUSER], { encoding: 'utf8' });
  const group = spawnSync('id', ['-g', SUPERUSER], { encoding: 'utf8' });
  if (lookup.status !== 0 || group.status !== 0) {
    throw new Error(`running as root, PostgreSQL tests need the "${SUPERUSER}" OS user (the postgresql package creates it)`);
  }
  return { uid: Number(lookup.stdout.trim()), gid: Number(group.stdout.trim()) };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts a fresh cluster. Fails, never skips, when the binaries are missing: a silently skipped suite would let the
 * PostgreSQL adapter rot unnoticed in CI.
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const initdb = join(POSTGRES_BIN, 'initdb');
  const postgres = join(POSTGRES_BIN, 'postgres');
  if (!existsSync(initdb) || !existsSync(postgres)) {
    throw new Error(
      `PostgreSQL 15 server binaries not found in ${POSTGRES_BIN} (initdb, postgres): install them ` +
        '(apt-get install postgresql-15, as .ci/run does) or point GATEHOUSE_TEST_PG_BIN at them',
    );
  }
  const owner = clusterOwner();
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-pg-'));
  if (owner !== undefined) chownSync(root, owner.uid, owner.gid);
  const dataDir = join(root, 'data');
  const asOwner = owner ?? {};

  const init = spawnSync(initdb, ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C'], {
    ...asOwner,
    encoding: 'utf8',
  });
  if (init.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status ?? init.signal}): ${init.stderr || init.stdout}`);
  }

  const port = await freePort();
  let log = '';
  // fsync stays on, as in production: the durability tests mean nothing without it. full_page_writes only guards
  // against torn pages on power loss, which a test cluster never sees.
  const launch = (): ChildProcess => {
    const child = spawn(
      postgres,
      ['-D', dataDir, '-c', 'listen_addresses=127.0.0.1', '-c', `port=${port}`, '-c', `unix_socket_directories=${root}`, '-c', 'fsync=on', '-c', 'full_page_writes=off'],
      { ...asOwner, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-8000);
    });
    return child;
  };
  let server = launch();
  // A test process that dies without its after hook must not leave a postmaster behind.
  const killOnExit = (): void => {
    server.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const url = (database: string): string => `postgresql://${SUPERUSER}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    await stopServer(server, 'SIGINT');
    rmSync(root, { recursive: true, force: true });
  };

  try {
    await waitUntilReady(server, url('postgres'), () => log);
  } catch (error) {
    await stop();
    throw error;
  }

  const query = async (database: string, sql: string, values?: unknown[]): Promise<pg.QueryResult> => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return await client.query(sql, values);
    } finally {
      await client.end();
    }
  };
  return {
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database names here are plain identifiers: ${name}`);
      await query('postgres', `CREATE DATABASE ${name}`);
      return url(name);
    },
    query,
    async crashAndRestart() {
      await stopServer(server, 'SIGQUIT');
      server = launch();
      await waitUntilReady(server, url('postgres'), () => log);
    },
    stop,
  };
}

async function waitUntilReady(server: ChildProcess, url: string, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error(`postgres exited at start:\n${log()}`);
    const client = new pg.Client({ connectionString: url });
    // The server starts refusing, then accepts: an unconnected client's error is expected until then.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${READY_TIMEOUT_MS} ms:\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * SIGINT is a fast shutdown (roll back sessions, checkpoint, exit), SIGQUIT an immediate one (exit at once, as a
 * crash would); SIGKILL follows if either hangs.
 */
async function stopServer(server: ChildProcess, signal: 'SIGINT' | 'SIGQUIT'): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  server.kill(signal);
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
