// timings.json from a report: the mean duration of each case, each backend's preflight and each pair, per machine,
// for `--timings` to balance the next split. Pure.
import type { MachineTimings, Timings } from "../manifest/partition.ts";
import type { ReportModel } from "./model.ts";

export function renderTimings(model: ReportModel): Timings {
  const machines: Record<string, MachineTimings> = {};
  for (const label of model.labels) {
    const t: MachineTimings = { cases: {}, preflight: {}, pairs: {} };
    for (const b of model.backends) {
      const m = b.machines.find((x) => x.label === label);
      if (!m) continue;
      if (m.preflight) t.preflight[b.name] = m.preflight.result.durationMs;
      for (const c of m.cases) {
        const ms = c.runs.map((r) => r.run?.durationMs).filter((n): n is number => n !== undefined);
        if (ms.length) t.cases[`${b.name}/${c.name}`] = Math.round(ms.reduce((s, v) => s + v, 0) / ms.length);
      }
    }
    for (const p of model.pairs) if (p.label === label) t.pairs[p.pair] = p.durationMs;
    machines[label] = t;
  }
  return { schema: "mittelo-timings/1", generatedAt: model.end?.ts ?? model.start.ts, plan: model.start.plan.hash, machines };
}
