import type { ListedRow, ListQuery } from "../store.ts";
import type { Db } from "./db.ts";
import { prepared } from "./prepared.ts";

/** The columns of a listed task: texts cut to @n characters, their full lengths beside (length() counts characters). */
const COLUMNS = `task_id, substr(prompt, 1, @n) AS prompt, length(prompt) AS prompt_chars, status, created_at, updated_at, leased_until,
  worker_id, substr(result_json, 1, @n) AS result_json, length(result_json) AS result_chars, substr(error_json, 1, @n) AS error_json,
  length(error_json) AS error_chars, attempts, max_attempts, backend, priority, lease_seq`;

/** One page of tasks, newest first, optionally of one status and below a task id (one statement per shape: each uses its index). */
export function listTasks(db: Db, query: ListQuery): ListedRow[] {
  const where = [query.status === undefined ? "" : "status = @status", query.beforeId === undefined ? "" : "task_id < @before"].filter(Boolean);
  const sql = `SELECT ${COLUMNS} FROM tasks ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY task_id DESC LIMIT @limit`;
  const params: Record<string, unknown> = { n: query.textChars, limit: query.limit };
  if (query.status !== undefined) params.status = query.status;
  if (query.beforeId !== undefined) params.before = query.beforeId;
  return prepared(db, sql).all(params) as ListedRow[];
}
