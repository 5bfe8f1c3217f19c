import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store } from '../store/store.js';
import { capturedLogger } from './testing.js';
import type { ServiceUse } from '../core/iam/access-advisor/records.js';
import type { AuthorizeAnswer } from '../core/authorize-api/authorize-request.js';
import type { Caller } from '../core/caller.js';
import { noteAttempt, noteDecisions, UsageRecorder, type KeyUse } from './usage-recorder.js';

const store = {} as Store;
const at = (seconds: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));


/** A write function that fails while `down` is true and remembers what it wrote. */
function flakyWrite(): { down: boolean; attempts: number; written: KeyUse[][]; write: (s: Store, uses: readonly KeyUse[]) => Promise<void> } {
  const state = {
    down: false,
    attempts: 0,
    written: [] as KeyUse[][],
    async write(_store: Store, uses: readonly KeyUse[]): Promise<void> {
      state.attempts++;
      if (state.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      state.written.push(uses.map((u) => ({ ...u })));
    },
  };
  return state;
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('UsageRecorder', () => {
  test('a failed background write is logged once, retried with backoff, and its uses written when the store returns', async () => {
    const { lines, logger } = capturedLogger();
    const db = flakyWrite();
    db.down = true;
    const recorder = new UsageRecorder(store, db.write, { intervalMs: 10, maxBackoffMs: 40, logger });
    recorder.note('AKIAONE', at(1), 'iam', 'us-east-1');
    recorder.note('AKIATWO', at(2), 'sts', 'us-east-1');
    await until(() => db.attempts >= 3, 'three attempts');
    const failures = lines.filter((l) => l['msg'] === 'could not record access key last-used dates; will retry');
    assert.equal(failures.length, db.attempts, 'one line per failed attempt');
    assert.deepEqual(failures.map((l) => l['retryMs']).slice(0, 3), [20, 40, 40], 'the delay doubles up to the ceiling');
    // A later use of one key noted during the outage replaces the kept one; an older one would not.
    recorder.note('AKIAONE', at(5), 'sts', 'eu-west-1');
    db.down = false;
    await until(() => db.written.length === 1, 'the retried write');
    const written = Object.fromEntries((db.written[0] ?? []).map((u) => [u.accessKeyId, u]));
    assert.deepEqual(written['AKIAONE'], { accessKeyId: 'AKIAONE', date: at(5), service: 'sts', region: 'eu-west-1' });
    assert.deepEqual(written['AKIATWO'], { accessKeyId: 'AKIATWO', date: at(2), service: 'sts', region: 'us-east-1' });
    await until(() => lines.some((l) => l['msg'] === 'access key last-used dates recorded again'), 'the recovery line');
  });

  test('a use noted while a failed batch is in flight is not overwritten by the older one put back', async () => {
    const db = flakyWrite();
    const gates: Array<() => void> = [];
    const recorder = new UsageRecorder(
      store,
      async (s, uses) => {
        await new Promise<void>((resolve) => gates.push(resolve));
        return db.write(s, uses);
      },
      { intervalMs: 5, maxBackoffMs: 10 },
    );
    db.down = true;
    recorder.note('AKIAONE', at(1), 'iam', 'us-east-1');
    await until(() => gates.length === 1, 'the first write to start');
    recorder.note('AKIAONE', at(9), 'iam', 'us-west-2');
    gates[0]?.();
    await until(() => db.attempts === 1, 'the first write to fail');
    db.down = false;
    await until(() => gates.length === 2, 'the retry');
    gates[1]?.();
    await until(() => db.written.length > 0, 'a successful write');
    assert.equal(db.written[0]?.[0]?.date.getTime(), at(9).getTime());
    assert.equal(db.written[0]?.[0]?.region, 'us-west-2');
  });

  test('flush at close writes what is pending and reports a failure to its caller, keeping the uses', async () => {
    const db = flakyWrite();
    const recorder = new UsageRecorder(store, db.write, { intervalMs: 60_000 });
    recorder.note('AKIAONE', at(1), 'iam', 'us-east-1');
    db.down = true;
    await assert.rejects(recorder.flush(), /ECONNREFUSED/);
    db.down = false;
    await recorder.flush();
    assert.deepEqual(db.written.map((batch) => batch.map((u) => u.accessKeyId)), [['AKIAONE']]);
  });

  test('service uses: the latest per principal, service and action is written, bounded while the store is down, and put back on failure', async () => {
    const { lines, logger } = capturedLogger();
    const batches: ServiceUse[][] = [];
    let down = true;
    const recorder = new UsageRecorder(
      store,
      async (_s, _uses, serviceUses) => {
        if (down) throw new Error('disk full');
        batches.push([...serviceUses]);
      },
      { intervalMs: 60_000, maxPendingServiceUses: 3, logger },
    );
    const use = (principalId: string, action: string, seconds: number): ServiceUse => ({ account: '111122223333', principalId, service: 'iam', action, region: 'us-east-1', date: at(seconds) });
    recorder.noteService(use('AIDAONE', 'ListUsers', 2));
    recorder.noteService(use('AIDAONE', 'ListUsers', 1)); // older: ignored
    recorder.noteService(use('AIDAONE', 'GetUser', 3));
    recorder.noteService(use('AROATWO', 'GetRole', 4));
    recorder.noteService(use('AROATWO', 'ListRoles', 5)); // a fourth distinct use: past the bound, dropped
    assert.equal(recorder.dropped, 1);
    await assert.rejects(recorder.flush(), /disk full/);
    down = false;
    recorder.noteService(use('AIDAONE', 'ListUsers', 9)); // newer than the one put back
    await recorder.flush();
    const written = (batches[0] ?? []).map((u) => `${u.principalId} ${u.action} ${u.date.getUTCSeconds()}`).sort();
    assert.deepEqual(written, ['AIDAONE GetUser 3', 'AIDAONE ListUsers 9', 'AROATWO GetRole 4']);
    assert.ok(lines.some((l) => l['msg'] === 'too many service uses waiting to be recorded; some were dropped' && l['dropped'] === 1));
  });
});

/** What a recorder was asked to write, after a flush. */
async function captured(notes: (recorder: UsageRecorder) => void): Promise<{ keys: KeyUse[]; services: string[] }> {
  const out = { keys: [] as KeyUse[], services: [] as string[] };
  const recorder = new UsageRecorder(store, async (_s, uses, serviceUses) => {
    out.keys.push(...uses);
    out.services.push(...serviceUses.map((u) => `${u.account} ${u.principalId} ${u.service}${u.action !== undefined ? `:${u.action}` : ''} ${u.region}`));
  }, { intervalMs: 60_000 });
  notes(recorder);
  await recorder.flush();
  out.services.sort();
  return out;
}

const A = '111122223333';
const user: Caller = { kind: 'user', account: A, arn: `arn:aws:iam::${A}:user/u`, userId: 'AIDAUSER', userName: 'u', accessKeyId: 'AKIAUSER' };
const session: Caller = { kind: 'assumedRole', account: A, arn: `arn:aws:sts::${A}:assumed-role/r/s`, userId: 'AROAROLE:s', roleName: 'r', accessKeyId: 'ASIASESSION' };
const root: Caller = { kind: 'root', account: A, arn: `arn:aws:iam::${A}:root`, userId: A, accessKeyId: 'AKIAROOT' };
const federated: Caller = { kind: 'federatedUser', account: A, arn: `arn:aws:sts::${A}:federated-user/f`, userId: `${A}:f`, accessKeyId: 'ASIAFED' };

const ATTEMPTS: ReadonlyArray<[string, Caller, string, string[]]> = [
  ['a user, an IAM action: tracked', user, 'iam:ListUsers', [`${A} AIDAUSER iam:ListUsers us-east-1`]],
  ['a user, an STS action: the service only', user, 'sts:GetCallerIdentity', [`${A} AIDAUSER sts us-east-1`]],
  ['a role session counts for its role', session, 'iam:GetRole', [`${A} AROAROLE iam:GetRole us-east-1`]],
  ['the root user is not reported', root, 'iam:ListUsers', []],
  ['a federated user is not reported', federated, 'iam:ListUsers', []],
];

for (const [name, caller, action, expected] of ATTEMPTS) {
  test(`noteAttempt: ${name}`, async () => {
    assert.deepEqual((await captured((r) => noteAttempt(r, caller, action, 'us-east-1', at(1)))).services, expected);
  });
}

const answer = (principal: AuthorizeAnswer['principal'], region: string | undefined, actions: string[]): AuthorizeAnswer => ({
  authenticated: true,
  allowed: false,
  results: actions.map((action) => ({ action, resource: '*', decision: 'ImplicitlyDenied', allowed: false })),
  ...(principal !== undefined ? { principal } : {}),
  ...(region !== undefined ? { region } : {}),
});
const userPrincipal = { arn: user.arn, account: A, type: 'IAMUser' as const, userId: 'AIDAUSER', accessKeyId: 'AKIAUSER' };
const rolePrincipal = {
  arn: session.arn,
  account: A,
  type: 'AssumedRole' as const,
  userId: 'AROAROLE:s',
  sessionContext: { sessionIssuer: { type: 'Role' as const, arn: `arn:aws:iam::${A}:role/r`, principalId: 'AROAROLE', accountId: A, userName: 'r' }, attributes: { mfaAuthenticated: false } },
};

test('noteDecisions: a signed request\'s decisions are its user\'s attempts and a use of its key, in the request\'s region', async () => {
  const out = await captured((r) => noteDecisions(r, answer(userPrincipal, 'eu-west-1', ['s3:GetObject', 's3:List*', 'sqs:SendMessage']), 'us-east-1', at(2)));
  assert.deepEqual(out.services, [`${A} AIDAUSER s3 eu-west-1`, `${A} AIDAUSER s3:GetObject eu-west-1`, `${A} AIDAUSER sqs eu-west-1`]);
  assert.deepEqual(out.keys, [{ accessKeyId: 'AKIAUSER', date: at(2), service: 's3', region: 'eu-west-1' }]);
});

test('noteDecisions: a trusted caller\'s question about a role session is the role\'s use, in the call\'s region', async () => {
  const out = await captured((r) => noteDecisions(r, answer(rolePrincipal, undefined, ['s3:PutObject']), 'us-west-2', at(3)));
  assert.deepEqual(out.services, [`${A} AROAROLE s3:PutObject us-west-2`]);
  assert.deepEqual(out.keys.map((k) => k.role), [{ account: A, name: 'r', id: 'AROAROLE' }]);
});

test('noteDecisions: nothing for a failed authentication or an anonymous principal', async () => {
  const failed: AuthorizeAnswer = { authenticated: false, allowed: false, results: [] };
  const anonymous = answer({ arn: 'anonymous', account: '', type: 'Anonymous', userId: 'anonymous' }, 'us-east-1', ['s3:GetObject']);
  const out = await captured((r) => {
    noteDecisions(r, failed, 'us-east-1', at(4));
    noteDecisions(r, anonymous, 'us-east-1', at(4));
  });
  assert.deepEqual(out, { keys: [], services: [] });
});
