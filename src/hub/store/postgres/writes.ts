import type { EnqueueInput } from "../store.ts";
import type { Sql } from "./connect.ts";

export async function enqueueTask(sql: Sql, input: EnqueueInput): Promise<number> {
  const [row] = await sql<{ task_id: number }[]>`
    INSERT INTO tasks (prompt, status, created_at, updated_at, backend, priority, max_attempts)
    VALUES (${input.prompt}, 'queued', extract(epoch FROM now())::float8, extract(epoch FROM now())::float8,
      ${input.backend ?? null}::text, ${input.priority ?? 0}::int, ${input.max_attempts ?? null}::int)
    RETURNING task_id`;
  return (row as { task_id: number }).task_id;
}

/** failed → queued, clearing worker_id, leased_until, result, error and the attempt count. Returns how many. */
export async function retryFailed(sql: Sql): Promise<number> {
  const result = await sql`
    UPDATE tasks SET status = 'queued', worker_id = NULL, leased_until = NULL, result_json = NULL, error_json = NULL,
      attempts = 0, updated_at = extract(epoch FROM now())::float8
    WHERE status = 'failed'`;
  return result.count;
}
