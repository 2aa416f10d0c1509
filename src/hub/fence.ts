// Fencing, pure: why an ack/extend was refused, and whether an ack is a re-send of one already applied.
// The store does the compare-and-set; this explains its outcome from the task as it is now.
import { ProtocolError } from "./errors.ts";
import type { Holder } from "./store/store.ts";
import type { TaskRow } from "./task.ts";

/** The error for an ack/extend whose holder does not match the task's lease (or that names no holder at all). */
export function fenceRefusal(method: string, taskId: number, row: TaskRow | undefined, holder: Holder): ProtocolError {
  if (!row) return new ProtocolError("not_found", `${method}: task ${taskId} does not exist`);
  if (row.status === "done" || row.status === "failed") return new ProtocolError("conflict", `${method}: task ${taskId} is already ${row.status}`);
  if (row.status === "queued") {
    return new ProtocolError("conflict", `${method}: task ${taskId} is not leased (it is queued${row.attempts === 0 ? " and was never leased" : ""})`);
  }
  if (holder.workerId === undefined && holder.leaseSeq === undefined) {
    return new ProtocolError(
      "conflict",
      `${method}: task ${taskId} was not leased on this connection; send the worker_id that leased it (legacy acks without worker_id only work on the leasing connection)`,
    );
  }
  if (holder.workerId !== undefined && row.worker_id !== holder.workerId) {
    return new ProtocolError(
      "conflict",
      `${method}: worker "${holder.workerId}" does not hold the lease of task ${taskId} (it is leased to "${row.worker_id}")`,
    );
  }
  if (holder.leaseSeq !== undefined && holder.leaseSeq !== row.lease_seq) {
    return new ProtocolError("conflict", `${method}: stale lease of task ${taskId}: it expired and was leased again; this ${method} changes nothing`);
  }
  return new ProtocolError("conflict", `${method}: the lease of task ${taskId} changed while it was being applied; nothing was changed`);
}

/**
 * An ack whose reply was lost, sent again (to this hub or another): the task is already `status` through this very
 * lease — same worker_id and same lease_seq, both given. Anything less cannot tell the lease apart, so it is refused.
 */
export function isRepeatedAck(row: TaskRow | undefined, holder: Holder, status: string): boolean {
  return (
    row !== undefined &&
    row.status === status &&
    holder.workerId !== undefined &&
    holder.leaseSeq !== undefined &&
    row.worker_id === holder.workerId &&
    row.lease_seq === holder.leaseSeq
  );
}
