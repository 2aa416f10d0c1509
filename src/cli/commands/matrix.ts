import { join, resolve } from "node:path";
import { type Command, Option } from "commander";
import { parseShard } from "../../manifest/partition.ts";
import { MitteloError } from "../../util/errors.ts";
import { fileTimestamp, parseDuration } from "../../util/units.ts";
import type { StubMode } from "../../stub/types.ts";
import type { CliIO } from "../io.ts";
import type { MatrixCommandOptions } from "../matrix-session.ts";
import { defaultReporter, REPORTERS, type Reporter } from "../reporter.ts";
import { collect } from "../options/collect.ts";
import { addManifestOption, manifestPath } from "../options/manifest.ts";
import { parseNumberFlag, POSITIVE_INTEGER } from "../options/number.ts";
import { stubModeOption } from "../options/stub-mode.ts";

/** What commander hands the action: the flags matrixCommand takes as they are, the others as typed. */
export type MatrixFlags = Pick<
  MatrixCommandOptions,
  | "profile"
  | "include"
  | "exclude"
  | "prompt"
  | "runOnWarn"
  | "outDir"
  | "verbose"
  | "junit"
  | "tickets"
  | "bail"
  | "list"
  | "updateLock"
  | "shardBy"
  | "timings"
  | "label"
> & {
  manifest?: string;
  concurrency?: string;
  timeout?: string;
  reporter?: Reporter;
  stub?: boolean;
  stubMode?: string;
  shard?: string;
  repeat?: string;
};

const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Validates numeric/duration flags up front, showing the bad value. The reporter defaults by where stdout goes. */
export function parseMatrixFlags(flags: MatrixFlags, stdoutIsTTY = false, env: Readonly<Record<string, string | undefined>> = {}) {
  const { manifest, concurrency: concurrencyFlag, timeout, reporter, stub, stubMode, shard: shardFlag, repeat: repeatFlag, ...same } = flags;
  const concurrency = concurrencyFlag === undefined ? undefined : parseNumberFlag(concurrencyFlag, "--concurrency", POSITIVE_INTEGER);
  let timeoutMs: number | undefined;
  if (timeout !== undefined) {
    timeoutMs = parseDuration(/^\d+(\.\d+)?$/.test(timeout) ? Number(timeout) : timeout);
    if (!timeoutMs) throw new MitteloError("bad-flag", `--timeout must be a duration such as 30s, 2m or 500ms, got '${timeout}'`);
  }
  const shard = shardFlag === undefined ? undefined : parseShard(shardFlag);
  if (shardFlag !== undefined && !shard)
    throw new MitteloError("bad-flag", `--shard must be i/n with 1 <= i <= n (e.g. 2/3), got '${shardFlag}'`, {
      hint: "run the same command once per shard: --shard 1/3, --shard 2/3, --shard 3/3",
    });
  if ((flags.shardBy !== undefined || flags.timings !== undefined) && !shard)
    throw new MitteloError("bad-flag", `${flags.shardBy !== undefined ? "--shard-by" : "--timings"} only applies with --shard i/n`);
  const repeat = repeatFlag === undefined ? undefined : parseNumberFlag(repeatFlag, "--repeat", { integer: true, min: 1, max: 1000 });
  if (flags.label !== undefined && !LABEL.test(flags.label))
    throw new MitteloError("bad-flag", `--label must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit), got '${flags.label}'`, {
      hint: "e.g. --label linux-x64 or --label gpu-box",
    });
  return {
    ...same,
    manifest: manifestPath(manifest),
    concurrency,
    timeoutMs,
    reporter: reporter ?? defaultReporter(stdoutIsTTY, env),
    stub: stub || stubMode !== undefined ? true : undefined,
    stubMode: stubMode as StubMode | undefined,
    shard,
    repeat,
  };
}

