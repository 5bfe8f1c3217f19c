import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { auditEvent } from '../contract.js';
import { journalLine } from './event-journal.js';
import { eventJournalPath, openSqliteEventLog } from './event-log.js';

const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-events-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('SQLite event log: journal and index', () => {
  test('events journaled by a process killed before indexing them are indexed at the next open; a torn last line is skipped', async () => {
    const dir = mkdtempSync(join(scratch, 'torn-'));
    const path = join(dir, 'audit.db');
    (await openSqliteEventLog(path).close());
    const kept = [auditEvent({ eventName: 'CreateUser' }), auditEvent({ eventName: 'DeleteUser', resources: [{ type: 'AWS::IAM::User', name: 'bob' }] })];
    // What a killed process leaves: whole lines, then half of one (its batch was never acknowledged).
    const torn = journalLine(auditEvent({ eventName: 'Torn', record: JSON.stringify({ some: 'record', long: 'x'.repeat(200) }) }));
    appendFileSync(eventJournalPath(path), `${kept.map(journalLine).join('\n')}\n${torn.slice(0, torn.length - 20)}`);
    const log = openSqliteEventLog(path);
    try {
      const page = await log.query({ maxResults: 10 });
      assert.deepEqual(page.events.map((e) => e.eventName).sort(), ['CreateUser', 'DeleteUser']);
      assert.deepEqual((await log.query({ resourceName: 'bob', maxResults: 10 })).events.map((e) => e.eventId), [kept[1]?.eventId]);
      assert.equal(readFileSync(eventJournalPath(path), 'utf8'), '', 'the journal starts over once its events are indexed');
    } finally {
      await log.close();
    }
  });

  test('an acknowledged append survives SIGKILL of the process right after it (journal written, index maybe not)', async () => {
    const dir = mkdtempSync(join(scratch, 'kill-'));
    const path = join(dir, 'audit.db');
    const script = `
      import { openSqliteEventLog } from ${JSON.stringify(new URL('./event-log.ts', import.meta.url).href)};
      import { auditEvent } from ${JSON.stringify(new URL('../contract/events.ts', import.meta.url).href)};
      const log = openSqliteEventLog(${JSON.stringify(path)});
      const events = Array.from({ length: 50 }, (_, i) => auditEvent({ eventName: 'E' + i }));
      await log.append(events);
      process.stdout.write(JSON.stringify(events.map((e) => e.eventId)));
      process.kill(process.pid, 'SIGKILL');
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    const acknowledged = JSON.parse(child.stdout) as string[];
    assert.equal(acknowledged.length, 50);
    const log = openSqliteEventLog(path);
    try {
      const found = (await log.query({ maxResults: 100 })).events.map((e) => e.eventId);
      assert.deepEqual([...found].sort(), [...acknowledged].sort());
    } finally {
      await log.close();
    }
  });

  test('a journal grown past its limit is emptied once the indexer has caught up, with no lookup or close to prompt it', async () => {
    const path = join(mkdtempSync(join(scratch, 'truncate-')), 'audit.db');
    const log = openSqliteEventLog(path);
    try {
      // Not all ASCII: the journal's offsets count bytes, not characters.
      const record = JSON.stringify({ padding: 'x'.repeat(2000), agent: 'café 😀' });
      const ids: string[] = [];
      // ~6 MB in batches of 100, and some of 250 (too big for the reused encoding buffer), the event loop turning
      // between them as a server's does.
      for (let batch = 0; batch < 25; batch++) {
        const events = Array.from({ length: batch % 5 === 0 ? 250 : 100 }, () => auditEvent({ record }));
        ids.push(...events.map((e) => e.eventId));
        await log.append(events);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const journal = eventJournalPath(path);
      const deadline = Date.now() + 10_000;
      while (statSync(journal).size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(statSync(journal).size, 0, 'the journal is emptied');
      let found = 0;
      let nextToken: string | undefined;
      do {
        const page = await log.query({ maxResults: 1000, ...(nextToken !== undefined ? { nextToken } : {}) });
        found += page.events.length;
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      assert.equal(found, ids.length, 'every event was indexed before the journal was emptied');
      assert.equal((await log.query({ eventId: ids[ids.length - 1] as string, maxResults: 1 })).events[0]?.record, record);
    } finally {
      await log.close();
    }
  });

  test('closing the log leaves no file descriptor open (the journal, the database, the indexer\'s own)', { skip: !existsSync('/proc/self/fd') && 'needs /proc/self/fd' }, async () => {
    const open = (): number => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 5; i++) {
      const log = openSqliteEventLog(join(mkdtempSync(join(scratch, 'fd-')), 'audit.db'));
      await log.append([auditEvent()]);
      await log.close();
    }
    assert.equal(open(), before);
  });

  test('a lookup right after an append sees it (the indexer is waited for)', async () => {
    const log = openSqliteEventLog(join(mkdtempSync(join(scratch, 'ryw-')), 'audit.db'));
    try {
      for (let i = 0; i < 20; i++) {
        const event = auditEvent();
        await log.append([event]);
        assert.equal((await log.query({ eventId: event.eventId, maxResults: 1 })).events.length, 1);
      }
    } finally {
      await log.close();
    }
  });
});
