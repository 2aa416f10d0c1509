// Which store a --db / MITTELO_DB value names, pure: postgres:// or postgresql:// → PostgreSQL, a path → SQLite,
// any other scheme:// → a usage error (never a file or folder named after a URL).
import { resolve } from "node:path";
import { MitteloError } from "../../util/errors.ts";

export type DbLocation = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

export function parseDbLocation(value: string, where = "--db"): DbLocation {
  if (value.trim() === "") throw new MitteloError("usage", `${where} is empty`, { hint: "pass a file path or a postgres://user@host:port/dbname URL" });
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: "sqlite", path: value === ":memory:" ? value : resolve(value) };
  if (scheme === "postgres" || scheme === "postgresql") {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new MitteloError("usage", `${where}: "${redactUrl(value)}" is not a valid URL`, { hint: "use postgres://user[:password]@host[:port]/dbname" });
    }
    if (!url.hostname)
      throw new MitteloError("usage", `${where}: ${redactUrl(value)} names no host`, { hint: "use postgres://user[:password]@host[:port]/dbname" });
    return { kind: "postgres", url: value };
  }
  if (scheme === "file" || scheme === "sqlite") {
    throw new MitteloError("usage", `${where}: "${scheme}://" URLs are not supported; give the SQLite file as a plain path`, {
      hint: "e.g. --db .mittelo/mittelo.db, or a postgres://user@host:port/dbname URL",
    });
  }
  throw new MitteloError("usage", `${where}: unsupported database scheme "${scheme}://"`, {
    hint: "use a file path (SQLite) or postgres://user@host:port/dbname (PostgreSQL)",
  });
}

/** A postgres URL without its password (and without query parameters, which may carry one), for messages. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    const user = url.username ? `${decodeURIComponent(url.username)}@` : "";
    return `${url.protocol}//${user}${url.host}${url.pathname}`;
  } catch {
    return value.replace(/\/\/[^@/]*@/, "//…@").replace(/\?.*$/, "");
  }
}
