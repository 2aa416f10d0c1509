// The one classifier: a run record (+ extraction and expectations) → a verdict, by a fixed precedence.
// Every verdict names the rule that fired and the evidence. Pure: no I/O.
import type { FailurePattern, OutputRules, PlannedCase } from "../manifest/plan-types.ts";
import { formatMs } from "../util/units.ts";
import { hasAnsi, stripAnsi } from "./capture.ts";
import { checkExpectations, lineAround } from "./expectations.ts";
import type { Extraction } from "./extract.ts";
import type { RunRecord } from "./run-record.ts";
import { type ModelCalls, upstreamSummary, upstreamVerdict } from "./upstream.ts";
import type { Check, Verdict } from "./verdict.ts";

export interface ClassifyInput {
  backend: { name: string; login?: string; install?: string };
  record: RunRecord;
  extraction: Extraction;
  expect: PlannedCase["expect"];
  output: OutputRules;
  failures: FailurePattern[];
  crashPatterns: string[];
  timeoutMs: number;
  /** The model calls made during the run, when the harness runs the backend against its model stub. */
  upstream?: ModelCalls;
}

export interface Classification {
  verdict: Verdict;
  checks: Check[];
}

const DEFAULT_HINTS: Record<string, string> = {
  auth: "log in or set the API key, then run again",
  network: "check the network or the service the backend talks to",
  quota: "wait for the quota to reset or use another key/plan",
  gate: "the CLI waits for a person: pass its non-interactive/trust flag in invoke.argv",
  platform: "this backend does not run on this platform",
  config: "fix the backend's configuration",
};

/** The longest line evidence quotes; the whole output is in the case's artifacts. */
export const MAX_EVIDENCE_LINE = 300;

/** Last non-empty lines of a text, for evidence: at most `n` lines of at most MAX_EVIDENCE_LINE characters each. */
export function tailLines(text: string, n = 3): string {
  // Only the end of a huge output is looked at: n lines of a bounded length fit in the last n × 64 KiB.
  const end = text.length > n * 65536 ? text.slice(-n * 65536) : text;
  return stripAnsi(end)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .map((l) => (l.length > MAX_EVIDENCE_LINE ? `${l.slice(0, MAX_EVIDENCE_LINE)}… [+${l.length - MAX_EVIDENCE_LINE} chars]` : l))
    .join(" ⏎ ");
}

