// Opens the store a --db value names: a SQLite file, or a PostgreSQL database (its driver is loaded only then).
import { parseDbLocation } from "./location.ts";
import { SqliteStore } from "./sqlite/store.ts";
import type { Store } from "./store.ts";

export interface OpenStoreOptions {
  /** PostgreSQL: connections in this hub's pool (default 10). */
  poolSize?: number | undefined;
}

export async function openStore(db: string, options: OpenStoreOptions = {}): Promise<Store> {
  const location = parseDbLocation(db);
  if (location.kind === "sqlite") return SqliteStore.open(location.path);
  const { PostgresStore } = await import("./postgres/store.ts");
  return PostgresStore.open(location.url, { poolSize: options.poolSize });
}
