import type { Command } from "commander";
import { EXIT_FAIL, EXIT_OK, EXIT_USAGE, MitteloError } from "../../util/errors.ts";
import { parseDuration } from "../../util/units.ts";
import type { CliIO } from "../io.ts";
import { addManifestOption, manifestPath } from "../options/manifest.ts";
import { signalExitCode, stoppable } from "../stop-signal.ts";

/** process.env without undefined values. */
export function currentEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}

export function registerBackendCheck(program: Command, io: CliIO): void {
  addManifestOption(
    program
      .command("backend-check")
      .description("preflight one backend: installed? locked version? help flags? authenticated? right platform? — with the exact fix")
      .requiredOption("-b, --backend <name>", "backend to check (a matrix.yaml entry or a backends/<name>/ folder)"),
  )
    .option("--probe-timeout <duration>", "limit for each probe of the CLI (default: defaults.probe_timeout, 5s)")
    .option("--json", "print the result as JSON (schemas/preflight.schema.json)")
    .addHelpText(
      "after",
      "\nExit codes: 0 ok · 1 warn or fail · 2 usage or manifest error.\n\nExamples:\n  $ mittelo backend-check --backend echo\n  $ mittelo backend-check --backend codex --json",
    )
    .action(async (options: { backend: string; manifest?: string; probeTimeout?: string; json?: boolean }) => {
      const { openPlan } = await import("../../manifest/open.ts");
      const { preflight } = await import("../../preflight/preflight.ts");
      const { renderResult } = await import("../../preflight/render.ts");
      const plan = await openPlan(manifestPath(options.manifest), { include: [options.backend] }, process.env);
      const backend = plan.backends.find((b) => b.name === options.backend);
      if (!backend) {
        const why = plan.excluded.find((e) => e.kind === "backend" && e.name === options.backend)?.why ?? "not planned";
        throw new MitteloError("backend-excluded", `backend '${options.backend}' is not checked: ${why}`, {
          hint: "set enabled: true in matrix.yaml",
          exitCode: EXIT_USAGE,
        });
      }
      const probeTimeoutMs = options.probeTimeout === undefined ? plan.settings.probeTimeoutMs : parseDuration(options.probeTimeout);
      if (probeTimeoutMs === undefined || probeTimeoutMs <= 0) {
        throw new MitteloError("bad-option", `--probe-timeout '${options.probeTimeout}' is not a duration`, { hint: "e.g. 5s, 1500ms" });
      }
      const { value: result, signal } = await stoppable(io, "the probes", (stop) => preflight(backend, { env: currentEnv(), probeTimeoutMs, signal: stop }), {
        hangUp: true,
      });
      if (signal) {
        io.exit(signalExitCode(signal));
        return;
      }
      io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : renderResult(result));
      io.exit(result.status === "ok" ? EXIT_OK : EXIT_FAIL);
    });
}
