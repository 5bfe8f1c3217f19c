// Starts a real Gatehouse server on 127.0.0.1 (an ephemeral port, a fresh data directory) for integration tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
      GATEHOUSE_ACCOUNT_ID: TEST_ACCOUNT_ID,
      GATEHOUSE_ROOT_ACCESS_KEY_ID: ROOT_KEY.accessKeyId,
      GATEHOUSE_ROOT_SECRET_ACCESS_KEY: ROOT_KEY.secretAccessKey,
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
