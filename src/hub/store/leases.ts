import { DEFAULT_WORKER_ID } from "../task.ts";
import type { Db } from "./db.ts";
import { prepared } from "./prepared.ts";

/** Outstanding leases now: still valid, and already expired (to be re-leased). */
export function outstandingLeases(db: Db, now: number): { valid: number; expired: number } {
  const row = prepared(
    db,
    "SELECT COALESCE(SUM(leased_until > ?), 0) AS valid, COALESCE(SUM(leased_until <= ?), 0) AS expired FROM tasks INDEXED BY tasks_leased WHERE status = 'leased'",
  ).get(now, now) as { valid: number; expired: number };
  return row;
}

/** The earliest lease expiry after `now` (epoch seconds), or undefined when no valid lease is outstanding. */
export function nextExpiry(db: Db, now: number): number | undefined {
  const row = prepared(db, "SELECT MIN(leased_until) AS t FROM tasks INDEXED BY tasks_leased WHERE status = 'leased' AND leased_until > ?").get(now) as {
    t: number | null;
  };
  return row.t ?? undefined;
}

/** Valid leases now, per worker: the tasks each worker holds, ascending. */
export function leasesByWorker(db: Db, now: number): Map<string, number[]> {
  const rows = prepared(db, "SELECT worker_id, task_id FROM tasks INDEXED BY tasks_leased WHERE status = 'leased' AND leased_until > ? ORDER BY task_id").all(
    now,
  ) as {
    worker_id: string | null;
    task_id: number;
  }[];
  const byWorker = new Map<string, number[]>();
  for (const row of rows) {
    const id = row.worker_id ?? DEFAULT_WORKER_ID;
    const held = byWorker.get(id);
    if (held) held.push(row.task_id);
    else byWorker.set(id, [row.task_id]);
  }
  return byWorker;
}
