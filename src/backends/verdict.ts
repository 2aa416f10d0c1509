/** PASS · FAIL · SKIP, and ERROR for the harness's own faults. */
export type Outcome = "PASS" | "FAIL" | "SKIP" | "ERROR";

/** A classified result: the outcome, a machine-readable reason, the rule that fired, its evidence and the next step. */
export interface Verdict {
  outcome: Outcome;
  /** e.g. ok, missing-binary, auth, network, quota, gate, platform, config, timeout, crash, exit-code, expectation, contract, spawn. */
  reason: string;
  /** The classifier rule that decided, e.g. `setup-failure[0]`, `crash-signature`, `expect.stdout.contains`. */
  rule: string;
  /** One sentence for people. */
  message: string;
  /** The line of output, file or value that triggered the rule. */
  evidence?: string;
  /** What to do next. */
  hint?: string;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
