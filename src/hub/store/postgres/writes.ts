import type { EnqueueInput } from "../store.ts";
import { CHANNEL } from "./changes.ts";
import type { Sql } from "./connect.ts";

/**
 * Inserts a queued task; `notice` (the "tasks available" notice of the change feed) is sent by the same statement, so
 * PostgreSQL delivers it to the other hubs at this write's commit, not one more round trip later.
 */
export async function enqueueTask(sql: Sql, input: EnqueueInput, notice: string): Promise<number> {
  const [row] = await sql<{ task_id: number }[]>`
    WITH inserted AS (
      INSERT INTO tasks (prompt, status, created_at, updated_at, backend, priority, max_attempts)
      VALUES (${input.prompt}, 'queued', extract(epoch FROM now())::float8, extract(epoch FROM now())::float8,
        ${input.backend ?? null}::text, ${input.priority ?? 0}::int, ${input.max_attempts ?? null}::int)
      RETURNING task_id
    )
    SELECT task_id, pg_notify(${CHANNEL}, ${notice}) FROM inserted`;
  return (row as { task_id: number }).task_id;
}

/**
 * failed → queued, clearing worker_id, leased_until, result, error and the attempt count. Returns how many. When there
 * were any, `notice` goes out with the commit, as for enqueue.
 */
export async function retryFailed(sql: Sql, notice: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    WITH retried AS (
      UPDATE tasks SET status = 'queued', worker_id = NULL, leased_until = NULL, result_json = NULL, error_json = NULL,
        attempts = 0, updated_at = extract(epoch FROM now())::float8
      WHERE status = 'failed'
      RETURNING 1
    ), counted AS (SELECT count(*)::int AS n FROM retried)
    SELECT n, CASE WHEN n > 0 THEN pg_notify(${CHANNEL}, ${notice}) END FROM counted`;
  return (row as { n: number }).n;
}
