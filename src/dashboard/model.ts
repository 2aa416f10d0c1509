// The dashboard's data: what one poll of the hub yields (Snapshot) or why it could not (Offline). Pure: data in, data out.
import type { Stats, Task, TaskStatus } from "../hub/task.ts";

/** The status filter of the recent-tasks table; `f` cycles through them in this order. */
export type StatusFilter = "all" | TaskStatus;
export const FILTERS: readonly StatusFilter[] = ["all", "queued", "leased", "done", "failed"];

export function nextFilter(filter: StatusFilter): StatusFilter {
  return FILTERS[(FILTERS.indexOf(filter) + 1) % FILTERS.length] ?? "all";
}

export interface Throughput {
  /** Tasks whose last update (done) is within the last 60 s. */
  doneLastMinute: number;
  /** Average rate over the last five minutes. */
  perMinute: number;
  /** True when the done list was cut by its limit, so the figures are lower bounds. */
  capped: boolean;
}

export interface ActiveWorker {
  workerId: string;
  taskId: number;
  /** Seconds until the lease expires (negative: expired, not yet re-leased). */
  leaseRemaining: number;
}

export interface Snapshot {
  kind: "online";
  /** host:port the dashboard reads. */
  address: string;
  version: string;
  stats: Stats;
  filter: StatusFilter;
  /** Newest first, of the filter's status. */
  tasks: Task[];
  throughput: Throughput;
  workers: ActiveWorker[];
  /** Workers waiting for a task (parked in a long-poll, no lease); empty when the hub cannot say. */
  waiting: string[];
  /** The database and the hubs sharing it (hubs with the `hubs` feature). */
  store?: StoreView | undefined;
  /** Epoch ms of the poll (ages and lease times are relative to it). */
  at: number;
}

export interface StoreView {
  kind: string;
  location: string;
  /** listen addresses of the connected hubs; the one the dashboard reads is marked. */
  hubs: { listen: string; self: boolean }[];
}

export interface Offline {
  kind: "offline";
  address: string;
  /** What went wrong, in one line. */
  error: string;
  /** The command that starts a hub at this address. */
  startCommand: string;
  /** Seconds until the next attempt. */
  retryInSeconds: number;
  at: number;
}

export type DashboardState = Snapshot | Offline;

const WINDOW_SECONDS = 300;

/** Throughput from done tasks (newest first), by their updated_at, at `nowMs`. */
export function throughputOf(done: readonly Task[], nowMs: number, capped: boolean): Throughput {
  const now = nowMs / 1000;
  let lastMinute = 0;
  let window = 0;
  for (const task of done) {
    if (task.status !== "done") continue;
    const age = now - task.updated_at;
    if (age <= 60) lastMinute++;
    if (age <= WINDOW_SECONDS) window++;
  }
  return { doneLastMinute: lastMinute, perMinute: window / (WINDOW_SECONDS / 60), capped };
}

/** Active workers from leased tasks: one row per lease, by worker then task. */
export function workersOf(leased: readonly Task[], nowMs: number): ActiveWorker[] {
  const now = nowMs / 1000;
  return leased
    .filter((t) => t.status === "leased")
    .map((t) => ({ workerId: t.worker_id ?? "?", taskId: t.task_id, leaseRemaining: t.leased_until === null ? 0 : t.leased_until - now }))
    .sort((a, b) => a.workerId.localeCompare(b.workerId) || a.taskId - b.taskId);
}

/** The command that starts a hub where the dashboard looks for one. */
export function startCommandFor(host: string, port: number): string {
  return `mittelo hub --host ${host} --port ${port}`;
}
