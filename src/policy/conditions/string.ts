import { compileGlob } from '../wildcard.js';
import { plainText, type BaseOperator, type OperatorFamily } from './family.js';

function equals(negated: boolean): BaseOperator {
  return {
    negated,
    usesVariables: true,
    compile: (parts) => {
      const expected = plainText(parts);
      return (value) => value === expected;
    },
  };
}

function equalsIgnoreCase(negated: boolean): BaseOperator {
  return {
    negated,
    usesVariables: true,
    compile: (parts) => {
      const expected = plainText(parts).toLowerCase();
      return (value) => value.toLowerCase() === expected;
    },
  };
}

// StringLike is case-sensitive; `*` and `?` are wildcards except where they came from `${*}`/`${?}` or a variable.
function like(negated: boolean): BaseOperator {
  return { negated, usesVariables: true, compile: (parts) => compileGlob(parts) };
}

export const STRING_OPERATORS: OperatorFamily = {
  StringEquals: equals(false),
  StringNotEquals: equals(true),
  StringEqualsIgnoreCase: equalsIgnoreCase(false),
  StringNotEqualsIgnoreCase: equalsIgnoreCase(true),
  StringLike: like(false),
  StringNotLike: like(true),
};
