import { randomFillSync } from 'node:crypto';

// Random bytes drawn 4 KiB at a time: one call into the CSPRNG per 409 event IDs.
const pool = Buffer.alloc(4096);
let used = pool.length;

// The ID's bytes, assembled here before they are written out as text (no Buffer allocated per event).
const scratch = Buffer.alloc(16);

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A UUID for an event's eventID: version 7 (RFC 9562), a millisecond timestamp followed by 74 random bits. CloudTrail's
 * event IDs are opaque UUIDs; ordering them by time makes every index that contains one grow at its end, so recording
 * an event costs appends instead of inserts scattered over the trail's B-trees.
 */
export function newEventId(time: number = Date.now()): string {
  if (used + 10 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const bytes = scratch;
  // 48 bits of milliseconds, big-endian.
  bytes.writeUIntBE(Math.max(0, Math.floor(time)) % 2 ** 48, 0, 6);
  pool.copy(bytes, 6, used, used + 10);
  used += 10;
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  let text = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
    text += HEX[bytes[i] as number];
  }
  return text;
}
