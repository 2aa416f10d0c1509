// Reads of the PostgreSQL store. Times are compared on the database's clock.
import { DEFAULT_WORKER_ID, type Stats, type TaskRow, type TaskStatus } from "../../task.ts";
import type { Sql } from "./connect.ts";

export async function getTask(sql: Sql, taskId: number): Promise<TaskRow | undefined> {
  const [row] = await sql<TaskRow[]>`SELECT * FROM tasks WHERE task_id = ${taskId}::bigint`;
  return row;
}

/** Newest first; limit <= 0 means all (LIMIT NULL). */
export async function listTasks(sql: Sql, status: TaskStatus | undefined, limit: number): Promise<TaskRow[]> {
  const max = limit <= 0 ? null : limit;
  if (status === undefined) return [...(await sql<TaskRow[]>`SELECT * FROM tasks ORDER BY task_id DESC LIMIT ${max}::bigint`)];
  return [...(await sql<TaskRow[]>`SELECT * FROM tasks WHERE status = ${status} ORDER BY task_id DESC LIMIT ${max}::bigint`)];
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
  const held = new Map<string, number[]>();
  let expired = 0;
  for (const row of rows) {
    if (!row.valid) {
      expired++;
      continue;
    }
    const id = row.worker_id ?? DEFAULT_WORKER_ID;
    const list = held.get(id);
    if (list) list.push(row.task_id);
    else held.set(id, [row.task_id]);
  }
  return { held, expired };
}
