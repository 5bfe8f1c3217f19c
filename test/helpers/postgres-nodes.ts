// Two (or more) real Gatehouse servers on 127.0.0.1 sharing one PostgreSQL database in a throwaway cluster, with the
// master key and the session key ring they must share, for the suite this is called in.
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';
import { startTestServer, type TestServer } from './server.js';

export function usePostgresNodes(count = 2): { node(index: number): TestServer } {
  const masterKey = randomBytes(32).toString('base64');
  const sessionKeys = JSON.stringify({ keys: [{ id: 'shared1', key: randomBytes(32).toString('base64'), created: new Date().toISOString() }] });
  let cluster: PostgresCluster | undefined;
  let nodes: TestServer[] = [];
  before(async () => {
    cluster = await startPostgresCluster();
    const url = await cluster.createDatabase('gatehouse');
    // Started together: migrations and the root key's first write race, as when a deployment starts its nodes.
    nodes = await Promise.all(
      Array.from({ length: count }, () => startTestServer({ GATEHOUSE_DATABASE_URL: url, GATEHOUSE_MASTER_KEY: masterKey }, { env: { GATEHOUSE_SESSION_KEYS: sessionKeys } })),
    );
  });
  after(async () => {
    try {
      await Promise.all(nodes.map((n) => n.close()));
    } finally {
      await cluster?.stop();
    }
  });
  return {
    node(index: number): TestServer {
      const found = nodes[index];
      if (found === undefined) throw new Error('the nodes did not start (see the before hook failure)');
      return found;
    },
  };
}
