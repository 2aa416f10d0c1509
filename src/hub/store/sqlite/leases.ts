import { DEFAULT_WORKER_ID } from "../../task.ts";
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
  const held = new Map<string, number[]>();
  let expired = 0;
  for (const row of rows) {
    if (row.leased_until <= now) {
      expired++;
      continue;
    }
    const id = row.worker_id ?? DEFAULT_WORKER_ID;
    const list = held.get(id);
    if (list) list.push(row.task_id);
    else held.set(id, [row.task_id]);
  }
  return { held, expired };
}
