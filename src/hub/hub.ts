// The hub core: one method call → one store operation, with fencing, long-poll and auth. No sockets here.
import { timingSafeEqual } from "node:crypto";
import { version } from "../util/version.ts";
import { ProtocolError } from "./errors.ts";
import { fenceToken } from "./fence.ts";
import { GroupCommit } from "./group-commit.ts";
import { LongPoll } from "./long-poll.ts";
import type { Session } from "./session.ts";
import { ackTask } from "./store/ack.ts";
import type { Db } from "./store/db.ts";
import { enqueueTask } from "./store/enqueue.ts";
import { extendLease } from "./store/extend.ts";
import { getTask } from "./store/get.ts";
import { leaseTasks } from "./store/lease.ts";
import { leasesByWorker, nextExpiry } from "./store/leases.ts";
import { listTasks } from "./store/list.ts";
import { retryFailed } from "./store/retry-failed.ts";
import { taskStats } from "./store/stats.ts";
import { DEFAULT_WORKER_ID, nowSeconds, type Task, type TaskRow, type TaskStatus, toTask } from "./task.ts";

export const PROTOCOL_VERSION = 1;
export const FEATURES = ["fencing", "extend", "long-poll", "attempts", "routing", "priority", "auth", "get", "line-limit", "workers"];

export interface HubCoreOptions {
  leaseSeconds: number;
  maxAttempts: number;
  token?: string | undefined;
}

type Params = Record<string, unknown>;

const workerIdOf = (params: Params): string => (params.worker_id as string | undefined) ?? DEFAULT_WORKER_ID;

export class Hub {
  readonly longPoll: LongPoll;
  /** Batches writes; transports release replies through `commits.whenDurable`. */
  readonly commits: GroupCommit;
  private closing = false;
  private shutdownListener: (() => void) | undefined;

  constructor(
    readonly db: Db,
    readonly options: HubCoreOptions,
  ) {
    this.commits = new GroupCommit(db);
    this.longPoll = new LongPoll(() => {
      const t = nextExpiry(this.db, nowSeconds());
      return t === undefined ? undefined : t * 1000;
    });
  }

  /** Called once when a client asks the hub to shut down (after the reply is sent). */
  onShutdown(listener: () => void): void {
    this.shutdownListener = listener;
  }

  /** Stops long-polls (they answer with no tasks); the transports call this when shutting down. */
  stop(): void {
    this.closing = true;
    this.longPoll.close();
    this.commits.commit();
  }

  get requiresAuth(): boolean {
    return Boolean(this.options.token);
  }

  /** Runs a validated method. Synchronous except a lease that waits (long-poll). Throws ProtocolError. */
  call(method: string, params: Params, session: Session): unknown | Promise<unknown> {
    if (method === "auth") return this.auth(params.token as string, session);
    if (this.requiresAuth && !session.authed)
      throw new ProtocolError("unauthorized", 'authentication required: send {"method": "auth", "params": {"token": …}} first');
    switch (method) {
      case "enqueue":
        return this.enqueue(params);
      case "lease":
        return this.lease(params, session);
      case "ack":
        return this.ack(params, session);
      case "extend":
        return this.extend(params, session);
      case "list":
        return this.list(params);
      case "get":
        return this.get(params.task_id as number);
      case "stats":
        return { stats: taskStats(this.db) };
      case "retry_failed":
        return this.retry();
      case "shutdown":
        setImmediate(() => this.shutdownListener?.());
        return { ok: true };
      case "workers":
        return this.workers();
      case "hello":
        return { server: "mittelo", version: version(), protocol: PROTOCOL_VERSION, features: FEATURES };
      default:
        throw new ProtocolError("invalid", `unknown method "${method}"`);
    }
  }

  private auth(token: string, session: Session): { ok: true } {
    const expected = this.options.token;
    if (!expected) {
      session.authed = true;
      return { ok: true };
    }
    const a = Buffer.from(token);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new ProtocolError("unauthorized", "auth: wrong token");
    session.authed = true;
    return { ok: true };
  }

  private task(row: TaskRow): Task {
    return toTask(row, this.options.maxAttempts);
  }

