import type { Db } from "./db.ts";
import { prepared } from "./prepared.ts";

/** Fails every expired lease that used up its attempts ("lease expired N times"). Returns how many. */
export function deadLetterExpired(db: Db, now: number, defaultMaxAttempts: number): number {
  return prepared(
    db,
    `UPDATE tasks INDEXED BY tasks_leased SET status = 'failed', error_json = json_quote('lease expired ' || attempts || ' times'),
       leased_until = NULL, updated_at = ?
     WHERE status = 'leased' AND leased_until <= ? AND attempts >= COALESCE(max_attempts, ?)`,
  ).run(now, now, defaultMaxAttempts).changes;
}
