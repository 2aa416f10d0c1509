// Fencing, pure: may this ack/extend touch the task? Only the current lease holder may.
import { ProtocolError } from "./errors.ts";
import type { TaskRow } from "./task.ts";

/**
 * Returns the lease token (lease_seq) to compare-and-set against, or throws.
 * `workerId`: the worker_id the client sent (undefined for legacy clients).
 * `sessionSeq`: the token this connection got when it leased the task, if it did.
 */
export function fenceToken(method: string, taskId: number, row: TaskRow | undefined, workerId: string | undefined, sessionSeq: number | undefined): number {
  if (!row) throw new ProtocolError("not_found", `${method}: task ${taskId} does not exist`);
  if (row.status === "done" || row.status === "failed") throw new ProtocolError("conflict", `${method}: task ${taskId} is already ${row.status}`);
  if (row.status === "queued") {
    throw new ProtocolError("conflict", `${method}: task ${taskId} is not leased (it is queued${row.attempts === 0 ? " and was never leased" : ""})`);
  }
  if (workerId === undefined && sessionSeq === undefined) {
    throw new ProtocolError(
      "conflict",
      `${method}: task ${taskId} was not leased on this connection; send the worker_id that leased it (legacy acks without worker_id only work on the leasing connection)`,
    );
  }
  if (workerId !== undefined && row.worker_id !== workerId) {
    throw new ProtocolError("conflict", `${method}: worker "${workerId}" does not hold the lease of task ${taskId} (it is leased to "${row.worker_id}")`);
  }
  if (sessionSeq !== undefined && sessionSeq !== row.lease_seq) {
    throw new ProtocolError("conflict", `${method}: stale lease of task ${taskId}: it expired and was leased again; this ${method} changes nothing`);
  }
  return row.lease_seq;
}
