import type { Stats } from "../../task.ts";
import type { Db } from "./db.ts";
import { prepared } from "./prepared.ts";

/** Task counts per status (all four keys), O(1): kept by triggers. */
export function taskStats(db: Db): Stats {
  const stats: Stats = { queued: 0, leased: 0, done: 0, failed: 0 };
  for (const row of prepared(db, "SELECT status, n FROM status_counts").all() as { status: keyof Stats; n: number }[]) stats[row.status] = row.n;
  return stats;
}
