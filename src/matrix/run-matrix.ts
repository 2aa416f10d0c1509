// Runs a Plan: preflight every backend, run the allowed cases in parallel (a global limit and a per-backend
// limit), classify, write per-case artifacts, and emit the events every report is rendered from.
import { mkdirSync, writeFileSync } from "node:fs";
import { setMaxListeners } from "node:events";
import { join } from "node:path";
import pLimit from "p-limit";
import { type PreparedBackend, prepareBackend } from "../backends/prepare.ts";
import { aggregateOutcome, outcomeMatches } from "../backends/outcome.ts";
import type { BackendSetup } from "../backends/stub-setup.ts";
import { tailLines } from "../backends/classify.ts";
import { runPrompt } from "../backends/run.ts";
import type { UpstreamObserver } from "../backends/upstream.ts";
import type { Outcome, Verdict } from "../backends/verdict.ts";
import type { Plan, PlannedBackend, PlannedCase } from "../manifest/plan-types.ts";
import { preflight } from "../preflight/preflight.ts";
import { preflightSkip } from "../preflight/skip.ts";
import { EXIT_FAIL, EXIT_OK } from "../util/errors.ts";
import type { Redactor } from "../util/redact.ts";
import { version } from "../util/version.ts";
import type { CaseEndEvent, PairEndEvent } from "../report/events.ts";
import type { EventSink } from "./sink.ts";

export interface MatrixOptions {
  plan: Plan;
  outDir: string;
  env: NodeJS.ProcessEnv;
  sink: EventSink;
  redact: Redactor;
  command: string[];
  bail?: boolean;
  signal?: AbortSignal;
  /** Extra setup per backend (the stub profile); returning undefined runs it unchanged. */
  setupFor?: (backend: PlannedBackend) => BackendSetup | undefined | Promise<BackendSetup | undefined>;
  /** Summary of the stub's requests for a backend's case, attached to its event. */
  stubSummary?: (backend: string) => CaseEndEvent["stub"];
  /** The backend's model stub, so the classifier sees what it answered (429s retried until the timeout, …). */
  upstreamFor?: (backend: string) => UpstreamObserver | undefined;
  /** Runs the smoke pairs after the matrix, given each backend's outcome. */
  runPairs?: (outcomes: Map<string, Outcome>, signal?: AbortSignal) => Promise<PairEndEvent[]>;
}

const now = () => new Date().toISOString();

export async function runMatrix(options: MatrixOptions): Promise<number> {
  const { plan, sink, outDir } = options;
  const started = Date.now();
  mkdirSync(outDir, { recursive: true });
  sink.emit({
    type: "run-start",
    ts: now(),
    tool: { name: "mittelo", version: version() },
    manifest: { path: plan.manifestFile, sha256: plan.manifestHash },
    profile: plan.profile ?? null,
    env: { node: process.version, os: process.platform, arch: process.arch, ci: Boolean(options.env.CI) },
    outDir,
    command: options.command,
    settings: { concurrency: plan.settings.concurrency, stub: plan.settings.stub, runOnWarn: plan.settings.runOnWarn },
    backends: plan.backends.map((b) => ({
      name: b.name,
      source: b.source,
      expected: b.expected,
      cases: b.cases.map((c) => c.name),
      description: b.description,
    })),
    excluded: plan.excluded,
    pairs: plan.pairs.map((p) => ({ name: p.name, a: p.a, b: p.b, expected: p.expected })),
  });

  const global = pLimit(plan.settings.concurrency);
  const bail = new AbortController();
  setMaxListeners(0, bail.signal);
  const onOuterAbort = () => bail.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const outcomes = new Map<string, Outcome>();
  const mismatches: string[] = [];
  const counts: Record<Outcome, number> = { PASS: 0, FAIL: 0, SKIP: 0, ERROR: 0 };

  const runBackend = async (backend: PlannedBackend) => {
    const setup = await options.setupFor?.(backend);
    const prepared = prepareBackend(backend, { env: options.env, sandboxRoot: join(outDir, backend.name), sandbox: plan.settings.sandbox, ...setup });
    const result = await global(() => preflight(backend, { env: prepared.env, probeTimeoutMs: plan.settings.probeTimeoutMs }));
    const skip = preflightSkip(result, plan.settings.runOnWarn);
    sink.emit({ type: "preflight", ts: now(), backend: backend.name, result, decision: skip ? "skip" : "run" });
    const local = pLimit(backend.concurrency);
    const verdicts = await Promise.all(
      backend.cases.map((c) =>
        local(() =>
          global(async () => {
            const verdict = skip ?? (bail.signal.aborted ? bailVerdict() : undefined);
            if (verdict) {
              sink.emit({ type: "case-end", ts: now(), backend: backend.name, case: c.name, verdict, checks: [] });
              return verdict.outcome;
            }
            return runCase(options, prepared, c, bail.signal);
          }),
        ),
      ),
    );
    const outcome = aggregateOutcome(verdicts);
    const matches = outcomeMatches(backend.expected, outcome);
    outcomes.set(backend.name, outcome);
    counts[outcome]++;
    if (!matches) {
      mismatches.push(`${backend.name}: expected ${backend.expected.toUpperCase()}, got ${outcome}`);
      if (options.bail) bail.abort();
    }
    sink.emit({ type: "backend-end", ts: now(), backend: backend.name, outcome, expected: backend.expected, matches });
  };

  await Promise.all(plan.backends.map(runBackend));

  if (options.runPairs && plan.pairs.length) {
    for (const pair of await options.runPairs(outcomes, options.signal)) {
      sink.emit(pair);
      counts[pair.verdict.outcome]++;
      if (!pair.matches) mismatches.push(`pair ${pair.pair}: expected ${pair.expected.toUpperCase()}, got ${pair.verdict.outcome} (${pair.verdict.reason})`);
    }
  }
  options.signal?.removeEventListener("abort", onOuterAbort);
  const exitCode = mismatches.length ? EXIT_FAIL : EXIT_OK;
  sink.emit({ type: "run-end", ts: now(), durationMs: Date.now() - started, exitCode, counts, mismatches });
  return exitCode;
}

