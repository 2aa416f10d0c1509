import type { TaskRow, TaskStatus } from "../../task.ts";
import type { Db } from "./db.ts";
import { prepared } from "./prepared.ts";

/** Tasks newest first, optionally of one status; limit <= 0 means all. */
export function listTasks(db: Db, status: TaskStatus | undefined, limit: number): TaskRow[] {
  const max = limit <= 0 ? -1 : limit;
  if (status === undefined) return prepared(db, "SELECT * FROM tasks ORDER BY task_id DESC LIMIT ?").all(max) as TaskRow[];
  return prepared(db, "SELECT * FROM tasks WHERE status = ? ORDER BY task_id DESC LIMIT ?").all(status, max) as TaskRow[];
}
