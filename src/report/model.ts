// Folds the event stream into the model every renderer reads. Pure. A stream is one run, one shard, or a merge of
// several (events then carry the machine's `label`); the fold is the same for all, so a merged report is rendered by
// the same code as a single run.
import { type CaseResult, judgeBackend, judgeRuns, outcomeMatches, RESULTS, type Result } from "../backends/outcome.ts";
import type { Verdict } from "../backends/verdict.ts";
import type { Outcome as Expected } from "../manifest/plan-types.ts";
import type { CaseEndEvent, MatrixEvent, PairEndEvent, PreflightEvent, RunEndEvent, RunStartEvent } from "./events.ts";

/** One case of one backend on one machine, over its repetitions. */
export interface CaseReport {
  name: string;
  label: string;
  /** The runs, by repetition. */
  runs: CaseEndEvent[];
  result: CaseResult;
  /** The run that explains the result: the first that did not pass (unless the result is PASS), else the first. */
  shown: CaseEndEvent;
}

/** One backend on one machine. */
export interface MachineReport {
  label: string;
  outcome: Result;
  matches: boolean;
  verdict: Verdict | undefined;
  preflight: PreflightEvent | undefined;
  cases: CaseReport[];
  latencyMs: number | undefined;
  passes: number;
  runs: number;
  /** Cells of the backend in this stream, and in the plan: fewer in the report of a shard that holds only some. */
  cells: number;
  planCells: number;
}

export interface BackendReport {
  name: string;
  source: "manifest" | "folder";
  description: string;
  expected: Expected;
  line: number | undefined;
  /** Over every machine: any FAIL, else ERROR, else FLAKY, else PASS, else SKIP. */
  outcome: Result;
  /** Every machine's outcome met the expectation. */
  matches: boolean;
  /** The verdict that explains the outcome (of the first machine that did not match, else the first). */
  verdict: Verdict | undefined;
  preflight: PreflightEvent | undefined;
  /** Every case on every machine, machine by machine. */
  cases: CaseReport[];
  machines: MachineReport[];
  latencyMs: number | undefined;
  passes: number;
  runs: number;
}

export interface ReportModel {
  start: RunStartEvent;
  end: RunEndEvent | undefined;
  /** The machines of the report, in order (one unless merged from several labels). */
  labels: string[];
  repeat: number;
  backends: BackendReport[];
  /** Pair results; `label` is always set. */
  pairs: Array<PairEndEvent & { label: string }>;
}

