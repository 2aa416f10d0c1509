// Human-readable renderings of hub replies for the CLI (pure: data in, text out).
import type { HubsResult, Stats, Task } from "./protocol-types.ts";

export function renderStats(stats: Stats): string {
  return `queued ${stats.queued} · leased ${stats.leased} · done ${stats.done} · failed ${stats.failed}\n`;
}

/** A table of tasks (as any hub sends them: extensions may be missing), newest first as listed, then the totals; `more`: the hub's reply budget stopped the list. */
export function renderTaskTable(tasks: readonly Task[], stats: Stats, more = false): string {
  if (tasks.length === 0) return `no tasks\n${renderStats(stats)}`;
  const rows = tasks.map((t) => [
    String(t.task_id),
    t.status,
    t.worker_id ?? "-",
    String(t.attempts ?? 0),
    t.backend ?? "-",
    age(t.updated_at),
    oneLine(t.status === "failed" ? `${text(t.error)}` : t.status === "done" ? text(t.result) : t.prompt, 60),
  ]);
  const header = ["ID", "STATUS", "WORKER", "TRIES", "BACKEND", "UPDATED", "PROMPT / RESULT / ERROR"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  const cut = more ? `… more tasks than one reply of the hub holds (its --max-reply-bytes): narrow with --status or --limit\n` : "";
  return `${[line(header), ...rows.map(line)].join("\n")}\n${cut}${renderStats(stats)}`;
}

/** The store line and one line per hub sharing it (as `status` prints after the table). */
export function renderHubs(store: HubsResult["store"], hubs: HubsResult["hubs"]): string {
  const lines = [`store ${store.kind} ${store.location} · ${hubs.length} hub(s) connected`];
  for (const h of hubs) {
    lines.push(
      `  hub ${h.listen} on ${h.host} (pid ${h.pid}, ${h.version}) · ${h.waiting} waiting · seen ${(h.seen_ago_ms / 1000).toFixed(1)}s ago${h.self ? " · answered" : ""}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function age(epochSeconds: number): string {
  const s = Math.max(0, Date.now() / 1000 - epochSeconds);
  if (s < 60) return `${Math.round(s)}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}
