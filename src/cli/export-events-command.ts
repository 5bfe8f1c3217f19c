import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AuditEventRecord, EventLog } from '../store/store.js';
import { parseCommandArgs, stringOption, UsageError, type ParsedArgs } from './args.js';
import type { CommandIo } from './io.js';

export const EXPORT_EVENTS_USAGE = `usage: gatehouse export-events --out DIR [--data-dir DIR | --database-url URL] [--start-time TIME] [--end-time TIME]
  Writes the audit trail as CloudTrail delivers it to S3: gzipped {"Records":[…]} files under
  DIR/AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/, named ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz, one
  file per account, region and 5 minutes of events (the name's time is the end of those 5 minutes: every record in a
  file is older, as in a file CloudTrail delivers at that time).
  The events are read from the data directory's audit.db and audit.journal (default ./gatehouse-data; they may be
  read while the server runs) or, with --database-url (or GATEHOUSE_DATABASE_URL), from the shared PostgreSQL database.
  --start-time and --end-time (ISO 8601, or seconds since 1970) bound the events' times, both inclusive.
`;

/** CloudTrail delivers a trail's files about every 5 minutes. */
const DELIVERY_MS = 5 * 60_000;
const UNIQUE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function parseTime(text: string, option: string): number {
  const time = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (!Number.isFinite(time)) throw new UsageError(`${option}: not a time: ${JSON.stringify(text)} (ISO 8601, or seconds since 1970)`);
  return time;
}

/** The 16 characters that keep two files of the same minute apart (they mean nothing, as in CloudTrail's names). */
function uniqueString(): string {
  return Array.from(randomBytes(16), (byte) => UNIQUE_ALPHABET[byte % UNIQUE_ALPHABET.length]).join('');
}

const two = (n: number): string => String(n).padStart(2, '0');

/** AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz */
export function cloudTrailObjectKey(account: string, region: string, delivered: Date, unique: string = uniqueString()): string {
  const y = String(delivered.getUTCFullYear());
  const m = two(delivered.getUTCMonth() + 1);
  const d = two(delivered.getUTCDate());
  const stamp = `${y}${m}${d}T${two(delivered.getUTCHours())}${two(delivered.getUTCMinutes())}Z`;
  return `AWSLogs/${account}/CloudTrail/${region}/${y}/${m}/${d}/${account}_CloudTrail_${region}_${stamp}_${unique}.json.gz`;
}

export interface ExportSummary {
  readonly events: number;
  readonly files: string[];
}

/**
 * Reads the events newest first, a page at a time, and writes each 5-minute slot's files once the lookup has moved
 * past the slot: memory holds one slot's events, however long the trail.
 */
