// Two real Gatehouse servers on one PostgreSQL database, written to by many AWS SDK clients at once: contention
// between the nodes is theirs to absorb, so every request gets its real answer and none a 500.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CreateUserCommand, ListUserTagsCommand, TagUserCommand } from '@aws-sdk/client-iam';
import { iamClient } from './helpers/clients.js';
import { startPostgresCluster, type PostgresCluster } from './helpers/postgres-cluster.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const WRITERS = 40;
const TAGS_PER_WRITER = 5;

let cluster: PostgresCluster | undefined;
let nodes: TestServer[] = [];

before(async () => {
  cluster = await startPostgresCluster();
  const url = await cluster.createDatabase('gatehouse');
  const env = { GATEHOUSE_DATABASE_URL: url, GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64') };
  nodes = await Promise.all([0, 1].map(() => startTestServer(env)));
});

after(async () => {
  try {
    await Promise.all(nodes.map((node) => node.close()));
  } finally {
    await cluster?.stop();
  }
});

describe('two Gatehouse nodes on one PostgreSQL database under concurrent writes', () => {
  test(`${WRITERS} SDK clients creating and tagging distinct users across both nodes: no request fails`, async () => {
    assert.equal(nodes.length, 2, 'the nodes did not start (see the before hook failure)');
    const versions = nodes.map((node) => node.running.store.version());
    const failures: string[] = [];
    // The helper's clients make one attempt each: an error the SDK would retry on its own still counts here.
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, writer) => {
        const client = iamClient(nodes[writer % 2]!.endpoint);
        const name = `writer-${writer}`;
        try {
          await client.send(new CreateUserCommand({ UserName: name }));
          for (let i = 0; i < TAGS_PER_WRITER; i++) {
            // Alternate nodes, so each user is written on both.
            const other = iamClient(nodes[(writer + i + 1) % 2]!.endpoint);
            await other.send(new TagUserCommand({ UserName: name, Tags: [{ Key: `k${i}`, Value: `v${i}` }] }));
          }
        } catch (error) {
          const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
          failures.push(`${name}: ${e.$metadata?.httpStatusCode} ${e.name}: ${e.message}`);
        }
      }),
    );
    assert.deepEqual(failures, []);

    for (let writer = 0; writer < WRITERS; writer++) {
      const tags = await iamClient(nodes[writer % 2]!.endpoint).send(new ListUserTagsCommand({ UserName: `writer-${writer}` }));
      assert.equal(tags.Tags?.length, TAGS_PER_WRITER, `writer-${writer}`);
    }
    nodes.forEach((node, i) => assert.ok(node.running.store.version() > versions[i]!, `node ${i}'s version moved`));
  });
});
