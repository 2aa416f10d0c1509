import { join } from "node:path";
import type { Command } from "commander";
import type { StubMode } from "../../stub/types.ts";
import { EXIT_FAIL, EXIT_OK } from "../../util/errors.ts";
import { fileTimestamp } from "../../util/units.ts";
import type { CliIO } from "../io.ts";
import { signalExitCode, stoppable } from "../stop-signal.ts";
import { addManifestOption, manifestPath } from "../options/manifest.ts";
import { parseNumberFlag, POSITIVE, POSITIVE_INTEGER } from "../options/number.ts";
import { stubModeOption } from "../options/stub-mode.ts";
import { startRunGuard } from "../run-guard.ts";

interface PairSmokeFlags {
  backendA: string;
  backendB: string;
  tasks: string;
  timeoutS: string;
  outDir?: string;
  chaos?: boolean;
  stub?: boolean;
  stubMode?: StubMode;
  manifest?: string;
}

export function registerPairSmoke(program: Command, io: CliIO): void {
  addManifestOption(
    program
      .command("pair-smoke")
      .description("start a hub and two agents, share a batch between them, verify every task was done exactly once")
      .requiredOption("-a, --backend-a <name>", "backend of agent A")
      .requiredOption("-b, --backend-b <name>", "backend of agent B")
      .option("-n, --tasks <n>", "tasks in the batch", "6")
      .option("--timeout-s <s>", "limit for the batch, in seconds", "15")
      .option("-o, --out-dir <dir>", "artifact folder (default reports/swarm/<UTC ts>_pair/)")
      .option("--chaos", "kill agent A mid-task once and restart it; delay one ack of agent B past its lease")
      .option("--stub", "run both backends against a local model stub (their manifest `stub` blocks): real CLIs, no network, exact answers")
      .addOption(stubModeOption("how the stubs answer (implies --stub); each agent's classifier sees it: 429 → SKIP quota, 401 → SKIP auth")),
    "manifest file, also given to the agents",
  )
    .addHelpText(
      "after",
      "\nExamples:\n  $ mittelo pair-smoke --backend-a echo --backend-b echo\n  $ mittelo pair-smoke -a echo -b echo --tasks 10 --chaos\n  $ mittelo pair-smoke --stub --backend-a codex --backend-b claude_code\n  $ mittelo pair-smoke --stub-mode 429 -a codex -b claude_code --tasks 2   # SKIP quota",
    )
    .action(async (flags: PairSmokeFlags) => {
      const tasks = parseNumberFlag(flags.tasks, "--tasks", POSITIVE_INTEGER);
      const timeoutMs = Math.round(parseNumberFlag(flags.timeoutS, "--timeout-s", POSITIVE) * 1000);
      const { runPairSmoke } = await import("../../smoke/run-pair-smoke.ts");
      // The hub, the agents and their backends carry the smoke's mark: its watchdog kills them should it be killed.
      const guard = startRunGuard();
      try {
        // The first signal stops the agents and the hub (the artifacts are written); a second kills them all at once.
        const { value: result, signal: interrupted } = await stoppable(
          io,
          "the pair smoke",
          (signal) =>
            runPairSmoke({
              manifest: manifestPath(flags.manifest),
              backendA: flags.backendA,
              backendB: flags.backendB,
              tasks,
              timeoutMs,
              chaos: flags.chaos,
              stub: flags.stub || flags.stubMode !== undefined,
              stubMode: flags.stubMode,
              outDir: flags.outDir ?? join("reports", "swarm", `${fileTimestamp()}_pair`),
              env: process.env,
              signal,
              log: (line) => io.stderr(`${line}\n`),
            }),
          {
            stopping: "stopping the pair smoke; stopping the agents and the hub, then writing the artifacts",
            forcing: "killing the hub, the agents and their backends now (SIGKILL), then writing the artifacts",
            force: () => guard.killNow(),
          },
        );
        const { verdict: v, details: d } = result;
        io.stdout(`pair ${result.pair}: ${v.outcome} (${v.reason}) — ${v.message}\n`);
        const ran = result.processes.length > 0;
        if (v.outcome === "PASS" || v.outcome === "FAIL" || (v.outcome === "SKIP" && ran)) {
          io.stdout(
            `  tasks ${d.tasks} · done ${d.done} · failed ${d.failed} · split A ${d.split.a} / B ${d.split.b} · re-leases ${d.releases} · fenced acks ${d.fencedAcks} · work ${result.workMs ?? "-"} ms\n`,
          );
        }
        if (v.outcome !== "PASS" && v.evidence) io.stdout(`  evidence: ${v.evidence}\n`);
        if (v.outcome !== "PASS" && v.hint) io.stdout(`  next step: ${v.hint}\n`);
        if (v.outcome === "SKIP") io.stdout(ran ? "  skipped: the backends are not set up here (exit 0)\n" : "  skipped: nothing was run (exit 0)\n");
        io.stdout(`artifacts: ${result.artifacts.dir}\n`);
        // Interrupted (Ctrl-C): 128 + the signal's number, 130 for SIGINT, as shells expect.
        io.exit(interrupted ? signalExitCode(interrupted) : v.outcome === "PASS" || v.outcome === "SKIP" ? EXIT_OK : EXIT_FAIL);
      } finally {
        await guard.close();
      }
    });
}
