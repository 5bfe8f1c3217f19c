import { plainText, type BaseOperator, type OperatorFamily } from './family.js';

// W3C/ISO 8601 dates and date-times (with optional fraction and zone), or epoch seconds, as the IAM User Guide allows.
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const EPOCH = /^-?\d+$/;

/** Milliseconds since the epoch, or undefined when the text is not a date IAM reads. */
export function parseDate(text: string): number | undefined {
  if (EPOCH.test(text)) return Number(text) * 1000;
  if (!ISO.test(text)) return undefined;
  // A date-time without a zone is read as UTC, as AWS does; JavaScript would read it as local time.
  const zoned = text.length > 10 && !/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : ms;
}

function date(compare: (request: number, policy: number) => boolean, negated = false): BaseOperator {
  return {
    negated,
    usesVariables: false,
    compile: (parts) => {
      const expected = parseDate(plainText(parts));
      if (expected === undefined) return undefined;
      return (value) => {
        const actual = parseDate(value);
        return actual !== undefined && compare(actual, expected);
      };
    },
  };
}

export const DATE_OPERATORS: OperatorFamily = {
  DateEquals: date((a, b) => a === b),
  DateNotEquals: date((a, b) => a === b, true),
  DateLessThan: date((a, b) => a < b),
  DateLessThanEquals: date((a, b) => a <= b),
  DateGreaterThan: date((a, b) => a > b),
  DateGreaterThanEquals: date((a, b) => a >= b),
};
