import { plainText, type OperatorFamily } from './family.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// Both sides are base64 text; comparing the canonical encodings compares the bytes without needing a decoder here.
function canonical(text: string): string | undefined {
  return BASE64.test(text) ? text.replace(/=+$/, '') : undefined;
}

export const BINARY_OPERATORS: OperatorFamily = {
  BinaryEquals: {
    negated: false,
    usesVariables: false,
    compile: (parts) => {
      const expected = canonical(plainText(parts));
      if (expected === undefined) return undefined;
      return (value) => canonical(value) === expected;
    },
  },
};
