import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateKeyError } from '../store.js';
import { A, B, entity, link, type ContractKit } from './kit.js';

/** The links part of the Store contract. */
export function linkContract(kit: ContractKit): void {
  const { withStore, write, read, keys, pairs } = kit;
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
}
