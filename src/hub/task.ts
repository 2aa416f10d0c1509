// The Task record of the wire protocol: reference fields first, in the reference order; extensions after.

import type { Status, Task as WireTask } from "./protocol-types.ts";

export type TaskStatus = Status;
export const TASK_STATUSES: readonly TaskStatus[] = ["queued", "leased", "done", "failed"];

/** The worker_id of a lease that names none (as the reference hub). */
export const DEFAULT_WORKER_ID = "worker";

/**
 * A task as this hub sends it: the wire Task (schemas/protocol.schema.json) with every extension this hub has; list's
 * `truncated` is added by list-reply.ts. `lease_seq` stays optional: replies of hubs without the lease-seq feature lack it.
 */
export type Task = Required<Omit<WireTask, "lease_seq" | "truncated">> & Pick<WireTask, "lease_seq">;

export type Stats = Record<TaskStatus, number>;

/** A row of the tasks table: the task's columns, with result and error stored as JSON text. */
export interface TaskRow extends Omit<Task, "result" | "error" | "max_attempts" | "lease_seq"> {
  result_json: string | null;
  error_json: string | null;
  max_attempts: number | null;
  lease_seq: number;
}

/** Row → Task, keys in wire order. `defaultMaxAttempts` fills tasks without their own limit. */
export function toTask(row: TaskRow, defaultMaxAttempts: number): Task {
  return {
    task_id: row.task_id,
    prompt: row.prompt,
    status: row.status,
    created_at: row.created_at,
    updated_at: row.updated_at,
    leased_until: row.leased_until,
    worker_id: row.worker_id,
    result: row.result_json === null ? null : JSON.parse(row.result_json),
    error: row.error_json === null ? null : JSON.parse(row.error_json),
    attempts: row.attempts,
    max_attempts: row.max_attempts ?? defaultMaxAttempts,
    backend: row.backend,
    priority: row.priority,
    lease_seq: row.lease_seq,
  };
}

/** Current time as float epoch seconds (the protocol's clock). */
export function nowSeconds(): number {
  return Date.now() / 1000;
}
