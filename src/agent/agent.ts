// An agent: lease a task (long-poll), run it through THE backend-invocation path, heartbeat while it runs,
// ack the answer or the classified failure. Reconnects with backoff and never loses or double-acks the task in hand.
import { HubClient, HubRequestError, HubUnavailableError } from "../hub/client.ts";
import type { PreparedBackend } from "../backends/prepare.ts";
import { runPrompt } from "../backends/run.ts";
import type { PlanSettings } from "../manifest/plan-types.ts";

export interface AgentOptions {
  host: string;
  port: number;
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
  /** Test hook: delay before acking (the chaos smoke uses it to push an ack past its lease). */
  ackDelayMs?: (taskId: number) => number;
}

interface Task {
  task_id: number;
  prompt: string;
}

export interface AgentStats {
  done: number;
  failed: number;
  fenced: number;
  reconnects: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

export async function runAgent(options: AgentOptions): Promise<AgentStats> {
  const stats: AgentStats = { done: 0, failed: 0, fenced: 0, reconnects: 0 };
  const { log, workerId, prepared } = options;
  let client: HubClient | undefined;
  const onHardStop = () => client?.close(); // pending calls fail at once instead of waiting for the hub
  options.hardStop?.addEventListener("abort", onHardStop, { once: true });
  let backoff = 100;
  const connect = async (): Promise<HubClient> => {
    while (true) {
      try {
        const c = await HubClient.connect({ host: options.host, port: options.port, token: options.token, timeoutMs: 5000 });
        if (backoff > 100) log(`reconnected to ${options.host}:${options.port}`);
        backoff = 100;
        return c;
      } catch (error) {
        if (!(error instanceof HubUnavailableError)) throw error;
        if (options.signal.aborted || options.hardStop?.aborted) throw error;
        log(`${error.message}; retrying in ${backoff} ms`);
        stats.reconnects++;
        await sleep(backoff, options.signal);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  };
  /** Calls the hub, reconnecting on connection loss until it answers (used for acks: the result must not be lost). */
  const reliably = async <T>(method: string, params: Record<string, unknown>): Promise<T> => {
    while (true) {
      try {
        client ??= await connect();
        return await client.call<T>(method, params);
      } catch (error) {
        if (!(error instanceof HubUnavailableError)) throw error;
        client?.close();
        client = undefined;
        if ((options.signal.aborted && method === "lease") || options.hardStop?.aborted) throw error;
      }
    }
  };

  const handled = () => stats.done + stats.failed + stats.fenced;
  try {
    while (!options.signal.aborted && (options.maxTasks === undefined || handled() < options.maxTasks)) {
      let tasks: Task[];
      try {
        const reply = await reliably<{ tasks: Task[] }>("lease", {
          worker_id: workerId,
          max_tasks: 1,
          lease_seconds: options.leaseSeconds,
          wait_ms: options.waitMs,
          backends: [prepared.backend.name],
        });
        tasks = reply.tasks;
      } catch (error) {
        if (options.signal.aborted) break;
        throw error;
      }
      if (!tasks.length) {
        if (options.untilEmpty) break;
        continue;
      }
      for (const task of tasks) await handle(task);
    }
  } finally {
    options.hardStop?.removeEventListener("abort", onHardStop);
    client?.close();
  }
  return stats;

  async function handle(task: Task): Promise<void> {
    log(`task ${task.task_id}: leased, running ${prepared.backend.name}`);
    const heartbeat = setInterval(
      () => {
        client?.call("extend", { task_id: task.task_id, worker_id: workerId, lease_seconds: options.leaseSeconds }).catch((error: Error) => {
          log(`task ${task.task_id}: heartbeat failed: ${error.message}`);
        });
      },
      Math.max(200, (options.leaseSeconds * 1000) / 3),
    );
    let result: Awaited<ReturnType<typeof runPrompt>>;
    try {
      result = await runPrompt(
        prepared,
        { prompt: task.prompt, timeoutMs: prepared.backend.timeoutMs },
        {
          settings: options.settings,
          inProcess: true,
          env: { MITTELO_TASK_ID: String(task.task_id), MITTELO_WORKER_ID: workerId },
          signal: options.hardStop,
        },
      );
    } finally {
      clearInterval(heartbeat);
    }
    if (options.hardStop?.aborted) {
      log(`task ${task.task_id}: canceled, not acked (the hub re-leases it when the lease expires)`);
      return;
    }
    const delay = options.ackDelayMs?.(task.task_id) ?? 0;
    if (delay) await sleep(delay);
    const ok = result.verdict.outcome === "PASS";
    const params = ok
      ? { task_id: task.task_id, worker_id: workerId, status: "done", result: result.extraction.answer }
      : { task_id: task.task_id, worker_id: workerId, status: "failed", error: `${result.verdict.outcome} ${result.verdict.reason}: ${result.verdict.message}` };
    try {
      await reliably("ack", params);
      if (ok) stats.done++;
      else stats.failed++;
      log(`task ${task.task_id}: acked ${params.status}${ok ? "" : ` (${result.verdict.reason})`} in ${result.record.durationMs} ms`);
    } catch (error) {
      if (!(error instanceof HubRequestError)) throw error;
      stats.fenced++;
      log(`task ${task.task_id}: ack rejected by the hub (${error.message}); another worker holds it now`);
    }
  }
}
