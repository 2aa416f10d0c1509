// Numbered, append-only schema migrations. Never edit a released entry: add the next number.
// The applied version is PRAGMA user_version; each migration runs in one transaction with its version bump.
import type { Migration } from "../migration.ts";

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "tasks, status counters, lease indexes",
    sql: `
      CREATE TABLE tasks (
        task_id      INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: ids are never reused
        prompt       TEXT    NOT NULL,
        status       TEXT    NOT NULL CHECK (status IN ('queued', 'leased', 'done', 'failed')),
        created_at   REAL    NOT NULL,
        updated_at   REAL    NOT NULL,
        leased_until REAL,
        worker_id    TEXT,
        result_json  TEXT,                              -- JSON text of whatever the worker sent; NULL = unset
        error_json   TEXT,
        attempts     INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER,                           -- NULL = the hub's --max-attempts
        backend      TEXT,
        priority     INTEGER NOT NULL DEFAULT 0,
        lease_seq    INTEGER NOT NULL DEFAULT 0         -- fencing token: bumped on every lease
      );
      -- lease: next queued task by priority then id, O(log n) however many tasks are done
      CREATE INDEX tasks_queued ON tasks (priority DESC, task_id) WHERE status = 'queued';
      -- lease of expired leases, and the next expiry for long-poll wake-ups
      CREATE INDEX tasks_leased ON tasks (leased_until) WHERE status = 'leased';
      -- list by status, newest first; retry_failed
      CREATE INDEX tasks_status ON tasks (status, task_id);

      -- stats in O(1): counters kept by triggers
      CREATE TABLE status_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO status_counts VALUES ('queued', 0), ('leased', 0), ('done', 0), ('failed', 0);
      CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks BEGIN
        UPDATE status_counts SET n = n + 1 WHERE status = NEW.status;
      END;
      CREATE TRIGGER tasks_count_update AFTER UPDATE OF status ON tasks WHEN OLD.status <> NEW.status BEGIN
        UPDATE status_counts SET n = n - 1 WHERE status = OLD.status;
        UPDATE status_counts SET n = n + 1 WHERE status = NEW.status;
      END;
      CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks BEGIN
        UPDATE status_counts SET n = n - 1 WHERE status = OLD.status;
      END;
    `,
  },
];
