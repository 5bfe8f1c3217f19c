/**
 * The behaviour every Store adapter must show, written once so SQLite, PostgreSQL and any later adapter are held to
 * the same promises the core relies on. An adapter's test file calls runStoreContract with a factory for a fresh,
 * empty store (opened with the WriteScope it is given); each test opens its own so no test depends on another's leftovers.
 */
import { describe } from 'node:test';
import { entityContract } from './contract/entities.js';
import { eventLogContract } from './contract/events.js';
import { contractKit, type OpenStore } from './contract/kit.js';
import { linkContract } from './contract/links.js';
import { readViewContract } from './contract/read-views.js';
import { CONTRACT_SCOPE, scopedVersionContract } from './contract/scoped-versions.js';
import { transactionContract } from './contract/transactions.js';

export { entity, link } from './contract/kit.js';
export { auditEvent } from './contract/events.js';
export type { OpenedStore, OpenStore } from './contract/kit.js';

export function runStoreContract(name: string, open: OpenStore): void {
  const kit = contractKit(open, CONTRACT_SCOPE);
  describe(`Store contract: ${name}`, () => {
    entityContract(kit);
    linkContract(kit);
    transactionContract(kit);
    readViewContract(kit);
    scopedVersionContract(kit);
    eventLogContract(kit);
  });
}
