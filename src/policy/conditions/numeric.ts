import { plainText, type BaseOperator, type OperatorFamily } from './family.js';

// Integers and decimals, optionally signed; IAM does not read hex, exponents or blanks as numbers.
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export function parseNumber(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text) : undefined;
}

function numeric(compare: (request: number, policy: number) => boolean, negated = false): BaseOperator {
  return {
    negated,
    usesVariables: false,
    compile: (parts) => {
      const expected = parseNumber(plainText(parts));
      if (expected === undefined) return undefined;
      return (value) => {
        const actual = parseNumber(value);
        return actual !== undefined && compare(actual, expected);
      };
    },
  };
}

export const NUMERIC_OPERATORS: OperatorFamily = {
  NumericEquals: numeric((a, b) => a === b),
  NumericNotEquals: numeric((a, b) => a === b, true),
  NumericLessThan: numeric((a, b) => a < b),
  NumericLessThanEquals: numeric((a, b) => a <= b),
  NumericGreaterThan: numeric((a, b) => a > b),
  NumericGreaterThanEquals: numeric((a, b) => a >= b),
};
