import { ARN_OPERATORS } from './arn.js';
import { BINARY_OPERATORS } from './binary.js';
import { BOOL_OPERATORS } from './bool.js';
import { DATE_OPERATORS } from './date.js';
import type { BaseOperator } from './family.js';
import { IP_OPERATORS } from './ip.js';
import { NUMERIC_OPERATORS } from './numeric.js';
import { STRING_OPERATORS } from './string.js';

const ALL: Readonly<Record<string, BaseOperator>> = {
  ...STRING_OPERATORS,
  ...NUMERIC_OPERATORS,
  ...DATE_OPERATORS,
  ...BOOL_OPERATORS,
  ...BINARY_OPERATORS,
  ...IP_OPERATORS,
  ...ARN_OPERATORS,
};

/** The comparison behind a canonical base operator name (Null has none: it only asks whether the key exists). */
export function baseOperator(name: string): BaseOperator | undefined {
  return ALL[name];
}
