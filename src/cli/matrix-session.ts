// A whole matrix run as a command: plan → run → reports → exit code. The edge that owns files, signals and stdout.
import { join, resolve } from "node:path";
import type { CliIO } from "../cli/io.ts";
import { planHash } from "../manifest/cells.ts";
import { openPlan } from "../manifest/open.ts";
import { machineTimings, type Partition, partitionPlan, predictMs, type ShardBy, type Timings } from "../manifest/partition.ts";
import { excludedLabel, type PlanOptions } from "../manifest/plan.ts";
import type { Plan } from "../manifest/plan-types.ts";
import { foldEvents } from "../report/model.ts";
import { attachProgress } from "../report/progress.ts";
import { renderJson } from "../report/json.ts";
import { renderTap } from "../report/tap.ts";
import { renderHuman } from "../report/human.ts";
import { colorsOn } from "../util/color.ts";
import type { Reporter } from "./reporter.ts";
import { readTimings } from "../report/read.ts";
import { writeReports } from "../report/write.ts";
import { EXIT_FAIL, EXIT_OK, EXIT_USAGE, MitteloError } from "../util/errors.ts";
import { formatMs } from "../util/units.ts";
import { publishToGitHub } from "./github.ts";
import { canBindLoopback } from "../util/loopback.ts";
import { checkFilePath } from "../util/files.ts";
import { printable } from "../util/printable.ts";
import { makeRedactor, type Redactor } from "../util/redact.ts";
import { openReportFolder } from "../report/folder.ts";
import { fileTimestamp } from "../util/units.ts";
import type { StubMode } from "../stub/types.ts";
import { type MatrixOptions, runMatrix } from "../matrix/run-matrix.ts";
import { EventSink } from "../matrix/sink.ts";
import { startRunGuard } from "./run-guard.ts";
import { signalExitCode, stoppable } from "./stop-signal.ts";

export interface MatrixCommandOptions extends PlanOptions {
  manifest: string;
  outDir?: string;
  /** What goes to stdout: a person's report, TAP 14, matrix.json, nothing. */
  reporter: Reporter;
  /** Evidence in full in TAP and the human report (matrix.json always has it in full). */
  verbose?: boolean;
  junit?: string;
  tickets?: string;
  bail?: boolean;
  list?: boolean;
  updateLock?: boolean;
  /** The model stub's mode when the plan runs against the stub (--stub / a profile with `stub: true`). */
  stubMode?: StubMode;
  /** Run only each backend's first case (system-test). */
  onlyFirstCase?: boolean;
  /** Name used in the default out dir: `<ts>_<dirName>`. */
  dirName?: string;
  /** The machine's name in events and reports (default `<os>-<arch>`). */
  label?: string;
  /** Run only shard `index` of `total` (`--shard i/n`). */
  shard?: { index: number; total: number };
  shardBy?: ShardBy;
  /** timings.json of a previous run or merge: balance the shards by duration. */
  timings?: string;
  /** Hooks for the stub profile and pair smoke, supplied by the command that owns them. */
  extend?: (plan: Plan) => Promise<Pick<MatrixOptions, "setupFor" | "stubSummary" | "upstreamFor" | "runPair"> & { close?: () => Promise<void> }>;
}

/** The default machine label: `<os>-<arch>`, e.g. linux-x64, darwin-arm64. */
export function defaultLabel(): string {
  return `${process.platform}-${process.arch}`;
}

export async function matrixCommand(options: MatrixCommandOptions, io: CliIO, argv: string[]): Promise<number> {
  const plan = await openPlan(options.manifest, { ...options, requireCases: true }, process.env);
  if (options.onlyFirstCase) for (const b of plan.backends) b.cases = b.cases.slice(0, 1);
  const hash = planHash(plan, { stubMode: options.stubMode });
  const label = options.label ?? defaultLabel();
  const timings = options.timings ? readTimings(resolve(options.timings)) : undefined;
  const partition = options.shard ? partitionPlan(plan, { total: options.shard.total, by: options.shardBy, timings, label }) : undefined;
  if (options.list) {
    io.stdout(renderPlan(plan, { hash, partition, index: options.shard?.index, timings, label }));
    return EXIT_OK;
  }
  if (!plan.backends.length) {
    const { message, hint } = nothingToRun(plan);
    throw new MitteloError("nothing-to-run", `nothing to run: ${message}`, { hint, exitCode: EXIT_USAGE });
  }
  const shardSuffix = options.shard ? `_shard-${options.shard.index}-of-${options.shard.total}` : "";
  const outDir = resolve(options.outDir ?? join("reports", "e2e", `${fileTimestamp()}_${options.dirName ?? "matrix"}${shardSuffix}`));
  // Bad paths are usage errors before anything runs, not internal errors after the whole matrix.
  const junitPath = options.junit === undefined ? undefined : checkFilePath(options.junit, "--junit");
  const ticketsPath = options.tickets === undefined ? undefined : checkFilePath(options.tickets, "--tickets");
  const redact = makeRedactor(process.env, plan.settings.redactEnv);
  const folder = openReportFolder(outDir, argv.map(redact).join(" "));
  try {
    for (const note of folder.notes) io.stderr(`mittelo: ${note}\n`);
    return await runInFolder(plan, options, io, argv, { outDir, junitPath, ticketsPath, redact, label, hash, partition });
  } finally {
    folder.release();
  }
}

