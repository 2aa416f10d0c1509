// THE backend-invocation path: one prompt through a prepared backend → run record, answer, verdict.
// The harness, the agent, pair smoke and the stub profile all call runPrompt.
import type { PlannedCase, PlanSettings } from "../manifest/plan-types.ts";
import { classify } from "./classify.ts";
import { echoAnswer } from "./echo.ts";
import { extractAnswer, type Extraction } from "./extract.ts";
import { invoke } from "./invoke.ts";
import type { PreparedBackend } from "./prepare.ts";
import type { RunRecord } from "./run-record.ts";
import type { UpstreamObserver } from "./upstream.ts";
import type { Check, Verdict } from "./verdict.ts";

export interface PromptRun {
  prompt: string;
  timeoutMs: number;
  /** Defaults to: exit code 0, nothing else. */
  expect?: PlannedCase["expect"];
}

export interface RunOptions {
  settings: Pick<PlanSettings, "killGraceMs" | "outputCapBytes" | "gateIdleMs" | "gatePatterns" | "crashPatterns">;
  /** Extra env for this one run (MITTELO_TASK_ID, MITTELO_WORKER_ID). */
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Run built-in backends (echo) in this process instead of spawning their wrapper. */
  inProcess?: boolean;
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
  /** The backend's model server (the stub), whose answers during the run feed the classifier. */
  upstream?: UpstreamObserver;
}

export interface PromptResult {
  record: RunRecord;
  extraction: Extraction;
  verdict: Verdict;
  checks: Check[];
}

export async function runPrompt(prepared: PreparedBackend, run: PromptRun, options: RunOptions): Promise<PromptResult> {
  const { backend } = prepared;
  const expect = run.expect ?? { exit_code: 0 };
  const mark = options.upstream?.mark();
  const record =
    options.inProcess && backend.invocation.builtin === "echo"
      ? echoRecord(prepared, run.prompt)
      : await invoke({
          argv: backend.invocation.prompt === "arg" ? prepared.argv.map((a) => a.split("{prompt}").join(run.prompt)) : prepared.argv,
          stdin: backend.invocation.prompt === "arg" ? "" : run.prompt,
          env: { ...prepared.env, ...options.env },
          cwd: prepared.sandbox.workdir,
          timeoutMs: run.timeoutMs,
          killGraceMs: options.settings.killGraceMs,
          outputCapBytes: options.settings.outputCapBytes,
          gate: { idleMs: options.settings.gateIdleMs, patterns: options.settings.gatePatterns.map((p) => new RegExp(p, "im")) },
          signal: options.signal,
          onOutput: options.onOutput,
        });
  const extraction = extractAnswer(record.stdout, backend.output);
  const { verdict, checks } = classify({
    backend,
    record,
    extraction,
    expect,
    output: backend.output,
    failures: backend.failures,
    crashPatterns: options.settings.crashPatterns,
    timeoutMs: run.timeoutMs,
    upstream: mark === undefined ? undefined : options.upstream?.since(mark),
  });
  return { record, extraction, verdict, checks };
}

function echoRecord(prepared: PreparedBackend, prompt: string): RunRecord {
  const now = new Date().toISOString();
  const stdout = `${echoAnswer(prompt)}\n`;
  return {
    argv: ["(in-process echo)"],
    cwd: prepared.sandbox.workdir,
    startedAt: now,
    endedAt: now,
    durationMs: 0,
    exitCode: 0,
    signal: null,
    timedOut: false,
    gated: null,
    canceled: false,
    spawnError: null,
    stdout,
    stderr: "",
    stdoutBytes: Buffer.byteLength(stdout),
    stderrBytes: 0,
    stdoutTruncated: false,
    stderrTruncated: false,
  };
}