export function foldEvents(events: readonly MatrixEvent[]): ReportModel {
  const start = events.find((e): e is RunStartEvent => e.type === "run-start");
  if (!start) throw new Error("event stream has no run-start event");
  const end = events.find((e): e is RunEndEvent => e.type === "run-end");
  const labels = start.merged?.machines.map((m) => m.label) ?? [start.label];
  const labelOf = (e: { label?: string }) => e.label ?? start.label;
  const repeat = start.plan.repeat;

  const caseEnds = new Map<string, CaseEndEvent[]>();
  for (const e of events) {
    if (e.type !== "case-end") continue;
    const key = `${labelOf(e)}\u0000${e.backend}\u0000${e.case}`;
    caseEnds.set(key, [...(caseEnds.get(key) ?? []), e]);
  }

  const backends: BackendReport[] = start.backends.map((b) => {
    const machines: MachineReport[] = labels.map((label) => {
      const cases: CaseReport[] = b.cases.flatMap((name) => {
        const runs = [...(caseEnds.get(`${label}\u0000${b.name}\u0000${name}`) ?? [])].sort((x, y) => x.repetition - y.repetition);
        const first = runs[0];
        if (!first) return [];
        const result = judgeRuns(
          runs.map((r) => r.verdict.outcome),
          b.minPassRate?.[name],
        );
        const shown = (result.outcome !== "PASS" ? runs.find((r) => r.verdict.outcome !== "PASS") : undefined) ?? first;
        return [{ name, label, runs, result, shown }];
      });
      const outcome = judgeBackend(cases.map((c) => c.result));
      const explaining = cases.find((c) => c.result.outcome === outcome && outcome !== "PASS") ?? cases.find((c) => c.result.outcome !== "PASS") ?? cases[0];
      const latencies = cases.flatMap((c) => c.runs.map((r) => r.run?.durationMs)).filter((n): n is number => n !== undefined);
      return {
        label,
        outcome,
        matches: outcomeMatches(b.expected, outcome),
        verdict: explaining?.shown.verdict,
        preflight: events.find((e): e is PreflightEvent => e.type === "preflight" && e.backend === b.name && labelOf(e) === label && !e.gateOnly),
        cases,
        latencyMs: latencies.length ? Math.max(...latencies) : undefined,
        passes: cases.reduce((s, c) => s + c.result.passes, 0),
        runs: cases.reduce((s, c) => s + c.result.runs, 0),
        cells: cases.reduce((s, c) => s + c.runs.length, 0),
        planCells: b.cases.length * repeat,
      };
    });
    const outcome = judgeBackend(machines.map((m) => ({ outcome: m.outcome, accepted: false })));
    const explaining = machines.find((m) => !m.matches) ?? machines.find((m) => m.outcome === outcome) ?? machines[0];
    const latencies = machines.map((m) => m.latencyMs).filter((n): n is number => n !== undefined);
    return {
      name: b.name,
      source: b.source,
      description: b.description,
      expected: b.expected,
      line: b.line,
      outcome,
      matches: machines.every((m) => m.matches),
      verdict: explaining?.verdict,
      preflight: explaining?.preflight,
      cases: machines.flatMap((m) => m.cases),
      machines,
      latencyMs: latencies.length ? Math.max(...latencies) : undefined,
      passes: machines.reduce((s, m) => s + m.passes, 0),
      runs: machines.reduce((s, m) => s + m.runs, 0),
    };
  });
  const pairs = events.filter((e): e is PairEndEvent => e.type === "pair-end").map((p) => ({ ...p, label: labelOf(p) }));
  return { start, end, labels, repeat, backends, pairs };
}

/** The run's verdict from the model: counts (backends, then pairs), the outcomes that differ from their expectation, the exit code. */
export function summarize(model: ReportModel): Pick<RunEndEvent, "counts" | "mismatches" | "exitCode"> {
  const counts = Object.fromEntries(RESULTS.map((r) => [r, 0])) as Record<Result, number>;
  const mismatches: string[] = [];
  const multi = model.labels.length > 1;
  for (const b of model.backends) {
    counts[b.outcome]++;
    for (const m of b.machines) {
      if (!m.matches) mismatches.push(`${b.name}${multi ? ` on ${m.label}` : ""}: expected ${b.expected.toUpperCase()}, got ${resultText(m, model.repeat)}`);
    }
  }
  for (const p of model.pairs) {
    counts[p.verdict.outcome]++;
    if (!p.matches)
      mismatches.push(`pair ${p.pair}${multi ? ` on ${p.label}` : ""}: expected ${p.expected.toUpperCase()}, got ${p.verdict.outcome} (${p.verdict.reason})`);
  }
  return { counts, mismatches, exitCode: mismatches.length ? 1 : 0 };
}

/** `PASS`, `FAIL`, `flaky 2/4`; with --repeat a PASS or FAIL shows its count too (`PASS 4/4`). */
export function resultText(r: { outcome: Result; passes: number; runs: number }, repeat = 1): string {
  if (r.outcome === "FLAKY") return `flaky ${r.passes}/${r.runs}`;
  return repeat > 1 && r.runs > 0 && (r.outcome === "PASS" || r.outcome === "FAIL") ? `${r.outcome} ${r.passes}/${r.runs}` : r.outcome;
}

/** How one case is reported to TAP and JUnit, judged against its backend's expectation. */
export function caseStatus(expected: Expected, outcome: Result): { ok: boolean; directive?: "SKIP" | "TODO" } {
  const ok = outcomeMatches(expected, outcome);
  if (outcome === "SKIP" && ok) return { ok: true, directive: "SKIP" };
  if (outcome === "FAIL" && expected === "fail") return { ok: false, directive: "TODO" };
  return { ok };
}
