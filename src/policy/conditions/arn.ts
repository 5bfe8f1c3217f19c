import { compileArnGlob } from '../wildcard.js';
import type { BaseOperator, OperatorFamily } from './family.js';

// ArnEquals and ArnLike behave alike: both read wildcards in each of the six colon-delimited segments.
function arn(negated: boolean): BaseOperator {
  return {
    negated,
    usesVariables: true,
    compile: (parts) => {
      const match = compileArnGlob(parts, { strictSegments: true });
      return (value) => value.startsWith('arn:') && match(value);
    },
  };
}

export const ARN_OPERATORS: OperatorFamily = {
  ArnEquals: arn(false),
  ArnLike: arn(false),
  ArnNotEquals: arn(true),
  ArnNotLike: arn(true),
};
