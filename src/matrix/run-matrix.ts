// Runs a Plan, or one shard of it: preflight every backend, run the allowed cells (case × repetition) in parallel (a
// global limit and a per-backend limit, so repetitions of a case overlap only as far as the backend's concurrency
// allows), classify, write per-cell artifacts, and emit the events every report is rendered from.
//
// Pairs in a shard: the partition puts a pair on the shard that runs all the cells of both its backends whenever it
// can, and then the gate is exactly a single run's (both backends PASSed). When a backend's cells had to be split over
// shards, the pair runs on its anchor shard if that backend's preflight there allows it and its cells there passed; the
// merge then applies the single-run gate to the merged outcomes, so the merged report says what a single run would.
import { setMaxListeners } from "node:events";
import { join } from "node:path";
import pLimit from "p-limit";
import { type PreparedBackend, prepareBackend } from "../backends/prepare.ts";
import { judgeBackend, judgeRuns, outcomeMatches, type Result } from "../backends/outcome.ts";
import type { BackendSetup } from "../backends/stub-setup.ts";
import { tailLines } from "../backends/classify.ts";
import { runPrompt } from "../backends/run.ts";
import type { UpstreamObserver } from "../backends/upstream.ts";
import type { Outcome, Verdict } from "../backends/verdict.ts";
import { type Cell, planCells } from "../manifest/cells.ts";
import type { Partition } from "../manifest/partition.ts";
import type { Plan, PlannedBackend, PlannedCase, PlannedPair } from "../manifest/plan-types.ts";
import { preflight } from "../preflight/preflight.ts";
import { preflightSkip } from "../preflight/skip.ts";
import { EXIT_FAIL } from "../util/errors.ts";
import { makeDir, writeFileAtomic } from "../util/files.ts";
import type { Redactor } from "../util/redact.ts";
import { type CaseEndEvent, type PairEndEvent, pairEndEvent } from "../report/events.ts";
import { foldEvents, summarize } from "../report/model.ts";
import { runStartEvent } from "./run-start.ts";
import type { EventSink } from "./sink.ts";

export interface MatrixOptions {
  plan: Plan;
  outDir: string;
  env: NodeJS.ProcessEnv;
  sink: EventSink;
  redact: Redactor;
  command: string[];
  /** The machine's name (`--label`). */
  label: string;
  /** The caller's cwd: the work dir when defaults.sandbox.workdir is false. */
  cwd?: string;
  /** Whether 127.0.0.1 could be bound here (recorded in run-start for the tickets). */
  loopback?: boolean;
  /** The plan's hash (manifest/cells.ts planHash). */
  planHash: string;
  /** Run one shard of this partition (1-based index) instead of the whole plan. */
  shard?: { partition: Partition; index: number };
  bail?: boolean;
  signal?: AbortSignal;
  /** Extra setup per backend (the stub profile); returning undefined runs it unchanged. */
  setupFor?: (backend: PlannedBackend) => BackendSetup | undefined | Promise<BackendSetup | undefined>;
  /** Summary of the stub's requests for a backend's case, attached to its event. */
  stubSummary?: (backend: string) => CaseEndEvent["stub"];
  /** The backend's model stub, so the classifier sees what it answered (429s retried until the timeout, …). */
  upstreamFor?: (backend: string) => UpstreamObserver | undefined;
  /** Runs one smoke pair once its two backends are done (or, on a shard that runs none of their cells, checked), given
   * the outcomes so far for its gate. */
  runPair?: (pair: PlannedPair, outcomes: ReadonlyMap<string, Result>, signal?: AbortSignal) => Promise<PairEndEvent>;
}

const now = () => new Date().toISOString();

