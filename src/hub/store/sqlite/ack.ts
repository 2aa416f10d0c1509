import type { AckInput, Holder } from "../store.ts";
import type { Db } from "./db.ts";
import { prepared } from "./prepared.ts";

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

/**
 * Completes a leased task if `holder` still matches its lease (compare-and-set on worker_id and/or lease_seq).
 * Returns false when it does not (nothing is written then).
 */
export function ackTask(db: Db, input: AckInput, holder: Holder, now: number): boolean {
  return (
    prepared(
      db,
      `UPDATE tasks SET status = @status, result_json = @result, error_json = @error, leased_until = NULL, updated_at = @now
       WHERE task_id = @task AND status = 'leased' AND (@worker IS NULL OR worker_id = @worker) AND (@seq IS NULL OR lease_seq = @seq)`,
    ).run({
      status: input.status,
      result: json(input.result),
      error: json(input.error),
      now,
      task: input.task_id,
      worker: holder.workerId ?? null,
      seq: holder.leaseSeq ?? null,
    }).changes === 1
  );
}
