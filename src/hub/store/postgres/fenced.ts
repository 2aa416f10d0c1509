// The two fenced writes: each is a compare-and-set on the holder in one statement; the same statement returns the
// row as it was, so a refusal is explained without a second round trip.
import type { TaskRow } from "../../task.ts";
import type { AckInput, Fenced, Holder } from "../store.ts";
import type { Sql } from "./connect.ts";

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

type Outcome = TaskRow & { applied: boolean; until: number | null };

export async function ackTask(sql: Sql, input: AckInput, holder: Holder): Promise<Fenced<true>> {
  const [row] = await sql<Outcome[]>`
    WITH applied AS (
      UPDATE tasks SET status = ${input.status}, result_json = ${json(input.result)}::text, error_json = ${json(input.error)}::text,
        leased_until = NULL, updated_at = extract(epoch FROM now())::float8
      WHERE task_id = ${input.task_id}::bigint AND status = 'leased'
        AND (${holder.workerId ?? null}::text IS NULL OR worker_id = ${holder.workerId ?? null}::text)
        AND (${holder.leaseSeq ?? null}::bigint IS NULL OR lease_seq = ${holder.leaseSeq ?? null}::bigint)
      RETURNING task_id
    )
    SELECT EXISTS (SELECT 1 FROM applied) AS applied, NULL::float8 AS until, t.* FROM (SELECT 1) one LEFT JOIN tasks t ON t.task_id = ${input.task_id}::bigint`;
  return outcome(row, () => true);
}

export async function extendLease(sql: Sql, taskId: number, holder: Holder, leaseSeconds: number): Promise<Fenced<number>> {
  const [row] = await sql<Outcome[]>`
    WITH applied AS (
      UPDATE tasks SET leased_until = extract(epoch FROM now())::float8 + ${leaseSeconds}::float8, updated_at = extract(epoch FROM now())::float8
      WHERE task_id = ${taskId}::bigint AND status = 'leased'
        AND (${holder.workerId ?? null}::text IS NULL OR worker_id = ${holder.workerId ?? null}::text)
        AND (${holder.leaseSeq ?? null}::bigint IS NULL OR lease_seq = ${holder.leaseSeq ?? null}::bigint)
      RETURNING leased_until
    )
    SELECT EXISTS (SELECT 1 FROM applied) AS applied, (SELECT leased_until FROM applied) AS until, t.*
    FROM (SELECT 1) one LEFT JOIN tasks t ON t.task_id = ${taskId}::bigint`;
  return outcome(row, (r) => r.until as number);
}

function outcome<T>(row: Outcome | undefined, value: (row: Outcome) => T): Fenced<T> {
  if (row?.applied) return { ok: true, value: value(row) };
  if (!row || row.task_id === null) return { ok: false, row: undefined };
  const { applied: _applied, until: _until, ...task } = row;
  return { ok: false, row: task as TaskRow };
}
