// The expectation rules: whether an outcome meets what the manifest expects, a case's result from its repetitions, a
// backend's from its cases, and the gate of a smoke pair. Used by the matrix, the reports, the merge and the pair
// smoke alike. Pure.
import type { Outcome as Expected } from "../manifest/plan-types.ts";
import type { Outcome, Verdict } from "./verdict.ts";

/** What a case or backend comes to over its runs: an Outcome, or FLAKY when some runs passed and some failed. */
export type Result = Outcome | "FLAKY";

export const RESULTS: readonly Result[] = ["PASS", "FAIL", "SKIP", "ERROR", "FLAKY"];

/** Whether an actual outcome satisfies an expected one. FLAKY satisfies none (a minimum pass rate turns it into PASS). */
export function outcomeMatches(expected: Expected, actual: Result): boolean {
  switch (expected) {
    case "pass":
      return actual === "PASS";
    case "skip":
      return actual === "SKIP";
    case "fail":
      return actual === "FAIL";
    default:
      return actual === "PASS" || actual === "SKIP";
  }
}

/** A backend's outcome from its cases: any FAIL, else any ERROR, else PASS if any passed, else SKIP. */
export function aggregateOutcome(outcomes: Outcome[]): Outcome {
  if (outcomes.includes("FAIL")) return "FAIL";
  if (outcomes.includes("ERROR")) return "ERROR";
  if (outcomes.includes("PASS")) return "PASS";
  return "SKIP";
}

/** One case over its k runs. */
export interface CaseResult {
  outcome: Result;
  runs: number;
  passes: number;
  /** passes / runs (0 when nothing ran). */
  passRate: number;
  /** pass^k: every run passed. */
  allPassed: boolean;
  minPassRate?: number;
  /** FLAKY with a pass rate at or above the case's `min_pass_rate`: counts as PASS. */
  accepted: boolean;
}

/**
 * A case's result from its runs: all passed → PASS; none passed → as `aggregateOutcome`; some passed and some failed
 * (FAIL or ERROR) → FLAKY; some passed and the rest were SKIPped (a quota, a gate) → PASS, since nothing failed.
 */
export function judgeRuns(outcomes: readonly Outcome[], minPassRate?: number): CaseResult {
  const runs = outcomes.length;
  const passes = outcomes.filter((o) => o === "PASS").length;
  const passRate = runs ? passes / runs : 0;
  const failed = outcomes.some((o) => o === "FAIL" || o === "ERROR");
  const outcome: Result = passes === 0 ? aggregateOutcome([...outcomes]) : failed ? "FLAKY" : "PASS";
  const accepted = outcome === "FLAKY" && minPassRate !== undefined && passRate >= minPassRate;
  return { outcome, runs, passes, passRate, allPassed: runs > 0 && passes === runs, ...(minPassRate !== undefined && { minPassRate }), accepted };
}

/** The outcome a case counts as for its backend: an accepted FLAKY counts as PASS. */
export function effectiveOutcome(result: Pick<CaseResult, "outcome" | "accepted">): Result {
  return result.accepted ? "PASS" : result.outcome;
}

/** A backend's result from its cases: any FAIL, else any ERROR, else any (unaccepted) FLAKY, else any PASS, else SKIP. */
export function judgeBackend(cases: ReadonlyArray<Pick<CaseResult, "outcome" | "accepted">>): Result {
  const outcomes = cases.map(effectiveOutcome);
  for (const o of ["FAIL", "ERROR", "FLAKY", "PASS"] as const) if (outcomes.includes(o)) return o;
  return "SKIP";
}

/**
 * The gate of a smoke pair: it runs only when both its backends PASSed in the matrix. Returns the SKIP verdict when
 * one did not (the same words wherever it is decided: a single run, a shard, or a merge), else undefined.
 */
export function pairGate(pair: { a: string; b: string }, outcomes: ReadonlyMap<string, Result>): Verdict | undefined {
  const blocked = [pair.a, pair.b].find((name) => outcomes.get(name) !== "PASS");
  if (blocked === undefined) return undefined;
  const seen = outcomes.get(blocked) ?? "not run";
  return {
    outcome: "SKIP",
    reason: "backend-not-passed",
    rule: "pair.backends-passed",
    message: `backend ${blocked} did not pass: ${seen}`,
    evidence: `matrix outcome of ${blocked}: ${seen}`,
    hint: `make ${blocked} pass in the matrix first (mittelo system-test --backend ${blocked})`,
  };
}
