// Step 3 of a merge: the merged stream's run-start and body. The run-start is the first used stream's, with the whole
// plan's backends and pairs (in plan order, each backend with all its cells), the earliest start, no shard, and where
// the merge came from; the body is every used stream's events with its machine's label, without the events the merge
// judges again (backend-end, pair-end, run-end), with one preflight per backend and machine and no gate-only one. Pure.
import type { MatrixEvent, RunStartEvent } from "../events.ts";
import type { EventStream } from "../read.ts";
import type { Attempts } from "./attempts.ts";

export interface StartContext {
  outDir: string;
  command: string[];
  runId: string;
}

export function mergedStart(attempts: Attempts, context: StartContext): RunStartEvent {
  const { used, labels } = attempts;
  const lead = (used[0] as EventStream).start;
  const byName = new Map(used.flatMap((s) => s.start.backends.map((b) => [b.name, b])));
  const pairByName = new Map(used.flatMap((s) => s.start.pairs.map((p) => [p.name, p])));
  return {
    ...lead,
    ts: used.map((s) => s.start.ts).sort()[0] as string,
    runId: context.runId,
    outDir: context.outDir,
    command: context.command,
    label: labels[0] as string,
    shard: null,
    backends: lead.plan.backends.flatMap((name) => {
      const b = byName.get(name);
      return b ? [{ ...b, cells: b.cases.length * lead.plan.repeat }] : [];
    }),
    pairs: lead.plan.pairs.flatMap((name) => {
      const p = pairByName.get(name);
      return p ? [p] : [];
    }),
    merged: { streams: attempts.streams, machines: attempts.machines, notes: attempts.notes },
  };
}

export function mergedBody(used: readonly EventStream[]): MatrixEvent[] {
  const body: MatrixEvent[] = [];
  const preflights = new Set<string>();
  for (const s of used) {
    for (const e of s.events) {
      if (e.type === "run-start" || e.type === "run-end" || e.type === "backend-end" || e.type === "pair-end") continue;
      if (e.type === "preflight") {
        const key = `${s.start.label}\u0000${e.backend}`;
        if (e.gateOnly || preflights.has(key)) continue;
        preflights.add(key);
      }
      body.push({ ...e, label: s.start.label } as MatrixEvent);
    }
  }
  return body;
}
