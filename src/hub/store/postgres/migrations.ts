// Numbered, append-only schema migrations of the PostgreSQL store. Never edit a released entry: add the next number.
// The applied versions are rows of mittelo_schema; pending migrations run in one transaction under an advisory lock,
// so hubs starting at the same time on an empty database do not race.
import { MitteloError } from "../../../util/errors.ts";
import type { Migration } from "../migration.ts";
import type { Sql } from "./connect.ts";

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "tasks, sharded status counters, lease indexes, hubs",
    sql: `
      CREATE TABLE tasks (
        task_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- never reused
        prompt       TEXT             NOT NULL,
        status       TEXT             NOT NULL CHECK (status IN ('queued', 'leased', 'done', 'failed')),
        created_at   DOUBLE PRECISION NOT NULL,                        -- epoch seconds, the database's clock
        updated_at   DOUBLE PRECISION NOT NULL,
        leased_until DOUBLE PRECISION,
        worker_id    TEXT,
        result_json  TEXT,                                             -- JSON text exactly as the worker sent it
        error_json   TEXT,
        attempts     INTEGER          NOT NULL DEFAULT 0,
        max_attempts INTEGER,                                          -- NULL = the hub's --max-attempts
        backend      TEXT,
        priority     INTEGER          NOT NULL DEFAULT 0,
        lease_seq    BIGINT           NOT NULL DEFAULT 0               -- fencing token: bumped on every lease
      );
      -- lease: the next queued tasks by priority then id, however many tasks are done
      CREATE INDEX tasks_queued ON tasks (priority DESC, task_id) WHERE status = 'queued';
      -- expired leases, and the next expiry for long-poll wake-ups
      CREATE INDEX tasks_leased ON tasks (leased_until) WHERE status = 'leased';
      -- list by status, newest first; retry_failed
      CREATE INDEX tasks_status ON tasks (status, task_id);

      -- stats without a scan, and without a hot row: each connection (backend pid) counts in its own rows, so
      -- concurrent hubs never wait on each other here. stats sums them.
      CREATE TABLE status_counts (
        status TEXT    NOT NULL,
        shard  INTEGER NOT NULL,
        n      BIGINT  NOT NULL,
        PRIMARY KEY (status, shard)
      );
      CREATE FUNCTION mittelo_count_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO status_counts (status, shard, n)
            SELECT status, pg_backend_pid(), count(*) FROM new_rows GROUP BY status ORDER BY status
            ON CONFLICT (status, shard) DO UPDATE SET n = status_counts.n + excluded.n;
        ELSIF TG_OP = 'UPDATE' THEN
          INSERT INTO status_counts (status, shard, n)
            SELECT status, pg_backend_pid(), sum(d) FROM (
              SELECT status, 1 AS d FROM new_rows UNION ALL SELECT status, -1 AS d FROM old_rows
            ) changes GROUP BY status HAVING sum(d) <> 0 ORDER BY status
            ON CONFLICT (status, shard) DO UPDATE SET n = status_counts.n + excluded.n;
        ELSE
          INSERT INTO status_counts (status, shard, n)
            SELECT status, pg_backend_pid(), -count(*) FROM old_rows GROUP BY status ORDER BY status
            ON CONFLICT (status, shard) DO UPDATE SET n = status_counts.n + excluded.n;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION mittelo_count_tasks();
      CREATE TRIGGER tasks_count_update AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION mittelo_count_tasks();
      CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION mittelo_count_tasks();

      -- the hubs sharing this database: a heartbeat every few seconds, and who waits in their long-polls
      CREATE TABLE hubs (
        hub_id     TEXT             PRIMARY KEY,
        listen     TEXT             NOT NULL,
        host       TEXT             NOT NULL,
        pid        INTEGER          NOT NULL,
        version    TEXT             NOT NULL,
        waiting    TEXT             NOT NULL DEFAULT '[]',              -- JSON array of worker ids
        started_at DOUBLE PRECISION NOT NULL,
        seen_at    DOUBLE PRECISION NOT NULL
      );
    `,
  },
];

/** Arbitrary constant: the advisory lock that serializes migrations (pg_advisory_xact_lock). */
const MIGRATION_LOCK = 0x6d69_7474;

/** Applies the pending migrations in one transaction; refuses a database newer than `list`. Returns the version. */
export async function migrate(sql: Sql, list: readonly Migration[] = migrations): Promise<number> {
  const latest = list.at(-1)?.version ?? 0;
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS mittelo_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`;
    const [row] = await tx<{ v: number | null }[]>`SELECT max(version) AS v FROM mittelo_schema`;
    const current = row?.v ?? 0;
    if (current > latest) {
      throw new MitteloError("hub-db-version", `the hub database has schema version ${current}, newer than this mittelo knows (${latest})`, {
        hint: "upgrade mittelo on this machine (every hub sharing a database should run the same version), or point --db at another database",
      });
    }
    for (const m of list) {
      if (m.version <= current) continue;
      await tx.unsafe(m.sql);
      await tx`INSERT INTO mittelo_schema (version, name) VALUES (${m.version}, ${m.name})`;
    }
  });
  return latest;
}
