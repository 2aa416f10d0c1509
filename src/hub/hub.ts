// The hub core: one method call → one store operation, with fencing, long-poll and auth. No sockets, no SQL here.
import { timingSafeEqual } from "node:crypto";
import { version } from "../util/version.ts";
import { ProtocolError } from "./errors.ts";
import { fenceRefusal, isRepeatedAck } from "./fence.ts";
import { DEFAULT_LIMITS, type HubLimits, LIST_TEXT_BYTES, maxTasksPerLease } from "./limits.ts";
import { type ListedTask, listWithinBudget } from "./list-reply.ts";
import { LongPoll } from "./long-poll.ts";
import type { Session } from "./session.ts";
import type { Expiry, Holder, Presence, Store } from "./store/store.ts";
import {
  type AckParams,
  type EnqueueParams,
  type EnqueueResult,
  type ExtendParams,
  FEATURES,
  type HelloResult,
  type HubsResult,
  type LeaseParams,
  type ListParams,
  type Method,
  type MethodParams,
  type MethodResults,
} from "./protocol-types.ts";
import { DEFAULT_WORKER_ID, type Stats, type Task, type TaskRow, toTask } from "./task.ts";

export const PROTOCOL_VERSION = 1;

export interface HubCoreOptions {
  leaseSeconds: number;
  maxAttempts: number;
  token?: string | undefined;
  /** The memory budget (limits.ts); defaults when unset. */
  limits?: HubLimits | undefined;
}

/** What `lease` and ack's `lease` param have in common (ack's has no wait_ms). */
type LeaseRequest = Omit<LeaseParams, "wait_ms">;

/** One method: its params (already checked against the schema) → its result, as the schema promises. */
type Handler<M extends Method> = (params: MethodParams[M], session: Session) => Promise<MethodResults[M]> | MethodResults[M];
type Handlers = { [M in Method]: Handler<M> };

/** Who claims the lease: the worker_id sent, and the lease_seq sent or, failing that, the one this connection got. */
function holderOf(params: AckParams | ExtendParams, session: Session): Holder {
  return { workerId: params.worker_id, leaseSeq: params.lease_seq ?? session.leases.get(params.task_id) };
}

export class Hub {
  readonly longPoll: LongPoll;
  private closing = false;
  private shutdownListener: (() => void) | undefined;
  private identity: Omit<Presence, "waiting"> | undefined;
  private presenceScheduled = false;
  readonly limits: HubLimits;

  constructor(
    readonly store: Store,
    readonly options: HubCoreOptions,
  ) {
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.longPoll = new LongPoll(() => this.publishPresence());
    store.onChange((change) => {
      if (change.kind === "available") this.longPoll.wake();
      else this.longPoll.expiryAt(change.expiry);
    });
  }

  /** Who this hub is, for `hubs` and `workers` across hubs (set once it listens). */
  identify(identity: Omit<Presence, "waiting">): Promise<void> {
    this.identity = identity;
    return this.store.setPresence({ ...identity, waiting: [] });
  }

  /** Called once when a client asks the hub to shut down (after the reply is sent). */
  onShutdown(listener: () => void): void {
    this.shutdownListener = listener;
  }

  /** Stops long-polls (they answer with no tasks); the transports call this when shutting down. */
  stop(): void {
    this.closing = true;
    this.longPoll.close();
  }

  get requiresAuth(): boolean {
    return Boolean(this.options.token);
  }

  /** Every method, by name: the dispatch table (a method of the schema missing here is a compile error). */
  private readonly handlers: Handlers = {
    enqueue: (params, session) => this.enqueue(params, session),
    lease: (params, session) => this.lease(params, session),
    ack: (params, session) => this.ack(params, session),
    list: (params) => this.list(params),
    stats: async () => ({ stats: await this.store.stats() }),
    retry_failed: (_params, session) => this.retry(session),
    shutdown: () => {
      setImmediate(() => this.shutdownListener?.());
      return { ok: true };
    },
    extend: (params, session) => this.extend(params, session),
    get: (params) => this.get(params.task_id),
    hello: () => ({
      server: "mittelo",
      version: version(),
      protocol: PROTOCOL_VERSION,
      features: [...FEATURES],
      store: this.store.kind,
      limits: this.advertisedLimits(),
    }),
    auth: (params, session) => this.auth(params.token, session),
    workers: () => this.workers(),
    hubs: () => this.hubs(),
  };

