import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateKeyError } from '../store.js';
import { A, B, entity, link, type ContractKit } from './kit.js';

/** The entities part of the Store contract. */
export function entityContract(kit: ContractKit): void {
  const { withStore, write, read, keys } = kit;
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

    test('list with offset and limit returns that window of the ordered, filtered list; count ignores the window', async () => {
      await withStore(async (store) => {
        await write(store, async (tx) => {
          for (const key of ['bob', 'Alice', 'carol', 'alice2', 'Bob2', '_x']) await tx.insert(entity({ key, path: key.startsWith('b') || key.startsWith('B') ? '/b/' : '/' }));
          await tx.insert(entity({ key: 'zed', kind: 'role' }));
        });
        await read(store, async (tx) => {
          const all = ['_x', 'Alice', 'alice2', 'bob', 'Bob2', 'carol'];
          assert.deepEqual(keys(await tx.list('user', A, { limit: 2 })), all.slice(0, 2));
          assert.deepEqual(keys(await tx.list('user', A, { offset: 2, limit: 3 })), all.slice(2, 5));
          assert.deepEqual(keys(await tx.list('user', A, { offset: 4 })), all.slice(4));
          assert.deepEqual(keys(await tx.list('user', A, { offset: 6, limit: 10 })), []);
          assert.deepEqual(keys(await tx.list('user', A, { limit: 0 })), []);
          assert.deepEqual(keys(await tx.list('user', A, { pathPrefix: '/b/', offset: 1, limit: 1 })), ['Bob2']);
          assert.equal(await tx.count('user', A, { offset: 2, limit: 1 }), 6);
          await assert.rejects(tx.list('user', A, { limit: -1 }), RangeError);
        });
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
}
