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
