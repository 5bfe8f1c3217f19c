import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from '../migration.js';

/*
 * STRICT tables so a bug that binds the wrong type fails loudly instead of being coerced. The `*_lower` columns hold
 * JS toLowerCase() of the key: IAM compares names case-insensitively, and doing it in JS (not SQLite's lower()) keeps
 * one definition of "same name" shared with the PostgreSQL adapter. The owner and to-side indexes end with the
 * sort column so filtered lists are read in order without a sort step.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'entities, links and the version counter',
    sql: `
      CREATE TABLE meta (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT;
      INSERT INTO meta (name, value) VALUES ('version', 0);

      CREATE TABLE entities (
        kind TEXT NOT NULL,
        account TEXT NOT NULL,
        key TEXT NOT NULL,
        key_lower TEXT NOT NULL,
        id TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        owner TEXT NOT NULL,
        owner_lower TEXT NOT NULL,
        created TEXT NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (kind, account, key_lower)
      ) STRICT;
      CREATE INDEX entities_by_path ON entities (kind, account, path);
      CREATE INDEX entities_by_owner ON entities (kind, account, owner_lower, key_lower);

      CREATE TABLE links (
        relation TEXT NOT NULL,
        account TEXT NOT NULL,
        from_key TEXT NOT NULL,
        from_lower TEXT NOT NULL,
        to_key TEXT NOT NULL,
        to_lower TEXT NOT NULL,
        created TEXT NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (relation, account, from_lower, to_lower)
      ) STRICT;
      CREATE INDEX links_by_to ON links (relation, account, to_lower, from_lower);
    `,
  },
];

/**
 * Brings the database up to date and returns the ids it applied. Each migration runs in its own BEGIN IMMEDIATE
 * transaction together with its schema_migrations row, and the applied set is re-read inside that lock, so two
 * processes opening the same file at once never apply a step twice and a failed step leaves no half schema.
 */
export function migrate(db: BetterSqlite3.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  checkOrder(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied TEXT NOT NULL
  ) STRICT`);
  const appliedIds = db.prepare('SELECT id FROM schema_migrations').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (id, name, applied) VALUES (?, ?, ?)');

  const known = new Set(migrations.map((m) => m.id));
  // A newer binary may have migrated this file; running old code on a schema it does not know risks corrupting it.
  const unknown = (appliedIds.all() as number[]).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new Error(`database has migrations this version of Gatehouse does not know: ${unknown.join(', ')}`);
  }

  const done: number[] = [];
  for (const migration of migrations) {
    db.exec('BEGIN IMMEDIATE');
    try {
      if ((appliedIds.all() as number[]).includes(migration.id)) {
        db.exec('ROLLBACK');
        continue;
      }
      db.exec(migration.sql);
      record.run(migration.id, migration.name, new Date().toISOString());
      db.exec('COMMIT');
      done.push(migration.id);
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw new Error(`migration ${migration.id} (${migration.name}) failed`, { cause: error });
    }
  }
  return done;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.id !== i + 1) throw new Error(`migration ids must be 1, 2, 3…: found ${m.id} at position ${i + 1}`);
  });
}
