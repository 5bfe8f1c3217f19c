import type pg from 'pg';
import { checkEventQuery, decodeEventCursor, encodeEventCursor } from '../event-cursor.js';
import type { AuditEventPage, AuditEventQuery, AuditEventRecord, EventLog } from '../store.js';

interface EventRow {
  event_id: string;
  time: string;
  account: string;
  event_name: string;
  event_source: string;
  user_name: string | null;
  access_key_id: string | null;
  read_only: boolean;
  resources: string;
  record: string;
}

// Eleven bound values an event, and its record: a batch stays far below PostgreSQL's 65 535 parameters a statement.
const COLUMNS = 11;

/**
 * The audit trail in the shared database's audit_events table: every node appends there and every node's lookups
 * see all nodes' events. An append is one INSERT (atomic, autocommitted, durable under the server's
 * synchronous_commit) outside the entity transactions and their retries; the event ID's uniqueness makes a retried
 * batch harmless.
 */
export class PostgresEventLog implements EventLog {
  constructor(private readonly pool: pg.Pool) {}

  async append(events: readonly AuditEventRecord[]): Promise<void> {
    for (let start = 0; start < events.length; start += 1000) {
      const chunk = events.slice(start, start + 1000);
      const values: unknown[] = [];
      const rows = chunk.map((e, i) => {
        values.push(e.eventId, e.time, e.account, e.eventName, e.eventSource, e.userName ?? null, e.accessKeyId ?? null, e.readOnly, e.resources.map((r) => r.name), e.resources.map((r) => r.type), JSON.stringify(e.resources));
        const base = i * COLUMNS;
        return `(${Array.from({ length: COLUMNS }, (_, j) => `$${base + j + 1}`).join(', ')}, $${chunk.length * COLUMNS + i + 1})`;
      });
      for (const e of chunk) values.push(e.record);
      await this.pool.query(
        `INSERT INTO audit_events (event_id, time, account, event_name, event_source, user_name, access_key_id, read_only, resource_names, resource_types, resources, record)
         VALUES ${rows.join(', ')} ON CONFLICT (event_id) DO NOTHING`,
        values,
      );
    }
  }

  async query(query: AuditEventQuery): Promise<AuditEventPage> {
    checkEventQuery(query.maxResults);
    const values: unknown[] = [];
    const where: string[] = [];
    const add = (clause: (n: () => string) => string): void => {
      where.push(clause(() => `$${values.length}`));
    };
    const param = (value: unknown): (() => string) => {
      values.push(value);
      const n = `$${values.length}`;
      return () => n;
    };
    const eq = (column: string, value: unknown): void => {
      if (value === undefined) return;
      const n = param(value);
      add(() => `${column} = ${n()}`);
    };
    eq('account', query.account);
    if (query.startTime !== undefined) {
      const n = param(query.startTime);
      add(() => `time >= ${n()}`);
    }
    if (query.endTime !== undefined) {
      const n = param(query.endTime);
      add(() => `time <= ${n()}`);
    }
    eq('event_id', query.eventId);
    eq('event_name', query.eventName);
    eq('event_source', query.eventSource);
    eq('user_name', query.userName);
    eq('access_key_id', query.accessKeyId);
    eq('read_only', query.readOnly);
    if (query.resourceName !== undefined) {
      const n = param([query.resourceName]);
      add(() => `resource_names @> ${n()}::text[]`);
    }
    if (query.resourceType !== undefined) {
      const n = param([query.resourceType]);
      add(() => `resource_types @> ${n()}::text[]`);
    }
    if (query.nextToken !== undefined) {
      const after = decodeEventCursor(query.nextToken);
      const t = param(after.time);
      const id = param(after.eventId);
      add(() => `(time < ${t()} OR (time = ${t()} AND event_id < ${id()}))`);
    }
    const limit = param(query.maxResults + 1);
    const result = await this.pool.query<EventRow>(
      `SELECT event_id, time, account, event_name, event_source, user_name, access_key_id, read_only, resources, record
       FROM audit_events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, event_id DESC LIMIT ${limit()}`,
      values,
    );
    const page = result.rows.slice(0, query.maxResults).map(fromRow);
    const last = page[page.length - 1];
    return result.rows.length > query.maxResults && last !== undefined ? { events: page, nextToken: encodeEventCursor({ time: last.time, eventId: last.eventId }) } : { events: page };
  }

  async deleteBefore(time: number): Promise<number> {
    const result = await this.pool.query('DELETE FROM audit_events WHERE time < $1', [time]);
    return result.rowCount ?? 0;
  }
}

function fromRow(row: EventRow): AuditEventRecord {
  return {
    eventId: row.event_id,
    // bigint comes back as text (pg does not guess that it fits a double); epoch milliseconds always do.
    time: Number(row.time),
    account: row.account,
    eventName: row.event_name,
    eventSource: row.event_source,
    ...(row.user_name !== null ? { userName: row.user_name } : {}),
    ...(row.access_key_id !== null ? { accessKeyId: row.access_key_id } : {}),
    readOnly: row.read_only,
    resources: JSON.parse(row.resources) as AuditEventRecord['resources'],
    record: row.record,
  };
}
