import { heldLeases } from "../held-leases.ts";
import type { Db } from "./db.ts";
import { prepared } from "./prepared.ts";

/** The earliest expiry (epoch seconds) of a lease still valid at `now`, or undefined. */
export function nextExpiry(db: Db, now: number): number | undefined {
  const row = prepared(db, "SELECT MIN(leased_until) AS t FROM tasks INDEXED BY tasks_leased WHERE status = 'leased' AND leased_until > ?").get(now) as {
    t: number | null;
  };
  return row.t ?? undefined;
}

/** Valid leases at `now` per worker (task ids ascending), and how many leases have expired. */
export function leasesAt(db: Db, now: number): { held: Map<string, number[]>; expired: number } {
  const rows = prepared(db, "SELECT worker_id, task_id, leased_until FROM tasks INDEXED BY tasks_leased WHERE status = 'leased' ORDER BY task_id").all() as {
    worker_id: string | null;
    task_id: number;
    leased_until: number;
  }[];
  return heldLeases(rows.map((row) => ({ worker_id: row.worker_id, task_id: row.task_id, valid: row.leased_until > now })));
}
