// Folds the event stream into the model every renderer reads. Pure.
import type { Outcome, Verdict } from "../backends/verdict.ts";
import type { Outcome as Expected } from "../manifest/plan-types.ts";
import type { CaseEndEvent, MatrixEvent, PairEndEvent, PreflightEvent, RunEndEvent, RunStartEvent } from "./events.ts";
import { aggregateOutcome, outcomeMatches } from "../backends/outcome.ts";

export interface BackendReport {
  name: string;
  source: "manifest" | "folder";
  description: string;
  expected: Expected;
  outcome: Outcome;
  matches: boolean;
  /** The verdict that explains the outcome: the first case that did not pass, else the first case. */
  verdict: Verdict | undefined;
  preflight: PreflightEvent | undefined;
  cases: CaseEndEvent[];
  latencyMs: number | undefined;
}

export interface ReportModel {
  start: RunStartEvent;
  end: RunEndEvent | undefined;
  backends: BackendReport[];
  pairs: PairEndEvent[];
}

export function foldEvents(events: readonly MatrixEvent[]): ReportModel {
  const start = events.find((e): e is RunStartEvent => e.type === "run-start");
  if (!start) throw new Error("event stream has no run-start event");
  const end = events.find((e): e is RunEndEvent => e.type === "run-end");
  const backends: BackendReport[] = start.backends.map((b) => {
    const cases = events.filter((e): e is CaseEndEvent => e.type === "case-end" && e.backend === b.name);
    const outcome = aggregateOutcome(cases.map((c) => c.verdict.outcome));
    const explaining = cases.find((c) => c.verdict.outcome === outcome && outcome !== "PASS") ?? cases.find((c) => c.verdict.outcome !== "PASS") ?? cases[0];
    const latencies = cases.map((c) => c.run?.durationMs).filter((n): n is number => n !== undefined);
    return {
      name: b.name,
      source: b.source,
      description: b.description,
      expected: b.expected,
      outcome: cases.length ? outcome : "SKIP",
      matches: outcomeMatches(b.expected, cases.length ? outcome : "SKIP"),
      verdict: explaining?.verdict,
      preflight: events.find((e): e is PreflightEvent => e.type === "preflight" && e.backend === b.name),
      cases,
      latencyMs: latencies.length ? Math.max(...latencies) : undefined,
    };
  });
  const pairs = events.filter((e): e is PairEndEvent => e.type === "pair-end");
  return { start, end, backends, pairs };
}

/** How one case is reported to TAP and JUnit, judged against its backend's expectation. */
export function caseStatus(expected: Expected, outcome: Outcome): { ok: boolean; directive?: "SKIP" | "TODO" } {
  const ok = outcomeMatches(expected, outcome);
  if (outcome === "SKIP" && ok) return { ok: true, directive: "SKIP" };
  if (outcome === "FAIL" && expected === "fail") return { ok: false, directive: "TODO" };
  return { ok };
}

/** Quotes an argv for display in a shell (never executed by us). */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}
