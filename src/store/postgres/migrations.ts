import type pg from 'pg';
import type { Migration } from '../migration.js';

/*
 * The same tables as the SQLite adapter. Every text column is COLLATE "C" so comparisons and ORDER BY are byte order
 * like SQLite's BINARY, whatever the database's default collation: lists sort `_x` before `a`, and path prefix
 * ranges mean the same thing on both. The `*_lower` columns hold JS toLowerCase() of the key (not PostgreSQL's
 * lower(), which follows the database's locale), so both adapters share one definition of "same name". `data` is
 * text, not jsonb: jsonb rejects \u0000 in strings and reorders keys, and the store only ever reads it back whole.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'entities, links and the version counter',
    sql: `
      CREATE TABLE meta (
        name text COLLATE "C" PRIMARY KEY,
        value bigint NOT NULL
      );
      INSERT INTO meta (name, value) VALUES ('version', 0);

      CREATE TABLE entities (
        kind text COLLATE "C" NOT NULL,
        account text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        key_lower text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL UNIQUE,
        path text COLLATE "C" NOT NULL,
        owner text COLLATE "C" NOT NULL,
        owner_lower text COLLATE "C" NOT NULL,
        created text COLLATE "C" NOT NULL,
        data text NOT NULL,
        PRIMARY KEY (kind, account, key_lower)
      );
      CREATE INDEX entities_by_path ON entities (kind, account, path);
      CREATE INDEX entities_by_owner ON entities (kind, account, owner_lower, key_lower);

      CREATE TABLE links (
        relation text COLLATE "C" NOT NULL,
        account text COLLATE "C" NOT NULL,
        from_key text COLLATE "C" NOT NULL,
        from_lower text COLLATE "C" NOT NULL,
        to_key text COLLATE "C" NOT NULL,
        to_lower text COLLATE "C" NOT NULL,
        created text COLLATE "C" NOT NULL,
        data text NOT NULL,
        PRIMARY KEY (relation, account, from_lower, to_lower)
      );
      CREATE INDEX links_by_to ON links (relation, account, to_lower, from_lower);
    `,
  },
  {
    id: 2,
    name: 'no shared version counter',
    // Every write transaction used to bump this one row, so any two concurrent writers on different nodes failed to
    // serialize. Nodes now learn of each other's commits from the change notifications alone.
    sql: 'DROP TABLE meta',
  },
  {
    id: 3,
    name: 'the audit trail',
    // Looked up newest first within an account; resource names and types as arrays with GIN indexes, since an event
    // names several. The record stays text, as entity data does (jsonb would reorder its keys).
    sql: `
      CREATE TABLE audit_events (
        event_id text COLLATE "C" PRIMARY KEY,
        time bigint NOT NULL,
        account text COLLATE "C" NOT NULL,
        event_name text COLLATE "C" NOT NULL,
        event_source text COLLATE "C" NOT NULL,
        user_name text COLLATE "C",
        access_key_id text COLLATE "C",
        read_only boolean NOT NULL,
        resource_names text[] NOT NULL,
        resource_types text[] NOT NULL,
        resources text NOT NULL,
        record text NOT NULL
      );
      CREATE INDEX audit_events_by_time ON audit_events (account, time DESC, event_id DESC);
      CREATE INDEX audit_events_by_age ON audit_events (time);
      CREATE INDEX audit_events_by_resource_name ON audit_events USING gin (resource_names);
    `,
  },
  {
    id: 4,
    name: 'entity change notifications',
    // The read caches of every node forget exactly the entities a commit changed: each statement on entities names
    // the rows it touched (old and new keys, so a changed key is covered) on the gatehouse_entities channel, or '*'
    // when the list would not fit a notification (8000 bytes) or the table was truncated. A trigger rather than the
    // adapter: SQL run beside Gatehouse is announced too. Delivered only if the transaction commits, in commit order.
    sql: `
      CREATE FUNCTION gatehouse_entity_changes() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        payload text;
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          payload := '*';
        ELSIF TG_OP = 'INSERT' THEN
          SELECT json_agg(json_build_array(kind, account, key_lower))::text INTO payload FROM gh_new;
        ELSIF TG_OP = 'DELETE' THEN
          SELECT json_agg(json_build_array(kind, account, key_lower))::text INTO payload FROM gh_old;
        ELSE
          SELECT json_agg(json_build_array(kind, account, key_lower))::text INTO payload
            FROM (SELECT kind, account, key_lower FROM gh_old UNION SELECT kind, account, key_lower FROM gh_new) AS changed;
        END IF;
        IF payload IS NULL THEN
          RETURN NULL;
        END IF;
        IF octet_length(payload) > 7000 THEN
          payload := '*';
        END IF;
        PERFORM pg_notify('gatehouse_entities', payload);
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER entities_inserted AFTER INSERT ON entities REFERENCING NEW TABLE AS gh_new
        FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_entity_changes();
      CREATE TRIGGER entities_updated AFTER UPDATE ON entities REFERENCING OLD TABLE AS gh_old NEW TABLE AS gh_new
        FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_entity_changes();
      CREATE TRIGGER entities_deleted AFTER DELETE ON entities REFERENCING OLD TABLE AS gh_old
        FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_entity_changes();
      CREATE TRIGGER entities_truncated AFTER TRUNCATE ON entities
        FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_entity_changes();
    `,
  },
];

/**
 * The advisory lock key that serializes migrations across nodes ("GATEHOUS" in ASCII): nodes starting at once queue
 * on it, and each sees the schema the one before it left.
 */
export const MIGRATION_LOCK_KEY = '5134100573041775955';

/**
 * Brings the database up to date and returns the ids it applied. The whole run holds a session advisory lock, and
 * each step commits in one transaction with its schema_migrations row (PostgreSQL's DDL is transactional), so two
 * nodes starting together never apply a step twice and a failed step leaves no half schema.
 */
export async function migrate(client: pg.ClientBase, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  checkOrder(migrations);
  await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id integer PRIMARY KEY,
      name text NOT NULL,
      applied text NOT NULL
    )`);
    const applied = new Set(
      (await client.query<{ id: number }>('SELECT id FROM schema_migrations')).rows.map((row) => row.id),
    );
    const known = new Set(migrations.map((m) => m.id));
    // A newer binary may have migrated this database; running old code on a schema it does not know risks corrupting it.
    const unknown = [...applied].filter((id) => !known.has(id)).sort((a, b) => a - b);
    if (unknown.length > 0) {
      throw new Error(`database has migrations this version of Gatehouse does not know: ${unknown.join(', ')}`);
    }
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.id)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (id, name, applied) VALUES ($1, $2, $3)', [
          migration.id,
          migration.name,
          new Date().toISOString(),
        ]);
        await client.query('COMMIT');
        done.push(migration.id);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`migration ${migration.id} (${migration.name}) failed`, { cause: error });
      }
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
  }
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.id !== i + 1) throw new Error(`migration ids must be 1, 2, 3…: found ${m.id} at position ${i + 1}`);
  });
}
