// The leases held now, per worker: the same grouping for every store (each says, on its own clock, which are valid).
import { DEFAULT_WORKER_ID } from "../task.ts";

export interface LeaseRow {
  worker_id: string | null;
  task_id: number;
  /** Not expired yet. */
  valid: boolean;
}

/** Valid leases per worker (in the rows' order: task ids ascending), and how many leases have expired. */
export function heldLeases(rows: Iterable<LeaseRow>): { held: Map<string, number[]>; expired: number } {
  const held = new Map<string, number[]>();
  let expired = 0;
  for (const row of rows) {
    if (!row.valid) {
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
