/** One numbered, append-only schema migration of a store (its SQL in that store's dialect). */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
