/** yyyymmddThhmmssZ, the form of X-Amz-Date and of the string to sign. */
export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The ASCII digits value[start, start + count) as a number; -1 when any is not a digit. */
function digits(value: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const d = value.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parses X-Amz-Date; undefined unless it is a real UTC time in the basic ISO 8601 form (yyyymmddThhmmssZ). */
export function parseAmzDate(value: string): Date | undefined {
  // Read by character codes: this runs on every request, and a regex match plus Date getters cost several times more.
  if (value.length !== 16 || value.charCodeAt(8) !== 0x54 /* T */ || value.charCodeAt(15) !== 0x5a /* Z */) return undefined;
  const year = digits(value, 0, 4);
  const month = digits(value, 4, 2);
  const day = digits(value, 6, 2);
  const hour = digits(value, 9, 2);
  const minute = digits(value, 11, 2);
  const second = digits(value, 13, 2);
  // Rejects what Date.UTC would roll over (20150230 into March, 25:00 into the next day) and years 0-99, which
  // Date.UTC reads as 1900-1999.
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return undefined;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

/** Parses an HTTP Date header (IMF-fixdate or the obsolete forms Date.parse reads). */
export function parseHttpDate(value: string): Date | undefined {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) return undefined;
  // The string to sign has whole seconds.
  return new Date(Math.floor(millis / 1000) * 1000);
}
