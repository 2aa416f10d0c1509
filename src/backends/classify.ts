// The one classifier: a run record (+ extraction and expectations) → a verdict, by a fixed precedence.
// The precedence is the ordered table CLASSIFY_RULES (classify-rules.ts); every verdict names the rule that fired and
// its evidence. Pure: no I/O.
import { CLASSIFY_RULES, type ClassifyInput, type ClassifyRule, type RuleContext } from "./classify-rules.ts";
import { checkExpectations } from "./expectations.ts";
import type { Check, Verdict } from "./verdict.ts";

export { type ClassifyInput, MAX_EVIDENCE_LINE, tailLines } from "./classify-rules.ts";

export interface Classification {
  verdict: Verdict;
  checks: Check[];
}

/** The context every rule sees: the expectation checks (none when the process never started) and the success test. */
export function ruleContext(input: ClassifyInput): RuleContext {
  const { record, extraction, expect } = input;
  const checks = record.spawnError ? [] : checkExpectations(expect, record, extraction.answer);
  const succeeded =
    !record.timedOut && record.exitCode === expect.exit_code && !extraction.problem && checks.every((c) => c.ok) && extraction.answer.trim() !== "";
  return { ...input, checks, succeeded };
}

/** Runs the rules in order; the first that fires decides. */
export function classify(input: ClassifyInput, rules: readonly ClassifyRule[] = CLASSIFY_RULES): Classification {
  const ctx = ruleContext(input);
  for (const rule of rules) {
    const verdict = rule.fire(ctx);
    if (verdict) return { verdict, checks: ctx.checks };
  }
  throw new Error("classify: no rule fired (the table must end with a rule that always fires)");
}
