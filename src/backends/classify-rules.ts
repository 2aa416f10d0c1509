// The classifier's rules as data: an ordered table, highest precedence first. Each rule is a small pure function of
// the run (record, extraction, expectations) that returns a verdict when it fires and `undefined` when it does not.
// `classify` runs them in order; the first that fires decides. No I/O.
import type { FailurePattern, OutputRules, PlannedCase } from "../manifest/plan-types.ts";
import { formatMs } from "../util/units.ts";
import { hasAnsi, stripAnsi } from "./capture.ts";
import { lineAround } from "./expectations.ts";
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

/** What every rule sees: the input, the expectation checks, and whether the run met every condition of success. */
export interface RuleContext extends ClassifyInput {
  checks: Check[];
  /** Not timed out, the expected exit code, no wrapper-contract problem, every check passed, a non-empty answer. */
  succeeded: boolean;
}

export interface ClassifyRule {
  /** Stable name of the rule (the verdict's `rule` is this, or a refinement such as `failures[2]` or `expect.contains`). */
  name: string;
  /** When it fires, in one line. */
  when: string;
  /** What it quotes as evidence. */
  evidence: string;
  fire: (ctx: RuleContext) => Verdict | undefined;
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

/** 1. The harness could not start it: our fault (or the wrapper's path), not the backend's answer. */
export const spawnError: ClassifyRule = {
  name: "spawn-error",
  when: "the process could not be started (ENOENT, EACCES, …)",
  evidence: "the spawn error code",
  fire: ({ record, backend }) =>
    record.spawnError
      ? {
          outcome: "ERROR",
          reason: "spawn",
          rule: "spawn-error",
          message: `could not start ${record.argv[0]}: ${record.spawnError.message}`,
          evidence: record.spawnError.code,
          hint: backend.install ? `install it: ${backend.install}` : "check the wrapper path and that it is executable",
        }
      : undefined,
};

export const canceled: ClassifyRule = {
  name: "canceled",
  when: "the caller aborted the run (Ctrl-C, --bail, agent shutdown)",
  evidence: "the last lines of stderr (or stdout)",
  fire: ({ record }) =>
    record.canceled
      ? {
          outcome: "ERROR",
          reason: "canceled",
          rule: "canceled",
          message: "the run was canceled before it finished",
          evidence: tailLines(record.stderr || record.stdout),
        }
      : undefined,
};

/** 2. A crash is a bug even when the output also looks like a setup problem: a skip that comes with a crash is not a skip. */
export const crashSignature: ClassifyRule = {
  name: "crash-signature",
  when: "stderr matches one of the backend's crash patterns, whatever the exit code",
  evidence: "the stderr line that matched",
  fire: ({ record, backend, crashPatterns }) => {
    for (const pattern of crashPatterns) {
      const match = new RegExp(pattern, "im").exec(record.stderr);
      if (match) {
        return {
          outcome: "FAIL",
          reason: "crash",
          rule: "crash-signature",
          message: `${backend.name} crashed (stderr matches /${pattern}/)`,
          evidence: lineAround(record.stderr, match.index),
          hint: "see stderr.txt in the case's artifacts; file the ticket in summary.md",
        };
      }
    }
    return undefined;
  },
};

/** 3. Silent on a question: waiting for a person. */
export const gateIdle: ClassifyRule = {
  name: "gate-idle",
  when: "the run was stopped because it went silent on a question",
  evidence: "the line it was waiting on",
  fire: ({ record, backend }) =>
    record.gated
      ? {
          outcome: "SKIP",
          reason: "gate",
          rule: "gate-idle",
          message: `${backend.name} stopped: it went silent waiting for input`,
          evidence: record.gated.text,
          hint: DEFAULT_HINTS.gate,
        }
      : undefined,
};

/** 4. Known setup failures (auth, network, quota, gate, …) declared in the manifest turn a failed run into SKIP. */
export const knownFailure: ClassifyRule = {
  name: "failures[i]",
  when: "the run did not succeed and its output matches one of the manifest's `failures` (and its exit code, if given)",
  evidence: "the matching line, escapes stripped",
  fire: ({ succeeded, failures, record, backend }) => {
    if (succeeded) return undefined;
    for (const [index, failure] of failures.entries()) {
      if (failure.exit_code !== undefined && record.exitCode !== failure.exit_code) continue;
      const stream = failure.stream ?? "any";
      const texts = stream === "any" ? [record.stderr, record.stdout] : [stream === "stdout" ? record.stdout : record.stderr];
      for (const text of texts) {
        const match = new RegExp(failure.pattern, "im").exec(stripAnsi(text));
        if (!match) continue;
        return {
          outcome: "SKIP",
          reason: failure.reason,
          rule: `failures[${index}]`,
          message: `not set up here (${failure.reason}): the output matches a known setup failure`,
          evidence: lineAround(stripAnsi(text), match.index),
          hint: failure.hint ?? (failure.reason === "auth" && backend.login ? `log in: ${backend.login}` : DEFAULT_HINTS[failure.reason]),
        };
      }
    }
    return undefined;
  },
};

/** 5. The model server answered every call with the same error (only known against the model stub): a CLI that
 *     retries a 429 until it is killed is out of quota, not hanging; one that gets only 500s met an outage. */
export const upstream: ClassifyRule = {
  name: "upstream.*",
  when: "the run did not succeed and every call to the model stub got the same kind of error",
  evidence: "the statuses of the model calls",
  fire: ({ succeeded, upstream: calls, record, timeoutMs }) => (!succeeded && calls ? upstreamVerdict(calls, record, timeoutMs) : undefined),
};

/** 6. Ran past its timeout with no known cause. */
export const timeout: ClassifyRule = {
  name: "timeout",
  when: "the run was killed at its timeout and no earlier rule explains why",
  evidence: "the last lines of stderr (or stdout) and a summary of the model calls",
  fire: ({ record, timeoutMs, upstream: calls }) =>
    record.timedOut
      ? {
          outcome: "FAIL",
          reason: "timeout",
          rule: "timeout",
          message: `no answer within ${formatMs(timeoutMs)}; the process tree was killed`,
          evidence: [tailLines(record.stderr) || tailLines(record.stdout) || "(no output at all)", calls && upstreamSummary(calls)].filter(Boolean).join(" · "),
          hint: "run it by hand with the command in the ticket; raise `timeout` only if it is just slow",
        }
      : undefined,
};

/** 7. Exit code differs from the expected one. */
export const exitCode: ClassifyRule = {
  name: "exit-code",
  when: "the exit code differs from `expect.exit_code`",
  evidence: "the last lines of stderr (or stdout)",
  fire: ({ record, expect }) =>
    record.exitCode !== expect.exit_code
      ? {
          outcome: "FAIL",
          reason: "exit-code",
          rule: "exit-code",
          message: `exited with ${record.exitCode ?? `signal ${record.signal}`}, expected ${expect.exit_code}`,
          evidence: tailLines(record.stderr) || tailLines(record.stdout) || "(no output)",
          hint: "its prerequisites are met, so this is a bug in the backend or its wrapper: see the ticket in summary.md",
        }
      : undefined,
};

/** 8. The wrapper contract: a JSON error object on stdout, an empty answer, escapes or a banner on stdout. */
export const outputProblem: ClassifyRule = {
  name: "output.*",
  when: "the answer could not be extracted as `output` says (a JSON error object, not JSON, a missing field, …)",
  evidence: "the last lines of stdout",
  fire: ({ extraction, record }) =>
    extraction.problem
      ? {
          outcome: "FAIL",
          reason: "contract",
          rule: `output.${extraction.problem.kind}`,
          message: extraction.problem.kind === "json-error" ? `exited 0 but reported an error: ${extraction.problem.detail}` : extraction.problem.detail,
          evidence: tailLines(record.stdout, 2),
        }
      : undefined,
};

export const emptyAnswer: ClassifyRule = {
  name: "contract.empty-answer",
  when: "it exited as expected with an empty (or blank) answer",
  evidence: "the last lines of stderr",
  fire: ({ extraction, record }) =>
    extraction.answer.trim() === ""
      ? {
          outcome: "FAIL",
          reason: "contract",
          rule: "contract.empty-answer",
          message: "exited successfully with an empty answer",
          evidence: tailLines(record.stderr) || "(stderr empty too)",
        }
      : undefined,
};

export const ansiOnStdout: ClassifyRule = {
  name: "contract.ansi",
  when: "`output.clean` and stdout carries ANSI escape codes",
  evidence: "the start of stdout, JSON-quoted",
  fire: ({ output, record }) =>
    output.clean && hasAnsi(record.stdout)
      ? {
          outcome: "FAIL",
          reason: "contract",
          rule: "contract.ansi",
          message: "stdout contains ANSI escape codes; it must carry only the answer",
          evidence: JSON.stringify(record.stdout.slice(0, 80)),
          hint: "disable colours (NO_COLOR=1, --no-color) or strip them in the wrapper",
        }
      : undefined,
};

export const bannerOnStdout: ClassifyRule = {
  name: "contract.banner",
  when: "`output.clean` and stdout matches one of the banner patterns",
  evidence: "the stdout line that matched",
  fire: ({ output, record }) => {
    if (!output.clean) return undefined;
    for (const pattern of output.bannerPatterns) {
      const match = new RegExp(pattern, "im").exec(record.stdout);
      if (match) {
        return {
          outcome: "FAIL",
          reason: "contract",
          rule: "contract.banner",
          message: "stdout contains a banner; diagnostics belong on stderr",
          evidence: lineAround(record.stdout, match.index),
        };
      }
    }
    return undefined;
  },
};

/** 9. Expectations. */
export const expectation: ClassifyRule = {
  name: "expect.*",
  when: "one of the case's expectations failed (the first one decides)",
  evidence: "the start of the answer, JSON-quoted",
  fire: ({ checks, extraction }) => {
    const failed = checks.find((c) => !c.ok);
    return failed
      ? {
          outcome: "FAIL",
          reason: "expectation",
          rule: `expect.${failed.name}`,
          message: failed.detail,
          evidence: JSON.stringify(extraction.answer.slice(0, 200)),
        }
      : undefined;
  },
};

/** Last: nothing went wrong. */
export const pass: ClassifyRule = {
  name: "all-checks",
  when: "always (no earlier rule fired)",
  evidence: "none; the message gives the duration",
  fire: ({ record }) => ({ outcome: "PASS", reason: "ok", rule: "all-checks", message: `answered in ${formatMs(record.durationMs)}` }),
};

/** The precedence, highest first. The first rule that fires decides; `pass` always fires. */
export const CLASSIFY_RULES: readonly ClassifyRule[] = [
  spawnError,
  canceled,
  crashSignature,
  gateIdle,
  knownFailure,
  upstream,
  timeout,
  exitCode,
  outputProblem,
  emptyAnswer,
  ansiOnStdout,
  bannerOnStdout,
  expectation,
  pass,
];
