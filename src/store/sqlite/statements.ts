import type BetterSqlite3 from 'better-sqlite3';
import type { End } from '../rows.js';
import type { ListOptions } from '../store.js';

// The SQL side of the SQLite store: row shapes and every statement, prepared once per connection.

export const ENTITY_COLUMNS = 'kind, account, key, id, path, owner, created, data';
export const LINK_COLUMNS = 'relation, account, from_key, to_key, created, data';

/** Every statement prepared once per connection; the variable-filter ones are prepared on first use and kept. */
export class Statements {
  readonly begin: BetterSqlite3.Statement;
  readonly commit: BetterSqlite3.Statement;
  readonly rollback: BetterSqlite3.Statement;
  readonly getEntity: BetterSqlite3.Statement;
  readonly getEntityById: BetterSqlite3.Statement;
  readonly insertEntity: BetterSqlite3.Statement;
  readonly updateEntity: BetterSqlite3.Statement;
  readonly deleteEntity: BetterSqlite3.Statement;
  readonly insertLink: BetterSqlite3.Statement;
  readonly deleteLink: BetterSqlite3.Statement;
  private readonly selectVersion: BetterSqlite3.Statement;
  private readonly incrementVersion: BetterSqlite3.Statement;
  private readonly cache = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly db: BetterSqlite3.Database) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.selectVersion = db.prepare(`SELECT value FROM meta WHERE name = 'version'`).pluck();
    this.incrementVersion = db.prepare(`UPDATE meta SET value = value + 1 WHERE name = 'version' RETURNING value`).pluck();
    this.getEntity = db.prepare(`SELECT ${ENTITY_COLUMNS} FROM entities WHERE kind = ? AND account = ? AND key_lower = ?`);
    this.getEntityById = db.prepare(`SELECT ${ENTITY_COLUMNS} FROM entities WHERE id = ? AND kind = ?`);
    this.insertEntity = db.prepare(
      `INSERT INTO entities (kind, account, key, key_lower, id, path, owner, owner_lower, created, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateEntity = db.prepare(
      `UPDATE entities SET path = ?, owner = ?, owner_lower = ?, data = ? WHERE kind = ? AND account = ? AND key_lower = ?`,
    );
    this.deleteEntity = db.prepare('DELETE FROM entities WHERE kind = ? AND account = ? AND key_lower = ?');
    this.insertLink = db.prepare(
      `INSERT INTO links (relation, account, from_key, from_lower, to_key, to_lower, created, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteLink = db.prepare('DELETE FROM links WHERE relation = ? AND account = ? AND from_lower = ? AND to_lower = ?');
  }

  readVersion(): number {
    return this.selectVersion.get() as number;
  }

  bumpVersion(): number {
    return this.incrementVersion.get() as number;
  }

  /** SELECT/COUNT over entities of a kind in an account, filtered as ListOptions says. */
  entityQuery(mode: 'rows' | 'count', options: ListOptions | undefined): { statement: BetterSqlite3.Statement; params: Array<string | number> } {
    const where = ['kind = ?', 'account = ?'];
    const params: Array<string | number> = [];
    const prefix = options?.pathPrefix;
    if (prefix !== undefined && prefix !== '') {
      // A range start lets the (kind, account, path) index narrow the scan; substr() then checks the prefix exactly,
      // where LIKE would treat `_` and `%` in the prefix as wildcards and ignore case.
      where.push('path >= ?', 'substr(path, 1, length(?)) = ?');
      params.push(prefix, prefix, prefix);
    }
    if (options?.owner !== undefined) {
      where.push('owner_lower = ?');
      params.push(options.owner.toLowerCase());
    }
    let window = '';
    if (mode === 'rows' && (options?.limit !== undefined || options?.offset !== undefined)) {
      // SQLite wants a LIMIT before an OFFSET; -1 is none.
      window = ' LIMIT ? OFFSET ?';
      params.push(windowNumber(options.limit, -1), windowNumber(options.offset, 0));
    }
    // key_lower alone: it is unique within (kind, account) (the primary key), so the index gives the order and a
    // page window reads only as far as it reaches, with no sort of the whole account.
    const sql =
      mode === 'rows'
        ? `SELECT ${ENTITY_COLUMNS} FROM entities WHERE ${where.join(' AND ')} ORDER BY key_lower${window}`
        : `SELECT count(*) FROM entities WHERE ${where.join(' AND ')}`;
    return { statement: this.prepared(sql, mode === 'count'), params };
  }

  /** SELECT/COUNT/DELETE over links of a relation in an account, limited to one end when given. */
  linkQuery(mode: 'rows' | 'count' | 'delete', end: End): { statement: BetterSqlite3.Statement; params: string[] } {
    const where = ['relation = ?', 'account = ?'];
    const params: string[] = [];
    if (end?.from !== undefined) {
      where.push('from_lower = ?');
      params.push(end.from.toLowerCase());
    }
    if (end?.to !== undefined) {
      where.push('to_lower = ?');
      params.push(end.to.toLowerCase());
    }
    const filter = where.join(' AND ');
    const sql =
      mode === 'rows'
        ? `SELECT ${LINK_COLUMNS} FROM links WHERE ${filter} ORDER BY from_lower, to_lower`
        : mode === 'count'
          ? `SELECT count(*) FROM links WHERE ${filter}`
          : `DELETE FROM links WHERE ${filter}`;
    return { statement: this.prepared(sql, mode === 'count'), params };
  }

  private prepared(sql: string, pluck: boolean): BetterSqlite3.Statement {
    let statement = this.cache.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (pluck) statement.pluck();
      this.cache.set(sql, statement);
    }
    return statement;
  }
}

/** A page window bound: a whole number of at least zero, or `fallback` when not given. */
function windowNumber(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`a list window needs whole numbers of at least 0, not ${value}`);
  return value;
}