/** The matrix flags, shared by `mittelo matrix` and harness/run.mjs. */
export function addMatrixOptions(command: Command): Command {
  return addManifestOption(command)
    .option("-p, --profile <name>", "profile from the manifest (e.g. ci)")
    .option("-i, --include <name>", "run only this backend (repeatable)", collect)
    .option("-x, --exclude <name>", "do not run this backend (repeatable)", collect)
    .option("-c, --concurrency <n>", "cases running at once")
    .option("-t, --timeout <duration>", "timeout for every case (e.g. 30s)")
    .option("--prompt <text>", "replace the default case's prompt (its answer checks are dropped)")
    .option("--run-on-warn", "run backends whose preflight is warn (default: SKIP them)")
    .option(
      "-o, --out-dir <dir>",
      "report folder (default reports/e2e/<UTC ts>_matrix/); locked while a run writes it; a previous report in it is replaced, any other content refused",
    )
    .addOption(new Option("--reporter <kind>", "what goes to stdout (default: human on a terminal, tap when piped or in CI)").choices([...REPORTERS]))
    .option("-v, --verbose", "evidence in full (e.g. every PATH directory searched); matrix.json always has it")
    .option("--junit <path>", "also write junit.xml here")
    .option("--tickets <path>", "append a ticket block per failure to this file (e.g. docs/QA_TICKETS.md)")
    .option("--bail", "stop after the first unexpected outcome")
    .option("--list", "print the plan and exit (with --shard: the shard's cells)")
    .option("--repeat <k>", "run every case k times: all pass = PASS, some = flaky (a case's min_pass_rate can accept it)")
    .option("--shard <i/n>", "run only shard i of n of the plan's cells (every machine computes the same split)")
    .addOption(new Option("--shard-by <unit>", "keep a backend's cells on one shard, or split by cell").choices(["backend", "cell"]))
    .option("--timings <file>", "balance the shards by the durations in this timings.json (of a previous run or merge)")
    .option("--label <name>", "name of this machine in events and reports (default <os>-<arch>)")
    .option("--update-lock", "write the version seen by each passing backend into its lock in the manifest")
    .option("--stub", "point every backend that has a `stub` block at its own local model stub (no network, no account)")
    .addOption(stubModeOption("how the stub answers (implies --stub)"));
}

export function registerMatrix(program: Command, io: CliIO): void {
  const command = program
    .command("matrix")
    .description("run the backend matrix: preflight, run in parallel, classify, write TAP, matrix.json, summary.md, junit.xml")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ mittelo matrix                       # every backend; exit 0 when all outcomes match expectations",
        "  $ mittelo matrix --profile ci --junit reports/junit.xml",
        "  $ mittelo matrix --include codex --include echo --timeout 60s",
        "  $ mittelo matrix --repeat 4            # each case 4 times: PASS, flaky 2/4 or FAIL",
        "  $ mittelo matrix --shard 2/3 --list    # the cells shard 2 of 3 would run",
        "  $ mittelo matrix --shard 2/3 --timings reports/merged/timings.json --label linux-x64 -o reports/shard-2",
        "  $ mittelo report merge reports/shard-1 reports/shard-2 reports/shard-3 --out-dir reports/merged",
      ].join("\n"),
    );
  addMatrixOptions(command).action(async (flags: MatrixFlags) => {
    const { matrixCommand } = await import("../matrix-session.ts");
    const { pairsExtension } = await import("../../smoke/pairs-in-matrix.ts");
    const options = parseMatrixFlags(flags, io.stdoutIsTTY, process.env);
    // The out dir is fixed here so the pair smokes can put their artifacts under it (<out>/pairs/<name>/).
    const shard = options.shard ? `_shard-${options.shard.index}-of-${options.shard.total}` : "";
    const outDir = resolve(options.outDir ?? join("reports", "e2e", `${fileTimestamp()}_matrix${shard}`));
    io.exit(
      await matrixCommand({ ...options, outDir, extend: pairsExtension(outDir, process.env, options.stubMode) }, io, [
        "mittelo",
        "matrix",
        ...process.argv.slice(3),
      ]),
    );
  });
}
