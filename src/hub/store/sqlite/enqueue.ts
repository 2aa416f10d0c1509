import type { Db } from "./db.ts";
import { prepared } from "./prepared.ts";

import type { EnqueueInput } from "../store.ts";

/** Inserts a queued task and returns its id (ids start at 1 and are never reused). */
export function enqueueTask(db: Db, input: EnqueueInput, now: number): number {
  const info = prepared(
    db,
    `INSERT INTO tasks (prompt, status, created_at, updated_at, backend, priority, max_attempts)
     VALUES (?, 'queued', ?, ?, ?, ?, ?)`,
  ).run(input.prompt, now, now, input.backend ?? null, input.priority ?? 0, input.max_attempts ?? null);
  return Number(info.lastInsertRowid);
}
