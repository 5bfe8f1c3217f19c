import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { entity, runStoreContract } from '../contract.js';
import { MIGRATIONS, migrate } from './migrations.js';
import type { Migration } from '../migration.js';
import { openSqliteStore } from './sqlite-store.js';

async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-sqlite-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

runStoreContract('sqlite file', async ({ writeScope }) => {
  const { dir, remove } = await tempDir();
  const store = openSqliteStore({ path: join(dir, 'store.db'), writeScope });
  return {
    store,
    async cleanup() {
      await store.close();
      await remove();
    },
  };
});

runStoreContract('sqlite :memory:', async ({ writeScope }) => {
  const store = openSqliteStore({ path: ':memory:', writeScope });
  return { store, cleanup: () => store.close() };
});

describe('sqlite store', () => {
  test('a file database keeps its data, WAL mode and version across close and reopen', async () => {
    const { dir, remove } = await tempDir();
    try {
      const path = join(dir, 'store.db');
      const first = openSqliteStore({ path });
      await first.transaction((tx) => tx.insert(entity({ key: 'Alice', data: { n: 1 } })));
      const version = first.version();
      await first.close();

      const second = openSqliteStore({ path });
      assert.equal(second.version(), version);
      assert.deepEqual((await second.transaction((tx) => tx.get('user', '111111111111', 'alice')))?.data, { n: 1 });
      await second.close();

      const raw = new Database(path, { readonly: true });
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      raw.close();
    } finally {
      await remove();
    }
  });

  test('reopening an existing database applies no migration twice', async () => {
    const { dir, remove } = await tempDir();
    try {
      const path = join(dir, 'store.db');
      await openSqliteStore({ path }).close();
      await openSqliteStore({ path }).close();

      const db = new Database(path);
      try {
        const applied = db.prepare('SELECT id FROM schema_migrations ORDER BY id').pluck().all();
        assert.deepEqual(applied, MIGRATIONS.map((m) => m.id));
        assert.deepEqual(migrate(db), []);
        assert.equal(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get(), MIGRATIONS.length);
      } finally {
        db.close();
      }
    } finally {
      await remove();
    }
  });

  test('migrate applies only new migrations, and a failing one leaves neither schema nor record behind', () => {
    const db = new Database(':memory:');
    try {
      assert.deepEqual(migrate(db), MIGRATIONS.map((m) => m.id));
      const next = MIGRATIONS.length + 1;
      const added: Migration = { id: next, name: 'extra table', sql: 'CREATE TABLE extra (x INTEGER) STRICT;' };
      assert.deepEqual(migrate(db, [...MIGRATIONS, added]), [next]);
      assert.deepEqual(migrate(db, [...MIGRATIONS, added]), []);

      const broken: Migration = { id: next + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); THIS IS NOT SQL;' };
      assert.throws(() => migrate(db, [...MIGRATIONS, added, broken]), /migration \d+ \(broken\) failed/);
      assert.equal(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'half'`).pluck().get(), 0);
      assert.equal(db.prepare('SELECT max(id) FROM schema_migrations').pluck().get(), next);
    } finally {
      db.close();
    }
  });

  test('a database migrated by a newer Gatehouse is refused', () => {
    const db = new Database(':memory:');
    try {
      migrate(db, [...MIGRATIONS, { id: MIGRATIONS.length + 1, name: 'future', sql: 'SELECT 1;' }]);
      assert.throws(() => migrate(db), /does not know/);
    } finally {
      db.close();
    }
  });

  test('close waits for queued transactions, then rejects new ones', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const pending = store.transaction(async (tx) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      await tx.insert(entity({ key: 'late' }));
      return tx.count('user', '111111111111');
    });
    await store.close();
    assert.equal(await pending, 1);
    await assert.rejects(store.transaction(async () => 0), /closed/);
  });

  test('a second store on the same file is refused while the first holds it, and opens once it is closed', async () => {
    const { dir, remove } = await tempDir();
    try {
      const path = join(dir, 'store.db');
      const one = openSqliteStore({ path });
      await one.transaction((tx) => tx.insert(entity({ key: 'alice' })));
      assert.throws(() => openSqliteStore({ path, busyTimeoutMs: 100 }), /in use by another process/);
      await one.close();
      const two = openSqliteStore({ path });
      try {
        assert.equal((await two.read((tx) => tx.get('user', '111111111111', 'alice')))?.key, 'alice');
      } finally {
        await two.close();
      }
    } finally {
      await remove();
    }
  });

  test('an acknowledged commit survives the process being killed with SIGKILL', async () => {
    const { dir, remove } = await tempDir();
    try {
      const path = join(dir, 'store.db');
      const script = join(dir, 'writer.mts');
      const storeModule = pathToFileURL(join(import.meta.dirname, 'sqlite-store.ts')).href;
      const contractModule = pathToFileURL(join(import.meta.dirname, '..', 'contract.ts')).href;
      // Keeps committing after the parent's cue, so the kill lands while writes are in flight, not at rest.
      await writeFile(
        script,
        `import { openSqliteStore } from ${JSON.stringify(storeModule)};
import { entity } from ${JSON.stringify(contractModule)};
const store = openSqliteStore({ path: ${JSON.stringify(path)} });
for (let i = 1; ; i += 1) {
  await store.transaction((tx) => tx.insert(entity({ key: 'k' + i, data: { i } })));
  process.stdout.write('committed ' + i + '\\n');
}
`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

      let acknowledged = 0;
      await new Promise<void>((resolve, reject) => {
        let buffered = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          for (const match of buffered.matchAll(/committed (\d+)\n/g)) acknowledged = Math.max(acknowledged, Number(match[1]));
          if (acknowledged >= 20) {
            child.kill('SIGKILL');
            resolve();
          }
        });
        child.on('exit', () => reject(new Error(`writer exited before being killed: ${stderr}`)));
      });
      assert.equal(await exited, 'SIGKILL');
      assert.ok(acknowledged >= 20);

      const store = openSqliteStore({ path });
      try {
        const found = await store.transaction((tx) => tx.count('user', '111111111111'));
        assert.ok(found >= acknowledged, `found ${found}, acknowledged ${acknowledged}`);
        for (let i = 1; i <= acknowledged; i += 1) {
          const record = await store.transaction((tx) => tx.get('user', '111111111111', `k${i}`));
          assert.deepEqual(record?.data, { i });
        }
      } finally {
        await store.close();
      }
    } finally {
      await remove();
    }
  });
});
