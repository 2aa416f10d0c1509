// Status rules: any fail finding → fail; else any warn → warn; else ok. Info findings never change the status.
import type { Finding, FindingCode, PreflightResult, PreflightStatus } from "./types.ts";

export function statusOf(findings: Finding[]): PreflightStatus {
  if (findings.some((f) => f.severity === "fail")) return "fail";
  if (findings.some((f) => f.severity === "warn")) return "warn";
  return "ok";
}

/** The SKIP reason codes a preflight finding maps to (the outcome vocabulary of the harness). */
export type SkipReason = "missing-binary" | "platform" | "auth" | "network" | "config" | "missing-flag" | "version-drift" | "probe-timeout";

const REASONS: Record<FindingCode, SkipReason> = {
  "missing-binary": "missing-binary",
  platform: "platform",
  "auth-missing": "auth",
  "auth-ok": "auth",
  "env-missing": "config",
  network: "network",
  config: "config",
  "missing-flag": "missing-flag",
  "version-drift": "version-drift",
  "version-unknown": "config",
  "probe-failed": "config",
  "probe-timeout": "probe-timeout",
};

/** The SKIP reason of one finding code. */
export function reasonOf(code: FindingCode): SkipReason {
  return REASONS[code];
}

/**
 * Why the harness SKIPs this backend: the reason of the first fail finding; for a `warn` result (SKIPped unless
 * run_on_warn), of the first warn finding. Only meaningful when the status is not `ok` (then it says `config`).
 */
export function skipReasonOf(result: Pick<PreflightResult, "status" | "findings">): SkipReason {
  const first = result.findings.find((f) => f.severity === result.status) ?? result.findings.find((f) => f.severity !== "info");
  return first ? REASONS[first.code] : "config";
}

/** The first fix hint of the findings that decide the status. */
export function firstHint(result: Pick<PreflightResult, "status" | "findings">): string | undefined {
  return result.findings.find((f) => f.severity === result.status && f.hint)?.hint;
}
