// One leased task: run it through THE backend-invocation path while a heartbeat extends its lease, then say what to
// ack (pure).
import type { PreparedBackend } from "../backends/prepare.ts";
import { runPrompt } from "../backends/run.ts";
import { taskError } from "../backends/task-error.ts";
import type { UpstreamObserver } from "../backends/upstream.ts";
import type { HubClient } from "../hub/client.ts";
import type { Task } from "../hub/protocol-types.ts";
import type { PlanSettings } from "../manifest/plan-types.ts";

/** What the agent uses of a leased task; `lease_seq` (hubs with the lease-seq feature) is sent back with ack/extend. */
export type LeasedTask = Pick<Task, "task_id" | "prompt" | "lease_seq">;

export type TaskResult = Awaited<ReturnType<typeof runPrompt>>;

export interface RunTaskOptions {
  workerId: string;
  prepared: PreparedBackend;
  settings: PlanSettings;
  leaseSeconds: number;
  /** The connection in use when a heartbeat is due (none while reconnecting: that beat is skipped). */
  connected: () => HubClient | undefined;
  /** Kills the backend's process group at once. */
  hardStop?: AbortSignal | undefined;
  upstream?: UpstreamObserver | undefined;
  log: (line: string) => void;
}

/** The lease's fencing token as ack/extend params: with it a re-sent ack (after a failover) is recognised by any hub. */
export function leaseParams(task: LeasedTask): { lease_seq?: number } {
  return task.lease_seq === undefined ? {} : { lease_seq: task.lease_seq };
}

/** Runs the task's prompt on the backend, extending the lease every third of it while it runs. */
export async function runTask(task: LeasedTask, options: RunTaskOptions): Promise<TaskResult> {
  const { workerId, prepared, leaseSeconds } = options;
  const heartbeat = setInterval(
    () => {
      options
        .connected()
        ?.call("extend", { task_id: task.task_id, worker_id: workerId, ...leaseParams(task), lease_seconds: leaseSeconds })
        .catch((error: Error) => {
          options.log(`task ${task.task_id}: heartbeat failed: ${error.message}`);
        });
    },
    Math.max(200, (leaseSeconds * 1000) / 3),
  );
  try {
    return await runPrompt(
      prepared,
      { prompt: task.prompt, timeoutMs: prepared.backend.timeoutMs },
      {
        settings: options.settings,
        inProcess: true,
        env: { MITTELO_TASK_ID: String(task.task_id), MITTELO_WORKER_ID: workerId },
        signal: options.hardStop,
        upstream: options.upstream,
      },
    );
  } finally {
    clearInterval(heartbeat);
  }
}

/** The ack of a finished task: done with the (redacted) answer when it passed, else failed with the classified error. */
export function ackParams(task: LeasedTask, result: TaskResult, workerId: string, redact: (text: string) => string) {
  const base = { task_id: task.task_id, worker_id: workerId, ...leaseParams(task) };
  return result.verdict.outcome === "PASS"
    ? { ...base, status: "done" as const, result: redact(result.extraction.answer) }
    : { ...base, status: "failed" as const, error: redact(taskError(result.verdict)) };
}
