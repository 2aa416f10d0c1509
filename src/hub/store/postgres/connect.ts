// Connections to PostgreSQL through the `postgres` driver (porsager): a bounded pool, statements prepared, int8 as
// JS numbers. Driver errors become one line with the fix at start-up, and ProtocolError("unavailable") at run time.
import postgres from "postgres";
import { MitteloError, messageOf } from "../../../util/errors.ts";
import { ProtocolError } from "../../errors.ts";
import { redactUrl } from "../location.ts";

/** int8 (task_id, lease_seq, counts) as numbers: exact up to 2^53, far beyond any queue. */
const INT8 = { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) };

export function connectPool(url: string, options: { max: number; synchronousCommit?: boolean }) {
  return postgres(url, {
    max: options.max,
    types: { int8: INT8 },
    prepare: true,
    connect_timeout: 10,
    idle_timeout: 0,
    onnotice: () => {}, // "relation already exists, skipping" and the like are not for the user's terminal
    connection: {
      application_name: "mittelo-hub",
      ...(options.synchronousCommit === false ? { synchronous_commit: "off" } : {}),
    },
  });
}

export type Sql = ReturnType<typeof connectPool>;

interface DriverError {
  code?: string;
  message?: string;
  errno?: string;
}

/** The error of a failed connection or first query at start-up: one line, with the fix. */
export function startupError(url: string, error: unknown): MitteloError {
  if (error instanceof MitteloError) return error;
  const where = redactUrl(url);
  const e = error as DriverError;
  const code = e.code ?? e.errno;
  let reason = messageOf(error);
  let hint = "check the URL in --db / MITTELO_DB, and that PostgreSQL runs and accepts connections from this machine";
  if (code === "ECONNREFUSED") reason = "connection refused (is PostgreSQL running there, on that port?)";
  else if (code === "ENOTFOUND" || code === "EAI_AGAIN") reason = "unknown host";
  else if (code === "CONNECT_TIMEOUT") reason = "no answer within 10 s";
  else if (code === "28P01" || code === "28000") hint = "check the user and password (in the URL, or PGPASSWORD / ~/.pgpass)";
  else if (code === "3D000") {
    const db = new URL(url).pathname.slice(1);
    hint = `create it (\`createdb ${db}\`, or CREATE DATABASE "${db}"), or point --db at an existing database`;
  }
  return new MitteloError("hub-db", `cannot use the PostgreSQL database ${where}: ${reason}`, { hint, cause: error });
}

/** A driver error during operation (connection lost, server gone): the request fails, the hub goes on. */
export function runtimeError(error: unknown): Error {
  if (error instanceof postgres.PostgresError && error.code === "22021") {
    // character_not_in_repertoire: PostgreSQL text cannot hold U+0000 (SQLite can)
    return new ProtocolError("invalid", "a text in this request contains a NUL character (\\u0000), which PostgreSQL cannot store: remove it");
  }
  if (error instanceof ProtocolError || error instanceof postgres.PostgresError) return error as Error; // a refusal, or a bug: as it is
  return new ProtocolError("unavailable", `the database is unavailable: ${messageOf(error)}`);
}