export async function runMatrix(options: MatrixOptions): Promise<number> {
  const { plan, sink, outDir } = options;
  const started = Date.now();
  makeDir(outDir, "--out-dir");
  const all = planCells(plan);
  const shard = options.shard ? options.shard.partition.shards[options.shard.index - 1] : undefined;
  if (options.shard && !shard) throw new RangeError(`no shard ${options.shard.index} in a partition of ${options.shard.partition.total}`);
  const cells = shard?.cells ?? all;
  const runHere = new Set(shard?.backends ?? plan.backends.map((b) => b.name));
  const pairsHere = new Set(shard?.pairs ?? plan.pairs.map((p) => p.name));
  const backends = plan.backends.filter((b) => runHere.has(b.name));
  const pairs = plan.pairs.filter((p) => pairsHere.has(p.name));
  const cellsOf = (name: string) => cells.filter((c) => c.backend === name);
  sink.emit(
    runStartEvent(plan, {
      label: options.label,
      planHash: options.planHash,
      shard: options.shard && shard ? { partition: options.shard.partition, shard } : undefined,
      backends: backends.map((b) => ({ backend: b, cells: cellsOf(b.name).length })),
      pairs,
      cells: all.length,
      ci: Boolean(options.env.CI),
      loopback: options.loopback,
      outDir,
      command: options.command,
    }),
  );

  const global = pLimit(plan.settings.concurrency);
  // Preflights have their own pool: a slow --version probe (gemini's takes seconds) must not hold a slot a case
  // of another backend is waiting for.
  const probes = pLimit(plan.settings.concurrency);
  const ended = new Map(plan.backends.map((b) => [b.name, settled()]));
  const bail = new AbortController();
  setMaxListeners(0, bail.signal);
  const onOuterAbort = () => bail.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  /** What each pair's gate sees (see the header): exact for a backend whose every cell ran here. */
  const gate = new Map<string, Result>();
  /** --bail: the first unexpected outcome, which stopped the run. */
  let bailOut: { backend: string; message: string } | undefined;

  /** A case that will not run because the run is stopping: interrupted (Ctrl-C, SIGTERM) or --bail. */
  const notRun = (): Verdict => (options.signal?.aborted ? interruptedVerdict() : bailVerdict());

  /** Sandbox, environment and preflight of a backend; `gateOnly` when this shard runs none of its cells. */
  const check = async (backend: PlannedBackend, gateOnly: boolean) => {
    const setup = await options.setupFor?.(backend);
    // HOME, TMPDIR and the auth files live in a private temp folder, removed by dispose; only the work dir stays in the report.
    const prepared = prepareBackend(backend, {
      env: options.env,
      sandbox: plan.settings.sandbox,
      secretNames: plan.settings.redactEnv,
      workdir: { keep: join(outDir, backend.name, "work") },
      cwd: options.cwd,
      ...setup,
    });
    try {
      for (const value of prepared.sandbox.authSecrets) options.redact.add(`${backend.name}.auth_files`, value);
      const result = await probes(() =>
        preflight(backend, { env: prepared.env, probeTimeoutMs: plan.settings.probeTimeoutMs, secretNames: plan.settings.redactEnv, signal: bail.signal }),
      );
      // Stopped during preflight (its probes were killed): its findings say nothing about the backend.
      const stopped = bail.signal.aborted ? notRun() : undefined;
      const skip = stopped ?? preflightSkip(result, plan.settings.runOnWarn);
      sink.emit({ type: "preflight", ts: now(), backend: backend.name, result, decision: skip ? "skip" : "run", ...(gateOnly && { gateOnly }) });
      return { prepared, skip };
    } catch (error) {
      prepared.dispose(options.redact);
      throw error;
    }
  };

  const runBackend = async (backend: PlannedBackend, mine: Cell[]) => {
    const { prepared, skip } = await check(backend, false);
    const local = pLimit(backend.concurrency);
    const byName = new Map(backend.cases.map((c) => [c.name, c]));
    const verdicts = await Promise.all(
      mine.map((cell) =>
        local(() =>
          global(async () => {
            const verdict = skip ?? (bail.signal.aborted ? notRun() : undefined);
            if (verdict) {
              sink.emit({
                type: "case-end",
                ts: now(),
                backend: backend.name,
                case: cell.case,
                cell: cell.id,
                repetition: cell.repetition,
                verdict,
                checks: [],
              });
              return verdict.outcome;
            }
            return runCase(options, prepared, byName.get(cell.case) as PlannedCase, cell, bail.signal);
          }),
        ),
      ),
    ).finally(() => prepared.dispose(options.redact));
    const outcome = judgeBackend(
      backend.cases.flatMap((c) => {
        const runs = mine.flatMap((cell, i) => (cell.case === c.name ? [verdicts[i] as Outcome] : []));
        return runs.length ? [judgeRuns(runs, c.minPassRate)] : [];
      }),
    );
    const matches = outcomeMatches(backend.expected, outcome);
    // Exact when every cell of the backend ran here; else what its cells here came to (the merge re-judges the pair).
    gate.set(backend.name, outcome);
    if (!matches && options.bail && !bailOut) {
      bailOut = { backend: backend.name, message: `--bail: ${backend.name}: expected ${backend.expected.toUpperCase()}, got ${outcome}` };
      bail.abort();
    }
    sink.emit({ type: "backend-end", ts: now(), backend: backend.name, outcome, expected: backend.expected, matches });
    ended.get(backend.name)?.resolve();
  };
  /** A pair's backend that runs no cell here: only its preflight decides whether the pair may run on this shard. */
  const checkForGate = async (backend: PlannedBackend) => {
    const { prepared, skip } = await check(backend, true);
    prepared.dispose(options.redact);
    gate.set(backend.name, skip ? skip.outcome : "PASS");
    ended.get(backend.name)?.resolve();
  };

  const { runPair } = options;
  const gateOnly = runPair ? plan.backends.filter((b) => !runHere.has(b.name) && pairs.some((p) => p.a === b.name || p.b === b.name)) : [];
  const waited = new Set([...runHere, ...gateOnly.map((b) => b.name)]);
  // Each pair starts as soon as its two backends are done, while the others still run; one pair at a time. After
  // --bail or a signal, the pairs are not started.
  let pairsDone = Promise.resolve();
  for (const pair of pairs) {
    pairsDone = pairsDone.then(async () => {
      await Promise.all([pair.a, pair.b].filter((name) => waited.has(name)).map((name) => ended.get(name)?.promise));
      if (bailOut || options.signal?.aborted) {
        sink.emit(pairEndEvent(pair, notRun(), { durationMs: 0 }));
      } else if (runPair) sink.emit(await runPair(pair, gate, options.signal));
    });
  }
  await Promise.all([...backends.map((b) => runBackend(b, cellsOf(b.name))), ...gateOnly.map(checkForGate), pairsDone]);
  options.signal?.removeEventListener("abort", onOuterAbort);
  const summary = summarize(foldEvents(sink.events));
  // An interrupted run judged nothing it did not finish: never "as expected".
  const interrupted = options.signal?.aborted ? ["the run was interrupted (SIGINT/SIGTERM) before it finished"] : [];
  const mismatches = [...summary.mismatches, ...interrupted];
  const { counts } = summary;
  const exitCode = interrupted.length ? EXIT_FAIL : summary.exitCode;
  sink.emit({ type: "run-end", ts: now(), durationMs: Date.now() - started, exitCode, counts, mismatches, ...(bailOut ? { bailOut } : {}) });
  return exitCode;
}

