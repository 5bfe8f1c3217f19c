import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { CreateUserCommand } from '@aws-sdk/client-iam';
import { auditEvent } from '../store/contract.js';
import { journalLine } from '../store/sqlite/event-journal.js';
import { eventJournalPath, openSqliteEventLog } from '../store/sqlite/event-log.js';
import { iamClient } from '../../test/helpers/clients.js';
import { startTestServer, TEST_ACCOUNT_ID } from '../../test/helpers/server.js';
import { cloudTrailObjectKey } from './export-events-command.js';
import { main } from './commands.js';
import type { CommandIo } from './io.js';

const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-export-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function capture(): { io: CommandIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readFile: () => Promise.reject(new Error('unused')),
    readStdin: () => Promise.reject(new Error('unused')),
    readLines: () => {
      throw new Error('unused');
    },
    now: () => new Date(),
  };
  return { io, out, err };
}

function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; name: string; parentPath: string }>)
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const NAME = /^AWSLogs\/(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d\d)\/(\d\d)\/\1_CloudTrail_\2_\3\4\5T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/;

describe('gatehouse export-events', () => {
  test('the object key is CloudTrail\'s: account, region, delivery date folders and file name', () => {
    assert.equal(cloudTrailObjectKey('111122223333', 'us-east-2', new Date('2015-08-01T02:10:00Z'), 'Mu0KsOhtH1ar15ZZ'), 'AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz');
  });

  test('one gzipped {"Records":[…]} file per account, region and 5 minutes, oldest first; the time range is honoured', async () => {
    const dataDir = join(scratch, 'unit');
    mkdirSync(dataDir, { recursive: true });
    const log = openSqliteEventLog(join(dataDir, 'audit.db'));
    const at = (iso: string, account: string, region: string) => {
      const e = auditEvent({ time: Date.parse(iso), account });
      return { ...e, record: JSON.stringify({ eventID: e.eventId, eventTime: iso, awsRegion: region, recipientAccountId: account }) };
    };
    const events = [
      at('2026-11-25T12:00:10.000Z', '111111111111', 'us-east-1'),
      at('2026-11-25T12:04:59.000Z', '111111111111', 'us-east-1'),
      at('2026-11-25T12:03:00.000Z', '111111111111', 'eu-west-1'),
      at('2026-11-25T12:02:00.000Z', '222222222222', 'us-east-1'),
      at('2026-11-25T12:05:00.000Z', '111111111111', 'us-east-1'),
      at('2026-11-25T23:59:00.000Z', '111111111111', 'us-east-1'),
    ];
    await log.append(events);
    await log.close();

    const { io, out, err } = capture();
    const dir = join(scratch, 'out-all');
    assert.equal(await main(['export-events', '--data-dir', dataDir, '--out', dir], io), 0, err.join(''));
    assert.match(out.join(''), /^exported 6 events in 5 files to /);
    const files = filesUnder(dir);
    for (const file of files) assert.match(file, NAME);
    const stamps = files.map((f) => f.replace(/_[A-Za-z0-9]{16}\.json\.gz$/, '').split('/').pop());
    assert.deepEqual(stamps.sort(), [
      '111111111111_CloudTrail_eu-west-1_20261125T1205Z',
      '111111111111_CloudTrail_us-east-1_20261125T1205Z',
      '111111111111_CloudTrail_us-east-1_20261125T1210Z',
      '111111111111_CloudTrail_us-east-1_20261126T0000Z',
      '222222222222_CloudTrail_us-east-1_20261125T1205Z',
    ]);
    assert.ok(files.some((f) => f.startsWith('AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/26/')), 'the folder is the delivery date');
    const first = files.find((f) => f.includes('us-east-1_20261125T1205Z') && f.startsWith('AWSLogs/111111111111')) ?? '';
    const content = JSON.parse(gunzipSync(readFileSync(join(dir, first))).toString('utf8')) as { Records: Array<{ eventTime: string }> };
    assert.deepEqual(content.Records.map((r) => r.eventTime), ['2026-11-25T12:00:10.000Z', '2026-11-25T12:04:59.000Z']);

    const ranged = capture();
    const rangedDir = join(scratch, 'out-range');
    assert.equal(await main(['export-events', '--data-dir', dataDir, '--out', rangedDir, '--start-time', '2026-11-25T12:03:00Z', '--end-time', String(Date.parse('2026-11-25T12:05:00Z') / 1000)], ranged.io), 0);
    assert.match(ranged.out.join(''), /^exported 3 events in 3 files/);
  });

  test('events still in the journal (not yet indexed) are exported too, each once', async () => {
    const dataDir = join(scratch, 'journal');
    mkdirSync(dataDir, { recursive: true });
    const log = openSqliteEventLog(join(dataDir, 'audit.db'));
    const indexed = auditEvent({ time: Date.parse('2026-11-25T12:00:00Z'), record: '{"awsRegion":"us-east-1","n":1}' });
    await log.append([indexed]);
    await log.close();
    const journaled = auditEvent({ time: Date.parse('2026-11-25T12:01:00Z'), record: '{"awsRegion":"us-east-1","n":2}' });
    // Both: the indexed one again (indexed, the journal not yet emptied) and one only in the journal.
    writeFileSync(eventJournalPath(join(dataDir, 'audit.db')), `${journalLine(indexed)}\n${journalLine(journaled)}\n`);
    const { io, out } = capture();
    const dir = join(scratch, 'out-journal');
    assert.equal(await main(['export-events', '--data-dir', dataDir, '--out', dir], io), 0);
    assert.match(out.join(''), /^exported 2 events in 1 files/);
    const [file] = filesUnder(dir);
    const records = (JSON.parse(gunzipSync(readFileSync(join(dir, file ?? ''))).toString('utf8')) as { Records: Array<{ n: number }> }).Records;
    assert.deepEqual(records.map((r) => r.n), [1, 2]);
  });

  test('usage errors: --out is required, a bad time is named', async () => {
    const missing = capture();
    assert.equal(await main(['export-events', '--data-dir', scratch], missing.io), 64);
    assert.match(missing.err.join(''), /--out DIR is required/);
    const badTime = capture();
    assert.equal(await main(['export-events', '--out', scratch, '--start-time', 'yesterday'], badTime.io), 64);
    assert.match(badTime.err.join(''), /--start-time: not a time/);
    const noTrail = capture();
    assert.equal(await main(['export-events', '--out', scratch, '--data-dir', join(scratch, 'nothing-here')], noTrail.io), 1);
    assert.match(noTrail.err.join(''), /no audit trail/);
  });

  test('a running server\'s trail, exported while it runs, holds its CloudTrail records', async () => {
    const server = await startTestServer();
    try {
      const created = await iamClient(server.endpoint).send(new CreateUserCommand({ UserName: 'exported' }));
      const { io, err } = capture();
      const dir = join(scratch, 'out-live');
      assert.equal(await main(['export-events', '--data-dir', server.dataDir, '--out', dir], io), 0, err.join(''));
      const files = filesUnder(dir);
      assert.ok(files.length >= 1 && files.every((f) => f.startsWith(`AWSLogs/${TEST_ACCOUNT_ID}/CloudTrail/us-east-1/`)), files.join('\n'));
      const records = files.flatMap((f) => (JSON.parse(gunzipSync(readFileSync(join(dir, f))).toString('utf8')) as { Records: Array<Record<string, unknown>> }).Records);
      const mine = records.find((r) => r['requestID'] === created.$metadata.requestId);
      assert.equal(mine?.['eventName'], 'CreateUser');
      assert.equal(mine?.['eventVersion'], '1.11');
    } finally {
      await server.close();
    }
  });
});