  private enqueue(params: Params): { task_id: number } {
    const taskId = this.commits.write(() =>
      enqueueTask(
        this.db,
        {
          prompt: params.prompt as string,
          backend: params.backend as string | null | undefined,
          priority: params.priority as number | undefined,
          max_attempts: params.max_attempts as number | undefined,
        },
        nowSeconds(),
      ),
    );
    this.longPoll.wake();
    return { task_id: taskId };
  }

  private leaseNow(params: Params, session: Session): Task[] {
    const rows = this.commits.write(() =>
      leaseTasks(
        this.db,
        {
          worker_id: workerIdOf(params),
          max_tasks: (params.max_tasks as number | undefined) ?? 1,
          lease_seconds: (params.lease_seconds as number | undefined) ?? this.options.leaseSeconds,
          backends: params.backends as string[] | undefined,
        },
        nowSeconds(),
        this.options.maxAttempts,
      ),
    );
    for (const row of rows) session.leases.set(row.task_id, row.lease_seq);
    return rows.map((row) => this.task(row));
  }

  private lease(params: Params, session: Session): { tasks: Task[] } | Promise<{ tasks: Task[] }> {
    const tasks = this.leaseNow(params, session);
    const waitMs = (params.wait_ms as number | undefined) ?? 0;
    if (tasks.length > 0 || waitMs === 0 || this.closing) return { tasks };
    return new Promise((resolve) => {
      this.longPoll.add(
        () => {
          if (session.closed) {
            resolve({ tasks: [] });
            return true;
          }
          const got = this.leaseNow(params, session);
          if (got.length === 0) return false;
          resolve({ tasks: got });
          return true;
        },
        () => resolve({ tasks: [] }),
        waitMs,
        params.backends === undefined,
        workerIdOf(params),
      );
    });
  }

  private ack(params: Params, session: Session): { ok: true } {
    const taskId = params.task_id as number;
    const workerId = params.worker_id as string | undefined;
    const seq = fenceToken("ack", taskId, getTask(this.db, taskId), workerId, session.leases.get(taskId));
    const status = (params.status as string).toLowerCase() as "done" | "failed";
    if (!this.commits.write(() => ackTask(this.db, { task_id: taskId, status, result: params.result, error: params.error }, seq, nowSeconds()))) {
      throw new ProtocolError("conflict", `ack: the lease of task ${taskId} changed while acking; nothing was changed`);
    }
    session.leases.delete(taskId);
    return { ok: true };
  }

  private extend(params: Params, session: Session): { leased_until: number } {
    const taskId = params.task_id as number;
    const seq = fenceToken("extend", taskId, getTask(this.db, taskId), params.worker_id as string | undefined, session.leases.get(taskId));
    const now = nowSeconds();
    const until = now + ((params.lease_seconds as number | undefined) ?? this.options.leaseSeconds);
    if (!this.commits.write(() => extendLease(this.db, taskId, seq, until, now)))
      throw new ProtocolError("conflict", `extend: the lease of task ${taskId} changed; nothing was changed`);
    return { leased_until: until };
  }

  private list(params: Params): { tasks: Task[]; stats: ReturnType<typeof taskStats> } {
    const status = (params.status ?? undefined) as TaskStatus | undefined;
    const limit = (params.limit as number | undefined) ?? 50;
    return { tasks: listTasks(this.db, status, limit).map((row) => this.task(row)), stats: taskStats(this.db) };
  }

  private get(taskId: number): { task: Task } {
    const row = getTask(this.db, taskId);
    if (!row) throw new ProtocolError("not_found", `get: task ${taskId} does not exist`);
    return { task: this.task(row) };
  }

  /** Who is working: every worker waiting in a long-poll or holding a valid lease, by worker id. */
  private workers(): { workers: Array<{ worker_id: string; waiting: boolean; tasks: number[] }> } {
    const leases = leasesByWorker(this.db, nowSeconds());
    const waiting = new Set(this.longPoll.waitingWorkers());
    const ids = [...new Set([...waiting, ...leases.keys()])].sort();
    return { workers: ids.map((id) => ({ worker_id: id, waiting: waiting.has(id), tasks: leases.get(id) ?? [] })) };
  }

  private retry(): { retried: number } {
    const retried = this.commits.write(() => retryFailed(this.db, nowSeconds()));
    if (retried > 0) this.longPoll.wake();
    return { retried };
  }
}