async function runInFolder(
  plan: Plan,
  options: MatrixCommandOptions,
  io: CliIO,
  argv: string[],
  paths: {
    outDir: string;
    junitPath: string | undefined;
    ticketsPath: string | undefined;
    redact: Redactor;
    label: string;
    hash: string;
    partition: Partition | undefined;
  },
): Promise<number> {
  const { outDir, redact, label, hash, partition } = paths;
  const sink = new EventSink({ file: join(outDir, "events.ndjson"), redact });
  const progress = await attachProgress(process.stderr, io.isTTY && !process.env.CI && options.reporter !== "none", { keep: options.reporter !== "human" });
  sink.on(progress.listener);
  const loopback = await canBindLoopback();
  const extension = options.extend ? await options.extend(plan) : undefined;
  const stub = plan.settings.stub ? (await import("../matrix/stub-hooks.ts")).stubHooks(outDir, options.stubMode ?? "ok", redact) : undefined;
  const hooks = {
    ...extension,
    ...(stub && { setupFor: stub.setupFor, stubSummary: stub.stubSummary, upstreamFor: stub.upstreamFor }),
    close: async () => {
      await stub?.close();
      await extension?.close?.();
    },
  };
  // Every process of the run carries its mark; its watchdog kills what is left should this process be killed.
  const guard = startRunGuard();
  let exitCode: number;
  let interrupted: NodeJS.Signals | undefined;
  try {
    // The first signal stops the run: running probes and backends are killed (their process groups: SIGTERM, then
    // SIGKILL after kill_grace), the reports are written. A second one kills every process of the run at once.
    const run = await stoppable(
      io,
      "the run",
      (signal) =>
        runMatrix({
          plan,
          outDir,
          env: process.env,
          sink,
          redact,
          command: argv,
          cwd: process.cwd(),
          label,
          loopback,
          planHash: hash,
          shard: partition && options.shard ? { partition, index: options.shard.index } : undefined,
          bail: options.bail,
          signal,
          ...hooks,
        }),
      {
        stopping: "stopping; killing the running backends, then writing the reports",
        forcing: "killing every process of the run now (SIGKILL), then writing the reports",
        force: () => guard.killNow(),
      },
    );
    exitCode = run.value;
    interrupted = run.signal;
  } finally {
    progress.stop();
    await hooks.close().finally(guard.close);
  }
  const model = foldEvents(sink.events);
  const written = writeReports(model, outDir, { junitPath: paths.junitPath, ticketsPath: paths.ticketsPath });
  // Every string of the model was redacted (and bounded) as an event value: the renderers need no pass over their text.
  if (options.reporter === "human")
    io.stdout(renderHuman(model, { color: colorsOn(process.env, io.stdoutIsTTY ?? false), verbose: options.verbose, cwd: process.cwd() }));
  else if (options.reporter === "tap") io.stdout(renderTap(model, { verbose: options.verbose }));
  else if (options.reporter === "json") io.stdout(`${JSON.stringify(renderJson(model), null, 2)}\n`);
  for (const problem of written.problems) io.stderr(`mittelo: report problem (a bug, please report): ${problem}\n`);
  if (options.updateLock) {
    const updates = model.backends.flatMap((b) =>
      b.outcome === "PASS" && b.preflight?.result.version?.seen ? [{ backend: b.name, version: b.preflight.result.version.seen }] : [],
    );
    const { changed, skipped } = (await import("../manifest/update-lock.ts")).updateLockFile(plan.manifestFile, updates);
    for (const s of skipped) io.stderr(`version lock of ${s.backend} unchanged: ${printable(s.why, { oneLine: true })}\n`);
    io.stderr(changed.length ? `updated version locks: ${changed.join(", ")}\n` : "version locks unchanged\n");
  }
  const end = model.end;
  // TAP and the human report show every unexpected outcome and its fix; without them, stderr does (once).
  if (end?.mismatches.length && (options.reporter === "json" || options.reporter === "none")) {
    io.stderr(`\nUnexpected outcomes:\n${end.mismatches.map((m) => `  ${m}`).join("\n")}\n`);
    for (const b of model.backends.filter((x) => !x.matches)) {
      if (b.verdict) io.stderr(`  ${b.name}: ${b.verdict.reason}: ${b.verdict.message}${b.verdict.hint ? ` — ${b.verdict.hint}` : ""}\n`);
    }
  }
  publishToGitHub(model, written.summary, io);
  if (options.reporter !== "human") io.stderr(`reports: ${outDir} (summary.md, matrix.json, junit.xml, events.ndjson, timings.json)\n`);
  if (interrupted) {
    io.stderr(`mittelo: ${interrupted}: stopped what was running; the reports above cover what finished\n`);
    return signalExitCode(interrupted); // 130 for Ctrl-C, as shells expect
  }
  return written.problems.length ? EXIT_FAIL : exitCode;
}

