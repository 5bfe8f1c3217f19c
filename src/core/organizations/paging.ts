import type { Params } from '../operation.js';
import { num, str } from '../iam/common.js';
import { invalidInput } from './errors.js';

/** Organizations answers at most 20 items a page (MaxResults' maximum) unless asked for fewer. */
const MAX_RESULTS = 20;

/**
 * NextToken/MaxResults paging over a full, ordered list. The token is opaque to clients: here the position of the
 * next item; one that is not a token of ours is INVALID_PAGINATION_TOKEN.
 */
export function page<T>(items: readonly T[], p: Params): { items: T[]; NextToken?: string } {
  const max = num(p, 'MaxResults') ?? MAX_RESULTS;
  const token = str(p, 'NextToken');
  let start = 0;
  if (token !== undefined) {
    const decoded = /^n(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (decoded === null) throw invalidInput('INVALID_PAGINATION_TOKEN');
    start = Number(decoded[1]);
  }
  const slice = items.slice(start, start + max);
  const next = start + slice.length;
  return next < items.length ? { items: slice, NextToken: Buffer.from(`n${next}`, 'utf8').toString('base64url') } : { items: slice };
}
