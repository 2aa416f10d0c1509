import type { Db } from "./db.ts";
import { prepared } from "./prepared.ts";

/** Moves a held lease's expiry to `leasedUntil` if its fencing token is still `leaseSeq`. False when it changed. */
export function extendLease(db: Db, taskId: number, leaseSeq: number, leasedUntil: number, now: number): boolean {
  return (
    prepared(db, "UPDATE tasks SET leased_until = ?, updated_at = ? WHERE task_id = ? AND status = 'leased' AND lease_seq = ?").run(
      leasedUntil,
      now,
      taskId,
      leaseSeq,
    ).changes === 1
  );
}
