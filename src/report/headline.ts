// The lines that say what a report covers when it is not one plain run: a shard, repetitions, a merge. Shared by TAP
// (as comments) and summary.md. Pure.
import type { ReportModel } from "./model.ts";

export function runHeadline(model: ReportModel): string[] {
  const { start } = model;
  const lines: string[] = [];
  const plan = `plan ${start.plan.hash.slice(0, 12)}`;
  if (start.shard) {
    const s = start.shard;
    lines.push(
      `shard ${s.index}/${s.total} of ${plan} on ${start.label} (by ${s.by}, balanced by ${s.basis === "timings" ? "timings" : "cell count"}): ${s.cells.length} of ${start.plan.cells} cells`,
    );
  }
  if (start.merged) {
    const used = start.merged.streams.filter((s) => s.used);
    const machines = start.merged.machines.map((m) => `${m.label} (${m.shards === 1 ? "1 run" : `${m.shards} shards`})`).join(", ");
    lines.push(`merged ${used.length} stream${used.length === 1 ? "" : "s"} of ${plan}: ${machines}`);
    lines.push(...start.merged.notes);
  }
  if (model.repeat > 1) lines.push(`every case ran ${model.repeat} times (--repeat ${model.repeat}): pass^k = all runs passed`);
  return lines;
}
