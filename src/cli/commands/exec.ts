import type { Command } from "commander";
import { MitteloError } from "../../util/errors.ts";
import { parseDuration } from "../../util/units.ts";
import type { CliIO } from "../io.ts";
import { addManifestOption, manifestPath } from "../options/manifest.ts";

export function registerExec(program: Command, io: CliIO): void {
  addManifestOption(
    program
      .command("exec")
      .description("run one backend as the manifest declares it: prompt on stdin, only the answer on stdout (what backends/<name>/run calls)")
      .requiredOption("-b, --backend <name>", "backend name"),
  )
    .option("-t, --timeout <duration>", "timeout (default: the backend's)")
    .addHelpText("after", "\nExamples:\n  $ echo 'Return exactly: hi' | mittelo exec --backend echo\n  $ backends/codex/run < prompt.txt")
    .action(async (options: { backend: string; manifest?: string; timeout?: string }) => {
      const timeoutMs = options.timeout === undefined ? undefined : parseDuration(options.timeout);
      if (options.timeout !== undefined && !timeoutMs) throw new MitteloError("bad-flag", `--timeout must be a duration such as 30s, got '${options.timeout}'`);
      const { execBackend } = await import("../exec-backend.ts");
      io.exit(await execBackend({ manifest: manifestPath(options.manifest), backend: options.backend, timeoutMs }, io, process.stdin));
    });
}
