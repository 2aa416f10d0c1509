import type { TaskRow } from "../../task.ts";
import type { Db } from "./db.ts";
import { prepared } from "./prepared.ts";

/** One task row, or undefined. */
export function getTask(db: Db, taskId: number): TaskRow | undefined {
  return prepared(db, "SELECT * FROM tasks WHERE task_id = ?").get(taskId) as TaskRow | undefined;
}