/** Why a plan has no backend, and what to do. */
function nothingToRun(plan: Plan): { message: string; hint: string } {
  const left = plan.excluded.filter((e) => e.kind === "backend");
  if (left.length && left.every((e) => e.why.startsWith("no case to run"))) {
    return {
      message: `no backend has a case (${plan.manifestFile} declares none)`,
      hint: "add a case under defaults.cases (every backend runs it) or under a backend's cases; see the `smoke` case of the shipped matrix.yaml",
    };
  }
  if (!left.length) return { message: `${plan.manifestFile} declares no backend`, hint: "add one under backends: (see docs/BACKENDS.md)" };
  return {
    message: `every backend was left out: ${left
      .slice(0, 5)
      .map((e) => `${e.name} (${e.why})`)
      .join(", ")}${left.length > 5 ? `, and ${left.length - 5} more` : ""}`,
    hint: "check --include, --exclude and the profile (`mittelo matrix --list` shows the plan)",
  };
}

/** `--list`: the plan as a table, nothing run; with --shard, the shard's cells and its predicted load. */
export function renderPlan(plan: Plan, view: { hash?: string; partition?: Partition; index?: number; timings?: Timings; label?: string } = {}): string {
  const cells = plan.backends.reduce((n, b) => n + b.cases.length * plan.repeat, 0);
  const lines = [
    `plan: ${plan.manifestFile} · profile ${plan.profile ?? "(none)"} · concurrency ${plan.settings.concurrency}${view.hash ? ` · plan ${view.hash.slice(0, 12)}` : ""} · ${cells} cell${cells === 1 ? "" : "s"}${plan.repeat > 1 ? ` (every case ${plan.repeat} times)` : ""}`,
  ];
  for (const b of plan.backends) {
    const how = b.invocation.kind === "argv" ? b.invocation.argv.join(" ") : b.invocation.path;
    lines.push(
      `  ${b.name.padEnd(14)} expect ${b.expected.padEnd(12)} cases ${b.cases
        .map((c) => c.name)
        .join(",")
        .padEnd(16)} ${b.source === "folder" ? "[folder] " : ""}${how}`,
    );
  }
  for (const e of plan.excluded) lines.push(`  ${excludedLabel(e).padEnd(14)} not planned: ${e.why}`);
  if (!plan.backends.length) lines.push(`  nothing to run: ${nothingToRun(plan).message}`);
  for (const p of plan.pairs) lines.push(`  pair ${p.name} (${p.a} + ${p.b}) expect ${p.expected}, ${p.tasks} tasks`);
  const { partition, index } = view;
  const shard = partition && index !== undefined ? partition.shards[index - 1] : undefined;
  if (partition && shard) {
    const times = machineTimings(view.timings, view.label);
    const predicted = (s: (typeof partition.shards)[number]) => (times ? predictMs(times, s.cells, s.backends, s.pairs) : undefined);
    const mine = predicted(shard);
    const spread = partition.shards.map((s) => (times ? formatMs(predicted(s) ?? 0) : `${s.cells.length}`)).join(" · ");
    lines.push(
      "",
      `shard ${shard.index}/${partition.total} (by ${partition.by}, balanced by ${partition.basis === "timings" ? "timings" : "cell count"}): ${shard.cells.length} of ${cells} cells${mine === undefined ? "" : `, predicted ${formatMs(mine)}`}`,
      `  all shards: ${spread}${times ? " (predicted)" : " cells"} · split ${partition.id}`,
    );
    for (const name of shard.backends) {
      const own = shard.cells.filter((c) => c.backend === name);
      const total = (plan.backends.find((b) => b.name === name)?.cases.length ?? 0) * plan.repeat;
      lines.push(
        `  ${name.padEnd(14)} ${own.length ? own.map((c) => `${c.case}#${c.repetition}`).join(", ") : "(no cases)"}${own.length < total ? `  (${own.length} of ${total} cells)` : ""}`,
      );
    }
    for (const p of shard.pairs) lines.push(`  pair ${p}`);
    if (!shard.cells.length) lines.push("  (no cells: the plan has fewer cells than shards)");
  }
  return `${lines.join("\n")}\n`;
}
