// TagResource, UntagResource, ListTagsForResource on roots, OUs, accounts and the organization's own policies.
// Organizations compares tag keys exactly (unlike IAM, which ignores case).
import type { EntityRecord } from '../../store/store.js';
import { list, req, requestTagKeys, tagsOf, type Tag } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { noteResource } from '../request-context.js';
import { findNode, nodeArn, orgResource, requireManagement, type Organization } from './context.js';
import { constraintViolation, invalidInput, targetNotFound } from './errors.js';
import { ORG_KIND, policyArn, targetTypeOf } from './kinds.js';
import { page } from './paging.js';

const MAX_TAGS = 50;

/** Tags given with a create request: unique keys, at most 50. */
export function checkNewTags(tags: readonly Tag[]): void {
  const keys = new Set<string>();
  for (const tag of tags) {
    if (keys.has(tag.Key)) throw invalidInput('DUPLICATE_TAG_KEY');
    keys.add(tag.Key);
  }
  if (tags.length > MAX_TAGS) throw constraintViolation('MAX_TAG_LIMIT_EXCEEDED');
}

/** The stored form of request tags: exactly Key and Value. */
export const storedTags = (tags: readonly Tag[]): Tag[] => tags.map((t) => ({ Key: t.Key, Value: t.Value }));

interface Taggable {
  readonly record: EntityRecord;
  readonly arn: string;
  readonly policyType?: string;
}

/** The root, OU, account or customer policy a ResourceId names; AWS managed policies have no tags to change. */
async function findTaggable(ctx: OperationContext, org: Organization, id: string): Promise<Taggable | undefined> {
  if (/^p-/.test(id)) {
    const record = await ctx.tx.get(ORG_KIND.policy, org.management, id);
    if (record === undefined || record.key !== id) return undefined;
    const type = record.data['type'] as string;
    return { record, arn: policyArn(org.management, org.id, type, id), policyType: type };
  }
  const node = await findNode(ctx.tx, org, id);
  return node === undefined ? undefined : { record: node.record, arn: nodeArn(org, node.type, id) };
}

const foundByRequest = new WeakMap<OperationContext, Taggable>();

const taggableResource = orgResource(async (org, ctx, p) => {
  const id = req(p, 'ResourceId');
  const found = await findTaggable(ctx, org, id);
  if (found === undefined) {
    const type = targetTypeOf(id);
    return type === undefined ? '*' : nodeArn(org, type, id);
  }
  foundByRequest.set(ctx, found);
  noteResource(ctx, found.arn, found.record);
  return found.arn;
});

async function taggable(ctx: OperationContext, p: Params): Promise<Taggable> {
  const org = await requireManagement(ctx);
  const found = foundByRequest.get(ctx) ?? (await findTaggable(ctx, org, req(p, 'ResourceId')));
  if (found === undefined) throw targetNotFound();
  return found;
}

async function tagResource(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { record } = await taggable(ctx, p);
  const added = list<Tag>(p, 'Tags');
  checkNewTags(added);
  const kept = tagsOf(record).filter((t) => !added.some((a) => a.Key === t.Key));
  const tags = [...kept, ...storedTags(added)];
  if (tags.length > MAX_TAGS) throw constraintViolation('MAX_TAG_LIMIT_EXCEEDED');
  await ctx.tx.update({ ...record, data: { ...record.data, tags } });
  return {};
}

async function untagResource(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { record } = await taggable(ctx, p);
  const keys = new Set(list<string>(p, 'TagKeys'));
  await ctx.tx.update({ ...record, data: { ...record.data, tags: tagsOf(record).filter((t) => !keys.has(t.Key)) } });
  return {};
}

async function listTagsForResource(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { record } = await taggable(ctx, p);
  const { items, NextToken } = page(tagsOf(record), p);
  return { Tags: items, ...(NextToken !== undefined ? { NextToken } : {}) };
}

function policyTypeKey(ctx: OperationContext): Record<string, string> {
  const type = foundByRequest.get(ctx)?.policyType;
  return type === undefined ? {} : { 'organizations:PolicyType': type };
}

export const TAG_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'organizations',
    name: 'TagResource',
    resource: taggableResource,
    conditionKeys: (ctx, p) => ({ ...policyTypeKey(ctx), ...requestTagKeys(list<Tag>(p, 'Tags')) }),
    run: tagResource,
  },
  {
    service: 'organizations',
    name: 'UntagResource',
    resource: taggableResource,
    conditionKeys: (ctx, p) => ({ ...policyTypeKey(ctx), 'aws:TagKeys': list<string>(p, 'TagKeys') }),
    run: untagResource,
  },
  { service: 'organizations', name: 'ListTagsForResource', resource: taggableResource, conditionKeys: policyTypeKey, run: listTagsForResource },
];
