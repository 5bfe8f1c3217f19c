// The date values IAM's older (legacy) parser reads in a Date condition, before any other check of the statement;
// a value it cannot read fails the whole document with "The policy failed legacy parsing".
//
// The IAM User Guide (condition operators, Date) allows the W3C profile of ISO 8601 and epoch (UNIX) time. The legacy
// parser is looser than that profile in the ways IAM's recorded answers show: a single-digit hour, a bare `2016T`,
// a lower-case `t`, a zone of hours only are stored; a zone hour of one digit, a fraction past nine digits, a month
// 13, or an epoch value past a signed 64-bit integer are refused. Those answers are in getmoto/moto's IAM policy
// tests (tests/test_iam/test_iam_policies.py), the public record the other legacy-parsing rows cite. The rules below
// are written from those answers, not from any implementation.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// The years a Java date holds (IAM is a Java service): about 292 million either side of the epoch.
const MAX_YEAR = 292_278_993;
const MIN_YEAR = -292_275_054;

const DATE_PART = /^(-?\d+)(?:-(\d+)(?:-(\d+))?)?$/;
const TIME_PART = /^(?:(\d+)(?::(\d+)(?::(\d+)(?:\.(\d+))?)?)?)?(?:z|([+-])(\d\d)(?::(\d\d))?)?$/;

function within(text: string | undefined, min: number, max: number): boolean {
  if (text === undefined) return true;
  const value = Number(text);
  return Number.isInteger(value) && value >= min && value <= max;
}

function readsTime(text: string): boolean {
  const m = TIME_PART.exec(text);
  if (m === null) return false;
  const [, hours, minutes, seconds, fraction, zoneSign, zoneHours, zoneMinutes] = m;
  if (!within(hours, 0, 23) || !within(minutes, 0, 59) || !within(seconds, 0, 59)) return false;
  if (fraction !== undefined && fraction.length > 9) return false;
  if (zoneSign !== undefined && (!within(zoneHours, 0, 23) || !within(zoneMinutes, 0, 59))) return false;
  return true;
}

/** True when IAM's legacy parser reads `value` as a date (policy variables are left to evaluation). */
export function legacyReadsDate(value: string): boolean {
  if (value.includes('${')) return true;
  if (/^-?\d+$/.test(value)) {
    // A 64-bit integer has at most 19 digits; longer text is out of range without converting it.
    if (value.replace(/^-?0*/, '').length > 19) return false;
    const epoch = BigInt(value);
    return epoch >= INT64_MIN && epoch <= INT64_MAX;
  }
  const lower = value.toLowerCase();
  if (!lower.includes('t') && !lower.includes('-')) return false;
  const t = lower.indexOf('t');
  const datePart = t === -1 ? lower : lower.slice(0, t);
  const timePart = t === -1 ? '' : lower.slice(t + 1);
  const d = DATE_PART.exec(datePart);
  if (d === null) return false;
  const [, year, month, day] = d;
  return within(year, MIN_YEAR, MAX_YEAR) && within(month, 1, 12) && within(day, 1, 31) && readsTime(timePart);
}
