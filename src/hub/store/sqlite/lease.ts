import type { TaskRow } from "../../task.ts";
import type { LeaseInput } from "../store.ts";
import type { Db } from "./db.ts";
import { deadLetterExpired } from "./dead-letter.ts";
import { prepared } from "./prepared.ts";

const ROUTE = "AND (backend IS NULL OR backend IN (SELECT value FROM json_each(?)))";
const ORDER = "ORDER BY priority DESC, task_id LIMIT ?";

interface Candidate {
  task_id: number;
  priority: number;
}

const byPriorityThenId = (a: Candidate, b: Candidate): number => b.priority - a.priority || a.task_id - b.task_id;

/**
 * Leases up to max_tasks tasks: queued ones and leased ones whose lease expired, highest priority first, then ascending
 * task_id. Bumps attempts and the fencing token (lease_seq). Expired leases that used up their attempts are failed
 * first (dead letter). INDEXED BY pins the partial indexes (without ANALYZE statistics SQLite would pick tasks_status
 * and sort every queued task), so a lease is O(log n) however many tasks exist.
 *
 * The chosen tasks are leased by one UPDATE, so a lease is all or nothing without a savepoint: inside the group-commit
 * transaction a savepoint costs a sub-journal write per page (3× the time of a lease of 10).
 */
export function leaseTasks(db: Db, input: LeaseInput, now: number): TaskRow[] {
  deadLetterExpired(db, now, input.default_max_attempts);
  const routed = input.backends !== undefined;
  const route = routed ? ROUTE : "";
  const args = (extra: unknown[]) => (routed ? [...extra, JSON.stringify(input.backends), input.max_tasks] : [...extra, input.max_tasks]);
  const queued = prepared(db, `SELECT task_id, priority FROM tasks INDEXED BY tasks_queued WHERE status = 'queued' ${route} ${ORDER}`).all(
    ...args([]),
  ) as Candidate[];
  const expired = prepared(
    db,
    `SELECT task_id, priority FROM tasks INDEXED BY tasks_leased WHERE status = 'leased' AND leased_until <= ? ${route} ${ORDER}`,
  ).all(...args([now])) as Candidate[];
  const chosen = (expired.length === 0 ? queued : [...queued, ...expired].sort(byPriorityThenId)).slice(0, input.max_tasks);
  if (chosen.length === 0) return [];
  const leased = prepared(
    db,
    `UPDATE tasks SET status = 'leased', worker_id = ?, leased_until = ?, updated_at = ?, attempts = attempts + 1, lease_seq = lease_seq + 1
     WHERE task_id IN (SELECT value FROM json_each(?)) RETURNING *`,
  ).all(input.worker_id, now + input.lease_seconds, now, JSON.stringify(chosen.map((c) => c.task_id))) as TaskRow[];
  return leased.sort(byPriorityThenId); // RETURNING gives no order
}
