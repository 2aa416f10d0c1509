import type { Db } from "./db.ts";
import { prepared } from "./prepared.ts";

export interface AckInput {
  task_id: number;
  status: "done" | "failed";
  result?: unknown;
  error?: unknown;
}

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

/**
 * Completes a leased task if its fencing token is still `leaseSeq` (compare-and-set).
 * Returns false when the lease changed in between (nothing is written then).
 */
export function ackTask(db: Db, input: AckInput, leaseSeq: number, now: number): boolean {
  return (
    prepared(
      db,
      `UPDATE tasks SET status = ?, result_json = ?, error_json = ?, leased_until = NULL, updated_at = ?
       WHERE task_id = ? AND status = 'leased' AND lease_seq = ?`,
    ).run(input.status, json(input.result), json(input.error), now, input.task_id, leaseSeq).changes === 1
  );
}
