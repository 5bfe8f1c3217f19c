import { plainText, type OperatorFamily } from './family.js';

export const BOOL_OPERATORS: OperatorFamily = {
  Bool: {
    negated: false,
    usesVariables: true,
    compile: (parts) => {
      const expected = plainText(parts).toLowerCase();
      if (expected !== 'true' && expected !== 'false') return undefined;
      return (value) => value.toLowerCase() === expected;
    },
  },
};
