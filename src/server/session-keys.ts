import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKeyRing, type SessionKey, type SessionKeyRing } from '../core/sts/session-token.js';

export const SESSION_KEYS_FILE = 'session-keys.json';

interface StoredKey {
  readonly id: string;
  readonly key: string;
  readonly created: string;
}

function parseKeys(text: string, source: string): SessionKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${source}: not JSON`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new Error(`${source}: expected {"keys": [{"id", "key", "created"}]}`);
  return list.map((entry: Partial<StoredKey>, i) => {
    if (typeof entry?.id !== 'string' || typeof entry.key !== 'string') throw new Error(`${source}: key ${i} needs "id" and "key"`);
    return { id: entry.id, key: Buffer.from(entry.key, 'base64'), created: typeof entry.created === 'string' ? entry.created : new Date(0).toISOString() };
  });
}

function serialize(keys: readonly SessionKey[]): string {
  const stored: StoredKey[] = keys.map((k) => ({ id: k.id, key: k.key.toString('base64'), created: k.created }));
  return `${JSON.stringify({ keys: stored }, null, 2)}\n`;
}

export function newSessionKey(now: Date): SessionKey {
  return { id: randomBytes(6).toString('hex'), key: randomBytes(32), created: now.toISOString() };
}

function writeKeys(path: string, keys: readonly SessionKey[]): void {
  // Written beside and renamed, so a node reading the file never sees half of it.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, serialize(keys), { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

const RELOAD_INTERVAL_MS = 1000;

/**
 * The session token key ring: GATEHOUSE_SESSION_KEYS (the file's JSON) when set, else the data directory's
 * session-keys.json, created with one key (mode 0600) at first start. Nodes that share the ring verify each other's
 * tokens. A file ring is read again (at most once a second) when a token names a key it does not hold, so a node
 * that rotated and restarted first does not lock the others out of its tokens.
 */
export function loadSessionKeyRing(dataDir: string, env: NodeJS.ProcessEnv, now: Date = new Date()): SessionKeyRing {
  const fromEnv = env['GATEHOUSE_SESSION_KEYS'];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return createKeyRing(parseKeys(fromEnv, 'GATEHOUSE_SESSION_KEYS'));
  const path = join(dataDir, SESSION_KEYS_FILE);
  if (!existsSync(path)) writeKeys(path, [newSessionKey(now)]);
  const read = (): SessionKeyRing => createKeyRing(parseKeys(readFileSync(path, 'utf8'), path));
  let ring = read();
  let lastRead = 0;
  return {
    // The sealing key stays the one read at start until a restart, so a node never seals with a key others lack.
    sealingKey: () => ring.sealingKey(),
    key(id) {
      const found = ring.key(id);
      if (found !== undefined || Date.now() - lastRead < RELOAD_INTERVAL_MS) return found;
      lastRead = Date.now();
      try {
        const sealing = ring.sealingKey();
        const fresh = read();
        ring = { sealingKey: () => sealing, key: (k) => fresh.key(k) ?? (k === sealing.id ? sealing : undefined) };
      } catch {
        // A file being replaced or damaged: keep the keys already held.
      }
      return ring.key(id);
    },
  };
}

/** The longest session STS issues (GetSessionToken / GetFederationToken: 36 hours). */
const LONGEST_SESSION_MS = 129_600_000;

/**
 * Adds a new sealing key to the data directory's ring, and drops the keys whose tokens have all expired: those
 * that stopped sealing (a newer key took over) more than the longest session ago. Other nodes pick the new key up
 * when they restart (they open its tokens before that: see loadSessionKeyRing).
 */
export function rotateSessionKeys(dataDir: string, now: Date): SessionKey[] {
  const path = join(dataDir, SESSION_KEYS_FILE);
  const current = existsSync(path) ? parseKeys(readFileSync(path, 'utf8'), path) : [];
  const byAge = [...current].sort((a, b) => Date.parse(a.created) - Date.parse(b.created));
  const kept = byAge.filter((_key, i) => {
    const successor = byAge[i + 1];
    return successor === undefined || now.getTime() - Date.parse(successor.created) < LONGEST_SESSION_MS;
  });
  const keys = [...kept, newSessionKey(now)];
  writeKeys(path, keys);
  return keys;
}
