import type { EntityRecord, LinkRecord } from './store.js';

// The relational shape both SQL adapters store records in: one row per entity or link, `data` as JSON text (not a
// JSON column type, so that every string a record may hold survives the round trip).

export interface EntityRow {
  kind: string;
  account: string;
  key: string;
  id: string;
  path: string;
  owner: string;
  created: string;
  data: string;
}

export interface LinkRow {
  relation: string;
  account: string;
  from_key: string;
  to_key: string;
  created: string;
  data: string;
}

/** Which end of a relation a link query is about: links from an entity, to one, or (undefined) all of them. */
export type End = { readonly from?: string; readonly to?: string } | undefined;

export function toEntity(row: EntityRow): EntityRecord {
  return {
    kind: row.kind,
    account: row.account,
    key: row.key,
    id: row.id,
    path: row.path,
    owner: row.owner,
    created: row.created,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

export function toLink(row: LinkRow): LinkRecord {
  return {
    relation: row.relation,
    account: row.account,
    from: row.from_key,
    to: row.to_key,
    created: row.created,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

// A record's values in the order of both adapters' statements. The `*_lower` values are JS toLowerCase() of the
// names: one definition of "same name" for both databases, whatever their own lower() does.

/** INSERT INTO entities (kind, account, key, key_lower, id, path, owner, owner_lower, created, data). */
export function entityInsertValues(record: EntityRecord): string[] {
  return [
    record.kind,
    record.account,
    record.key,
    record.key.toLowerCase(),
    record.id,
    record.path,
    record.owner,
    record.owner.toLowerCase(),
    record.created,
    JSON.stringify(record.data),
  ];
}

/** UPDATE entities SET path, owner, owner_lower, data WHERE kind, account, key_lower. */
export function entityUpdateValues(record: EntityRecord): string[] {
  return [record.path, record.owner, record.owner.toLowerCase(), JSON.stringify(record.data), record.kind, record.account, record.key.toLowerCase()];
}

/** INSERT INTO links (relation, account, from_key, from_lower, to_key, to_lower, created, data). */
export function linkInsertValues(record: LinkRecord): string[] {
  return [
    record.relation,
    record.account,
    record.from,
    record.from.toLowerCase(),
    record.to,
    record.to.toLowerCase(),
    record.created,
    JSON.stringify(record.data),
  ];
}