/** The precedence, highest first. The first rule that fires decides. */
export function classify(input: ClassifyInput): Classification {
  const { record, extraction, expect, output, backend } = input;
  const checks = record.spawnError ? [] : checkExpectations(expect, record, extraction.answer);
  const verdict = (v: Verdict): Classification => ({ verdict: v, checks });

  // 1. The harness could not start it: our fault (or the wrapper's path), not the backend's answer.
  if (record.spawnError) {
    return verdict({
      outcome: "ERROR",
      reason: "spawn",
      rule: "spawn-error",
      message: `could not start ${record.argv[0]}: ${record.spawnError.message}`,
      evidence: record.spawnError.code,
      hint: backend.install ? `install it: ${backend.install}` : "check the wrapper path and that it is executable",
    });
  }
  if (record.canceled) {
    return verdict({
      outcome: "ERROR",
      reason: "canceled",
      rule: "canceled",
      message: "the run was canceled before it finished",
      evidence: tailLines(record.stderr || record.stdout),
    });
  }
  // 2. A crash is a bug even when the output also looks like a setup problem: a skip that comes with a crash is not a skip.
  for (const pattern of input.crashPatterns) {
    const match = new RegExp(pattern, "im").exec(record.stderr);
    if (match) {
      return verdict({
        outcome: "FAIL",
        reason: "crash",
        rule: "crash-signature",
        message: `${backend.name} crashed (stderr matches /${pattern}/)`,
        evidence: lineAround(record.stderr, match.index),
        hint: "see stderr.txt in the case's artifacts; file the ticket in summary.md",
      });
    }
  }
  // 3. Silent on a question: waiting for a person.
  if (record.gated) {
    return verdict({
      outcome: "SKIP",
      reason: "gate",
      rule: "gate-idle",
      message: `${backend.name} stopped: it went silent waiting for input`,
      evidence: record.gated.text,
      hint: DEFAULT_HINTS.gate,
    });
  }
  const succeeded =
    !record.timedOut && record.exitCode === expect.exit_code && !extraction.problem && checks.every((c) => c.ok) && extraction.answer.trim() !== "";
  // 4. Known setup failures (auth, network, quota, gate, …) declared in the manifest turn a failed run into SKIP.
  if (!succeeded) {
    for (const [index, failure] of input.failures.entries()) {
      if (failure.exit_code !== undefined && record.exitCode !== failure.exit_code) continue;
      const stream = failure.stream ?? "any";
      const texts = stream === "any" ? [record.stderr, record.stdout] : [stream === "stdout" ? record.stdout : record.stderr];
      for (const text of texts) {
        const match = new RegExp(failure.pattern, "im").exec(stripAnsi(text));
        if (!match) continue;
        return verdict({
          outcome: "SKIP",
          reason: failure.reason,
          rule: `failures[${index}]`,
          message: `not set up here (${failure.reason}): the output matches a known setup failure`,
          evidence: lineAround(stripAnsi(text), match.index),
          hint: failure.hint ?? (failure.reason === "auth" && backend.login ? `log in: ${backend.login}` : DEFAULT_HINTS[failure.reason]),
        });
      }
    }
  }
  // 5. The model server answered every call with the same error (only known against the model stub): a CLI that
  //    retries a 429 until it is killed is out of quota, not hanging; one that gets only 500s met an outage.
  if (!succeeded && input.upstream) {
    const upstream = upstreamVerdict(input.upstream, record, input.timeoutMs);
    if (upstream) return verdict(upstream);
  }
  // 6. Ran past its timeout with no known cause.
  if (record.timedOut) {
    return verdict({
      outcome: "FAIL",
      reason: "timeout",
      rule: "timeout",
      message: `no answer within ${formatMs(input.timeoutMs)}; the process tree was killed`,
      evidence: [tailLines(record.stderr) || tailLines(record.stdout) || "(no output at all)", input.upstream && upstreamSummary(input.upstream)]
        .filter(Boolean)
        .join(" · "),
      hint: "run it by hand with the command in the ticket; raise `timeout` only if it is just slow",
    });
  }
  // 7. Exit code differs from the expected one.
  if (record.exitCode !== expect.exit_code) {
    return verdict({
      outcome: "FAIL",
      reason: "exit-code",
      rule: "exit-code",
      message: `exited with ${record.exitCode ?? `signal ${record.signal}`}, expected ${expect.exit_code}`,
      evidence: tailLines(record.stderr) || tailLines(record.stdout) || "(no output)",
      hint: "its prerequisites are met, so this is a bug in the backend or its wrapper: see the ticket in summary.md",
    });
  }
  // 8. The wrapper contract: a JSON error object on stdout, an empty answer, escapes or a banner on stdout.
  if (extraction.problem) {
    return verdict({
      outcome: "FAIL",
      reason: "contract",
      rule: `output.${extraction.problem.kind}`,
      message: extraction.problem.kind === "json-error" ? `exited 0 but reported an error: ${extraction.problem.detail}` : extraction.problem.detail,
      evidence: tailLines(record.stdout, 2),
    });
  }
  if (extraction.answer.trim() === "") {
    return verdict({
      outcome: "FAIL",
      reason: "contract",
      rule: "contract.empty-answer",
      message: "exited successfully with an empty answer",
      evidence: tailLines(record.stderr) || "(stderr empty too)",
    });
  }
  if (output.clean) {
    if (hasAnsi(record.stdout)) {
      return verdict({
        outcome: "FAIL",
        reason: "contract",
        rule: "contract.ansi",
        message: "stdout contains ANSI escape codes; it must carry only the answer",
        evidence: JSON.stringify(record.stdout.slice(0, 80)),
        hint: "disable colours (NO_COLOR=1, --no-color) or strip them in the wrapper",
      });
    }
    for (const pattern of output.bannerPatterns) {
      const match = new RegExp(pattern, "im").exec(record.stdout);
      if (match) {
        return verdict({
          outcome: "FAIL",
          reason: "contract",
          rule: "contract.banner",
          message: "stdout contains a banner; diagnostics belong on stderr",
          evidence: lineAround(record.stdout, match.index),
        });
      }
    }
  }
  // 9. Expectations.
  const failed = checks.find((c) => !c.ok);
  if (failed) {
    return verdict({
      outcome: "FAIL",
      reason: "expectation",
      rule: `expect.${failed.name}`,
      message: failed.detail,
      evidence: JSON.stringify(extraction.answer.slice(0, 200)),
    });
  }
  return verdict({ outcome: "PASS", reason: "ok", rule: "all-checks", message: `answered in ${formatMs(record.durationMs)}` });
}
