const BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** yyyymmddThhmmssZ, the form of X-Amz-Date and of the string to sign. */
export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Parses X-Amz-Date; undefined unless it is a real UTC time in the basic ISO 8601 form. */
export function parseAmzDate(value: string): Date | undefined {
  const match = BASIC.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as [number, ...number[]];
  const time = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  // Date.UTC rolls 20150230 over to March and 25:00 into the next day; comparing the fields back rejects such dates.
  const valid =
    time.getUTCFullYear() === year &&
    time.getUTCMonth() === month! - 1 &&
    time.getUTCDate() === day &&
    time.getUTCHours() === hour &&
    time.getUTCMinutes() === minute &&
    time.getUTCSeconds() === second;
  return valid ? time : undefined;
}

/** Parses an HTTP Date header (IMF-fixdate or the obsolete forms Date.parse reads). */
export function parseHttpDate(value: string): Date | undefined {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) return undefined;
  // The string to sign has whole seconds.
  return new Date(Math.floor(millis / 1000) * 1000);
}
