// Checks the hub's replies before the dashboard uses them: whatever arrives, either typed data or a one-line ReplyError.
import { type Stats, TASK_STATUSES, type Task, type TaskStatus } from "../hub/task.ts";
import type { StoreView } from "./model.ts";

/** The hub answered, but not with what the protocol promises. */
export class ReplyError extends Error {
  constructor(method: string, what: string) {
    super(`the hub sent an unexpected reply to ${method}: ${what}`);
    this.name = "ReplyError";
  }
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `"${value.length > 20 ? `${value.slice(0, 20)}…` : value}"`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

function object(method: string, value: unknown, path: string): Obj {
  if (!isObject(value)) throw new ReplyError(method, `${path} is ${describe(value)}, expected an object`);
  return value;
}

function finite(method: string, value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new ReplyError(method, `${path} is ${describe(value)}, expected a number`);
  return value;
}

function nullable<T>(value: unknown, check: (v: unknown) => T): T | null {
  return value === null || value === undefined ? null : check(value);
}

function string(method: string, value: unknown, path: string): string {
  if (typeof value !== "string") throw new ReplyError(method, `${path} is ${describe(value)}, expected a string`);
  return value;
}

export function helloVersion(reply: unknown): string {
  const r = object("hello", reply, "the result");
  return string("hello", r.version, "version");
}

/** The hub's extensions (`features`); none when it does not say (a reference hub). */
export function helloFeatures(reply: unknown): string[] {
  const r = object("hello", reply, "the result");
  return Array.isArray(r.features) ? r.features.filter((f): f is string => typeof f === "string") : [];
}

/** Worker ids parked in a long-poll lease and holding no task: connected, waiting for work. */
export function waitingOf(reply: unknown): string[] {
  const m = "workers";
  const r = object(m, reply, "the result");
  if (!Array.isArray(r.workers)) throw new ReplyError(m, `workers is ${describe(r.workers)}, expected an array`);
  return r.workers.flatMap((value, i) => {
    const w = object(m, value, `workers[${i}]`);
    const id = string(m, w.worker_id, `workers[${i}].worker_id`);
    return w.waiting === true && (!Array.isArray(w.tasks) || w.tasks.length === 0) ? [id] : [];
  });
}

export function statsOf(reply: unknown): Stats {
  const r = object("stats", reply, "the result");
  const stats = object("stats", r.stats, "stats");
  const out = { queued: 0, leased: 0, done: 0, failed: 0 };
  for (const status of TASK_STATUSES) {
    const n = finite("stats", stats[status], `stats.${status}`);
    if (!Number.isInteger(n) || n < 0) throw new ReplyError("stats", `stats.${status} is ${n}, expected a count`);
    out[status] = n;
  }
  return out;
}

export function tasksOf(reply: unknown): Task[] {
  const r = object("list", reply, "the result");
  if (!Array.isArray(r.tasks)) throw new ReplyError("list", `tasks is ${describe(r.tasks)}, expected an array`);
  return r.tasks.map((value, i) => taskOf(value, `tasks[${i}]`));
}

function taskOf(value: unknown, path: string): Task {
  const m = "list";
  const t = object(m, value, path);
  const id = finite(m, t.task_id, `${path}.task_id`);
  if (!TASK_STATUSES.includes(t.status as TaskStatus)) throw new ReplyError(m, `${path}.status is ${describe(t.status)}, expected a task status`);
  return {
    task_id: id,
    prompt: string(m, t.prompt, `${path}.prompt`),
    status: t.status as TaskStatus,
    created_at: finite(m, t.created_at, `${path}.created_at`),
    updated_at: finite(m, t.updated_at, `${path}.updated_at`),
    leased_until: nullable(t.leased_until, (v) => finite(m, v, `${path}.leased_until`)),
    worker_id: nullable(t.worker_id, (v) => string(m, v, `${path}.worker_id`)),
    result: t.result ?? null,
    error: t.error ?? null,
    attempts: typeof t.attempts === "number" ? t.attempts : 0,
    max_attempts: typeof t.max_attempts === "number" ? t.max_attempts : 0,
    backend: typeof t.backend === "string" ? t.backend : null,
    priority: typeof t.priority === "number" ? t.priority : 0,
  };
}

/** The `hubs` reply → the store line of the dashboard. */
export function storeOf(reply: unknown): StoreView {
  const m = "hubs";
  const r = object(m, reply, "the result");
  const store = object(m, r.store, "store");
  if (!Array.isArray(r.hubs)) throw new ReplyError(m, `hubs is ${describe(r.hubs)}, expected an array`);
  return {
    kind: string(m, store.kind, "store.kind"),
    location: string(m, store.location, "store.location"),
    hubs: r.hubs.map((value, i) => {
      const h = object(m, value, `hubs[${i}]`);
      return { listen: string(m, h.listen, `hubs[${i}].listen`), self: h.self === true };
    }),
  };
}