function bailVerdict(): Verdict {
  return { outcome: "SKIP", reason: "bail", rule: "bail", message: "not run: --bail stopped the run after an unexpected outcome" };
}

async function runCase(options: MatrixOptions, prepared: PreparedBackend, c: PlannedCase, signal: AbortSignal): Promise<Outcome> {
  const { sink, plan, redact } = options;
  const backend = prepared.backend.name;
  sink.emit({ type: "case-start", ts: now(), backend, case: c.name });
  const result = await runPrompt(
    prepared,
    { prompt: c.prompt, timeoutMs: c.timeoutMs, expect: c.expect },
    { settings: plan.settings, signal, upstream: options.upstreamFor?.(backend) },
  );
  const { record } = result;
  const dir = join(options.outDir, backend, c.name);
  mkdirSync(dir, { recursive: true });
  const artifacts = { dir, stdout: join(dir, "stdout.txt"), stderr: join(dir, "stderr.txt"), result: join(dir, "result.json") };
  writeFileSync(
    artifacts.stdout,
    redact(record.stdout) + (record.stdoutTruncated ? `\n[mittelo: truncated after ${plan.settings.outputCapBytes} of ${record.stdoutBytes} bytes]\n` : ""),
  );
  writeFileSync(
    artifacts.stderr,
    redact(record.stderr) + (record.stderrTruncated ? `\n[mittelo: truncated after ${plan.settings.outputCapBytes} of ${record.stderrBytes} bytes]\n` : ""),
  );
  const event: CaseEndEvent = {
    type: "case-end",
    ts: now(),
    backend,
    case: c.name,
    verdict: result.verdict,
    checks: result.checks,
    run: {
      argv: record.argv,
      exitCode: record.exitCode,
      signal: record.signal,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      durationMs: record.durationMs,
      timedOut: record.timedOut,
      stdoutBytes: record.stdoutBytes,
      stderrBytes: record.stderrBytes,
      stdoutTruncated: record.stdoutTruncated,
      stderrTruncated: record.stderrTruncated,
      answer: result.extraction.answer.slice(0, 4000),
      stderrTail: tailLines(record.stderr, 5),
    },
    artifacts,
    stub: options.stubSummary?.(backend),
  };
  writeFileSync(artifacts.result, `${JSON.stringify(redactResult(event, redact), null, 2)}\n`);
  sink.emit(event);
  return result.verdict.outcome;
}

function redactResult(event: CaseEndEvent, redact: Redactor): unknown {
  return JSON.parse(redact(JSON.stringify(event)));
}
