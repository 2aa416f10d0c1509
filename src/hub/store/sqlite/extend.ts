import type { Holder } from "../store.ts";
import type { Db } from "./db.ts";
import { prepared } from "./prepared.ts";

/** Moves a held lease's expiry to `leasedUntil` if `holder` still matches it. False when it does not. */
export function extendLease(db: Db, taskId: number, holder: Holder, leasedUntil: number, now: number): boolean {
  return (
    prepared(
      db,
      `UPDATE tasks SET leased_until = @until, updated_at = @now
       WHERE task_id = @task AND status = 'leased' AND (@worker IS NULL OR worker_id = @worker) AND (@seq IS NULL OR lease_seq = @seq)`,
    ).run({ until: leasedUntil, now, task: taskId, worker: holder.workerId ?? null, seq: holder.leaseSeq ?? null }).changes === 1
  );
}
