import { resolve } from "node:path";
import type { Command } from "commander";
import type { CoreCheck } from "../../preflight/core.ts";
import type { PreflightResult } from "../../preflight/types.ts";
import { EXIT_FAIL, EXIT_OK } from "../../util/errors.ts";
import type { CliIO } from "../io.ts";
import { addManifestOption, manifestPath } from "../options/manifest.ts";
import { signalExitCode, stoppable } from "../stop-signal.ts";
import { currentEnv } from "./backend-check.ts";

export function registerDoctor(program: Command, io: CliIO): void {
  addManifestOption(
    program
      .command("doctor")
      .description("check this machine: Node, npm, 127.0.0.1, SQLite, reports/ — and every backend's preflight (status, version, first fix)"),
  )
    .option("--core", "only what the toolkit and CI need (no external CLI is probed); passes on a fresh machine")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      "\nExit codes: 0 the core checks pass (backend statuses are reported, not judged; use backend-check) · 1 a core check failed · 2 manifest error.",
    )
    .action(async (options: { manifest?: string; core?: boolean; json?: boolean }) => {
      const { openPlan } = await import("../../manifest/open.ts");
      const { coreChecks } = await import("../../preflight/core.ts");
      const { preflight } = await import("../../preflight/preflight.ts");
      const { default: pLimit } = await import("p-limit");
      const env = currentEnv();
      const core = await coreChecks({ env, reportsDir: resolve("reports"), timeoutMs: 15_000 });
      let backends: PreflightResult[] = [];
      if (!options.core) {
        const plan = await openPlan(manifestPath(options.manifest), {}, process.env);
        const limit = pLimit(Math.max(1, Math.min(plan.settings.concurrency, 8)));
        const probed = await stoppable(
          io,
          "the probes",
          (signal) => Promise.all(plan.backends.map((b) => limit(() => preflight(b, { env, probeTimeoutMs: plan.settings.probeTimeoutMs, signal })))),
          { hangUp: true },
        );
        if (probed.signal) {
          io.exit(signalExitCode(probed.signal));
          return;
        }
        backends = probed.value;
      }
      const ok = core.every((c) => c.status !== "fail");
      if (options.json) io.stdout(`${JSON.stringify({ ok, core, ...(options.core ? {} : { backends }) }, null, 2)}\n`);
      else io.stdout(renderDoctor(await import("../../preflight/render.ts"), core, options.core ? undefined : backends));
      io.exit(ok ? EXIT_OK : EXIT_FAIL);
    });
}

function renderDoctor({ resultRow, table }: typeof import("../../preflight/render.ts"), core: CoreCheck[], backends: PreflightResult[] | undefined): string {
  let out = table(
    ["check", "status", "detail"],
    core.map((c) => [c.name, c.status, `${c.detail}${c.hint ? ` — fix: ${c.hint}` : ""}`]),
  );
  if (backends) out += `\n${table(["backend", "status", "version (seen / locked)", "first fix"], backends.map(resultRow))}`;
  return out;
}
