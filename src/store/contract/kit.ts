// Shared pieces of the Store contract suite: fixtures and the helpers every part of it uses.
import type { EntityRecord, LinkRecord, Store, StoreTx, WriteScope } from '../store.js';

export interface OpenedStore {
  readonly store: Store;
  cleanup(): Promise<void>;
}

export const A = '111111111111';
export const B = '222222222222';
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

export interface ContractKit {
  /** Runs `body` against a fresh store and always cleans up, so a failing assertion does not leak handles or files. */
  withStore(body: (store: Store) => Promise<void>): Promise<void>;
  write(store: Store, work: (tx: StoreTx) => Promise<unknown>): Promise<unknown>;
  read<T>(store: Store, work: (tx: StoreTx) => Promise<T>): Promise<T>;
  keys(records: readonly EntityRecord[]): string[];
  pairs(records: readonly LinkRecord[]): string[];
}

/** How an adapter's test opens a fresh, empty store for the contract: with the write scope given. */
export type OpenStore = (options: { readonly writeScope: WriteScope }) => Promise<OpenedStore>;

export function contractKit(open: OpenStore, writeScope: WriteScope): ContractKit {
  return {
    async withStore(body) {
      const opened = await open({ writeScope });
      try {
        await body(opened.store);
      } finally {
        await opened.cleanup();
      }
    },
    write: (store, work) => store.transaction(work),
    read: (store, work) => store.transaction(work),
    keys: (records) => records.map((r) => r.key),
    pairs: (records) => records.map((r) => `${r.from}->${r.to}`),
  };
}