  /** Runs a method whose params passed the schema (params.ts). Rejects with ProtocolError when the request is refused. */
  async call<M extends Method>(method: M, params: MethodParams[M], session: Session): Promise<MethodResults[M]> {
    if (method !== "auth" && this.requiresAuth && !session.authed)
      throw new ProtocolError("unauthorized", 'authentication required: send {"method": "auth", "params": {"token": …}} first');
    const handler: Handlers[M] = this.handlers[method];
    return handler(params, session);
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

  /** What a client may send and will get (hello's `limits`). */
  private advertisedLimits(): NonNullable<HelloResult["limits"]> {
    const l = this.limits;
    return {
      max_line_bytes: l.maxLineBytes,
      max_prompt_bytes: l.maxPromptBytes,
      max_result_bytes: l.maxResultBytes,
      max_reply_bytes: l.maxReplyBytes,
      max_tasks_per_lease: maxTasksPerLease(l),
      list_text_bytes: LIST_TEXT_BYTES,
      idle_timeout_ms: l.idleTimeoutMs,
      auth_timeout_ms: this.requiresAuth ? l.authTimeoutMs : 0,
    };
  }

  private async enqueue(params: EnqueueParams, session: Session): Promise<EnqueueResult> {
    const bytes = Buffer.byteLength(params.prompt, "utf8");
    if (bytes > this.limits.maxPromptBytes) {
      throw new ProtocolError(
        "too_large",
        `enqueue: the prompt is ${bytes} bytes, over this hub's limit of ${this.limits.maxPromptBytes} (--max-prompt-bytes); send a shorter prompt, or put the text in a file the backend reads`,
      );
    }
    const taskId = await this.store.enqueue(
      { prompt: params.prompt, backend: params.backend, priority: params.priority, max_attempts: params.max_attempts },
      session,
    );
    this.longPoll.wake();
    return { task_id: taskId };
  }

  private async leaseNow(params: LeaseRequest, session: Session): Promise<{ tasks: Task[]; nextExpiry: Expiry | undefined }> {
    const { tasks: rows, nextExpiry } = await this.store.lease(
      {
        worker_id: params.worker_id ?? DEFAULT_WORKER_ID,
        // The reply holds every prompt: at most --max-reply-bytes / --max-prompt-bytes tasks (clients lease again).
        max_tasks: Math.min(params.max_tasks ?? 1, maxTasksPerLease(this.limits)),
        lease_seconds: params.lease_seconds ?? this.options.leaseSeconds,
        backends: params.backends,
        default_max_attempts: this.options.maxAttempts,
      },
      session,
    );
    this.longPoll.expiryAt(nextExpiry);
    const tasks: Task[] = [];
    for (const row of rows) {
      session.leases.set(row.task_id, row.lease_seq);
      tasks.push(this.task(row));
    }
    return { tasks, nextExpiry };
  }

  private async lease(params: LeaseParams, session: Session): Promise<{ tasks: Task[] }> {
    const mark = this.longPoll.mark;
    const { tasks, nextExpiry } = await this.leaseNow(params, session);
    const waitMs = params.wait_ms ?? 0;
    if (tasks.length > 0 || waitMs === 0 || this.closing || session.closed) return { tasks };
    return new Promise((resolve) => {
      this.longPoll.add(
        async () => {
          if (session.closed) {
            resolve({ tasks: [] });
            return true;
          }
          const got = (await this.leaseNow(params, session)).tasks;
          if (got.length === 0) return false;
          resolve({ tasks: got });
          return true;
        },
        () => resolve({ tasks: [] }),
        waitMs,
        params.backends === undefined,
        params.worker_id ?? DEFAULT_WORKER_ID,
        mark,
        nextExpiry,
      );
    });
  }

  private async ack(params: AckParams, session: Session): Promise<{ ok: true; repeated?: true; tasks?: Task[] }> {
    const taskId = params.task_id;
    const holder = holderOf(params, session);
    if (holder.workerId === undefined && holder.leaseSeq === undefined) throw fenceRefusal("ack", taskId, await this.store.get(taskId), holder);
    const status = params.status.toLowerCase() === "done" ? "done" : "failed"; // the schema allows only these two, in any case
    for (const field of ["result", "error"] as const) {
      const value = params[field];
      if (value === undefined || value === null) continue;
      const bytes = Buffer.byteLength(JSON.stringify(value), "utf8");
      if (bytes > this.limits.maxResultBytes) {
        throw new ProtocolError(
          "too_large",
          `ack: the ${field} is ${bytes} bytes as JSON, over this hub's limit of ${this.limits.maxResultBytes} (--max-result-bytes); the lease is unchanged: ack again with a shorter ${field}`,
        );
      }
    }
    const outcome = await this.store.ack({ task_id: taskId, status, result: params.result, error: params.error }, holder, session);
    let reply: { ok: true; repeated?: true; tasks?: Task[] } = { ok: true };
    if (!outcome.ok) {
      if (!isRepeatedAck(outcome.row, holder, status)) throw fenceRefusal("ack", taskId, outcome.row, holder);
      reply = { ok: true, repeated: true };
    }
    session.leases.delete(taskId);
    const next = params.lease;
    if (next !== undefined && !this.closing) {
      // ack-lease: the next lease rides on the same request (and, on SQLite, the same commit); no long-poll.
      reply.tasks = (await this.leaseNow({ ...next, worker_id: next.worker_id ?? params.worker_id }, session)).tasks;
    } else if (next !== undefined) {
      reply.tasks = [];
    }
    return reply;
  }

  private async extend(params: ExtendParams, session: Session): Promise<{ leased_until: number }> {
    const taskId = params.task_id;
    const holder = holderOf(params, session);
    if (holder.workerId === undefined && holder.leaseSeq === undefined) throw fenceRefusal("extend", taskId, await this.store.get(taskId), holder);
    const leaseSeconds = params.lease_seconds ?? this.options.leaseSeconds;
    const outcome = await this.store.extend(taskId, holder, leaseSeconds, session);
    if (!outcome.ok) throw fenceRefusal("extend", taskId, outcome.row, holder);
    this.longPoll.expiryAt({ at: outcome.value, inMs: leaseSeconds * 1000 });
    return { leased_until: outcome.value };
  }

  /**
   * Newest first within --max-reply-bytes, texts cut to `text_bytes` (default LIST_TEXT_BYTES) with a marker;
   * `more: true` when the budget stopped it (then `before` = the last task_id reads on).
   */
  private async list(params: ListParams): Promise<{ tasks: ListedTask[]; stats: Stats; more?: true }> {
    const limit = params.limit ?? 50;
    const [listed, stats] = await Promise.all([
      listWithinBudget(this.store, {
        status: params.status ?? undefined,
        limit: limit <= 0 ? Number.POSITIVE_INFINITY : limit,
        beforeId: params.before,
        textBytes: Math.min(params.text_bytes ?? LIST_TEXT_BYTES, this.limits.maxReplyBytes),
        maxBytes: this.limits.maxReplyBytes,
        defaultMaxAttempts: this.options.maxAttempts,
      }),
      this.store.stats(),
    ]);
    return listed.more ? { tasks: listed.tasks, stats, more: true } : { tasks: listed.tasks, stats };
  }

  private async get(taskId: number): Promise<{ task: Task }> {
    const row = await this.store.get(taskId);
    if (!row) throw new ProtocolError("not_found", `get: task ${taskId} does not exist`);
    return { task: this.task(row) };
  }

  /** Who is working, on every hub sharing the store: waiting in a long-poll, or holding a valid lease, by worker id. */
  private async workers(): Promise<{ workers: Array<{ worker_id: string; waiting: boolean; tasks: number[] }> }> {
    const [{ held }, hubs] = await Promise.all([this.store.leases(), this.store.hubs()]);
    const waiting = new Set(this.longPoll.waitingWorkers());
    for (const hub of hubs) if (hub.hubId !== this.identity?.hubId) for (const id of hub.waiting) waiting.add(id);
    const ids = [...new Set([...waiting, ...held.keys()])].sort();
    return { workers: ids.map((id) => ({ worker_id: id, waiting: waiting.has(id), tasks: held.get(id) ?? [] })) };
  }

  /** The store and the hubs sharing it (this one included). */
  private async hubs(): Promise<HubsResult> {
    const hubs = await this.store.hubs();
    return {
      store: { kind: this.store.kind, location: this.store.location },
      hubs: hubs.map((h) => ({
        hub_id: h.hubId,
        listen: h.listen,
        host: h.host,
        pid: h.pid,
        version: h.version,
        started_at: h.startedAt,
        seen_ago_ms: Math.round(h.seenAgoMs),
        waiting: h.hubId === this.identity?.hubId ? this.longPoll.size : h.waiting.length,
        self: h.hubId === this.identity?.hubId,
      })),
    };
  }

  private async retry(session: Session): Promise<{ retried: number }> {
    const retried = await this.store.retryFailed(session);
    if (retried > 0) this.longPoll.wake();
    return { retried };
  }

  /** Publishes who waits here, at most once per tick (PostgreSQL stores write it for the other hubs). */
  private publishPresence(): void {
    if (this.presenceScheduled || !this.identity) return;
    this.presenceScheduled = true;
    setImmediate(() => {
      this.presenceScheduled = false;
      if (this.identity) void this.store.setPresence({ ...this.identity, waiting: this.longPoll.waitingWorkers() });
    });
  }
}
