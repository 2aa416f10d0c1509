// Opens the hub's SQLite database: WAL, NORMAL sync (survives a process crash; see docs/PROTOCOL.md), migrations.
// The file is the user's queue (prompts, results): it is created mode 0600, and SQLite gives its -wal and -shm
// files the mode of the database file.
import { chmodSync, closeSync, constants, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { MitteloError, messageOf } from "../../../util/errors.ts";
import type { Migration } from "../migration.ts";
import { migrations } from "./migrations.ts";

export type Db = Database.Database;

/** Opens (creating the directory and file if needed) and migrates the database at `path` (":memory:" works too). */
export function openDb(path: string): Db {
  if (path !== ":memory:") prepareFile(path);
  let db: Db;
  try {
    db = new Database(path);
  } catch (error) {
    throw cannotOpen(path, error);
  }
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    migrate(db, migrations);
  } catch (error) {
    db.close();
    if (error instanceof MitteloError) throw error;
    throw cannotOpen(path, error);
  }
  return db;
}

function cannotOpen(path: string, error: unknown): MitteloError {
  return new MitteloError("hub-db", `cannot open the hub database ${path}: ${messageOf(error)}`, {
    hint: "pass a writable file path with --db or MITTELO_DB",
    cause: error,
  });
}

/** Creates the directory and an empty 0600 file, or tightens an existing file to 0600; refuses what is not a file. */
function prepareFile(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw cannotOpen(path, error);
  }
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(path);
  } catch {
    stat = undefined;
  }
  if (stat && !stat.isFile()) {
    throw new MitteloError("hub-db", `cannot use ${path} as the hub database: it is ${stat.isDirectory() ? "a directory" : "not a regular file"}`, {
      hint: "pass a file path (created if missing) with --db or MITTELO_DB",
    });
  }
  try {
    if (stat) {
      if ((stat.mode & 0o077) !== 0) chmodSync(path, 0o600);
      for (const extra of [`${path}-wal`, `${path}-shm`]) {
        try {
          if ((statSync(extra).mode & 0o077) !== 0) chmodSync(extra, 0o600);
        } catch {
          // not there: SQLite creates it with the database file's mode
        }
      }
    } else {
      closeSync(openSync(path, constants.O_CREAT | constants.O_WRONLY | constants.O_EXCL, 0o600));
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return; // created meanwhile by another process
    throw cannotOpen(path, error);
  }
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
