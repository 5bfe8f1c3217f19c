// The nextToken of an event lookup: the position (time, eventId) of the last event returned. Events are listed newest
// first by (time, eventId) descending, a total order on every node, so the next page starts strictly after it.
import { InvalidEventTokenError } from './store.js';

export interface EventPosition {
  readonly time: number;
  readonly eventId: string;
}

export function encodeEventCursor(position: EventPosition): string {
  return Buffer.from(`${position.time}\n${position.eventId}`, 'utf8').toString('base64url');
}

export function decodeEventCursor(token: string): EventPosition {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const newline = text.indexOf('\n');
  const time = Number(text.slice(0, newline));
  const eventId = text.slice(newline + 1);
  if (newline < 1 || !Number.isSafeInteger(time) || !/^[0-9a-f-]{1,64}$/.test(eventId)) throw new InvalidEventTokenError('invalid next token');
  return { time, eventId };
}

/** The SQL-independent checks every adapter applies to a query before running it. */
export function checkEventQuery(maxResults: number): void {
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) throw new RangeError('maxResults must be 1 to 1000');
}
