// The preflight → SKIP rule: a backend whose preflight is not ok (or warn without run_on_warn) is SKIPped with the
// reason, evidence and fix of the finding that decided. The matrix, the pair smoke and the agent apply the same rule.
import type { Verdict } from "../backends/verdict.ts";
import { skipReasonOf } from "./status.ts";
import type { PreflightResult } from "./types.ts";

/** The SKIP verdict a preflight result imposes on every case, or undefined when the cases may run. */
export function preflightSkip(result: PreflightResult, runOnWarn: boolean): Verdict | undefined {
  if (result.status === "ok" || (result.status === "warn" && runOnWarn)) return undefined;
  const finding = result.findings.find((f) => f.severity === result.status) ?? result.findings[0];
  return {
    outcome: "SKIP",
    reason: skipReasonOf(result) ?? "preflight",
    rule: result.status === "fail" ? `preflight.${finding?.code ?? "fail"}` : `preflight.warn.${finding?.code ?? "warn"}`,
    message: `${finding?.message ?? "preflight did not pass"}${result.status === "warn" ? " (preflight warn; --run-on-warn runs it anyway)" : ""}`,
    evidence: finding?.evidence,
    hint: finding?.hint,
  };
}
