import type { Db } from "./db.ts";
import { prepared } from "./prepared.ts";

/** failed → queued, clearing worker_id, leased_until, result, error and the attempt count. Returns how many. */
export function retryFailed(db: Db, now: number): number {
  return prepared(
    db,
    `UPDATE tasks SET status = 'queued', worker_id = NULL, leased_until = NULL, result_json = NULL, error_json = NULL,
       attempts = 0, updated_at = ? WHERE status = 'failed'`,
  ).run(now).changes;
}
