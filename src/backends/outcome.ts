// The expectation rules: whether an outcome meets what the manifest expects, and a backend's outcome from its cases.
// Used by the matrix, the reports and the pair smoke alike. Pure.
import type { Outcome as Expected } from "../manifest/plan-types.ts";
import type { Outcome } from "./verdict.ts";

/** Whether an actual outcome satisfies an expected one. */
export function outcomeMatches(expected: Expected, actual: Outcome): boolean {
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
