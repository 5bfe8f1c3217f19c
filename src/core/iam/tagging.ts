import type { EntityRecord } from '../../store/store.js';
import type { OperationContext, Params } from '../operation.js';
import { list, mergeTags, pageMembers, paginate, removeTags, requestTagKeys, tagsOf, type Tag } from './common.js';

// TagX, UntagX and ListXTags work the same way for every taggable IAM entity; each module only finds its record.

export async function tagEntity(ctx: OperationContext, record: EntityRecord, p: Params): Promise<Record<string, unknown>> {
  await ctx.tx.update({ ...record, data: { ...record.data, tags: mergeTags(tagsOf(record), list<Tag>(p, 'Tags')) } });
  return {};
}

export async function untagEntity(ctx: OperationContext, record: EntityRecord, p: Params): Promise<Record<string, unknown>> {
  await ctx.tx.update({ ...record, data: { ...record.data, tags: removeTags(tagsOf(record), list<string>(p, 'TagKeys')) } });
  return {};
}

export function listEntityTags(record: EntityRecord, p: Params): Record<string, unknown> {
  const page = paginate(tagsOf(record), p);
  return { Tags: page.page, ...pageMembers(page) };
}

/** `aws:RequestTag/…` and `aws:TagKeys` of a TagX request. */
export const tagRequestKeys = (_ctx: OperationContext, p: Params): Record<string, string | string[]> => requestTagKeys(list<Tag>(p, 'Tags'));

/** `aws:TagKeys` of an UntagX request. */
export const untagRequestKeys = (_ctx: OperationContext, p: Params): Record<string, string | string[]> => ({ 'aws:TagKeys': list<string>(p, 'TagKeys') });
