import type { TaskRow } from "../../task.ts";
import type { LeaseInput } from "../store.ts";
import type { Db } from "./db.ts";
import { deadLetterExpired } from "./dead-letter.ts";
import { prepared } from "./prepared.ts";

const ROUTE = "AND (backend IS NULL OR backend IN (SELECT value FROM json_each(@backends)))";

/** The lease statement, with or without routing. SQLite computes the IN (…) list before it updates a row. */
function leaseSql(routed: boolean): string {
  const route = routed ? ROUTE : "";
  return `UPDATE tasks SET status = 'leased', worker_id = @worker, leased_until = @until, updated_at = @now,
      attempts = attempts + 1, lease_seq = lease_seq + 1
    WHERE task_id IN (
      SELECT task_id FROM (
        SELECT * FROM (SELECT task_id, priority FROM tasks INDEXED BY tasks_queued
          WHERE status = 'queued' ${route} ORDER BY priority DESC, task_id LIMIT @max)
        UNION ALL
        SELECT * FROM (SELECT task_id, priority FROM tasks INDEXED BY tasks_leased
          WHERE status = 'leased' AND leased_until <= @now ${route} ORDER BY priority DESC, task_id LIMIT @max))
      ORDER BY priority DESC, task_id LIMIT @max)
    RETURNING *`;
}

const LEASE = leaseSql(false);
const LEASE_ROUTED = leaseSql(true);

const byPriorityThenId = (a: TaskRow, b: TaskRow): number => b.priority - a.priority || a.task_id - b.task_id;

/**
 * Leases up to max_tasks tasks: queued ones and leased ones whose lease expired, highest priority first, then ascending
 * task_id. Bumps attempts and the fencing token (lease_seq). Expired leases that used up their attempts are failed
 * first (dead letter). Two statements, each atomic: the dead letter, then one UPDATE … RETURNING for the whole batch.
 * INDEXED BY pins the partial indexes (without ANALYZE statistics SQLite would pick tasks_status and sort every queued
 * task), so a lease is O(log n) however many tasks exist.
 */
export function leaseTasks(db: Db, input: LeaseInput, now: number): TaskRow[] {
  deadLetterExpired(db, now, input.default_max_attempts);
  const routed = input.backends !== undefined;
  const params = { worker: input.worker_id, until: now + input.lease_seconds, now, max: input.max_tasks };
  const rows = routed
    ? (prepared(db, LEASE_ROUTED).all({ ...params, backends: JSON.stringify(input.backends) }) as TaskRow[])
    : (prepared(db, LEASE).all(params) as TaskRow[]);
  return rows.sort(byPriorityThenId); // RETURNING gives no order
}
