import type { TaskRow } from "../../task.ts";
import type { LeaseInput } from "../store.ts";
import type { Sql } from "./connect.ts";

type Row = TaskRow & { next_expiry: number | null; db_now: number };

/**
 * One statement, one transaction: fails the expired leases that used up their attempts (dead letter), then takes up
 * to max_tasks from the queued tasks and the other expired leases, highest priority first, then ascending task_id.
 * FOR UPDATE SKIP LOCKED: a row another hub is leasing right now is skipped, never waited for nor handed out twice;
 * a row changed and committed meanwhile is re-checked against the conditions before it is taken.
 * The same statement reads the next expiry among the other valid leases, and the database's clock.
 */
export async function leaseTasks(sql: Sql, input: LeaseInput): Promise<{ tasks: TaskRow[]; nextExpiry: number | undefined; dbNow: number }> {
  const routed = input.backends !== undefined;
  const backends = input.backends ?? [];
  const rows = await sql<Row[]>`
    WITH clock AS (SELECT extract(epoch FROM now())::float8 AS now),
    dead AS (
      UPDATE tasks SET status = 'failed', error_json = to_json('lease expired ' || attempts || ' times')::text,
        leased_until = NULL, updated_at = (SELECT now FROM clock)
      WHERE task_id IN (
        SELECT task_id FROM tasks
        WHERE status = 'leased' AND leased_until <= (SELECT now FROM clock) AND attempts >= COALESCE(max_attempts, ${input.default_max_attempts}::int)
        FOR UPDATE SKIP LOCKED)
      RETURNING task_id
    ),
    queued AS (
      SELECT task_id, priority FROM tasks
      WHERE status = 'queued' AND (NOT ${routed}::boolean OR backend IS NULL OR backend = ANY(${backends}::text[]))
      ORDER BY priority DESC, task_id LIMIT ${input.max_tasks}::int
      FOR UPDATE SKIP LOCKED
    ),
    expired AS (
      SELECT task_id, priority FROM tasks
      WHERE status = 'leased' AND leased_until <= (SELECT now FROM clock)
        AND attempts < COALESCE(max_attempts, ${input.default_max_attempts}::int)
        AND (NOT ${routed}::boolean OR backend IS NULL OR backend = ANY(${backends}::text[]))
      ORDER BY priority DESC, task_id LIMIT ${input.max_tasks}::int
      FOR UPDATE SKIP LOCKED
    ),
    chosen AS (
      SELECT task_id FROM (SELECT * FROM queued UNION ALL SELECT * FROM expired) candidates
      ORDER BY priority DESC, task_id LIMIT ${input.max_tasks}::int
    ),
    leased AS (
      UPDATE tasks t SET status = 'leased', worker_id = ${input.worker_id}, leased_until = (SELECT now FROM clock) + ${input.lease_seconds}::float8,
        updated_at = (SELECT now FROM clock), attempts = t.attempts + 1, lease_seq = t.lease_seq + 1
      FROM chosen WHERE t.task_id = chosen.task_id
      RETURNING t.task_id, t.prompt, t.status, t.created_at, t.updated_at, t.leased_until, t.worker_id, t.result_json, t.error_json,
        t.attempts, t.max_attempts, t.backend, t.priority, t.lease_seq
    ),
    next AS (
      SELECT (SELECT min(leased_until) FROM tasks WHERE status = 'leased' AND leased_until > (SELECT now FROM clock)) AS next_expiry,
        (SELECT now FROM clock) AS db_now
    )
    SELECT leased.*, next.next_expiry, next.db_now FROM next LEFT JOIN leased ON true`;
  const first = rows[0] as Row;
  let nextExpiry = first.next_expiry ?? undefined;
  const tasks: TaskRow[] = [];
  for (const { next_expiry: _next, db_now: _now, ...task } of rows) {
    if (task.task_id === null) continue; // nothing leased: the one row carries only the expiry and the clock
    tasks.push(task);
    if (task.leased_until !== null && (nextExpiry === undefined || task.leased_until < nextExpiry)) nextExpiry = task.leased_until;
  }
  tasks.sort((a, b) => b.priority - a.priority || a.task_id - b.task_id);
  return { tasks, nextExpiry, dbNow: first.db_now };
}
