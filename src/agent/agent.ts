// An agent: lease a task (long-poll), run it through THE backend-invocation path, heartbeat while it runs,
// ack the answer or the classified failure. Reconnects with backoff and never loses or double-acks the task in hand.
import { setTimeout as wait } from "node:timers/promises";
import { type HubClient, HubRequestError, HubUnavailableError, type ParamsArgument } from "../hub/client.ts";
import type { HubEndpoint } from "../hub/config.ts";
import { connectFirst, where } from "../hub/failover.ts";
import type { Method, MethodResults } from "../hub/protocol-types.ts";
import type { PreparedBackend } from "../backends/prepare.ts";
import { runPrompt } from "../backends/run.ts";
import { taskError } from "../backends/task-error.ts";
import type { UpstreamObserver } from "../backends/upstream.ts";
import { EXIT_FAIL, MitteloError } from "../util/errors.ts";
import type { PlanSettings } from "../manifest/plan-types.ts";

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

interface Task {
  task_id: number;
  prompt: string;
  /** The lease's fencing token (hubs with the lease-seq feature): sent back with ack/extend. */
  lease_seq?: number;
}

/** A graceful stop could not reach the hub to deliver an ack before the task's lease ran out. */
export class AgentGaveUp extends MitteloError {
  constructor(message: string) {
    super("ack-undelivered", message, { exitCode: EXIT_FAIL });
  }
}

export interface AgentStats {
  done: number;
  failed: number;
  fenced: number;
  reconnects: number;
}

/** Waits `ms`, or less when `signal` aborts (then it resolves too: the caller checks the signal). */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> => wait(ms, undefined, signal ? { signal } : {}).catch(() => {});

export async function runAgent(options: AgentOptions): Promise<AgentStats> {
  const stats: AgentStats = { done: 0, failed: 0, fenced: 0, reconnects: 0 };
  const { log, workerId, prepared } = options;
  let client: HubClient | undefined;
  const onHardStop = () => client?.close(); // pending calls fail at once instead of waiting for the hub
  options.hardStop?.addEventListener("abort", onHardStop, { once: true });
  let backoff = 100;
  let acksInFlight = 0;
  /** The hub in use (index into options.hubs); after a failure the next one is tried first. */
  let current = 0;
  /** Set when a connection was lost: the next connect says where it landed. */
  let reconnecting = false;
  /**
   * Connects, retrying with backoff while the hub is away. Gives up (HubUnavailableError) on a hard stop, and on a
   * graceful stop once the lease of the task in hand has run out: an ack after that would be refused anyway.
   */
  const connect = async (): Promise<HubClient> => {
    let giveUpAt: number | undefined;
    while (true) {
      try {
        const { client: c, index } = await connectFirst(options.hubs, { token: options.token, timeoutMs: 5000 }, current);
        if (reconnecting || backoff > 100 || index !== current) log(`connected to ${where(options.hubs[index] as HubEndpoint)}`);
        current = index;
        reconnecting = false;
        backoff = 100;
        return c;
      } catch (error) {
        if (!(error instanceof HubUnavailableError)) throw error;
        if (options.hardStop?.aborted) throw error;
        if (options.signal.aborted) {
          if (acksInFlight === 0) throw error; // stopping, and no result to deliver
          giveUpAt ??= Date.now() + options.leaseSeconds * 1000;
          if (Date.now() >= giveUpAt)
            throw new AgentGaveUp(`${error.message}; stopping without delivering the ack (the hub re-leases the task when its lease expires)`);
        }
        log(`${error.message}; retrying in ${backoff} ms`);
        stats.reconnects++;
        await sleep(backoff, options.hardStop);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  };
  // One connection at a time, even when an ack and a lease both find it gone and reconnect at once.
  let connecting: Promise<HubClient> | undefined;
  const ensureClient = (): Promise<HubClient> => {
    if (client) return Promise.resolve(client);
    connecting ??= connect()
      .then((c) => {
        client = c;
        return c;
      })
      .finally(() => {
        connecting = undefined;
      });
    return connecting;
  };
  /** Calls the hub, reconnecting on connection loss until it answers (used for acks: the result must not be lost). */
  const reliably = async <M extends Method>(method: M, ...params: ParamsArgument<M>): Promise<MethodResults[M]> => {
    while (true) {
      let used: HubClient | undefined;
      try {
        used = await ensureClient();
        return await used.call(method, ...params);
      } catch (error) {
        if (!(error instanceof HubUnavailableError)) throw error;
        if (used && client === used) {
          used.close();
          client = undefined;
          reconnecting = true;
          if (options.hubs.length > 1) {
            log(`${error.message}; moving to the next hub`);
            current = (current + 1) % options.hubs.length;
          }
        }
        if ((options.signal.aborted && method === "lease") || options.hardStop?.aborted) throw error;
      }
    }
  };

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
      let tasks: Task[];
      try {
        const lease = reliably("lease", {
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
    client?.close();
  }
  return stats;

  /** Runs the task and sends its ack; resolves with the ack still in flight (undefined when nothing is acked). */
  async function handle(task: Task): Promise<{ ack: Promise<void> } | undefined> {
    log(`task ${task.task_id}: leased, running ${prepared.backend.name}`);
    // With the lease's token, a re-sent ack (after a failover) is recognised by any hub sharing the queue.
    const lease = task.lease_seq === undefined ? {} : { lease_seq: task.lease_seq };
    const heartbeat = setInterval(
      () => {
        client?.call("extend", { task_id: task.task_id, worker_id: workerId, ...lease, lease_seconds: options.leaseSeconds }).catch((error: Error) => {
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
          upstream: options.upstream,
        },
      );
    } finally {
      clearInterval(heartbeat);
    }
    if (options.hardStop?.aborted) {
      log(`task ${task.task_id}: canceled, not acked (the hub re-leases it when the lease expires)`);
      return undefined;
    }
    const delay = options.ackDelayMs?.(task.task_id) ?? 0;
    if (delay) await sleep(delay);
    const ok = result.verdict.outcome === "PASS";
    const redact = options.redact ?? ((text: string) => text);
    const params = ok
      ? { task_id: task.task_id, worker_id: workerId, ...lease, status: "done", result: redact(result.extraction.answer) }
      : { task_id: task.task_id, worker_id: workerId, ...lease, status: "failed", error: redact(taskError(result.verdict)) };
    acksInFlight++;
    const sent = reliably("ack", params)
      .finally(() => {
        acksInFlight--;
      })
      .then(
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
