// An agent: lease a task (long-poll), run it through THE backend-invocation path, heartbeat while it runs,
// ack the answer or the classified failure. Reconnects with backoff (reconnecting-hub.ts) and never loses or
// double-acks the task in hand.
import { setTimeout as wait } from "node:timers/promises";
import { HubRequestError } from "../hub/client.ts";
import type { HubEndpoint } from "../hub/config.ts";
import type { PreparedBackend } from "../backends/prepare.ts";
import type { UpstreamObserver } from "../backends/upstream.ts";
import type { PlanSettings } from "../manifest/plan-types.ts";
import { ReconnectingHub } from "./reconnecting-hub.ts";
import { ackParams, type LeasedTask, runTask } from "./run-task.ts";

export interface AgentOptions {
  /** The hubs sharing the queue, tried in order; the agent moves to the next when one goes away. */
  hubs: HubEndpoint[];
  token?: string;
  workerId: string;
  prepared: PreparedBackend;
  settings: PlanSettings;
  leaseSeconds: number;
  /** How long one lease request may wait for a task (long-poll). */
  waitMs: number;
  /** Stop after this many tasks (undefined: run until stopped). */
  maxTasks?: number;
  /** Exit when a lease comes back empty (the queue is drained). */
  untilEmpty?: boolean;
  /** Stop leasing when aborted; the task in hand is finished and acked first. */
  signal: AbortSignal;
  /** Stop now when aborted: the task in hand is canceled (backend killed) and not acked; the hub re-leases it on expiry. */
  hardStop?: AbortSignal;
  log: (line: string) => void;
  /** Applied to a backend's answer and error before they are acked to the hub (and so stored and shown there). */
  redact?: (text: string) => string;
  /** Test hook: delay before acking (the chaos smoke uses it to push an ack past its lease). */
  ackDelayMs?: (taskId: number) => number;
  /** The backend's model stub (--stub-mode): what it answered during a task feeds the classifier (429 → SKIP quota). */
  upstream?: UpstreamObserver;
}

export interface AgentStats {
  done: number;
  failed: number;
  fenced: number;
  reconnects: number;
}

export async function runAgent(options: AgentOptions): Promise<AgentStats> {
  const stats: AgentStats = { done: 0, failed: 0, fenced: 0, reconnects: 0 };
  const { log, workerId, prepared } = options;
  const hub = new ReconnectingHub({ ...options, onRetry: () => stats.reconnects++ });
  const onHardStop = () => hub.close(); // pending calls fail at once instead of waiting for the hub
  options.hardStop?.addEventListener("abort", onHardStop, { once: true });

  // The ack of the last task is sent, not awaited, before the next lease: both go down the same connection, which the
  // hub answers in order, so a task costs one round trip instead of two. Its outcome is settled before the next task.
  let taken = 0;
  let pendingAck: Promise<unknown> | undefined;
  let ackFailure: { error: unknown } | undefined;
  const settleAck = async () => {
    const ack = pendingAck;
    pendingAck = undefined;
    await ack;
    const failure = ackFailure;
    ackFailure = undefined;
    if (failure) throw failure.error;
  };
  try {
    while (!options.signal.aborted && (options.maxTasks === undefined || taken < options.maxTasks)) {
      let tasks: LeasedTask[];
      try {
        const lease = hub.request("lease", {
          worker_id: workerId,
          max_tasks: 1,
          lease_seconds: options.leaseSeconds,
          wait_ms: options.waitMs,
          backends: [prepared.backend.name],
        });
        await settleAck();
        tasks = (await lease).tasks;
      } catch (error) {
        if (options.signal.aborted) break;
        throw error;
      }
      if (!tasks.length) {
        if (options.untilEmpty) break;
        continue;
      }
      for (const task of tasks) {
        taken++;
        await settleAck();
        const handled = await handle(task);
        // Caught at once (an unobserved rejection would end the process); rethrown by settleAck.
        pendingAck = handled?.ack.catch((error: unknown) => {
          ackFailure = { error };
        });
      }
    }
    await settleAck();
  } finally {
    options.hardStop?.removeEventListener("abort", onHardStop);
    hub.close();
  }
  return stats;

  /** Runs the task and sends its ack; resolves with the ack still in flight (undefined when nothing is acked). */
  async function handle(task: LeasedTask): Promise<{ ack: Promise<void> } | undefined> {
    log(`task ${task.task_id}: leased, running ${prepared.backend.name}`);
    const result = await runTask(task, { ...options, connected: () => hub.connected });
    if (options.hardStop?.aborted) {
      log(`task ${task.task_id}: canceled, not acked (the hub re-leases it when the lease expires)`);
      return undefined;
    }
    const delay = options.ackDelayMs?.(task.task_id) ?? 0;
    if (delay) await wait(delay);
    const params = ackParams(task, result, workerId, options.redact ?? ((text: string) => text));
    const ok = params.status === "done";
    const sent = hub.deliver("ack", params).then(
      () => {
        if (ok) stats.done++;
        else stats.failed++;
        log(`task ${task.task_id}: acked ${params.status}${ok ? "" : ` (${result.verdict.reason})`} in ${result.record.durationMs} ms`);
      },
      (error: unknown) => {
        if (!(error instanceof HubRequestError)) throw error;
        stats.fenced++;
        log(`task ${task.task_id}: ack rejected by the hub (${error.message}); another worker holds it now`);
      },
    );
    return { ack: sent };
  }
}