function interruptedVerdict(): Verdict {
  return { outcome: "SKIP", reason: "interrupted", rule: "interrupted", message: "not run: the run was interrupted (SIGINT/SIGTERM)" };
}

/** A promise and the function that resolves it. */
function settled(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function bailVerdict(): Verdict {
  return { outcome: "SKIP", reason: "bail", rule: "bail", message: "not run: --bail stopped the run after an unexpected outcome" };
}

async function runCase(options: MatrixOptions, prepared: PreparedBackend, c: PlannedCase, cell: Cell, signal: AbortSignal): Promise<Outcome> {
  const { sink, plan, redact } = options;
  const backend = prepared.backend.name;
  sink.emit({ type: "case-start", ts: now(), backend, case: c.name, cell: cell.id, repetition: cell.repetition });
  const result = await runPrompt(
    prepared,
    { prompt: c.prompt, timeoutMs: c.timeoutMs, expect: c.expect },
    { settings: plan.settings, signal, upstream: options.upstreamFor?.(backend) },
  );
  const { record } = result;
  // One folder per case; with --repeat one per run inside it (r1, r2, …).
  const dir = plan.repeat > 1 ? join(options.outDir, backend, c.name, `r${cell.repetition}`) : join(options.outDir, backend, c.name);
  makeDir(dir, "case folder");
  const artifacts = {
    dir,
    prompt: join(dir, "prompt.txt"),
    stdout: join(dir, "stdout.txt"),
    stderr: join(dir, "stderr.txt"),
    result: join(dir, "result.json"),
  };
  // The ticket's reproduction command reads it: `… < prompt.txt`.
  writeFileAtomic(artifacts.prompt, redact(c.prompt));
  // The full (capped) output lives only here; every report carries a bounded tail of it.
  writeFileAtomic(
    artifacts.stdout,
    redact(record.stdout) + (record.stdoutTruncated ? `\n[mittelo: truncated after ${plan.settings.outputCapBytes} of ${record.stdoutBytes} bytes]\n` : ""),
  );
  writeFileAtomic(
    artifacts.stderr,
    redact(record.stderr) + (record.stderrTruncated ? `\n[mittelo: truncated after ${plan.settings.outputCapBytes} of ${record.stderrBytes} bytes]\n` : ""),
  );
  const event: CaseEndEvent = {
    type: "case-end",
    ts: now(),
    backend,
    case: c.name,
    cell: cell.id,
    repetition: cell.repetition,
    verdict: result.verdict,
    checks: result.checks,
    run: {
      argv: record.argv,
      cwd: record.cwd,
      stdin: prepared.backend.invocation.prompt === "arg" ? "empty" : "prompt",
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
      answer: result.extraction.answer,
      stderrTail: tailLines(record.stderr, 5),
    },
    artifacts,
    stub: options.stubSummary?.(backend),
  };
  // Redacted (values, not text) and bounded by the sink, then written as it went into the event stream.
  const clean = sink.emit(event);
  writeFileAtomic(artifacts.result, `${JSON.stringify(clean, null, 2)}\n`);
  return result.verdict.outcome;
}
