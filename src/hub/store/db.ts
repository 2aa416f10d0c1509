// Opens the hub's SQLite database: WAL, NORMAL sync (survives a process crash; see docs/PROTOCOL.md), migrations.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { MitteloError, messageOf } from "../../util/errors.ts";
import { type Migration, migrations } from "./migrations.ts";

export type Db = Database.Database;

/** Opens (creating the directory and file if needed) and migrates the database at `path` (":memory:" works too). */
export function openDb(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path);
  } catch (error) {
    throw new MitteloError("hub-db", `cannot open the hub database ${path}: ${messageOf(error)}`, {
      hint: "pass a writable path with --db or MITTELO_DB",
      cause: error,
    });
  }
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  migrate(db, migrations);
  return db;
}

/** Applies every migration newer than PRAGMA user_version, each in its own transaction. */
export function migrate(db: Db, list: readonly Migration[]): number {
  const current = db.pragma("user_version", { simple: true }) as number;
  const latest = list.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new MitteloError("hub-db-version", `the hub database has schema version ${current}, newer than this mittelo knows (${latest})`, {
      hint: "upgrade mittelo, or point --db at another file",
    });
  }
  for (const m of list) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return latest;
}
