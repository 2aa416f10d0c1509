// Reads of the PostgreSQL store. Times are compared on the database's clock.
import type { Stats, TaskRow } from "../../task.ts";
import { heldLeases } from "../held-leases.ts";
import type { ListedRow, ListQuery } from "../store.ts";
import type { Sql } from "./connect.ts";

export async function getTask(sql: Sql, taskId: number): Promise<TaskRow | undefined> {
  const [row] = await sql<TaskRow[]>`SELECT * FROM tasks WHERE task_id = ${taskId}::bigint`;
  return row;
}

/** One page of tasks, newest first: texts cut to textChars characters, their full lengths (characters) beside. */
export async function listTasks(sql: Sql, query: ListQuery): Promise<ListedRow[]> {
  const n = query.textChars;
  const status = query.status === undefined ? sql`` : sql`AND status = ${query.status}`;
  const before = query.beforeId === undefined ? sql`` : sql`AND task_id < ${query.beforeId}::bigint`;
  return [
    ...(await sql<ListedRow[]>`
      SELECT task_id, left(prompt, ${n}::int) AS prompt, char_length(prompt) AS prompt_chars, status, created_at, updated_at, leased_until,
             worker_id, left(result_json, ${n}::int) AS result_json, char_length(result_json) AS result_chars,
             left(error_json, ${n}::int) AS error_json, char_length(error_json) AS error_chars, attempts, max_attempts, backend, priority, lease_seq
      FROM tasks WHERE true ${status} ${before} ORDER BY task_id DESC LIMIT ${query.limit}::bigint`),
  ];
}

export async function taskStats(sql: Sql): Promise<Stats> {
  const stats: Stats = { queued: 0, leased: 0, done: 0, failed: 0 };
  for (const row of await sql<{ status: keyof Stats; n: number }[]>`SELECT status, sum(n)::bigint AS n FROM status_counts GROUP BY status`) {
    stats[row.status] = row.n;
  }
  return stats;
}

export async function leasesNow(sql: Sql): Promise<{ held: Map<string, number[]>; expired: number }> {
  const rows = await sql<{ worker_id: string | null; task_id: number; valid: boolean }[]>`
    SELECT worker_id, task_id, leased_until > extract(epoch FROM now())::float8 AS valid FROM tasks WHERE status = 'leased' ORDER BY task_id`;
  return heldLeases(rows);
}