export async function exportEvents(log: EventLog, out: string, range: { startTime?: number; endTime?: number } = {}, unindexed: readonly AuditEventRecord[] = []): Promise<ExportSummary> {
  const files: string[] = [];
  let events = 0;
  let slot: number | undefined;
  // By account and region: the records of one file, newest first as read.
  let current = new Map<string, { account: string; region: string; records: string[] }>();
  const flush = (): void => {
    if (slot === undefined) return;
    const delivered = new Date(slot + DELIVERY_MS);
    for (const { account, region, records } of current.values()) {
      const key = cloudTrailObjectKey(account, region, delivered);
      const path = join(out, key);
      mkdirSync(join(path, '..'), { recursive: true });
      // Oldest first within a file; the records are stored as CloudTrail's JSON text and copied as they are.
      writeFileSync(path, gzipSync(`{"Records":[${records.reverse().join(',')}]}`));
      files.push(key);
    }
    current = new Map();
  };
  const add = (event: AuditEventRecord): void => {
    const eventSlot = Math.floor(event.time / DELIVERY_MS) * DELIVERY_MS;
    if (eventSlot !== slot) {
      flush();
      slot = eventSlot;
    }
    const region = (JSON.parse(event.record) as { awsRegion?: string }).awsRegion ?? 'us-east-1';
    const group = `${event.account}\n${region}`;
    let file = current.get(group);
    if (file === undefined) {
      file = { account: event.account, region, records: [] };
      current.set(group, file);
    }
    file.records.push(event.record);
    events += 1;
  };
  // Events still in the journal (a server running, or killed and not restarted) are merged in, newest first.
  const newer = (a: AuditEventRecord, b: AuditEventRecord): boolean => a.time > b.time || (a.time === b.time && a.eventId > b.eventId);
  const extra = unindexed
    .filter((e) => (range.startTime === undefined || e.time >= range.startTime) && (range.endTime === undefined || e.time <= range.endTime))
    .sort((a, b) => (newer(a, b) ? -1 : newer(b, a) ? 1 : 0));
  const extraIds = new Set(extra.map((e) => e.eventId));
  let nextExtra = 0;
  let nextToken: string | undefined;
  do {
    const page = await log.query({
      maxResults: 1000,
      ...(range.startTime !== undefined ? { startTime: range.startTime } : {}),
      ...(range.endTime !== undefined ? { endTime: range.endTime } : {}),
      ...(nextToken !== undefined ? { nextToken } : {}),
    });
    for (const event of page.events) {
      while (nextExtra < extra.length && newer(extra[nextExtra] as AuditEventRecord, event)) add(extra[nextExtra++] as AuditEventRecord);
      if (!extraIds.has(event.eventId)) add(event);
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  while (nextExtra < extra.length) add(extra[nextExtra++] as AuditEventRecord);
  flush();
  return { events, files };
}

async function openLog(parsed: ParsedArgs, env: NodeJS.ProcessEnv): Promise<{ log: EventLog; unindexed: AuditEventRecord[]; close: () => Promise<void> }> {
  const url = stringOption(parsed, 'database-url') ?? env['GATEHOUSE_DATABASE_URL'];
  if (url !== undefined && url.trim() !== '') {
    const pg = (await import('pg')).default;
    const { PostgresEventLog } = await import('../store/postgres/event-log.js');
    const pool = new pg.Pool({ connectionString: url, application_name: 'gatehouse export-events', max: 1 });
    pool.on('error', () => undefined);
    return { log: new PostgresEventLog(pool), unindexed: [], close: () => pool.end() };
  }
  const dataDir = stringOption(parsed, 'data-dir') ?? env['GATEHOUSE_DATA_DIR'] ?? './gatehouse-data';
  const path = join(dataDir, 'audit.db');
  if (!existsSync(path)) throw new UsageError(`no audit trail in ${dataDir} (${path} does not exist)`);
  const { eventJournalPath, openSqliteEventLog } = await import('../store/sqlite/event-log.js');
  const { EventJournal } = await import('../store/sqlite/event-journal.js');
  const log = openSqliteEventLog(path, { readonly: true });
  return { log, unindexed: EventJournal.pending(eventJournalPath(path)), close: () => log.close() };
}

export async function runExportEvents(args: string[], io: CommandIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed: ParsedArgs;
  let out: string;
  let range: { startTime?: number; endTime?: number };
  try {
    parsed = parseCommandArgs(args, Object.fromEntries(['out', 'data-dir', 'database-url', 'start-time', 'end-time'].map((name) => [name, { type: 'string' as const }])));
    if (parsed.values['help'] === true) {
      io.stdout(EXPORT_EVENTS_USAGE);
      return 0;
    }
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
    const given = stringOption(parsed, 'out');
    if (given === undefined) throw new UsageError('--out DIR is required');
    out = given;
    const start = stringOption(parsed, 'start-time');
    const end = stringOption(parsed, 'end-time');
    range = { ...(start !== undefined ? { startTime: parseTime(start, '--start-time') } : {}), ...(end !== undefined ? { endTime: parseTime(end, '--end-time') } : {}) };
    if (range.startTime !== undefined && range.endTime !== undefined && range.startTime > range.endTime) throw new UsageError('--start-time is after --end-time');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`gatehouse export-events: ${error.message}\n${EXPORT_EVENTS_USAGE}`);
    return 64;
  }
  let opened: Awaited<ReturnType<typeof openLog>>;
  try {
    opened = await openLog(parsed, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`gatehouse export-events: ${error.message}\n`);
    return 1;
  }
  try {
    const summary = await exportEvents(opened.log, out, range, opened.unindexed);
    io.stdout(`exported ${summary.events} events in ${summary.files.length} files to ${join(out, 'AWSLogs')}\n`);
    return 0;
  } finally {
    await opened.close();
  }
}
