/** One schema step. Ids are dense and increasing; a released migration is never edited, only followed by another. */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}
