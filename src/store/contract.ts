/**
 * The behaviour every Store adapter must show, written once so SQLite, PostgreSQL and any later adapter are held to
 * the same promises the core relies on. An adapter's test file calls runStoreContract with a factory for a fresh,
 * empty store; each test opens its own so no test depends on another's leftovers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateKeyError } from './store.js';
import type { EntityRecord, LinkRecord, Store, StoreTx } from './store.js';

export interface OpenedStore {
  readonly store: Store;
  cleanup(): Promise<void>;
}

const A = '111111111111';
const B = '222222222222';
const CREATED = '2026-11-25T12:00:00.000Z';

let nextId = 0;

/** An entity with a fresh id; tests override only what they are about. */
export function entity(fields: Partial<EntityRecord> & { key: string }): EntityRecord {
  nextId += 1;
  return {
    kind: 'user',
    account: A,
    id: `AIDA${String(nextId).padStart(17, '0')}`,
    path: '/',
    owner: '',
    created: CREATED,
    data: {},
    ...fields,
  };
}

export function link(fields: Partial<LinkRecord> & { from: string; to: string }): LinkRecord {
  return { relation: 'member', account: A, created: CREATED, data: {}, ...fields };
}

export function runStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  /** Runs `body` against a fresh store and always cleans up, so a failing assertion does not leak handles or files. */
  async function withStore(body: (store: Store) => Promise<void>): Promise<void> {
    const opened = await open();
    try {
      await body(opened.store);
    } finally {
      await opened.cleanup();
    }
  }

  const write = (store: Store, work: (tx: StoreTx) => Promise<unknown>): Promise<unknown> => store.transaction(work);
  const read = <T>(store: Store, work: (tx: StoreTx) => Promise<T>): Promise<T> => store.transaction(work);
  const keys = (records: readonly EntityRecord[]): string[] => records.map((r) => r.key);
  const pairs = (records: readonly LinkRecord[]): string[] => records.map((r) => `${r.from}->${r.to}`);

  describe(`Store contract: ${name}`, () => {
    describe('entities', () => {
      test('insert then get returns every field, matching the key case-insensitively and keeping its spelling', async () => {
        await withStore(async (store) => {
          const record = entity({ key: 'Alice', path: '/eng/', data: { arn: 'arn:aws:iam::111111111111:user/eng/Alice' } });
          await write(store, (tx) => tx.insert(record));
          for (const spelling of ['Alice', 'alice', 'ALICE', 'aLiCe']) {
            assert.deepEqual(await read(store, (tx) => tx.get('user', A, spelling)), record);
          }
        });
      });

      test('get answers undefined for an absent key, another kind or another account', async () => {
        await withStore(async (store) => {
          await write(store, (tx) => tx.insert(entity({ key: 'alice' })));
          await read(store, async (tx) => {
            assert.equal(await tx.get('user', A, 'bob'), undefined);
            assert.equal(await tx.get('role', A, 'alice'), undefined);
            assert.equal(await tx.get('user', B, 'alice'), undefined);
          });
        });
      });

      test('insert throws DuplicateKeyError for a key taken in any letter case', async () => {
        await withStore(async (store) => {
          await write(store, (tx) => tx.insert(entity({ key: 'Alice' })));
          for (const spelling of ['Alice', 'alice', 'ALICE']) {
            await assert.rejects(write(store, (tx) => tx.insert(entity({ key: spelling }))), DuplicateKeyError);
          }
          assert.equal((await read(store, (tx) => tx.get('user', A, 'alice')))?.key, 'Alice');
        });
      });

      test('insert throws DuplicateKeyError for a taken id, even in another kind or account', async () => {
        await withStore(async (store) => {
          const first = entity({ key: 'alice' });
          await write(store, (tx) => tx.insert(first));
          for (const clash of [
            entity({ key: 'bob', id: first.id }),
            entity({ key: 'alice', kind: 'role', id: first.id }),
            entity({ key: 'alice', account: B, id: first.id }),
          ]) {
            await assert.rejects(write(store, (tx) => tx.insert(clash)), DuplicateKeyError);
          }
        });
      });

      test('the same key may exist in another kind and in another account', async () => {
        await withStore(async (store) => {
          await write(store, async (tx) => {
            await tx.insert(entity({ key: 'admin' }));
            await tx.insert(entity({ key: 'admin', kind: 'role' }));
            await tx.insert(entity({ key: 'ADMIN', account: B }));
          });
          await read(store, async (tx) => {
            assert.equal((await tx.get('user', A, 'admin'))?.kind, 'user');
            assert.equal((await tx.get('role', A, 'admin'))?.kind, 'role');
            assert.equal((await tx.get('user', B, 'admin'))?.key, 'ADMIN');
          });
        });
      });

      test('a DuplicateKeyError caught inside a transaction leaves the transaction usable and its other writes committed', async () => {
        await withStore(async (store) => {
          await write(store, (tx) => tx.insert(entity({ key: 'alice' })));
          await write(store, async (tx) => {
            await tx.insert(entity({ key: 'bob' }));
            await assert.rejects(tx.insert(entity({ key: 'ALICE' })), DuplicateKeyError);
            await tx.insert(entity({ key: 'carol' }));
          });
          assert.deepEqual(keys(await read(store, (tx) => tx.list('user', A))), ['alice', 'bob', 'carol']);
        });
      });

      test('getById finds the entity of that kind by its id in any account', async () => {
        await withStore(async (store) => {
          const alice = entity({ key: 'alice', account: B });
          await write(store, (tx) => tx.insert(alice));
          await read(store, async (tx) => {
            assert.deepEqual(await tx.getById('user', alice.id), alice);
            assert.equal(await tx.getById('role', alice.id), undefined);
            assert.equal(await tx.getById('user', 'AIDANOSUCHID'), undefined);
          });
        });
      });

      // Byte order of the lower-cased key (`_` sorts before letters): a PostgreSQL adapter needs COLLATE "C".
      test('list orders by key case-insensitively and keeps each spelling', async () => {
        await withStore(async (store) => {
          await write(store, async (tx) => {
            for (const key of ['bob', 'Alice', 'carol', 'alice2', 'Bob2', 'a', 'Z', '_x', '0']) await tx.insert(entity({ key }));
            await tx.insert(entity({ key: 'zed', kind: 'role' }));
          });
          assert.deepEqual(keys(await read(store, (tx) => tx.list('user', A))), ['0', '_x', 'a', 'Alice', 'alice2', 'bob', 'Bob2', 'carol', 'Z']);
          assert.deepEqual(await read(store, (tx) => tx.list('group', A)), []);
        });
      });

      test('list with pathPrefix keeps paths starting with it, case-sensitively and without wildcards', async () => {
        await withStore(async (store) => {
          const paths: Record<string, string> = {
            root: '/',
            eng: '/eng/',
            team: '/eng/team/',
            upper: '/Eng/',
            engineering: '/engineering/',
            under: '/a_b/',
            other: '/axb/',
            pct: '/100%/',
          };
          await write(store, async (tx) => {
            for (const [key, path] of Object.entries(paths)) await tx.insert(entity({ key, path }));
          });
          await read(store, async (tx) => {
            assert.deepEqual(keys(await tx.list('user', A, { pathPrefix: '/' })), Object.keys(paths).sort());
            assert.deepEqual(keys(await tx.list('user', A, { pathPrefix: '/eng/' })), ['eng', 'team']);
            assert.deepEqual(keys(await tx.list('user', A, { pathPrefix: '/eng' })), ['eng', 'engineering', 'team']);
            assert.deepEqual(keys(await tx.list('user', A, { pathPrefix: '/Eng/' })), ['upper']);
            assert.deepEqual(keys(await tx.list('user', A, { pathPrefix: '/a_b/' })), ['under']);
            assert.deepEqual(keys(await tx.list('user', A, { pathPrefix: '/100%' })), ['pct']);
            assert.deepEqual(keys(await tx.list('user', A, { pathPrefix: '/1%' })), []);
            assert.deepEqual(keys(await tx.list('user', A, { pathPrefix: '/nothing/' })), []);
          });
        });
      });

      test('list with owner keeps children of that owner, matched case-insensitively, and combines with pathPrefix', async () => {
        await withStore(async (store) => {
          await write(store, async (tx) => {
            await tx.insert(entity({ kind: 'access-key', key: 'AKIA2', owner: 'Alice', path: '/x/' }));
            await tx.insert(entity({ kind: 'access-key', key: 'AKIA1', owner: 'Alice' }));
            await tx.insert(entity({ kind: 'access-key', key: 'AKIA3', owner: 'bob' }));
            await tx.insert(entity({ kind: 'access-key', key: 'AKIA4', owner: 'Alice', account: B }));
          });
          await read(store, async (tx) => {
            assert.deepEqual(keys(await tx.list('access-key', A, { owner: 'alice' })), ['AKIA1', 'AKIA2']);
            assert.deepEqual(keys(await tx.list('access-key', A, { owner: 'ALICE', pathPrefix: '/x/' })), ['AKIA2']);
            assert.deepEqual(keys(await tx.list('access-key', A, { owner: 'Bob' })), ['AKIA3']);
            assert.deepEqual(keys(await tx.list('access-key', A, { owner: 'carol' })), []);
            assert.equal((await tx.list('access-key', A, { owner: 'alice' }))[0]?.owner, 'Alice');
          });
        });
      });

      test('count agrees with list under every filter', async () => {
        await withStore(async (store) => {
          await write(store, async (tx) => {
            await tx.insert(entity({ kind: 'policy-version', key: 'p1:v1', owner: 'P1', path: '/a/' }));
            await tx.insert(entity({ kind: 'policy-version', key: 'p1:v2', owner: 'p1', path: '/b/' }));
            await tx.insert(entity({ kind: 'policy-version', key: 'p2:v1', owner: 'p2', path: '/a/' }));
            await tx.insert(entity({ kind: 'policy-version', key: 'p3:v1', owner: 'p3', account: B }));
          });
          await read(store, async (tx) => {
            for (const options of [undefined, {}, { owner: 'p1' }, { pathPrefix: '/a/' }, { owner: 'P1', pathPrefix: '/b' }, { owner: 'none' }]) {
              const listed = await tx.list('policy-version', A, options);
              assert.equal(await tx.count('policy-version', A, options), listed.length, JSON.stringify(options));
            }
            assert.equal(await tx.count('policy-version', A), 3);
            assert.equal(await tx.count('policy-version', A, { owner: 'P1' }), 2);
            assert.equal(await tx.count('policy-version', B), 1);
            assert.equal(await tx.count('nothing', A), 0);
          });
        });
      });

      test('update replaces path, owner and data, keeps key spelling, id and created, and says false when absent', async () => {
        await withStore(async (store) => {
          const original = entity({ key: 'Alice', path: '/old/', owner: 'x', data: { tags: [{ Key: 'a', Value: '1' }] } });
          await write(store, (tx) => tx.insert(original));
          const changed = { ...original, key: 'ALICE', id: 'AIDAIGNORED', created: '2030-01-01T00:00:00.000Z', path: '/new/', owner: 'Y', data: { tags: [] } };
          assert.equal(await read(store, (tx) => tx.update(changed)), true);
          await read(store, async (tx) => {
            assert.deepEqual(await tx.get('user', A, 'alice'), { ...original, path: '/new/', owner: 'Y', data: { tags: [] } });
            assert.deepEqual(keys(await tx.list('user', A, { owner: 'y' })), ['Alice']);
            assert.deepEqual(await tx.list('user', A, { owner: 'x' }), []);
            assert.deepEqual(keys(await tx.list('user', A, { pathPrefix: '/new/' })), ['Alice']);
            assert.equal(await tx.update(entity({ key: 'nobody' })), false);
            assert.equal(await tx.update({ ...original, account: B }), false);
            assert.equal(await tx.update({ ...original, kind: 'role' }), false);
            assert.equal(await tx.get('user', A, 'nobody'), undefined);
          });
        });
      });

      test('delete removes the entity by key in any case, says false when absent, and frees key and id', async () => {
        await withStore(async (store) => {
          const alice = entity({ key: 'Alice' });
          await write(store, async (tx) => {
            await tx.insert(alice);
            await tx.insert(entity({ key: 'alice', account: B }));
            await tx.insert(entity({ key: 'alice', kind: 'role' }));
          });
          await read(store, async (tx) => {
            assert.equal(await tx.delete('user', A, 'ALICE'), true);
            assert.equal(await tx.delete('user', A, 'alice'), false);
            assert.equal(await tx.get('user', A, 'alice'), undefined);
            assert.equal(await tx.getById('user', alice.id), undefined);
            assert.notEqual(await tx.get('user', B, 'alice'), undefined);
            assert.notEqual(await tx.get('role', A, 'alice'), undefined);
            await tx.insert({ ...alice, key: 'alice' });
            assert.equal((await tx.get('user', A, 'ALICE'))?.key, 'alice');
          });
        });
      });

      test('delete leaves links alone', async () => {
        await withStore(async (store) => {
          await write(store, async (tx) => {
            await tx.insert(entity({ key: 'alice' }));
            await tx.link(link({ from: 'alice', to: 'admins' }));
            await tx.delete('user', A, 'alice');
          });
          assert.equal(await read(store, (tx) => tx.countLinks('member', A, { from: 'alice' })), 1);
        });
      });
    });

    describe('links', () => {
      test('link then links returns every field, filtered by from or to case-insensitively, in order', async () => {
        await withStore(async (store) => {
          const first = link({ from: 'Alice', to: 'Admins', data: { note: 'first' } });
          await write(store, async (tx) => {
            await tx.link(link({ from: 'bob', to: 'admins' }));
            await tx.link(link({ from: 'alice', to: 'devs' }));
            await tx.link(first);
            await tx.link(link({ from: 'alice', to: 'Ops' }));
            await tx.link(link({ from: 'alice', to: 'admins', relation: 'other' }));
            await tx.link(link({ from: 'alice', to: 'admins', account: B }));
          });
          await read(store, async (tx) => {
            assert.deepEqual(pairs(await tx.links('member', A)), ['Alice->Admins', 'alice->devs', 'alice->Ops', 'bob->admins']);
            assert.deepEqual(pairs(await tx.links('member', A, {})), ['Alice->Admins', 'alice->devs', 'alice->Ops', 'bob->admins']);
            assert.deepEqual(pairs(await tx.links('member', A, { from: 'ALICE' })), ['Alice->Admins', 'alice->devs', 'alice->Ops']);
            assert.deepEqual(pairs(await tx.links('member', A, { to: 'ADMINS' })), ['Alice->Admins', 'bob->admins']);
            assert.deepEqual(pairs(await tx.links('member', A, { from: 'carol' })), []);
            assert.deepEqual(await tx.links('member', A, { from: 'alice', to: 'admins' }), [first]);
            assert.deepEqual(pairs(await tx.links('other', A)), ['alice->admins']);
            assert.deepEqual(pairs(await tx.links('member', B)), ['alice->admins']);
            assert.deepEqual(await tx.links('none', A), []);
          });
        });
      });

      test('link throws DuplicateKeyError when (relation, account, from, to) exists in any case', async () => {
        await withStore(async (store) => {
          await write(store, (tx) => tx.link(link({ from: 'Alice', to: 'Admins' })));
          for (const [from, to] of [['Alice', 'Admins'], ['alice', 'admins'], ['ALICE', 'aDmInS']] as const) {
            await assert.rejects(write(store, (tx) => tx.link(link({ from, to }))), DuplicateKeyError);
          }
          await write(store, async (tx) => {
            await tx.link(link({ from: 'Admins', to: 'Alice' }));
            await tx.link(link({ from: 'alice', to: 'admins', relation: 'other' }));
            await tx.link(link({ from: 'alice', to: 'admins', account: B }));
          });
          assert.deepEqual(pairs(await read(store, (tx) => tx.links('member', A))), ['Admins->Alice', 'Alice->Admins']);
        });
      });

      test('countLinks agrees with links for from, to and the whole relation', async () => {
        await withStore(async (store) => {
          await write(store, async (tx) => {
            await tx.link(link({ from: 'alice', to: 'g1' }));
            await tx.link(link({ from: 'alice', to: 'g2' }));
            await tx.link(link({ from: 'bob', to: 'G1' }));
            await tx.link(link({ from: 'bob', to: 'g1', account: B }));
          });
          await read(store, async (tx) => {
            for (const end of [undefined, {}, { from: 'ALICE' }, { to: 'g1' }, { from: 'bob', to: 'g1' }, { to: 'nothing' }]) {
              assert.equal(await tx.countLinks('member', A, end), (await tx.links('member', A, end)).length, JSON.stringify(end));
            }
            assert.equal(await tx.countLinks('member', A), 3);
            assert.equal(await tx.countLinks('member', A, { to: 'G1' }), 2);
            assert.equal(await tx.countLinks('member', B), 1);
            assert.equal(await tx.countLinks('none', A), 0);
          });
        });
      });

      test('unlink removes one link in any case and says false when absent', async () => {
        await withStore(async (store) => {
          await write(store, async (tx) => {
            await tx.link(link({ from: 'Alice', to: 'Admins' }));
            await tx.link(link({ from: 'alice', to: 'devs' }));
            await tx.link(link({ from: 'alice', to: 'admins', account: B }));
            await tx.link(link({ from: 'alice', to: 'admins', relation: 'other' }));
          });
          await read(store, async (tx) => {
            assert.equal(await tx.unlink('member', A, 'ALICE', 'admins'), true);
            assert.equal(await tx.unlink('member', A, 'alice', 'admins'), false);
            assert.equal(await tx.unlink('member', A, 'devs', 'alice'), false);
            assert.deepEqual(pairs(await tx.links('member', A)), ['alice->devs']);
            assert.equal(await tx.countLinks('member', B), 1);
            assert.equal(await tx.countLinks('other', A), 1);
          });
        });
      });

      test('unlinkAll removes every link from, or to, an entity and returns how many', async () => {
        await withStore(async (store) => {
          await write(store, async (tx) => {
            await tx.link(link({ from: 'alice', to: 'g1' }));
            await tx.link(link({ from: 'Alice', to: 'g2' }));
            await tx.link(link({ from: 'bob', to: 'G1' }));
            await tx.link(link({ from: 'carol', to: 'g3' }));
            await tx.link(link({ from: 'alice', to: 'g1', account: B }));
            await tx.link(link({ from: 'alice', to: 'g1', relation: 'other' }));
          });
          await read(store, async (tx) => {
            assert.equal(await tx.unlinkAll('member', A, { from: 'ALICE' }), 2);
            assert.equal(await tx.unlinkAll('member', A, { from: 'alice' }), 0);
            assert.deepEqual(pairs(await tx.links('member', A)), ['bob->G1', 'carol->g3']);
            assert.equal(await tx.unlinkAll('member', A, { to: 'g1' }), 1);
            assert.deepEqual(pairs(await tx.links('member', A)), ['carol->g3']);
            assert.equal(await tx.countLinks('member', B), 1);
            assert.equal(await tx.countLinks('other', A), 1);
          });
        });
      });

      test('unlinkAll refuses an end with neither from nor to rather than emptying the relation', async () => {
        await withStore(async (store) => {
          await write(store, (tx) => tx.link(link({ from: 'alice', to: 'g1' })));
          await assert.rejects(write(store, (tx) => tx.unlinkAll('member', A, {})));
          assert.equal(await read(store, (tx) => tx.countLinks('member', A)), 1);
        });
      });
    });

    describe('accounts', () => {
      test('one account never sees or changes another account\'s entities and links', async () => {
        await withStore(async (store) => {
          await write(store, async (tx) => {
            await tx.insert(entity({ key: 'alice', account: A, data: { in: 'A' } }));
            await tx.insert(entity({ key: 'alice', account: B, data: { in: 'B' } }));
            await tx.insert(entity({ key: 'only-b', account: B }));
            await tx.link(link({ from: 'alice', to: 'g', account: A }));
            await tx.link(link({ from: 'alice', to: 'g', account: B }));
          });
          await read(store, async (tx) => {
            assert.deepEqual(keys(await tx.list('user', A)), ['alice']);
            assert.equal(await tx.count('user', A), 1);
            assert.deepEqual((await tx.get('user', A, 'alice'))?.data, { in: 'A' });
            assert.equal(await tx.get('user', A, 'only-b'), undefined);
            assert.equal(await tx.delete('user', A, 'only-b'), false);
            assert.equal(await tx.update(entity({ key: 'only-b', account: A })), false);
            assert.equal(await tx.delete('user', A, 'alice'), true);
            assert.equal(await tx.unlinkAll('member', A, { from: 'alice' }), 1);
          });
          await read(store, async (tx) => {
            assert.deepEqual(keys(await tx.list('user', B)), ['alice', 'only-b']);
            assert.deepEqual((await tx.get('user', B, 'alice'))?.data, { in: 'B' });
            assert.equal(await tx.countLinks('member', B, { from: 'alice' }), 1);
          });
        });
      });
    });

    describe('data', () => {
      test('entity and link data round-trip as JSON: nesting, arrays, unicode, escapes, numbers, null', async () => {
        await withStore(async (store) => {
          const data = {
            document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'é' } } }] },
            unicode: 'Zoë 日本語 🔑 \u0301 \u2028',
            escapes: 'quote " backslash \\ newline \n tab \t nul \u0000',
            numbers: [0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER],
            flags: { yes: true, no: false, nothing: null },
            empty: { object: {}, array: [], string: '' },
            deep: { a: { b: { c: { d: { e: ['f'] } } } } },
          };
          await write(store, async (tx) => {
            await tx.insert(entity({ key: 'alice', data }));
            await tx.link(link({ from: 'alice', to: 'g', data }));
          });
          await read(store, async (tx) => {
            assert.deepEqual((await tx.get('user', A, 'alice'))?.data, data);
            assert.deepEqual((await tx.list('user', A))[0]?.data, data);
            assert.deepEqual((await tx.links('member', A))[0]?.data, data);
          });
        });
      });

      test('unicode keys, paths and owners are stored as written', async () => {
        await withStore(async (store) => {
          const record = entity({ key: 'Zoë+=,.@_-', path: '/über/', owner: 'Ünïcode' });
          await write(store, (tx) => tx.insert(record));
          await read(store, async (tx) => {
            assert.deepEqual(await tx.get('user', A, 'zoë+=,.@_-'), record);
            assert.deepEqual(keys(await tx.list('user', A, { pathPrefix: '/über/', owner: 'ünïcode' })), ['Zoë+=,.@_-']);
          });
        });
      });

      test('records are copies: mutating what was written or read does not change the store', async () => {
        await withStore(async (store) => {
          const data = { tags: [{ Key: 'team', Value: 'a' }] };
          await write(store, (tx) => tx.insert(entity({ key: 'alice', data })));
          data.tags.push({ Key: 'late', Value: 'b' });
          const first = await read(store, (tx) => tx.get('user', A, 'alice'));
          (first?.data['tags'] as unknown[]).push('mutated');
          const second = await read(store, (tx) => tx.get('user', A, 'alice'));
          assert.deepEqual(second?.data, { tags: [{ Key: 'team', Value: 'a' }] });
        });
      });
    });

    describe('transactions', () => {
      test('transaction resolves to what the work returned', async () => {
        await withStore(async (store) => {
          assert.equal(await store.transaction(async () => 42), 42);
          assert.deepEqual(await store.transaction(async (tx) => tx.list('user', A)), []);
        });
      });

      test('a transaction that throws rejects with that error and leaves no trace of its writes', async () => {
        await withStore(async (store) => {
          await write(store, async (tx) => {
            await tx.insert(entity({ key: 'keep', data: { v: 1 } }));
            await tx.insert(entity({ key: 'gone' }));
            await tx.link(link({ from: 'keep', to: 'g' }));
          });
          const failure = new Error('boom');
          const newcomer = entity({ key: 'new' });
          await assert.rejects(
            write(store, async (tx) => {
              await tx.insert(newcomer);
              await tx.update(entity({ key: 'keep', data: { v: 2 } }));
              await tx.delete('user', A, 'gone');
              await tx.link(link({ from: 'new', to: 'g' }));
              await tx.unlinkAll('member', A, { from: 'keep' });
              throw failure;
            }),
            (error) => error === failure,
          );
          await read(store, async (tx) => {
            assert.deepEqual(keys(await tx.list('user', A)), ['gone', 'keep']);
            assert.deepEqual((await tx.get('user', A, 'keep'))?.data, { v: 1 });
            assert.equal(await tx.getById('user', newcomer.id), undefined);
            assert.deepEqual(pairs(await tx.links('member', A)), ['keep->g']);
          });
          // The rolled-back key and id are free again.
          await write(store, (tx) => tx.insert(newcomer));
        });
      });

      test('a transaction whose work throws synchronously rejects instead of throwing, and the store goes on', async () => {
        await withStore(async (store) => {
          await assert.rejects(
            store.transaction((() => {
              throw new Error('sync boom');
            }) as (tx: StoreTx) => Promise<void>),
            /sync boom/,
          );
          assert.equal(await read(store, (tx) => tx.count('user', A)), 0);
        });
      });

      test('a failed transaction does not block the ones queued after it', async () => {
        await withStore(async (store) => {
          const results = await Promise.allSettled([
            write(store, async (tx) => {
              await tx.insert(entity({ key: 'a' }));
              throw new Error('first fails');
            }),
            write(store, (tx) => tx.insert(entity({ key: 'b' }))),
          ]);
          assert.equal(results[0]?.status, 'rejected');
          assert.equal(results[1]?.status, 'fulfilled');
          assert.deepEqual(keys(await read(store, (tx) => tx.list('user', A))), ['b']);
        });
      });

      test('20 concurrent read-modify-write transactions on one counter lose no update', async () => {
        await withStore(async (store) => {
          await write(store, (tx) => tx.insert(entity({ kind: 'counter', key: 'hits', data: { n: 0 } })));
          await Promise.all(
            Array.from({ length: 20 }, () =>
              write(store, async (tx) => {
                const counter = await tx.get('counter', A, 'hits');
                assert.ok(counter);
                // Yield to the event loop between read and write, where a non-serializing store would interleave.
                await new Promise((resolve) => setTimeout(resolve, 1));
                await tx.update({ ...counter, data: { n: (counter.data['n'] as number) + 1 } });
              }),
            ),
          );
          assert.deepEqual((await read(store, (tx) => tx.get('counter', A, 'hits')))?.data, { n: 20 });
        });
      });

      test('transactions never overlap: each finishes before the next begins', async () => {
        await withStore(async (store) => {
          const events: string[] = [];
          await Promise.all(
            Array.from({ length: 5 }, (_, i) =>
              store.transaction(async (tx) => {
                events.push(`begin ${i}`);
                await new Promise((resolve) => setImmediate(resolve));
                await tx.insert(entity({ key: `k${i}` }));
                events.push(`end ${i}`);
              }),
            ),
          );
          for (let i = 0; i < events.length; i += 2) {
            const begin = events[i]?.split(' ');
            assert.equal(begin?.[0], 'begin');
            assert.equal(events[i + 1], `end ${begin?.[1]}`);
          }
          assert.equal(await read(store, (tx) => tx.count('user', A)), 5);
        });
      });

      test('a transaction sees its own uncommitted writes', async () => {
        await withStore(async (store) => {
          await write(store, async (tx) => {
            await tx.insert(entity({ key: 'alice' }));
            assert.equal(await tx.count('user', A), 1);
            await tx.link(link({ from: 'alice', to: 'g' }));
            assert.equal(await tx.countLinks('member', A, { to: 'G' }), 1);
          });
        });
      });

      test('the tx object cannot be used after its transaction ended', async () => {
        await withStore(async (store) => {
          let leaked: StoreTx | undefined;
          await store.transaction(async (tx) => {
            leaked = tx;
          });
          assert.ok(leaked);
          const tx = leaked;
          await assert.rejects(async () => tx.insert(entity({ key: 'late' })));
          await assert.rejects(async () => tx.get('user', A, 'late'));
          assert.equal(await read(store, (t) => t.count('user', A)), 0);
        });
      });
    });

    describe('read-only views', () => {
      test('store.read sees committed data, rejects every write and leaves the version alone', async () => {
        await withStore(async (store) => {
          await write(store, async (tx) => {
            await tx.insert(entity({ key: 'alice' }));
            await tx.link(link({ from: 'alice', to: 'g' }));
          });
          const version = store.version();
          assert.equal((await store.read((tx) => tx.get('user', A, 'ALICE')))?.key, 'alice');
          assert.deepEqual(pairs(await store.read((tx) => tx.links('member', A))), ['alice->g']);
          const writes: Array<(tx: StoreTx) => Promise<unknown>> = [
            (tx) => tx.insert(entity({ key: 'bob' })),
            (tx) => tx.update(entity({ key: 'alice', data: { x: 1 } })),
            (tx) => tx.delete('user', A, 'alice'),
            (tx) => tx.link(link({ from: 'alice', to: 'h' })),
            (tx) => tx.unlink('member', A, 'alice', 'g'),
            (tx) => tx.unlinkAll('member', A, { from: 'alice' }),
          ];
          for (const attempt of writes) await assert.rejects(store.read(attempt), /read-only/);
          assert.equal(store.version(), version);
          assert.deepEqual(keys(await store.read((tx) => tx.list('user', A))), ['alice']);
          assert.equal(await store.read((tx) => tx.countLinks('member', A)), 1);
        });
      });

      test('a read after a committed write sees the write, also for an entity read (or missed) before it', async () => {
        await withStore(async (store) => {
          await write(store, (tx) => tx.insert(entity({ key: 'dora', data: { v: 1 } })));
          assert.deepEqual((await store.read((tx) => tx.get('user', A, 'dora')))?.data, { v: 1 });
          assert.equal(await store.read((tx) => tx.get('user', A, 'erin')), undefined);
          await write(store, async (tx) => {
            await tx.update(entity({ key: 'dora', data: { v: 2 } }));
            await tx.insert(entity({ key: 'erin' }));
          });
          assert.deepEqual((await store.read((tx) => tx.get('user', A, 'DORA')))?.data, { v: 2 });
          assert.equal((await store.read((tx) => tx.get('user', A, 'erin')))?.key, 'erin');
          await write(store, (tx) => tx.delete('user', A, 'dora'));
          assert.equal(await store.read((tx) => tx.get('user', A, 'dora')), undefined);
        });
      });

      test('reads queued behind a write see it', async () => {
        await withStore(async (store) => {
          const [, seen] = await Promise.all([
            write(store, (tx) => tx.insert(entity({ key: 'carol' }))),
            store.read((tx) => tx.get('user', A, 'carol')),
          ]);
          assert.equal(seen?.key, 'carol');
        });
      });
    });

    describe('version', () => {
      test('version increases after a committed write and not after reads or rollbacks', async () => {
        await withStore(async (store) => {
          const v0 = store.version();
          assert.equal(typeof v0, 'number');
          await write(store, (tx) => tx.insert(entity({ key: 'alice' })));
          const v1 = store.version();
          assert.ok(v1 > v0, `${v1} > ${v0}`);

          await read(store, async (tx) => {
            await tx.get('user', A, 'alice');
            await tx.list('user', A);
            await tx.links('member', A);
          });
          assert.equal(store.version(), v1);

          await assert.rejects(
            write(store, async (tx) => {
              await tx.insert(entity({ key: 'bob' }));
              throw new Error('rollback');
            }),
          );
          assert.equal(store.version(), v1);

          await assert.rejects(write(store, (tx) => tx.insert(entity({ key: 'ALICE' }))), DuplicateKeyError);
          assert.equal(store.version(), v1);

          for (const change of [
            (tx: StoreTx) => tx.update(entity({ key: 'alice', data: { x: 1 } })),
            (tx: StoreTx) => tx.link(link({ from: 'alice', to: 'g' })),
            (tx: StoreTx) => tx.unlink('member', A, 'alice', 'g'),
            (tx: StoreTx) => tx.link(link({ from: 'alice', to: 'g' })),
            (tx: StoreTx) => tx.unlinkAll('member', A, { to: 'g' }),
            (tx: StoreTx) => tx.delete('user', A, 'alice'),
          ]) {
            const before = store.version();
            await write(store, change);
            assert.ok(store.version() > before, String(change));
          }
        });
      });

      test('version has increased by the time each of several concurrent write transactions resolves', async () => {
        await withStore(async (store) => {
          await Promise.all(
            Array.from({ length: 5 }, async (_, i) => {
              let before = Number.NaN;
              await write(store, async (tx) => {
                before = store.version();
                await tx.insert(entity({ key: `k${i}` }));
              });
              assert.ok(store.version() > before, `${store.version()} > ${before}`);
            }),
          );
        });
      });
    });
  });
}
