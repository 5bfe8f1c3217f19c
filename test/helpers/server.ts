// Starts a real Gatehouse server on 127.0.0.1 (an ephemeral port, a fresh data directory) for integration tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startServer, type RunningServer, type StartOptions } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';

export const TEST_ACCOUNT_ID = '111122223333';
export const ROOT_KEY = { accessKeyId: 'AKIAGATEHOUSEROOT001', secretAccessKey: 'gatehouse/root/secret/for/tests/only/0001' };
export const REGION = 'us-east-1';

export interface TestServer {
  readonly endpoint: string;
  readonly port: number;
  readonly dataDir: string;
  readonly running: RunningServer;
  close(): Promise<void>;
}

export async function startTestServer(env: NodeJS.ProcessEnv = {}, options: StartOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const config = loadConfig(
    { port: 0, dataDir, host: '127.0.0.1' },
    {
      // Tests read the request log through a captured logger; on standard output it would drown the test report.
      GATEHOUSE_LOG_LEVEL: 'warn',
      GATEHOUSE_ACCOUNT_ID: TEST_ACCOUNT_ID,
      GATEHOUSE_ROOT_ACCESS_KEY_ID: ROOT_KEY.accessKeyId,
      GATEHOUSE_ROOT_SECRET_ACCESS_KEY: ROOT_KEY.secretAccessKey,
      // Tests run with the audit trail on, so every request also goes through its recording (off by default).
      GATEHOUSE_AUDIT: 'on',
      ...env,
    },
  );
  const running = await startServer(config, options);
  return {
    endpoint: `http://127.0.0.1:${running.port}`,
    port: running.port,
    dataDir,
    running,
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A started server's properties, read when accessed; closing it is left to the hook that started it. */
export type TestServerHandle = Omit<TestServer, 'close'>;

/**
 * One server for the suite this is called in (a file's top level or a describe): started in its `before`, closed in
 * its `after`. `setup` runs in that same `before` once the server is up: Node 20 runs a file's top-level `before`
 * hooks concurrently, so a separate hook could not count on the server having started.
 */
export function useTestServer(env: NodeJS.ProcessEnv = {}, options: StartOptions = {}, setup?: () => Promise<void>): TestServerHandle {
  let server: TestServer | undefined;
  const started = (): TestServer => {
    if (server === undefined) throw new Error('the test server runs only between the before and after hooks of the suite that called useTestServer');
    return server;
  };
  before(async () => {
    server = await startTestServer(env, options);
    await setup?.();
  });
  after(async () => {
    await server?.close();
    server = undefined;
  });
  return {
    get endpoint() {
      return started().endpoint;
    },
    get port() {
      return started().port;
    },
    get dataDir() {
      return started().dataDir;
    },
    get running() {
      return started().running;
    },
  };
}
