// The dashboard as lines with a tone: the plain snapshot prints the text, the live view colours it. One layout for both.
import type { Task } from "../hub/task.ts";
import { age, firstLine, remaining, table, text, truncate } from "./format.ts";
import type { DashboardState, Offline, Snapshot } from "./model.ts";

export type Tone = "title" | "ok" | "bad" | "warn" | "dim" | "plain" | "queued" | "leased" | "done" | "failed";

export interface Line {
  text: string;
  tone: Tone;
}

export interface ViewOptions {
  width: number;
  /** Most task rows to show (the live view fits its height); undefined: all fetched. */
  maxTasks?: number | undefined;
  /** Most worker rows to show; undefined: all. */
  maxWorkers?: number | undefined;
}

export function viewLines(state: DashboardState, options: ViewOptions): Line[] {
  const width = Math.max(20, options.width);
  const lines = state.kind === "online" ? onlineLines(state, options) : offlineLines(state);
  return lines.map((l) => ({ ...l, text: truncate(l.text, width) }));
}

function offlineLines(state: Offline): Line[] {
  const lines: Line[] = [
    { text: `Mittelö dashboard · hub ${state.address} · OFFLINE`, tone: "title" },
    { text: "", tone: "plain" },
    { text: `OFFLINE: cannot reach the hub at ${state.address}`, tone: "bad" },
    { text: `error: ${state.error}`, tone: "plain" },
    { text: `start a hub: ${state.startCommand}`, tone: "plain" },
  ];
  if (state.retryInSeconds > 0) lines.push({ text: `retrying in ${Math.ceil(state.retryInSeconds)}s`, tone: "warn" });
  return lines;
}

function summary(task: Task): string {
  if (task.status === "failed") return firstLine(text(task.error)) || "(no error text)";
  if (task.status === "done") return firstLine(text(task.result)) || "(empty result)";
  return firstLine(task.prompt);
}

function onlineLines(s: Snapshot, options: ViewOptions): Line[] {
  const { stats, throughput: tp } = s;
  const total = stats.queued + stats.leased + stats.done + stats.failed;
  const atLeast = tp.capped ? "≥" : "";
  const lines: Line[] = [
    { text: `Mittelö dashboard · hub ${s.address} · v${s.version || "?"} · ONLINE`, tone: "title" },
    ...(s.store
      ? [
          {
            text: `store ${s.store.kind} ${s.store.location} · ${s.store.hubs.length} hub(s) connected: ${s.store.hubs.map((h) => `${h.listen}${h.self ? " (this one)" : ""}`).join(", ")}`,
            tone: "dim" as const,
          },
        ]
      : []),
    { text: `queued ${stats.queued} · leased ${stats.leased} · done ${stats.done} · failed ${stats.failed} · total ${total}`, tone: "ok" },
    {
      text: `throughput: ${atLeast}${tp.doneLastMinute} done in the last minute · ${atLeast}${tp.perMinute.toFixed(1)} tasks/min (5 min average)`,
      tone: "plain",
    },
    { text: "", tone: "plain" },
  ];
  const shown = options.maxTasks === undefined ? s.tasks : s.tasks.slice(0, Math.max(0, options.maxTasks));
  const more = s.tasks.length - shown.length;
  lines.push({ text: `Recent tasks (filter: ${s.filter})${more > 0 ? ` · ${more} more not shown` : ""}`, tone: "title" });
  if (s.tasks.length === 0) {
    lines.push({ text: s.filter === "all" ? "no tasks" : `no ${s.filter} tasks`, tone: "dim" });
  } else {
    const rows = shown.map((t) => [String(t.task_id), t.status, t.worker_id ?? "-", age(s.at / 1000 - t.updated_at), summary(t)]);
    const [header, ...body] = table(["ID", "STATUS", "WORKER", "AGE", "PROMPT / RESULT / ERROR"], rows, options.width);
    lines.push({ text: header ?? "", tone: "dim" });
    body.forEach((line, i) => {
      lines.push({ text: line, tone: shown[i]?.status ?? "plain" });
    });
  }
  lines.push({ text: "", tone: "plain" });
  lines.push({ text: `Active workers (${new Set(s.workers.map((w) => w.workerId)).size})`, tone: "title" });
  if (s.workers.length === 0) {
    lines.push({ text: "no leases", tone: "dim" });
  } else {
    const workers = options.maxWorkers === undefined ? s.workers : s.workers.slice(0, Math.max(0, options.maxWorkers));
    const rows = workers.map((w) => [w.workerId, String(w.taskId), remaining(w.leaseRemaining)]);
    const [header, ...body] = table(["WORKER", "TASK", "LEASE LEFT"], rows, options.width);
    lines.push({ text: header ?? "", tone: "dim" });
    for (const line of body) lines.push({ text: line, tone: "plain" });
    if (workers.length < s.workers.length) lines.push({ text: `… ${s.workers.length - workers.length} more lease(s)`, tone: "dim" });
  }
  if (s.waiting.length > 0) lines.push({ text: truncate(`waiting for tasks (${s.waiting.length}): ${s.waiting.join(", ")}`, options.width), tone: "dim" });
  return lines;
}
